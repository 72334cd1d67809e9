"""/-/check (a form) and /-/check.json (for editors' tools): the same report as `kb check`,
from the same pipeline (kb.check)."""

import json

from datasette import hookimpl
from datasette.utils.asgi import Response

from kb.check import DEFAULT_FAIL_ON, FLAGS, Checker
from kb.check.draft import DraftError, decode_draft
from kb.site.pages import kb_database
from kb.vocab import SENTENCE_VERDICT_DISPLAY

MAX_FORM_BYTES = 2_000_000


async def _draft_from(request) -> str:
    """The draft from a form field ``draft``, a JSON body {"draft": ...} or a plain-text body."""
    if request.method != "POST":
        return request.args.get("draft", "")
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return (await request.post_vars()).get("draft", "")
    body = await request.post_body()
    if content_type.startswith("application/json"):
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            raise DraftError("the body is not valid JSON; send {\"draft\": \"...\"}")
        if not isinstance(data, dict) or not isinstance(data.get("draft"), str):
            raise DraftError("send a JSON object with the draft as a string: {\"draft\": \"...\"}")
        return data["draft"]
    return body.decode("utf-8", errors="replace")


async def _report(datasette, request):
    """(database name, draft, report or None, error or None)."""
    name, db = await kb_database(datasette)
    if db is None:
        return name, "", None, "No knowledge-base database is being served."
    try:
        draft = await _draft_from(request)
    except DraftError as exc:
        return name, "", None, str(exc)
    if not draft.strip():
        # Opening the form is not an error; sending nothing is.
        return name, draft, None, ("nothing to check: the draft is empty"
                                   if request.method == "POST" else None)
    try:
        data = draft.encode("utf-8")
        if len(data) > MAX_FORM_BYTES:
            raise DraftError(f"the draft is too long for this form ({len(data):,} bytes; "
                             f"the limit is {MAX_FORM_BYTES:,}). Use `kb check` instead.")
        text, notes = decode_draft(data)
        report = await db.execute_fn(lambda conn: Checker(conn).check(text, DEFAULT_FAIL_ON))
        report["notes"] = notes
        return name, draft, report, None
    except DraftError as exc:
        return name, draft, None, str(exc)


async def check_page(datasette, request):
    name, draft, report, error = await _report(datasette, request)
    context = {"draft": draft, "report": report, "error": error, "database": name, "flags": FLAGS,
               "kb_sentence_verdicts": SENTENCE_VERDICT_DISPLAY}
    return Response.html(await datasette.render_template("check.html", context, request=request))


async def check_json(datasette, request):
    name, draft, report, error = await _report(datasette, request)
    if error or report is None:
        return Response.json({"error": error or "nothing to check: send a draft"}, status=400)
    return Response.json(report)


@hookimpl
def register_routes():
    return [(r"^/-/check$", check_page), (r"^/-/check\.json$", check_json)]


@hookimpl
def menu_links(datasette, actor):
    return [{"href": datasette.urls.path("/-/check"), "label": "Fact-check a draft"}]


@hookimpl
def skip_csrf(datasette, scope):
    # /-/check.json is for editors' tools (no form, no cookies); it only reads the database.
    return scope.get("path") == "/-/check.json"
