"""The database schema: every table, its columns and keys, created before any row is written
(so an empty table still exists, with the right types); the views, full-text indexes, facet
indexes and stored facet counts made over the finished tables. Column descriptions live in
kb/site/metadata.yaml, which Datasette shows; a test checks every column is described."""

from ..vocab import VERDICTS

TABLES = {
    "vocabulary": ({"scale": str, "value": str, "meaning": str, "sort_order": int},
                   ("scale", "value"), []),
    "topics": ({"id": str, "label": str, "description": str, "claim_count": int}, "id", []),
    "topic_aliases": ({"topic_id": str, "alias": str}, ("topic_id", "alias"),
                      [("topic_id", "topics", "id")]),
    # both ways round: a topic near another is near it
    "topic_near": ({"topic_id": str, "near_id": str}, ("topic_id", "near_id"),
                   [("topic_id", "topics", "id"), ("near_id", "topics", "id")]),
    "refs": ({"key": str, "entry_type": str, "title": str, "authors": str, "first_author": str,
              "year": int, "journal": str, "volume": str, "number": str, "pages": str, "doi": str,
              "pmid": str, "url": str, "design": str, "population": str, "verification": str,
              "verified_url": str, "verified_source": str, "verification_note": str, "status": str,
              "superseded_by": str, "status_note": str, "citation_apa": str,
              "citation_ama": str, "fields": str, "fields_bibtex": str, "bibtex": str, "source_line": int}, "key", []),
    "ref_notices": ({"ref_key": str, "record_id": str, "nature": str, "date": str, "notice_url": str,
                     "reasons": str, "matched_by": str}, ("ref_key", "record_id"),
                    [("ref_key", "refs", "key")]),
    "ref_authors": ({"ref_key": str, "position": int, "family": str, "given": str, "family_key": str},
                    ("ref_key", "position"), [("ref_key", "refs", "key")]),
    "ref_names": ({"name": str, "year": int, "ref_key": str}, ("name", "ref_key"),
                  [("ref_key", "refs", "key")]),
    "claim_terms": ({"term": str, "doc": int}, "term", []),
    "claims": ({"id": str, "statement": str, "claim_type": str, "verdict": str, "certainty": str,
                "topics": str, "articles": str, "reasoning": str, "searched_for": str, "verdict_note": str,
                "reviewed": str, "source_file": str, "source_line": int}, "id", []),
    "claim_topics": ({"claim_id": str, "topic_id": str}, ("claim_id", "topic_id"),
                     [("claim_id", "claims", "id"), ("topic_id", "topics", "id")]),
    "evidence": ({"id": str, "claim_id": str, "ref_key": str, "stance": str, "directness": str,
                  "finding": str, "recommendation": str, "source_file": str, "source_line": int}, "id",
                 [("claim_id", "claims", "id"), ("ref_key", "refs", "key")]),
    "claim_texts": ({"claim_id": str, "source": str, "tokens": str},
                    ("claim_id", "source"), [("claim_id", "claims", "id")]),
    "claim_search": ({"claim_id": str, "tokens": str}, "claim_id", [("claim_id", "claims", "id")]),
    "articles": ({"id": str, "title": str, "publisher": str, "author": str, "published": str,
                  "url": str, "seed_file": str, "capture": str, "text_sha256": str, "notes": str, "text": str,
                  "source_file": str, "claim_count": int}, "id", []),
    "commercial_interests": ({"article_id": str, "position": int, "kind": str, "detail": str},
                             ("article_id", "position"), [("article_id", "articles", "id")]),
    "appearances": ({"id": str, "article_id": str, "claim_id": str, "quote": str, "start": int,
                     "end": int, "citation_as_written": str, "note": str, "source_file": str,
                     "source_line": int}, "id",
                    [("article_id", "articles", "id"), ("claim_id", "claims", "id")]),
    "citation_checks": ({"id": str, "appearance_id": str, "article_id": str, "claim_id": str,
                         "as_written": str, "citation_start": int, "ref_key": str, "status": str,
                         "reason": str}, "id",
                        [("appearance_id", "appearances", "id"), ("article_id", "articles", "id"),
                         ("claim_id", "claims", "id"), ("ref_key", "refs", "key")]),
    "facet_counts": ({"table_name": str, "column_name": str, "value_json": str, "count": int},
                     ("table_name", "column_name", "value_json"), []),
    "build_info": ({"key": str, "value": str}, "key", []),
    # What each input file was when built (kb.build.incremental updates from the ones that changed)
    "build_files": ({"path": str, "sha256": str, "size": int, "mtime_ns": int}, "path", []),
}


def create_tables(db) -> None:
    for name, (columns, pk, foreign_keys) in TABLES.items():
        db[name].create(columns, pk=pk, foreign_keys=foreign_keys, not_null=set(
            pk if isinstance(pk, tuple) else (pk,)))


