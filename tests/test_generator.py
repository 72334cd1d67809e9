"""The synthetic knowledge-base generator (kb/generate.py, run by scripts/generate_kb.py) writes valid sources."""


from kb.sources import load_project
from tests.conftest import REPO

from kb import generate as generate_kb


def test_generated_kb_is_valid_and_deterministic(tmp_path, monkeypatch):
    monkeypatch.setattr(generate_kb, "CLAIMS_PER_FILE", 120)  # claims split over three files
    counts = generate_kb.generate(tmp_path / "a", 300, seed=5)
    assert sorted(p.name for p in (tmp_path / "a" / "claims").glob("claims-*.yaml")) == \
        ["claims-00000.yaml", "claims-00001.yaml", "claims-00002.yaml"]
    project = load_project(tmp_path / "a")
    assert [str(p) for p in project.problems] == []
    assert len(project.claims) == counts["claims"] == 300
    assert len(project.refs) == counts["references"] == 100
    assert sum(len(a.appearances) for a in project.articles) == counts["appearances"]
    assert any("\u00fc" in a.family or "\u00e9" in a.given for r in project.refs for a in r.authors)
    generate_kb.generate(tmp_path / "b", 300, seed=5)
    for name in ("claims/claims-00000.yaml", "references.bib", "claims/articles/article-000001.yaml"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
