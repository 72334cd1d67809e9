"""Where a reference was read: its canonical record, or a copy of it (kb.vocab.SOURCE_KINDS).

A reader trusts "read on PubMed" more than "read on a document-sharing site", so every
verified-url is classed by its host and the reference page says which it is. The build stores
the class; validation does not reject copies (a copy read carefully is still a reading), it makes
them visible.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from .vocab import URL_SCHEMES

# Hosts of canonical records: bibliographic databases, DOI resolution, publishers, guideline bodies.
CANONICAL = (
    "pubmed.ncbi.nlm.nih.gov", "pubmed.gov", "pmc.ncbi.nlm.nih.gov", "ncbi.nlm.nih.gov", "doi.org",
    "cochranelibrary.com", "nice.org.uk", "bmj.com", "jamanetwork.com", "nejm.org", "thelancet.com",
    "journals.lww.com", "link.springer.com", "springer.com", "onlinelibrary.wiley.com", "wiley.com",
    "sciencedirect.com", "elsevier.com", "ajnr.org", "frontiersin.org", "mdpi.com", "academic.oup.com",
    "tandfonline.com", "sagepub.com", "cmaj.ca", "cfp.ca", "thespinejournalonline.com",
    "neuromodulationjournal.org", "jospt.org", "biomedcentral.com", "plos.org", "nature.com",
    "science.org", "thejns.org", "fda.gov", "who.int", "hindawi.com", "karger.com", "thieme-connect.com",
    "europeanspinejournal.org", "springermedicine.com", "acpjournals.org", "annals.org",
)
INDEXES = ("ouci.dntb.gov.ua", "read.qxmd.com", "metajournal.com", "pesquisa.bvsalud.org", "scilit.com",
           "search.pedro.org.au", "zendy.io", "sparrho.com", "europepmc.org", "semanticscholar.org",
           "dissem.in", "researchgate.net", "suppr.wilddata.cn", "zhixidata.com", "altmetric.com")
REPOSITORIES = ("zora.uzh.ch", "experts.umn.edu", "scholars.northwestern.edu", "portal.findresearcher.sdu.dk",
                "boris.unibe.ch", "research.vu.nl", "pure.", "repository", "eprints", "handle.net",
                "oulu.fi", "helda.helsinki.fi", "jyu.fi", "tmu.edu.tw", "ohsu.edu")
SHARING = ("scribd.com", "1library.net", "studylib.net", "docslib.org", "issuu.com", "readkong.com",
           "pdfcoffee.com", "dokumen.pub", "info.5y1.org", "slideshare.net", "yumpu.com")
_IP = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")


def host(url: str | None) -> str:
    netloc = urlsplit(url or "").hostname or ""
    return netloc[4:] if netloc.startswith("www.") else netloc


def _under(name: str, hosts) -> bool:
    return any(name == h or name.endswith("." + h) or (h.endswith(".") and name.startswith(h))
               or (h in ("repository", "eprints") and h in name) for h in hosts)


def source_kind(url: str | None) -> str | None:
    """canonical | repository | index | document-sharing | mirror | other (None without a url)."""
    if not url:
        return None
    return _kind_of_host(host(url))


@lru_cache(maxsize=4096)  # a build classes a third of a million URLs on a few hundred hosts
def _kind_of_host(name: str) -> str:
    if _IP.match(name):
        return "mirror"
    for kind, hosts in (("canonical", CANONICAL), ("index", INDEXES), ("repository", REPOSITORIES),
                        ("document-sharing", SHARING)):
        if _under(name, hosts):
            return kind
    return "other"


_CONTROL = re.compile(r"[\x00-\x20\x7f]")


def safe_url(url: str | None) -> str | None:
    """``url`` if it is an absolute URL with an allowed scheme (kb.vocab.URL_SCHEMES) and a host,
    else None. Browsers ignore tabs, newlines and leading spaces in a scheme
    ("java\tscript:"), so those never pass; nor does a scheme-relative "//host"."""
    if not url or _CONTROL.search(url):
        return None
    parts = urlsplit(url)
    return url if parts.scheme.lower() in URL_SCHEMES and parts.hostname else None


_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.I)


def strip_doi_prefix(value: str) -> str:
    """A DOI as written, trimmed and without any https://doi.org/, dx.doi.org or doi: prefix."""
    return _DOI_PREFIX.sub("", value.strip()).strip()
