"""An operation's query parameters (api/model/parameters.py), compiled into its Litestar handler.

The handler's signature gets one keyword-only parameter per description, so Litestar parses,
validates and documents each in OpenAPI; the descriptions ride along in the handler's ``opt``,
where the query guard (api/web/query.py) finds the names, integers and required ones.
"""

import inspect
from collections.abc import Callable, Sequence
from typing import Annotated, Any

from litestar import get
from litestar.handlers import HTTPRouteHandler
from litestar.params import Parameter

from api.model.parameters import QueryParameter

#: The key of a handler's ``opt`` that holds its query parameters.
PARAMETERS = "parameters"


def annotation(parameter: QueryParameter) -> Any:
    """The type Litestar reads: absent is None for an optional parameter (no filter)."""
    kind = parameter.annotation | None if parameter.optional else parameter.annotation
    marker = Parameter(
        description=parameter.description,
        schema_extra=dict(parameter.documented) or None,
        **parameter.constraints.given(),
    )
    return Annotated[kind, marker]


def compiled(fn: Callable[..., Any], parameters: Sequence[QueryParameter]) -> Callable[..., Any]:
    """``fn`` with its ``**values`` replaced by the query parameters, in order."""
    own = [p for p in inspect.signature(fn).parameters.values() if p.kind != p.VAR_KEYWORD]
    query = [
        inspect.Parameter(
            p.name,
            inspect.Parameter.KEYWORD_ONLY,
            default=inspect.Parameter.empty if p.required else p.default,
            annotation=annotation(p),
        )
        for p in parameters
    ]
    fn.__signature__ = inspect.Signature([*own, *query])  # type: ignore[attr-defined]
    fn.__annotations__ = {
        **fn.__annotations__,
        **{p.name: p.annotation for p in query},
    }
    return fn


def query_get(
    path: str, parameters: Sequence[QueryParameter], **options: Any
) -> Callable[[Callable[..., Any]], HTTPRouteHandler]:
    """``litestar.get`` for a handler that takes ``parameters`` in its ``**values``."""

    def route(fn: Callable[..., Any]) -> HTTPRouteHandler:
        return get(path, opt={PARAMETERS: tuple(parameters)}, **options)(compiled(fn, parameters))

    return route
