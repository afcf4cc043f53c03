"""The web service: the edge, the fast path, routes, the OpenAPI document, the server."""
