"""The database schema: every table, its columns and keys, created before any row is written
(so an empty table still exists, with the right types). Column descriptions live in
kb/site/metadata.yaml, which Datasette shows; a test checks every column is described."""

TABLES = {
    "vocabulary": ({"scale": str, "value": str, "meaning": str, "sort_order": int},
                   ("scale", "value"), []),
    "topics": ({"id": str, "label": str, "description": str, "claim_count": int}, "id", []),
    "topic_aliases": ({"topic_id": str, "alias": str}, ("topic_id", "alias"),
                      [("topic_id", "topics", "id")]),
    "refs": ({"key": str, "entry_type": str, "title": str, "authors": str, "first_author": str,
              "year": int, "journal": str, "volume": str, "number": str, "pages": str, "doi": str,
              "pmid": str, "url": str, "design": str, "population": str, "verification": str,
              "verified_url": str, "verification_note": str, "status": str,
              "superseded_by": str, "status_note": str, "citation_apa": str,
              "citation_ama": str, "fields": str, "fields_bibtex": str, "bibtex": str, "source_line": int}, "key", []),
    "ref_authors": ({"ref_key": str, "position": int, "family": str, "given": str, "family_key": str},
                    ("ref_key", "position"), [("ref_key", "refs", "key")]),
    "ref_names": ({"name": str, "year": int, "ref_key": str}, ("name", "ref_key"),
                  [("ref_key", "refs", "key")]),
    "claim_terms": ({"term": str, "doc": int}, "term", []),
    "claims": ({"id": str, "statement": str, "claim_type": str, "verdict": str, "certainty": str,
                "topics": str, "articles": str, "reasoning": str, "searched_for": str,
                "reviewed": str, "source_file": str, "source_line": int}, "id", []),
    "claim_topics": ({"claim_id": str, "topic_id": str}, ("claim_id", "topic_id"),
                     [("claim_id", "claims", "id"), ("topic_id", "topics", "id")]),
    "evidence": ({"id": str, "claim_id": str, "ref_key": str, "stance": str, "directness": str,
                  "finding": str, "source_file": str, "source_line": int}, "id",
                 [("claim_id", "claims", "id"), ("ref_key", "refs", "key")]),
    "claim_texts": ({"claim_id": str, "source": str, "tokens": str, "norm": float},
                    ("claim_id", "source"), [("claim_id", "claims", "id")]),
    "claim_search": ({"claim_id": str, "tokens": str}, "claim_id", [("claim_id", "claims", "id")]),
    "articles": ({"id": str, "title": str, "publisher": str, "author": str, "published": str,
                  "url": str, "seed_file": str, "text_sha256": str, "notes": str, "text": str,
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
}


def create_tables(db) -> None:
    for name, (columns, pk, foreign_keys) in TABLES.items():
        db[name].create(columns, pk=pk, foreign_keys=foreign_keys, not_null=set(
            pk if isinstance(pk, tuple) else (pk,)))
