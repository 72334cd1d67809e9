"""The public site is read-only: every write method and oversized body is refused before
Datasette sees the request."""

from datasette import hookimpl


WRITABLE_PATHS = {"/-/check", "/-/check.json"}  # the only POSTs: the checker, which reads the database
MAX_BODY_BYTES = 2_500_000


async def _plain(send, status: int, text: str, extra_headers=()):
    await send({"type": "http.response.start", "status": status,
                "headers": [[b"content-type", b"text/plain; charset=utf-8"], *extra_headers]})
    await send({"type": "http.response.body", "body": text.encode()})


@hookimpl
def asgi_wrapper(datasette):
    """The public site is read-only: refuse every method but GET/HEAD (and POST to the checker)
    with 405, and refuse oversized request bodies with 413, before Datasette sees them."""

    def wrap(app):
        async def read_only(scope, receive, send):
            if scope["type"] == "http":
                method, path = scope["method"], scope["path"]
                allowed = ("GET", "HEAD", "POST") if path in WRITABLE_PATHS else ("GET", "HEAD")
                if method not in allowed:
                    return await _plain(send, 405, "This site is read-only.\n",
                                        [[b"allow", ", ".join(allowed).encode()]])
                length = dict(scope.get("headers") or []).get(b"content-length", b"0")
                if length.isdigit() and int(length) > MAX_BODY_BYTES:
                    return await _plain(send, 413, "Request body too large.\n")
            await app(scope, receive, send)

        return read_only

    return wrap
