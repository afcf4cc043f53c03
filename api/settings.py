"""Runtime settings: a frozen Struct read from the environment when asked, never at import."""

import os
from pathlib import Path
from typing import Literal

from msgspec import Struct, convert

ROOT = Path(__file__).resolve().parent.parent
LogLevel = Literal["debug", "info", "warning", "error"]
LogFormat = Literal["json", "plain"]


class Settings(Struct, frozen=True, kw_only=True):
    """Where the inputs and the database live, and how the edge may answer before routing.

    ``cache_bytes`` bounds the response cache (0 turns it off); ``fast_path`` lets plain list
    and item GETs be answered from the store without routing (see api/web/fast.py);
    ``public_url`` is the absolute base URL clients reach the service at, when it is known (the
    OpenAPI document's ``servers`` names it; otherwise the relative ``/``).

    ``log_level`` applies to the service's and granian's logs; at ``info`` (or ``debug``) every
    request also gets its access-log line on stdout, as a JSON object or, with ``log_format``
    ``plain``, a line for a terminal (api/web/access.py). ``metrics_dir`` is where the workers of
    one server leave their metrics for each other's scrapes (api/web/metrics.py); ``serve`` makes
    a fresh one per run, and without it a process reports only its own.
    """

    seeds: Path = ROOT / "seeds"
    fixtures: Path = ROOT / "fixtures"
    database: Path = ROOT / "build" / "facts.sqlite"
    cache_bytes: int = 64 * 1024 * 1024
    max_age: int = 300
    fast_path: bool = True
    public_url: str | None = None
    log_level: LogLevel = "info"
    log_format: LogFormat = "json"
    metrics_dir: Path | None = None

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Settings":
        """Settings from ``ARTICLE_FACTS_*`` variables; unset ones keep their defaults."""
        env = os.environ if environ is None else environ
        defaults = cls()
        return cls(
            seeds=Path(env.get("ARTICLE_FACTS_SEEDS", defaults.seeds)),
            fixtures=Path(env.get("ARTICLE_FACTS_FIXTURES", defaults.fixtures)),
            database=Path(env.get("ARTICLE_FACTS_DB", defaults.database)),
            cache_bytes=int(env.get("ARTICLE_FACTS_CACHE_BYTES", defaults.cache_bytes)),
            max_age=int(env.get("ARTICLE_FACTS_MAX_AGE", defaults.max_age)),
            fast_path=env.get("ARTICLE_FACTS_FAST_PATH", "1") != "0",
            public_url=env.get("ARTICLE_FACTS_PUBLIC_URL") or None,
            log_level=convert(env.get("ARTICLE_FACTS_LOG_LEVEL", defaults.log_level), LogLevel),
            log_format=convert(env.get("ARTICLE_FACTS_LOG_FORMAT", defaults.log_format), LogFormat),
            metrics_dir=Path(env["ARTICLE_FACTS_METRICS_DIR"])
            if env.get("ARTICLE_FACTS_METRICS_DIR")
            else None,
        )
