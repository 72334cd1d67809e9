"""The /-/check page: paste a draft, get the same report as `kb check` (same engine)."""

from datasette import hookimpl
from datasette.utils.asgi import Response

from kb.check import DEFAULT_FAIL_ON, FLAGS, Checker
from kb.check.draft import DraftError, decode_draft
from kb.site.pages import kb_database

MAX_FORM_BYTES = 2_000_000


async def check_page(datasette, request):
    name, db = await kb_database(datasette)
    context = {"draft": "", "report": None, "error": None, "database": name, "flags": FLAGS}
    if db is None:
        context["error"] = "No knowledge-base database is being served."
    elif request.method == "POST":
        form = await request.post_vars()
        draft = form.get("draft", "")
        context["draft"] = draft
        try:
            data = draft.encode("utf-8")
            if len(data) > MAX_FORM_BYTES:
                raise DraftError(f"the draft is too long for this form ({len(data):,} bytes; "
                                 f"the limit is {MAX_FORM_BYTES:,}). Use `kb check` instead.")
            text, notes = decode_draft(data)
            report = await db.execute_fn(lambda conn: Checker(conn).check(text, DEFAULT_FAIL_ON))
            report["notes"] = notes
            context["report"] = report
        except DraftError as exc:
            context["error"] = str(exc)
    return Response.html(await datasette.render_template("check.html", context, request=request))


@hookimpl
def register_routes():
    return [(r"^/-/check$", check_page)]


@hookimpl
def menu_links(datasette, actor):
    return [{"href": datasette.urls.path("/-/check"), "label": "Fact-check a draft"}]
