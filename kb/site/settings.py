"""How the site is served: one set of Datasette settings, read by `kb serve` (as command-line
arguments) and by the tests (as a Datasette instance), so that what is tested is what is served."""

from __future__ import annotations

from pathlib import Path

SITE_DIR = Path(__file__).parent
METADATA = SITE_DIR / "metadata.yaml"
TEMPLATES = SITE_DIR / "templates"
PLUGINS = SITE_DIR / "plugins"

# A public, read-only site: bounded query time and result sizes; no suggested facets (each one
# is a query per page view).
SETTINGS = {
    "suggest_facets": False,
    "sql_time_limit_ms": 2000,
    "facet_time_limit_ms": 500,
    "max_returned_rows": 1000,
    "default_facet_size": 6,  # six values a facet, then "…" (30 pushed the rows off the first screen)
}


def _setting_value(value) -> str:
    return ("on" if value else "off") if isinstance(value, bool) else str(value)


def datasette_args(db_path: Path, host: str, port: int) -> list[str]:
    """Arguments for `datasette` that serve ``db_path`` as `kb serve` does."""
    args = ["serve", "--immutable", str(db_path),  # immutable: read-only, counts may be cached
            "--metadata", str(METADATA), "--template-dir", str(TEMPLATES),
            "--plugins-dir", str(PLUGINS)]
    for name, value in SETTINGS.items():
        args += ["--setting", name, _setting_value(value)]
    return args + ["--host", host, "--port", str(port)]


def datasette_app(db_path: Path):
    """A Datasette instance configured exactly as `kb serve` configures it (for in-process tests)."""
    import yaml
    from datasette.app import Datasette

    metadata = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    return Datasette([], immutables=[str(db_path)], metadata=metadata, settings=dict(SETTINGS),
                     template_dir=str(TEMPLATES), plugins_dir=str(PLUGINS))


def public_base_url() -> str | None:
    """The site's public address from metadata.yaml (plugins.kb.base_url), without a trailing
    slash; None when it is not set."""
    import yaml

    metadata = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    value = ((metadata.get("plugins") or {}).get("kb") or {}).get("base_url")
    return value.rstrip("/") if value else None
