"""The live service keeps the contract: the schemathesis CLI against `python -m api serve`.

Every check and every phase, stateful included (driven by the document's OpenAPI links),
positive and negative data, the seed and hooks of schemathesis.toml. The JUnit report and the
event log are kept under build/schemathesis/ (git-ignored).
"""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import msgspec
import pytest

from api.settings import ROOT, Settings

pytestmark = pytest.mark.contract


REPORTS = ROOT / "build" / "schemathesis"
RUN = "live schemathesis (st run)"
PHASES = ("examples", "coverage", "fuzzing", "stateful")
CHECKS = {
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
    "unsupported_method",
    "allow_header_conformance",
    "use_after_free",
    "ensure_resource_availability",
}
#: Test cases per operation in the fuzzing phase; the in-process run goes further (5,000+).
MAX_EXAMPLES = 100


def st_run(base: str, settings: Settings) -> subprocess.CompletedProcess[str]:
    REPORTS.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "run",
        f"{base}/schema/openapi.json",
        "--checks=all",
        f"--phases={','.join(PHASES)}",
        "--mode=all",
        f"--max-examples={MAX_EXAMPLES}",
        "--report=junit,ndjson",
        f"--report-junit-path={REPORTS / 'junit.xml'}",
        f"--report-ndjson-path={REPORTS / 'events.ndjson'}",
        "--output-truncate=false",
    ]
    # schemathesis.toml (seed, hooks) is found from the working directory; the hooks read the
    # database the server serves.
    env = {**os.environ, "ARTICLE_FACTS_DB": str(settings.database), "NO_COLOR": "1"}
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=540, check=False
    )


def events(path: Path) -> Iterator[tuple[str, Any]]:
    with path.open("rb") as lines:
        for line in lines:
            ((kind, event),) = msgspec.json.decode(line).items()
            yield kind, event


def test_the_live_service_keeps_the_contract(
    live_server: str, settings: Settings, generated_requests: dict[str, int]
) -> None:
    result = st_run(live_server, settings)
    assert result.returncode == 0, result.stdout[-40_000:] + result.stderr[-5_000:]

    suites = ElementTree.parse(REPORTS / "junit.xml").getroot()
    assert (suites.get("failures"), suites.get("errors")) == ("0", "0")
    assert int(suites.get("tests", "0")) >= 22

    checks: set[str] = set()
    phases: dict[str, str] = {}
    requests = 0
    links = 0
    for kind, event in events(REPORTS / "events.ndjson"):
        if kind == "ScenarioFinished":
            recorder = event["recorder"]
            requests += len(recorder.get("interactions", {}))
            for found in recorder.get("checks", {}).values():
                checks |= {check["name"] for check in found}
        elif kind == "PhaseFinished":
            phases[event["phase"]["name"]] = event["status"]
        elif kind == "PhaseStarted" and event["phase"]["name"] == "stateful":
            payload = event["payload"]
            links = payload["transitions_total"] - payload["inferred_transitions"]
    generated_requests[RUN] = requests
    assert {phase: phases.get(phase) for phase in PHASES} == dict.fromkeys(PHASES, "success")
    assert checks >= CHECKS
    assert links > 0, "the stateful phase had no links from the document to follow"
    assert requests > 1_000
