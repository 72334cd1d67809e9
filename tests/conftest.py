"""Shared fixtures: a small but complete knowledge base written into tmp_path."""

from __future__ import annotations

import hashlib
import shutil
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXTERNAL_BIB = REPO.parent / "shared" / "external" / "bib"

ARTICLE_TEXT = (
    "Bed rest is one of the worst things you can do for sciatica.\n"
    "A Cochrane review found bed rest no better than staying active (Hagen et al., 2005).\n"
    "Disc bulges on MRI are common in people without pain.\n"
)

TOPICS = """\
topics:
  - id: bed-rest
    label: Bed rest
    description: Resting in bed.
    aliases: [staying in bed, complete rest]
  - id: imaging
    label: Imaging
    description: MRI and other scans.
    aliases: [MRI, scan]
"""

CLAIMS = """\
claims:
  - id: bed-rest-worsens-sciatica
    statement: Bed rest makes sciatica worse.
    type: treatment-effect
    topics: [bed-rest]
    verdict: overstated
    certainty: moderate
    reasoning: Bed rest does not help, but it was not shown to make sciatica worse.
    evidence:
      - ref: hagen2005bedrest
        stance: mixed
        directness: direct
        finding: Little or no difference between bed rest and staying active for sciatica.
  - id: mri-bulges-common-without-pain
    statement: Disc bulges on MRI are common in people without back pain.
    type: diagnosis-imaging
    topics: [imaging]
    verdict: supported
    certainty: high
    reasoning: A systematic review of asymptomatic people found bulges in 30% to 84% by age.
    evidence:
      - ref: brinjikji2015imaging
        stance: supports
        directness: direct
        finding: Disc bulge prevalence rose from 30% at age 20 to 84% at age 80.
"""

BIB = """\
@string{ajnr = {American Journal of Neuroradiology}}

@article{hagen2005bedrest,
  author = {Hagen, Kåre Birger and Hilde, Gro and Jamtvedt, Gro and Winnem, Michael F.},
  title = {The updated {C}ochrane review of bed rest for low back pain and sciatica},
  journal = {Spine},
  year = {2005},
  design = {systematic review},
  verified-url = {https://example.org/hagen},
  verification = {verified}
}

@article{brinjikji2015imaging,
  author = {Brinjikji, W. and Luetmer, P. H. and Comstock, B. and Bresnahan, B. W. and Chen, L. E. and Deyo, R. A. and Halabi, S. and Turner, J. A. and Avins, A. L. and James, K. and Wald, J. T. and Kallmes, D. F. and Jarvik, J. G.},
  title = {Systematic literature review of imaging features of spinal degeneration in asymptomatic populations},
  journal = ajnr,
  year = {2015},
  doi = {10.3174/ajnr.A4173},
  design = {systematic review},
  verified-url = {https://example.org/brinjikji},
  verification = {verified}
}
"""


def _offsets(text: str, quote: str) -> tuple[int, int]:
    start = text.index(quote)
    return start, start + len(quote)


def article_yaml(text: str = ARTICLE_TEXT, sha: str | None = None) -> str:
    q1 = "Bed rest is one of the worst things you can do for sciatica."
    q2 = "A Cochrane review found bed rest no better than staying active (Hagen et al., 2005)."
    q3 = "Disc bulges on MRI are common in people without pain."
    (s1, e1), (s2, e2), (s3, e3) = (_offsets(ARTICLE_TEXT, q) for q in (q1, q2, q3))
    sha = sha or hashlib.sha256(text.encode()).hexdigest()
    return textwrap.dedent(f"""\
        id: demo-article
        title: Demo article
        publisher: Demo clinic
        author: null
        published: 2026-06-20
        url: unknown
        text_sha256: {sha}
        commercial_interests:
          - kind: sells-treatment
            detail: Sells sessions.
        appearances:
          - claim: bed-rest-worsens-sciatica
            quote: "{q1}"
            start: {s1}
            end: {e1}
          - claim: bed-rest-worsens-sciatica
            quote: "{q2}"
            start: {s2}
            end: {e2}
            citation:
              as_written: "(Hagen et al., 2005)"
              key: hagen2005bedrest
              status: accurate
              reason: The review found little or no difference.
          - claim: mri-bulges-common-without-pain
            quote: "{q3}"
            start: {s3}
            end: {e3}
        """)


def write_kb(root: Path, **overrides: str) -> Path:
    """Write a valid mini knowledge base; ``overrides`` replace files by relative path."""
    files = {
        "claims/topics.yaml": TOPICS,
        "claims/claims.yaml": CLAIMS,
        "references.bib": BIB,
        "claims/articles/demo-article.txt": ARTICLE_TEXT,
        "claims/articles/demo-article.yaml": article_yaml(),
    }
    files.update(overrides)
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


@pytest.fixture
def mini_kb(tmp_path: Path) -> Path:
    return write_kb(tmp_path / "kb")


@pytest.fixture
def external_bib() -> Path:
    if not EXTERNAL_BIB.is_dir():
        pytest.skip("../shared/external/bib is not beside this checkout")
    return EXTERNAL_BIB


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """A copy of the repository's own sources, safe to modify."""
    dest = tmp_path / "repo"
    shutil.copytree(REPO / "claims", dest / "claims")
    shutil.copy(REPO / "references.bib", dest / "references.bib")
    return dest


@pytest.fixture(scope="session")
def repo_db(tmp_path_factory) -> Path:
    """The repository's own knowledge base, built once for the whole session (read-only)."""
    from kb.build import build

    path = tmp_path_factory.mktemp("repo-db") / "sciatica.db"
    build(REPO, path)
    return path


def site_for(db_path: Path):
    """A Datasette instance configured as `kb serve` configures it, for datasette.client tests."""
    from kb.site.settings import datasette_app

    return datasette_app(db_path)
