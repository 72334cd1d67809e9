"""Table cells a reader can take in (render_cell): a verdict is its badge, a claim's topics are
their labels (each a link to the claims on that topic), its articles links to their pages."""

import json

from datasette import hookimpl
from markupsafe import Markup, escape

from kb.vocab import VERDICT_DISPLAY

VERDICT_COLUMNS = {"verdict", "claim_verdict"}
SHOWN_ARTICLES = 3


def _badge(verdict: str) -> Markup:
    label = VERDICT_DISPLAY[verdict]["label"]
    return Markup(f'<span class="kb-badge {escape(verdict)}">{escape(label)}</span>')


def _ids(value) -> list[str] | None:
    try:
        ids = json.loads(value)
    except (TypeError, ValueError):
        return None
    return ids if isinstance(ids, list) and all(isinstance(i, str) for i in ids) else None


async def _labels(datasette, database: str) -> dict[str, str]:
    """Topic labels, read once per served database (the database is immutable)."""
    cache = datasette.__dict__.setdefault("_kb_topic_labels", {})
    if database not in cache:
        rows = await datasette.get_database(database).execute("select id, label from topics")
        cache[database] = {r["id"]: r["label"] for r in rows}
    return cache[database]


@hookimpl
def render_cell(value, column, table, database, datasette):
    if column in VERDICT_COLUMNS and isinstance(value, str) and value in VERDICT_DISPLAY:
        return _badge(value)
    if table != "claims" or column not in ("topics", "articles"):
        return None
    ids = _ids(value)
    if ids is None:
        return None

    async def links():
        if column == "topics":
            labels = await _labels(datasette, database)
            base = datasette.urls.table(database, "claims")
            return Markup(", ".join(
                f'<a href="{base}?topics__arraycontains={escape(i)}">{escape(labels.get(i, i))}</a>'
                for i in ids))
        shown = [f'<a href="{datasette.urls.row(database, "articles", i)}">{escape(i)}</a>'
                 for i in ids[:SHOWN_ARTICLES]]
        more = f" and {len(ids) - SHOWN_ARTICLES} more" if len(ids) > SHOWN_ARTICLES else ""
        return Markup(", ".join(shown) + more)

    return links
