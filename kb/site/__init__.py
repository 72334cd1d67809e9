"""Stage 3b of the pipeline: serve a built database with Datasette.

``settings`` is how it is served (shared by `kb serve` and the tests); ``pages`` reads the data
each page shows; ``metadata.yaml`` describes every table and column; ``templates/`` render the
pages; ``plugins/`` hold one Datasette hook concern each (row pages, search page, read-only
guard, .bib renderer, check page, link facets, SQLite tuning); ``browser`` runs the site and
chromium for browser tests and screenshots. It reads the built database (and uses ``kb.check``
for the check page): it never imports ``kb.sources`` or ``kb.build``.
"""