VIEWS = {
    "claim_overview": """
select
  c.id, c.statement, c.claim_type, c.verdict, c.certainty, c.topics,
  (select count(*) from appearances a where a.claim_id = c.id) as appearances,
  (select count(distinct a.article_id) from appearances a where a.claim_id = c.id) as articles,
  (select count(*) from evidence e where e.claim_id = c.id) as evidence_links,
  (select count(*) from evidence e where e.claim_id = c.id and e.stance = 'supports') as supporting,
  (select count(*) from evidence e where e.claim_id = c.id and e.stance = 'contradicts') as contradicting,
  (select count(*) from evidence e where e.claim_id = c.id and e.stance = 'mixed') as mixed,
  (select count(*) from evidence e where e.claim_id = c.id and e.directness = 'direct') as direct_links,
  c.reasoning
from claims c
order by c.id
""",
    "article_scorecard": """
select
  ar.id as article_id, ar.title, ar.publisher,
  (select group_concat(ci.kind, ', ') from commercial_interests ci
     where ci.article_id = ar.id) as commercial_interests,
  count(ap.id) as appearances,
  count(distinct ap.claim_id) as claims,
""" + "".join(f"  sum(c.verdict = '{v}') as {v.replace('-', '_')},\n" for v in VERDICTS) + """  (select count(*) from citation_checks cc where cc.article_id = ar.id) as citations,
  (select count(*) from citation_checks cc
     where cc.article_id = ar.id and cc.status = 'accurate') as citations_accurate,
  (select count(*) from citation_checks cc
     where cc.article_id = ar.id and cc.status != 'accurate') as citations_with_problems
from articles ar
left join appearances ap on ap.article_id = ar.id
left join claims c on c.id = ap.claim_id
group by ar.id
order by ar.id
""",
    "citation_problems": """
select
  cc.id, cc.article_id, cc.as_written, cc.status, cc.reason, cc.ref_key,
  r.title as ref_title, r.year as ref_year, cc.claim_id, c.statement as claim
from citation_checks cc
left join refs r on r.key = cc.ref_key
join claims c on c.id = cc.claim_id
where cc.status != 'accurate'
order by cc.article_id, cc.citation_start
""",
    "claims_without_evidence": """
select c.id, c.statement, c.verdict, c.certainty, c.searched_for, c.reasoning
from claims c
where not exists (select 1 from evidence e where e.claim_id = c.id)
order by c.id
""",
    "withdrawn_study_reliance": """
select 'evidence' as via, r.key as ref_key, r.status, r.status_note, r.superseded_by,
  e.claim_id, c.statement as claim, c.verdict, e.stance, null as article_id, null as as_written
from refs r join evidence e on e.ref_key = r.key join claims c on c.id = e.claim_id
where r.status in ('retracted', 'superseded', 'corrected')
union all
select 'citation', r.key, r.status, r.status_note, r.superseded_by,
  cc.claim_id, c.statement, c.verdict, null, cc.article_id, cc.as_written
from refs r join citation_checks cc on cc.ref_key = r.key join claims c on c.id = cc.claim_id
where r.status in ('retracted', 'superseded', 'corrected')
order by 2, 1, 6
""",
    "guideline_recommendations": """
select
  e.ref_key, r.title as guideline, e.recommendation, e.claim_id, c.statement as claim, c.verdict,
  e.stance, e.finding
from evidence e
join refs r on r.key = e.ref_key
join claims c on c.id = e.claim_id
where r.design = 'clinical guideline'
order by e.ref_key, e.recommendation is null, e.recommendation, e.claim_id
""",
    "evidence_detail": """
select
  e.id, e.claim_id, c.statement as claim, c.verdict, e.stance, e.directness, e.finding,
  e.ref_key, r.title as ref_title, r.authors as ref_authors, r.year as ref_year,
  r.design as ref_design, r.journal as ref_journal, r.doi, r.pmid
from evidence e
join claims c on c.id = e.claim_id
join refs r on r.key = e.ref_key
order by e.claim_id, e.ref_key
""",
}

FTS = {
    "claims": ["statement", "reasoning"],
    "appearances": ["quote"],
    "refs": ["title", "authors", "journal"],
}

# Column facets the site shows on unfiltered tables, counted once here (kb/site/plugins/link_facets.py
# reads them as `counted` facets: grouping a million rows per page view would time out).
COUNTED_FACETS = {"claims": ["verdict", "claim_type", "certainty"],
                  "refs": ["year", "design", "journal", "verification"]}

FACET_INDEXES = {
    "claims": [["claim_type"], ["verdict"], ["certainty"]],
    "claim_topics": [["topic_id", "claim_id"]],
    "appearances": [["article_id"], ["claim_id"]],
    "citation_checks": [["article_id"], ["status"], ["ref_key"], ["appearance_id"]],
    "refs": [["year"], ["design"], ["journal"], ["verification"], ["status"], ["pmid"]],
    "ref_authors": [["family"], ["family_key"]],
    "ref_notices": [["nature"], ["date"]],
    "ref_names": [["name", "year"]],
    "evidence": [["claim_id"], ["ref_key"], ["stance"], ["directness"]],
    "commercial_interests": [["kind"]],
    "topic_aliases": [["alias"]],
}
# Indexes on an expression: `kb check` looks a journal up by its folded name ("in JAMA"), and a
# DOI the draft links to by its folded form.
EXPRESSION_INDEXES = {"refs_journal_folded": "refs(lower(journal))", "refs_doi_folded": "refs(lower(doi))"}
