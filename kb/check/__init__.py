"""Stage 3a of the pipeline: fact-check a draft against a built database.

``draft`` turns bytes into sentences; then, per sentence, ``roles`` (is it an assertion?),
``candidates`` (which known claims it resembles), ``stance`` (what it says about each),
``verdict`` (what the evidence says about the sentence; ``figures`` compares its numbers),
``citations`` (its sources, found and resolved) and ``report`` (flags, fixes, summary);
``engine`` runs them in that order; ``render`` prints the report (terminal, JSON, Markdown);
``evaluate`` measures it on labelled real articles. It reads the built database only: it never
imports ``kb.sources`` or ``kb.build``.
"""

from .engine import CLAIM_LIKE, DEFAULT_FAIL_ON, FLAGS, SCHEMA_VERSION, Checker

__all__ = ["CLAIM_LIKE", "Checker", "DEFAULT_FAIL_ON", "FLAGS", "SCHEMA_VERSION"]
