"""Error pages that cost next to nothing (handle_exception).

Datasette 0.65's own handler prints a rich traceback with every local variable for each error,
on the event loop: ~0.24 s and ~16 KB of log per 404, so a few clients asking for missing URLs
slow every page. For an unrouted path (`/.env`, `/a/b/c`) there is no exception being handled,
rich raises, and the page is a 500. This module replaces that handler: the same statuses and
templates, no traceback for client errors, one log line for a server error, and never the
exception's text on a 500 page (it can hold paths and SQL).
"""

import sys
import traceback

from datasette import Response, hookimpl
from datasette.plugins import pm
from datasette.utils import add_cors_headers
from datasette.utils.asgi import Base400
from datasette.views.base import DatasetteError
from markupsafe import Markup

# Every handle_exception implementation runs (the hook is not first-result), so the default
# one is unregistered rather than outranked.
if pm.has_plugin("datasette.handle_exception"):
    pm.unregister(name="datasette.handle_exception")

SERVER_ERROR = "Something went wrong on the server; it has been logged."


def _log(request, exception) -> None:
    """One line: method, path, the exception and where it was raised."""
    frames = traceback.extract_tb(exception.__traceback__)
    where = f" at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""
    text = str(exception).replace("\n", " ")[:200]
    print(f"kb site: 500 {request.method} {request.path[:200]}: {type(exception).__name__}: {text}{where}",
          file=sys.stderr, flush=True)


@hookimpl
def handle_exception(datasette, request, exception):
    async def inner():
        title, info = None, {}
        if isinstance(exception, Base400):
            status, message = exception.status, exception.args[0] if exception.args else ""
        elif isinstance(exception, DatasetteError):
            status, info, title = exception.status, dict(exception.error_dict), exception.title
            message = Markup(exception.message) if exception.message_is_html else exception.message
        else:
            status, message = 500, SERVER_ERROR
            _log(request, exception)
        info.update({"ok": False, "error": message, "status": status, "title": title})
        headers = {}
        if datasette.cors:
            add_cors_headers(headers)
        if request.path.endswith(".json"):
            return Response.json(info, status=status, headers=headers)
        template = datasette.jinja_env.select_template([f"{status}.html", "error.html"])
        html = await template.render_async(dict(info, urls=datasette.urls, app_css_hash=datasette.app_css_hash(),
                                                menu_links=lambda: []))
        return Response.html(html, status=status, headers=headers)

    return inner
