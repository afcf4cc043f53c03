import os
BODY = open(os.environ["LB"], "rb").read()
H = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode()), (b"etag", b'"87be99718d4ddba00735b296"'), (b"cache-control", b"public, max-age=300"), (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"), (b"access-control-allow-origin", b"*"), (b"access-control-expose-headers", b"ETag, Link")]
if os.environ.get("FEW"): H = H[:2]
async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            m = await receive()
            if m["type"] == "lifespan.startup": await send({"type": "lifespan.startup.complete"})
            else:
                await send({"type": "lifespan.shutdown.complete"}); return
    await send({"type": "http.response.start", "status": 200, "headers": H})
    await send({"type": "http.response.body", "body": BODY, "more_body": False})
def make(): return app
