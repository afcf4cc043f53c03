"""How long and how hard a benchmark run is: the full run and the smoke run differ only here."""

from dataclasses import dataclass
from pathlib import Path

from api.settings import ROOT

BUILD = ROOT / "build"
RESULTS = Path(__file__).with_name("results")


@dataclass(frozen=True)
class Plan:
    """How long and how hard: the full run and the smoke run differ only here."""

    smoke: bool
    rounds: int
    seconds: int
    warmup: int
    connections: int
    scale_articles: int
    scale_facts: int
    datasette: bool
    out: Path
    only: tuple[str, ...] = ()

    @property
    def raw(self) -> Path:
        return self.out / "raw"
