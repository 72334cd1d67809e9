"""/-/check (a form) and /-/check.json (for editors' tools): the same report as `kb check`,
from the same pipeline (kb.check)."""

import asyncio
import json
import weakref

from datasette import hookimpl
from datasette.utils.asgi import Response

from kb.check import DEFAULT_FAIL_ON, FLAGS, Checker
from kb.check.draft import DraftError, decode_draft
from kb.site import check_worker
from kb.site.pages import kb_database
from kb.vocab import SENTENCE_VERDICT_DISPLAY

# What one request may cost the others. A long article is 2,000-5,000 words; the limit is
# several times that. The body limit (read_only_guard) is larger: form encoding inflates text.
MAX_DRAFT_CHARS = 100_000
MAX_FORM_BYTES = 400_000  # the draft's UTF-8 bytes
CHECK_BUDGET_S = 10.0  # a check stops after this long and says what it did not reach
# One check at a time, in the one worker process (kb.site.check_worker): the machine's other
# core stays with the pages. The others wait their turn (waiting costs nothing) up to
# CHECKS_WAITING of them, for at most WAIT_S; beyond that they are told the checker is busy
# (503, Retry-After).
CHECKS_AT_ONCE = 1
CHECKS_WAITING = 64
WAIT_S = 30.0
_slots: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # per event loop: [semaphore, waiting]


class Busy(Exception):
    pass


async def _run_check(db, text: str) -> dict:
    """The check, in the worker process (kb.site.check_worker), one at a time, within the
    time budget."""
    loop = asyncio.get_running_loop()
    slot = _slots.setdefault(loop, [asyncio.Semaphore(CHECKS_AT_ONCE), 0])
    if slot[1] >= CHECKS_WAITING:
        raise Busy()
    slot[1] += 1
    try:
        await asyncio.wait_for(slot[0].acquire(), WAIT_S)
    except asyncio.TimeoutError:
        raise Busy() from None
    finally:
        slot[1] -= 1
    try:
        if db.path and not db.is_memory:
            return await check_worker.check(db.path, text, CHECK_BUDGET_S)
        return await db.execute_fn(lambda conn: Checker(conn).check(text, DEFAULT_FAIL_ON, CHECK_BUDGET_S))
    finally:
        slot[0].release()


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


BUSY = "The checker is busy with other drafts: try again in a minute."


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
                             f"the limit is {MAX_FORM_BYTES:,}). Check it in parts, or use `kb check`.")
        text, notes = decode_draft(data, MAX_DRAFT_CHARS, " here")
        report = await _run_check(db, text)
        report["notes"] = notes
        return name, draft, report, None
    except DraftError as exc:
        return name, draft, None, str(exc)
    except Busy:
        return name, draft, None, BUSY
    except check_worker.WorkerFailed:
        return name, draft, None, ("The check did not finish in the time allowed. Check the draft "
                                   "in parts, or with `kb check`.")


async def check_page(datasette, request):
    name, draft, report, error = await _report(datasette, request)
    context = {"draft": draft, "report": report, "error": error, "database": name, "flags": FLAGS,
               "kb_sentence_verdicts": SENTENCE_VERDICT_DISPLAY}
    html = await datasette.render_template("check.html", context, request=request)
    return Response.html(html, status=503 if error == BUSY else 200, headers=_retry(error))


async def check_json(datasette, request):
    name, draft, report, error = await _report(datasette, request)
    if error or report is None:
        return Response.json({"error": error or "nothing to check: send a draft"},
                             status=503 if error == BUSY else 400, headers=_retry(error))
    return Response.json(report)


def _retry(error) -> dict:
    return {"Retry-After": "30"} if error == BUSY else {}


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
