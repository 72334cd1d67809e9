"""Where each reference was read is classed as the canonical record or a copy, and shown."""

import sqlite3

import pytest

from kb.provenance import source_kind
from tests.conftest import site_for


@pytest.mark.parametrize("url, kind", [
    ("https://pubmed.ncbi.nlm.nih.gov/20556780/", "canonical"),
    ("https://www.ncbi.nlm.nih.gov/pmc/articles/PMC2553805/", "canonical"),
    ("https://doi.org/10.1136/bmj.l6273", "canonical"),
    ("https://www.nice.org.uk/guidance/ng59", "canonical"),
    ("http://47.251.13.51:8081/32809713", "mirror"),
    ("https://www.scribd.com/document/1", "document-sharing"),
    ("https://ouci.dntb.gov.ua/en/works/1", "index"),
    ("https://experts.umn.edu/en/publications/x", "repository"),
    ("http://chiro.org/LINKS/x.shtml", "other"),
    (None, None),
])
def test_source_kinds(url, kind):
    assert source_kind(url) == kind


def test_every_reference_says_where_it_was_read(repo_db):
    conn = sqlite3.connect(repo_db)
    kinds = dict(conn.execute("select verified_source, count(*) from refs group by 1"))
    assert None not in kinds and kinds.get("canonical", 0) > sum(kinds.values()) / 3
    assert conn.execute("select count(*) from vocabulary where scale = 'verified_source'").fetchone()[0] == 6


async def test_reference_page_says_canonical_or_copy(repo_db):
    ds = site_for(repo_db)
    conn = sqlite3.connect(repo_db)
    canonical = conn.execute("select key from refs where verified_source = 'canonical' limit 1").fetchone()[0]
    copy = conn.execute("select key from refs where verified_source = 'mirror' limit 1").fetchone()[0]
    assert "the canonical record" in (await ds.client.get(f"/sciatica/refs/{canonical}")).text
    assert "a copy: an unnamed mirror" in (await ds.client.get(f"/sciatica/refs/{copy}")).text
