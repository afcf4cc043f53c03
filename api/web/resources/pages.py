"""The pages for people, / and /articles/{id}, and their assets, read through the routes' Store.

An article's facts are every record of every catalog resource that has evidence in it: the
records its ``article`` filter finds (paged as the list route pages them), and the article's own
record. A resource added to the catalog appears on the page with no change here.
"""

from pathlib import Path

import msgspec
from litestar import Response, get
from litestar.di import NamedDependency
from litestar.static_files import create_static_files_router

from api.model.catalog import ARTICLES, RESOURCES, Resource
from api.model.models import Article
from api.model.parameters import LIMIT
from api.web.pages import CSP, Entry, article_page, home_page, spans_in
from api.web.resources.collection import IdParameter
from api.web.resources.downloads import Shelf
from api.web.store import Condition, Store, link_condition

STATIC = Path(__file__).resolve().parent.parent / "static"
HTML = "text/html"
#: The most records one read of a list takes: the list route's largest page.
MOST = int(LIMIT.constraints.le or 1)

assets = create_static_files_router(path="/assets", directories=[STATIC], name="assets")


async def every(store: Store, resource: Resource, conditions: list[Condition]) -> list[bytes]:
    """Every record of ``resource`` that meets ``conditions``, page by page in id order."""
    bodies: list[bytes] = []
    after = None
    while True:
        page, _, after = await store.page(resource, conditions, "id", False, after, MOST)
        bodies += page
        if after is None:
            return bodies


async def article_entries(store: Store, article: Article) -> list[Entry]:
    """The article's own record, then every record with evidence in it, in catalog order."""
    facts = [Entry(ARTICLES, article, spans_in(article, article.id))]
    for resource in RESOURCES:
        if "article" not in resource.links:
            continue
        condition = link_condition(resource, "article", article.id)
        decoder = msgspec.json.Decoder(resource.model)
        for body in await every(store, resource, [condition]):
            record = decoder.decode(body)
            found = spans_in(record, article.id)
            if found:
                facts.append(Entry(resource, record, found))
    return [fact for fact in facts if fact.spans]


@get("/articles/{id:str}", include_in_schema=False)
async def article(store: NamedDependency[Store], id: IdParameter) -> Response[str]:
    record = msgspec.json.decode(await store.body(ARTICLES, id), type=Article)
    page = article_page(record, await store.text(id), await article_entries(store, record))
    return Response(page, media_type=HTML, headers={"Content-Security-Policy": CSP})


@get("/", include_in_schema=False)
async def home(store: NamedDependency[Store], shelf: NamedDependency[Shelf]) -> Response[str]:
    articles = [
        msgspec.json.decode(body, type=Article) for body in await every(store, ARTICLES, [])
    ]
    meta = await store.meta()
    page = home_page(meta["version"], articles, shelf.files)
    return Response(page, media_type=HTML, headers={"Content-Security-Policy": CSP})
