"""Stage 2 of the pipeline: write the validated sources to SQLite (``build``), atomically, and
tell when a database no longer matches its sources (``is_stale``).

``schema`` holds the tables, views, full-text and facet indexes; ``writer`` streams the
sources into them; ``atomic`` owns the file. It reads ``kb.sources`` and never the check or site.
"""

from .atomic import build, is_stale, stored_digest
from .writer import SCHEMA_VERSION

__all__ = ["build", "is_stale", "stored_digest", "SCHEMA_VERSION"]
