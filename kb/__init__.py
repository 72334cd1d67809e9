"""An evidence and citation knowledge base for health content (first subject: sciatica)."""

__version__ = "0.1.0"
