"""The public site is read-only: every write method and oversized or slow body is refused
before Datasette sees the request."""

import asyncio

from datasette import hookimpl

WRITABLE_PATHS = {"/-/check", "/-/check.json"}  # the only POSTs: the checker, which reads the database
MAX_BODY_BYTES = 1_000_000  # the check form's draft limit (kb.site.plugins.check_page), form-encoded
BODY_SECONDS = 30.0  # a body must arrive within this (a client trickling bytes holds a slot)


async def _plain(send, status: int, text: str, extra_headers=()):
    await send({"type": "http.response.start", "status": status,
                "headers": [[b"content-type", b"text/plain; charset=utf-8"],
                            [b"connection", b"close"], *extra_headers]})
    await send({"type": "http.response.body", "body": text.encode()})


class _TooLarge(Exception):
    pass


async def _read_body(receive) -> list[dict]:
    """The request's body messages, counting the bytes as they arrive (a chunked upload has no
    Content-Length to trust); raises _TooLarge past MAX_BODY_BYTES."""
    messages, size = [], 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages  # the client went away
        size += len(message.get("body", b""))
        if size > MAX_BODY_BYTES:
            raise _TooLarge()
        if not message.get("more_body"):
            return messages


@hookimpl
def asgi_wrapper(datasette):
    """Refuse every method but GET/HEAD (and POST to the checker) with 405; read a POST body
    before Datasette does, refusing one over MAX_BODY_BYTES (413) or slower than BODY_SECONDS
    (408), then hand Datasette the bytes already read."""

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
                if method == "POST":
                    try:
                        messages = await asyncio.wait_for(_read_body(receive), BODY_SECONDS)
                    except _TooLarge:
                        return await _plain(send, 413, "Request body too large.\n")
                    except asyncio.TimeoutError:
                        return await _plain(send, 408, "The request body took too long to arrive.\n")
                    receive = _replay(messages, receive)
            await app(scope, receive, send)

        return read_only

    return wrap


def _replay(messages: list[dict], receive):
    """A receive() that gives the messages already read, then the client's own."""
    pending = list(messages)

    async def replayed():
        return pending.pop(0) if pending else await receive()

    return replayed
