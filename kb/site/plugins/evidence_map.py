"""/-/evidence-map (the topics) and /-/evidence-map/<topic>: a topic's claims against the studies
that bear on them, coloured by stance (kb.site.pages.evidence_map); and the verdict mix on the
home page (extra_template_vars for index.html)."""

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response

from kb.site.pages import evidence_map, kb_database, topics_with_evidence, verdict_mix


async def evidence_map_page(datasette, request):
    name, db = await kb_database(datasette)
    if db is None:
        raise NotFound("No knowledge-base database is being served.")
    topic = request.url_vars.get("topic")
    if topic:
        data = await db.execute_fn(lambda conn: evidence_map(conn, topic))
        if data is None:
            raise NotFound(f"No topic {topic!r}")
        context = {"map": data, "database": name}
    else:
        context = {"map": None, "database": name,
                   "topics": await db.execute_fn(topics_with_evidence)}
    return Response.html(await datasette.render_template("evidence_map.html", context, request=request))


@hookimpl
def register_routes():
    return [(r"^/-/evidence-map$", evidence_map_page),
            (r"^/-/evidence-map/(?P<topic>[a-z0-9][a-z0-9-]{0,80})$", evidence_map_page)]


@hookimpl
def extra_template_vars(template, datasette):
    if template != "index.html":
        return {}

    async def home():
        _, db = await kb_database(datasette)
        return {"kb_home": await db.execute_fn(verdict_mix) if db is not None else None}

    return home


@hookimpl
def menu_links(datasette, actor):
    return [{"href": datasette.urls.path("/-/evidence-map"), "label": "Evidence map by topic"}]
