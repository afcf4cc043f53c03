"""Runtime settings: a frozen Struct read from the environment when asked, never at import."""

import os
from pathlib import Path

from msgspec import Struct

ROOT = Path(__file__).resolve().parent.parent


class Settings(Struct, frozen=True, kw_only=True):
    """Where the inputs and the database live, and how the edge may answer before routing.

    ``cache_bytes`` bounds the response cache (0 turns it off); ``fast_path`` lets plain list
    and item GETs be answered from the store without routing (see api/web/fast.py);
    ``public_url`` is the absolute base URL clients reach the service at, when it is known (the
    OpenAPI document's ``servers`` names it; otherwise the relative ``/``).
    """

    seeds: Path = ROOT / "seeds"
    fixtures: Path = ROOT / "fixtures"
    database: Path = ROOT / "build" / "facts.sqlite"
    cache_bytes: int = 64 * 1024 * 1024
    max_age: int = 300
    fast_path: bool = True
    public_url: str | None = None

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
        )
