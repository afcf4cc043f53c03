"""An integrator's scenario with the generated Python client (openapi-python-client).

tests/test_clients.py generates ``article_facts_api_client`` from the served document, type-checks
it with this file under ``mypy --strict`` and runs ``python scenario.py BASE_URL``. Each line
printed is one step the test checks.
"""

import json
import sys

from article_facts_api_client import Client
from article_facts_api_client.api.articles import get_article_text
from article_facts_api_client.api.countries import list_countries
from article_facts_api_client.api.quotes import get_quote, list_quotes
from article_facts_api_client.api.search import search
from article_facts_api_client.models import CountryPage, Problem, Quote, QuotePage, SearchPage
from article_facts_api_client.types import UNSET, Unset


def main(base: str) -> None:
    client = Client(base_url=base)
    first = list_quotes.sync(client=client, speaker="vladimir-putin")
    assert isinstance(first, QuotePage)
    print(f"filtered: {json.dumps([quote.id for quote in first.data])}")

    ids: list[str] = []
    cursor: str | Unset = UNSET
    while True:
        page = list_countries.sync(client=client, limit=4, cursor=cursor)
        assert isinstance(page, CountryPage)
        ids += [country.id for country in page.data]
        if page.meta.next_cursor is None:
            break
        cursor = page.meta.next_cursor
    print(f"paged: {len(ids)} countries, {len(set(ids))} distinct, total {page.meta.total}")

    quote = get_quote.sync(first.data[0].id, client=client)
    assert isinstance(quote, Quote)
    print(f"item: {quote.id} by {quote.speaker.name}, {len(quote.evidence)} spans")

    missing = get_quote.sync("no-such-quote", client=client)
    assert isinstance(missing, Problem)
    print(f"404: {missing.status} {missing.title}")

    invalid = list_quotes.sync(client=client, limit=0)
    assert isinstance(invalid, Problem)
    print(f"400: {invalid.status} {json.dumps([error.parameter for error in invalid.errors])}")

    hits = search.sync(client=client, q="jihadi recruitment")
    assert isinstance(hits, SearchPage)
    print(f"search: {json.dumps(sorted({hit.type_ for hit in hits.data}))}")

    evidence = quote.evidence[0]
    span = get_article_text.sync(
        evidence.article, client=client, start=evidence.start, end=evidence.end
    )
    print(f"text: {json.dumps(span == evidence.exact)}")

    fresh = list_quotes.sync_detailed(client=client, speaker="vladimir-putin")
    etag = fresh.headers["etag"]
    again = list_quotes.sync_detailed(client=client, speaker="vladimir-putin", if_none_match=etag)
    print(f"conditional: {fresh.status_code} then {again.status_code}")


if __name__ == "__main__":
    main(sys.argv[1])
