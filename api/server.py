"""Serving under granian's ASGI interface."""

import os

from granian import Granian
from granian.constants import Interfaces

from api.settings import Settings


def serve(settings: Settings, host: str, port: int, workers: int) -> None:
    """Run the service; workers read the same settings through the environment."""
    os.environ["ARTICLE_FACTS_DB"] = str(settings.database)
    Granian(
        "api.app:create_app",
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        workers=workers,
        factory=True,
        log_access=False,
    ).serve()
