"""Every URL the site makes a link of passes one allow-list of schemes (kb.provenance.safe_url):
templates link through the `kb_url` filter (via the `link` macro in _kb_link.html)."""

from datasette import hookimpl

from kb.provenance import safe_url


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["kb_url"] = safe_url
