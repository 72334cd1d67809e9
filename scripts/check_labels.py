#!/usr/bin/env python3
"""Check the labelled real articles (tests/data/real_articles/*.yaml) against the labelling guide.

Every sentence must be verbatim text of the article, in order; roles, stances and flags from the guide's
vocabularies; claim ids from claims/claims*.yaml and citation keys from references.bib.
Exit 1 with one `file: message` line per problem.
"""
import glob
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
ROLES = {"assertion", "heading", "question", "lead-in", "navigation", "analogy", "call-to-action",
         "study-design", "other"}
STANCES = {"asserts", "denies", "myth", "topic"}
FLAGS = {"contradicted", "overstated", "unsupported", "figure-differs", "needs-source",
         "citation-unresolved", "citation-mismatch", "citation-not-supporting", "citation-withdrawn"}
KINDS = {"health-service", "hospital-clinic", "consumer-health", "drug-safety-news", "chiropractic",
         "physiotherapy", "massage", "device-marketing", "surgeon", "pregnancy", "other"}


def known_claims():
    ids = set()
    for path in sorted((ROOT / "claims").glob("claims*.yaml")):
        ids.update(re.findall(r"^  - id: (\S+)", path.read_text(encoding="utf-8"), re.M))
    return ids


def known_keys():
    text = (ROOT / "references.bib").read_text(encoding="utf-8")
    return set(re.findall(r"^@\w+\{([^,\s]+),", text, re.M))


def check(path, claims, keys):
    problems = []
    say = problems.append
    try:
        doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        return [f"{path}: not YAML: {err}"]
    for field in ("id", "url", "publisher", "kind", "capture", "text", "sentences"):
        if not doc.get(field):
            say(f"{path}: missing {field}")
    if problems:
        return problems
    if doc["kind"] not in KINDS:
        say(f"{path}: unknown kind {doc['kind']!r}")
    if doc["capture"] not in {"excerpt", "full"}:
        say(f"{path}: capture must be excerpt or full")
    text, pos = doc["text"], 0
    for n, s in enumerate(doc["sentences"], 1):
        where = f"{path}: sentence {n}"
        st = s.get("text", "")
        found = text.find(st, pos)
        if not st or found < 0:
            say(f"{where}: not verbatim in text (or out of order): {st[:60]!r}")
        else:
            pos = found + len(st)
        role = s.get("role")
        if role not in ROLES:
            say(f"{where}: unknown role {role!r}")
        claim = s.get("claim")
        if role == "assertion":
            if not claim:
                say(f"{where}: an assertion needs claim (an id or not-in-kb)")
            elif claim != "not-in-kb" and claim not in claims:
                say(f"{where}: unknown claim {claim!r}")
            if claim and claim != "not-in-kb" and s.get("stance") not in STANCES:
                say(f"{where}: stance must be one of {sorted(STANCES)}")
        elif claim or s.get("flags"):
            say(f"{where}: only assertions carry a claim or flags")
        for other in s.get("also") or []:
            if other not in claims:
                say(f"{where}: unknown claim in also: {other!r}")
        for flag in s.get("flags") or []:
            if flag not in FLAGS:
                say(f"{where}: unknown flag {flag!r}")
        for cite in s.get("citations") or []:
            r = cite.get("resolves")
            if r not in {"not-in-kb", "unresolvable"} and r not in keys:
                say(f"{where}: citation resolves to unknown key {r!r}")
            if cite.get("text", "") not in st:
                say(f"{where}: citation text not in the sentence: {cite.get('text')!r}")
    return problems


def main(paths):
    claims, keys = known_claims(), known_keys()
    paths = paths or sorted(glob.glob(str(ROOT / "tests/data/real_articles/*.yaml")))
    problems = []
    for path in paths:
        if Path(path).name == "split.yaml":
            continue
        problems += check(path, claims, keys)
    for p in problems:
        print(p)
    print(f"{len(paths)} files, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
