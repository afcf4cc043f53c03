"""Range headers (api/web/ranges.py): the laws of what a valid header gives, and what is ignored."""

import itertools

from hypothesis import given
from hypothesis import strategies as st

from api.web import ranges

SIZES = st.integers(min_value=0, max_value=2_000)
SPECS = st.one_of(
    st.tuples(st.integers(0, 2_500), st.integers(0, 2_500)).map(
        lambda pair: f"{min(pair)}-{max(pair)}"
    ),
    st.integers(0, 2_500).map(lambda first: f"{first}-"),
    st.integers(0, 2_500).map(lambda length: f"-{length}"),
)


def wanted(spec: str, size: int) -> set[int]:
    """The bytes one valid range spec names within ``size`` bytes, by RFC 9110 14.1.2."""
    first, _, last = spec.partition("-")
    if not first:
        return set(range(max(size - int(last), 0), size))
    end = size if not last else min(int(last) + 1, size)
    return set(range(int(first), end))


@given(size=SIZES, specs=st.lists(SPECS, min_size=1, max_size=20))
def test_the_spans_are_the_asked_bytes_in_order_apart_and_within_the_file(
    size: int, specs: list[str]
) -> None:
    spans = ranges.requested("bytes=" + ", ".join(specs), size)
    asked: set[int] = set().union(*(wanted(spec, size) for spec in specs))
    runs = sum(1 for byte in asked if byte - 1 not in asked)
    if runs > ranges.MOST:
        assert spans is None  # ignored: answered whole
        return
    assert spans is not None
    assert len(spans) == runs
    covered = {byte for first, last in spans for byte in range(first, last + 1)}
    assert covered == asked
    assert all(0 <= first <= last < size for first, last in spans)
    assert all(a[1] + 1 < b[0] for a, b in itertools.pairwise(spans))
    assert len(spans) <= ranges.MOST


def test_invalid_headers_are_ignored() -> None:
    for header in (
        None,
        "",
        "bytes=",
        "bytes=5-1",
        "bytes=a-b",
        "bytes=-",
        "items=0-1",
        "bytes=1-2,",
    ):
        assert ranges.requested(header, 100) is None, header


def test_more_parts_than_most_are_ignored() -> None:
    header = "bytes=" + ",".join(f"{2 * i}-{2 * i}" for i in range(ranges.MOST + 1))
    assert ranges.requested(header, 1_000) is None
    assert ranges.requested(header, 2 * ranges.MOST) is not None  # the last is outside


def test_nothing_within_the_file_is_an_empty_list() -> None:
    assert ranges.requested("bytes=100-", 100) == []
    assert ranges.requested("bytes=-0", 100) == []
    assert ranges.requested("bytes=-5", 0) == []


def test_multipart_lengths_add_up_to_the_body() -> None:
    parts = list(ranges.multipart([(0, 1), (5, 9)], 10, "text/plain", "b"))
    texts = b"".join(part.text for part in parts if part.span is None)
    assert sum(part.length for part in parts) == len(texts) + 2 + 5
