"""Stage 3a of the pipeline: fact-check a draft against a built database.

``draft`` turns bytes into sentences; ``engine`` matches each sentence to claims and flags it;
``citations`` finds and resolves inline citations; ``render`` prints the report (terminal,
JSON, Markdown); ``evaluate`` measures it on labelled sentences. It reads the built database
only: it never imports ``kb.sources`` or ``kb.build``.
"""

from .engine import CLAIM_LIKE, DEFAULT_FAIL_ON, FLAGS, Checker

__all__ = ["CLAIM_LIKE", "Checker", "DEFAULT_FAIL_ON", "FLAGS"]
