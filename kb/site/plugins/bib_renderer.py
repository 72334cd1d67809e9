"""The .bib output renderer: any refs table page, filter or search as BibTeX (/sciatica/refs.bib)."""

import json

from datasette import hookimpl
from datasette.utils.asgi import Response

from kb.export import bibtex_entry


def _can_render_bib(columns):
    return {"key", "entry_type", "fields_bibtex"} <= set(columns or [])


def _render_bib(rows, columns):
    text = "\n".join(bibtex_entry(r["key"], r["entry_type"], json.loads(r["fields_bibtex"] or "{}"))
                     for r in rows)
    return Response(text, content_type="application/x-bibtex; charset=utf-8")


@hookimpl
def register_output_renderer(datasette):
    # /sciatica/refs.bib (any filter or search of refs, or one row) as BibTeX.
    return {"extension": "bib", "render": _render_bib, "can_render": _can_render_bib}
