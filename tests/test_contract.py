"""The OpenAPI document is the contract: schemathesis checks every operation against it, in process.

Every check, the examples, coverage and fuzzing phases, positive and negative data and a fixed
seed, as schemathesis.toml sets them. One test per operation; the application is created and
started once and answers every request in process.

The schema is loaded when this module is imported (schemathesis parametrizes at collection), so
the module builds its own database from the real fixtures, as the `settings` fixture does.
"""

import atexit
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send
from schemathesis import Case
from schemathesis.config import SchemathesisConfig

from api.build import build
from api.settings import ROOT, Settings
from api.web.app import create_app
from tests import contract_hooks

pytestmark = pytest.mark.contract


RUN = "in-process schemathesis"
MINIMUM_REQUESTS = 5_000
SENT: dict[str, int] = {}


class Counted:
    """The application, counting the HTTP requests it answers by operation path."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            SENT[scope["path"]] = SENT.get(scope["path"], 0) + 1
        await self.app(scope, receive, send)


def _served() -> ASGIApp:
    folder = Path(tempfile.mkdtemp(prefix="contract-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    settings = Settings(database=folder / "facts.sqlite", log_level="warning")
    build(settings)
    contract_hooks.serve(settings.database)
    return Counted(create_app(settings))


schema = schemathesis.openapi.from_asgi(
    "/schema/openapi.json",
    _served(),
    config=SchemathesisConfig.from_path(ROOT / "schemathesis.toml"),
)


@schema.parametrize()
def test_every_operation_keeps_the_contract(case: Case[Any]) -> None:
    case.call_and_validate()


def test_the_contract_run_sent_enough_requests(generated_requests: dict[str, int]) -> None:
    """Runs after the per-operation tests: together they sent at least 5,000 requests, and
    requests reached every path of the document."""
    generated_requests[RUN] = sum(SENT.values())
    assert generated_requests[RUN] >= MINIMUM_REQUESTS
    for template in schema.raw_schema["paths"]:
        pattern = re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)))
        assert any(pattern.fullmatch(path) for path in SENT), template
