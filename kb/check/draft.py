"""Reading a draft (bytes from a file, stdin or a form) and splitting it into sentences."""

from __future__ import annotations

import codecs
import re
import threading
from dataclasses import dataclass
from html.parser import HTMLParser

import pysbd
from pysbd.lang.english import English

from ..textfile import NotUTF8, decode_text

MAX_CHARS = 1_000_000  # ~150,000 words: far beyond any article draft


class DraftError(ValueError):
    """The input cannot be checked; the message says why, for the writer."""


@dataclass
class Sentence:
    index: int
    start: int
    end: int
    text: str
    block: str = "paragraph"  # heading | item | quote | paragraph: the block it stands in
    alone: bool = False  # the sentence is its block's whole text (a line of its own)
    lead_in: str | None = None  # for a list item: the line that introduces the list ("Avoid:")


class _HTMLText(HTMLParser):
    BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section",
              "article", "blockquote", "ul", "ol", "table", "header", "footer"}
    SKIP = {"script", "style", "noscript", "template", "head"}
    HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skip += 1
        elif tag in self.BLOCKS:
            # Headings and list items keep a Markdown marker: the sentence roles need them.
            marker = "# " if tag in self.HEADINGS else "- " if tag == "li" else ""
            self.parts.append("\n\n" + marker if marker else "\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def looks_like_html(text: str) -> bool:
    head = text[:2000].lower()
    return "<html" in head or "<!doctype html" in head or len(re.findall(r"</(p|div|li|h\d)>", head)) >= 2


def html_to_text(text: str) -> str:
    parser = _HTMLText()
    parser.feed(text)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def decode_draft(data: bytes, max_chars: int = MAX_CHARS, where: str = "") -> tuple[str, list[str]]:
    """Bytes to text. Returns (text, notes); raises DraftError for input that is not a draft,
    or longer than ``max_chars`` (``where`` says where that limit applies, for the message)."""
    notes: list[str] = []
    if not data.strip():
        raise DraftError("nothing to check: the draft is empty")
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if not utf16:
        sample = data[:8192]
        controls = sum(b < 9 or 13 < b < 32 for b in sample)
        if b"\x00" in sample or controls > len(sample) * 0.05:
            raise DraftError("this looks like a binary file, not a text draft "
                             "(save the draft as plain text or Markdown)")
    try:
        text = decode_text(data)
        if utf16:
            notes.append("decoded as UTF-16")
    except NotUTF8 as exc:
        if utf16:
            raise DraftError(f"the draft is not readable: it {exc}") from None
        # Drafts pasted from Word and old editors: Windows-1252 is the usual other encoding.
        text = data.decode("cp1252", errors="replace")
        notes.append(f"not valid UTF-8 (first bad byte on line {exc.line}); decoded as Windows-1252")
    if len(text) > max_chars:
        raise DraftError(f"the draft is too long to check{where} ({len(text):,} characters; the limit "
                         f"is {max_chars:,}, about {max_chars // 6_000 * 1_000:,} words). Check it in parts.")
    if looks_like_html(text):
        text = html_to_text(text)
        notes.append("the input looked like HTML; its text content was checked")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise DraftError("nothing to check: the draft has no text")
    return text, notes


# Blocks: blank lines, list items, headings, quotes; and a single line break that ends a
# sentence or heading-like line (web captures put each heading or item on its own line), i.e.
# after closing punctuation or before a capital letter. A soft-wrapped sentence continues.
_BLOCK_SPLIT = re.compile(r"\n\s*\n|\n(?=\s*(?:[-*+\u2022\u25cf\u25aa]\s|\d+(?:\.\d{1,2})?[.)]\s|#{1,6}\s|>\s|\|))|"
                          r"(?<=[.!?:;\"\u201d\u2019)])[ \t]*\n|\n(?=\s*[A-Z0-9\u201c\"])")
_MD_PREFIX = re.compile(r"^\s*(?:(?P<heading>#{1,6}\s+)|(?P<item>[-*+\u2022\u25cf\u25aa]\s+|\d+(?:\.\d{1,2})?[.)]\s+)|"
                        r"(?P<quote>>\s*))")
# A footnote ("(4, 5)", "[2]", "^[1]") or a bracketed source ("(doi: 10.1111/... PMID: 14995919.)")
# that pysbd leaves at the start of the next piece: it belongs to the sentence before.
_LEADING_NOTE = re.compile(r"^\^?(?:\(\s*\d{1,3}(?:\s*[,\u2013-]\s*\d{1,3})*\s*\)|\[\d{1,3}(?:\s*[,\u2013-]\s*\d{1,3})*\])|"
                           r"^\((?:doi|pmid|https?://)[^()]{0,200}\)", re.I)
_END_PUNCT = re.compile(r"[.!?\"\u201d\u2019)]\s*$")
# pysbd's Segmenter keeps the text being split on the instance (segment() sets
# self.original_text, then reads it back), so each thread needs its own: Datasette runs the
# check engine in several threads at once.
_local = threading.local()
# pysbd's time grows with the square of a block's length on text dense with full stops
# ("a. a. a." or "1.2.3."): a 90 KB block of them took 160 s. It is given pieces of at most
# this many characters, cut where a sentence ends (a real paragraph is rarely longer).
SEGMENT_CHARS = 600
_PIECE_END = re.compile(r"[.!?][\"\u201d\u2019]*\s+(?=[\"\u201c]*(?:[A-Z]|\d(?!\d*\.\s))|\([A-Z])")
# ... but not where pysbd does not end a sentence: after an abbreviation ("Dr. Smith", "e.g.
# Ibuprofen", "U.S. Food") or a list's number ("1. Direct damage"), before either ("... system.
# 1. Understanding") or a footnote ("... anticonvulsants. (1, 2)"), or inside brackets ("(...
# climbing stairs.) Pain"). A piece cut there split one sentence in two. pysbd's own list of
# abbreviations, so the two agree.
_ABBREVIATIONS = frozenset(English.Abbreviation.ABBREVIATIONS)
_WORD_BEFORE = re.compile(r"([\w.]+)$")


def _ends_sentence(window: str, at: int) -> bool:
    """Whether the full stop (or ! or ?) at ``at`` can end a sentence: not an abbreviation's."""
    if window[at] != ".":
        return True
    m = _WORD_BEFORE.search(window, 0, at)
    word = m.group(1).lower() if m else ""
    return not (word in _ABBREVIATIONS or "." in word or len(word) == 1 and word.isalpha()
                or word.isdigit())  # "1. Direct damage": a list's number


# A lead-in that only points back ("These include:", "Examples are:"): what it introduces is said
# in the sentence before it.
_BARE_LEAD_IN = re.compile(r"^(?:these|they|those|this|such|examples?|for example|e\.g\.?)\b[\w\s]{0,25}:$", re.I)


def _pieces(block: str) -> list[str]:
    """``block`` in consecutive pieces of at most about SEGMENT_CHARS, cut after a sentence's
    closing punctuation where there is one, else at a space, else anywhere."""
    out, start = [], 0
    while len(block) - start > SEGMENT_CHARS:
        window = block[start:start + SEGMENT_CHARS]
        cut = None
        for m in _PIECE_END.finditer(window):
            if _ends_sentence(window, m.start()):
                cut = m.end()
        if cut is None or cut < SEGMENT_CHARS // 4:
            space = window.rfind(" ")
            cut = space + 1 if space > 0 else SEGMENT_CHARS
        out.append(block[start:start + cut])
        start += cut
    out.append(block[start:])
    return out


def _blocks(text: str):
    """(start, block text, whether a blank line came before it). Lines after a lead-in ("Here
    are a few things to try:") that all read as items ("try to avoid sitting for too long") are
    a block each, though they start in lower case, as a hard-wrapped paragraph's lines do."""
    after_lead_in = False
    for start, block, blank in _raw_blocks(text):
        lines = block.split("\n")
        if after_lead_in and len(lines) > 1 and all(line.strip() and _is_item_like(line) for line in lines):
            for k, line in enumerate(lines):
                yield start, line, blank and k == 0
                start += len(line) + 1
            continue
        after_lead_in = block.rstrip().endswith(":")
        yield start, block, blank


def _raw_blocks(text: str):
    """The blocks _BLOCK_SPLIT cuts, before lead-ins are looked at."""
    start, blank = 0, True
    for match in _BLOCK_SPLIT.finditer(text):
        yield start, text[start:match.start()], blank
        blank = match.group(0).count("\n") > 1
        start = match.end()
    yield start, text[start:], blank


# A web page copied as text often glues a heading to the paragraph after it ("Sciatica treatment
# Sciatica can be caused by ...", "Non-specific low back pain This is the most common ..."):
# a short capitalised phrase with no verb and no closing punctuation, then a capitalised word
# that starts sentences (or the phrase's own first word again). Written from the tuning half's
# captures; a Title Case heading, "Term - definition" and "published in The BMJ" are left alone.
_STARTERS = frozenset({"This", "These", "Those", "The", "It", "Its", "If", "In", "When", "There", "You",
                       "Your", "Most", "Many", "Some", "Our", "We", "For"})
_HEAD_ENDS = frozenset({"in", "of", "by", "at", "from", "to", "for", "with", "on", "and", "or", "the", "a",
                        "an", "published", "called", "named", "as", "than", "is", "are", "was", "were",
                        "be", "like"})
_HEAD_VERBS = frozenset({"is", "are", "was", "were", "can", "may", "will", "has", "have", "does", "do",
                         "did", "could", "should", "might"})
_RUN_IN_WORDS = 8


def run_in_heading(piece: str) -> str | None:
    """The heading glued to the start of ``piece``, if there is one."""
    words = piece.split(" ")
    for k in range(1, _RUN_IN_WORDS + 1):
        if k + 4 > len(words):
            return None
        head, following = words[:k], words[k]
        if not head[0][:1].isupper() or not following[:1].isupper():
            continue
        if any(w[-1:] in ".!?:;," for w in head) or head[-1] in ("-", "\u2013", "\u2014"):
            return None
        if sum(w[:1].isupper() for w in words[k:k + 5]) >= 3:
            return None  # a Title Case heading: left as it is
        bare = [re.sub(r"[^\w'-]", "", w).lower() for w in head]
        if any(b in _HEAD_VERBS for b in bare):
            return None
        if bare[-1] in _HEAD_ENDS:
            continue
        if following.strip("\"'(\u201c") in _STARTERS or following == head[0]:
            return " ".join(head)
    return None


# "1. Piriformis muscle release: Many cases of sciatica ...": a short label ending in a colon,
# then a sentence, is the item's heading. Myth framing ("Myth: ...", "Common myth: ...") is not
# a label: it says what the rest of the line is.
_LABEL = re.compile(r"^(?P<label>[A-Z][\w'\- ]{2,60}?:)\s+(?=[A-Z\"\u201c])")
_LABEL_WORDS = (2, 6)
_FRAMING = re.compile(r"\b(?:myths?|facts?|truth|reality|misconceptions?|false|true|note|tip|warning|"
                      r"important|summary|answer|question|q|a)\b", re.I)


def run_in_label(piece: str) -> str | None:
    """The short label ending in a colon at the start of ``piece`` ("Improved circulation:"), if any."""
    m = _LABEL.match(piece)
    if not m:
        return None
    label = m.group("label")
    words = label.rstrip(":").split()
    if not _LABEL_WORDS[0] <= len(words) <= _LABEL_WORDS[1] or _FRAMING.search(label) or \
            any(w.lower() in _HEAD_VERBS for w in words):
        return None
    if sum(w[:1].isupper() for w in piece[m.end():].split()[:5]) >= 3:
        return None  # a Title Case title with a subtitle ("Stop Sciatica: Causes, Symptoms, ...")
    return label


# pysbd never splits inside quotation marks, so a quoted passage of several sentences ("... said:
# "There has been no evidence. Our results show it did not relieve pain.") came out as one. It is
# given the text with its double quotes blanked, and each sentence gets back the quote marks
# that open or close it.
_QUOTES = str.maketrans({'"': " ", "\u201c": " ", "\u201d": " "})


def _segment(segmenter, chunk: str) -> list[str]:
    """The sentences of ``chunk``, stripped, as pysbd splits it with its double quotes blanked."""
    masked, out, cursor = chunk.translate(_QUOTES), [], 0
    for piece in segmenter.segment(masked):
        piece = piece.strip()
        start = masked.find(piece, cursor) if piece else -1
        if start < 0:
            continue
        end = start + len(piece)
        if start > 0 and chunk[start - 1] in '"\u201c':
            start -= 1
        if end < len(chunk) and chunk[end] in '"\u201d':
            end += 1
        out.append(chunk[start:end])
        cursor = end
    return out


_WORDS = re.compile(r"[A-Za-z']+")
_SMALL_WORDS = {"a", "an", "the", "of", "or", "and", "to", "for", "in", "on", "with", "at", "by", "from", "vs"}


def title_case(text: str) -> bool:
    """Most words capitalised, as a heading is ("Piriformis Stretch (Seated or Lying Down)")."""
    words = [w for w in _WORDS.findall(text) if w.lower() not in _SMALL_WORDS]
    return len(words) >= 2 and sum(w[0].isupper() for w in words) >= 0.8 * len(words)


_TRAILING_BRACKET = re.compile(r"\s*\([^().!?]*\)\s*$")


def _is_item_like(block: str) -> bool:
    """A short line with no closing punctuation reads as a list item (or a heading). A bracket
    that closes the line is not a sentence's end ("Numbness or tingling (pins and needles)")."""
    return len(block.split()) <= 14 and not _END_PUNCT.search(_TRAILING_BRACKET.sub("", block))


def split_sentences(text: str) -> list[Sentence]:
    """Sentences with offsets into ``text``, each knowing the block it stands in. Paragraphs,
    list items and headings are split first, so a heading never merges into the next
    sentence; pysbd splits within them. A list item remembers the line that introduced its
    list ("Avoid:"), which a web capture often gives as plain lines after it."""
    segmenter = getattr(_local, "segmenter", None)
    if segmenter is None:
        segmenter = _local.segmenter = pysbd.Segmenter(language="en", clean=False, char_span=False)
    out: list[Sentence] = []
    flat = text.replace("\n", " ")
    lead_in: str | None = None
    marked: bool | None = None  # whether the current list's items came with bullets
    list_numbered = False  # whether they are numbered (or bulleted)
    numbered_line: int | None = None  # index of a short numbered line with no closing punctuation
    for block_start, block, after_blank in _blocks(text):
        if not block.strip():
            continue
        prefix = _MD_PREFIX.match(block)
        if numbered_line is not None and not prefix and (after_blank or (
                title_case(out[numbered_line].text) and not _is_item_like(block.strip()))):
            # "1. Take short breaks", a blank line, then a paragraph: a listicle's section heading;
            # so is "1. Releasing Muscle Tension" straight before a paragraph of sentences
            s = out[numbered_line]
            out[numbered_line] = Sentence(s.index, s.start, s.end, s.text, block="heading", alone=True)
        numbered_line = None
        skip = prefix.end() if prefix else 0
        kind = (prefix.lastgroup if prefix else None) or "paragraph"
        body = block[skip:].strip()
        if body.endswith(":") and kind != "heading":
            kind, lead_in = "paragraph", None  # a lead-in itself: it introduces what follows
            marked = None
        elif kind == "item":
            numbered = prefix.group("item")[0].isdigit()
            if lead_in and marked and numbered != list_numbered:
                lead_in = None  # "- Tingling …" then "2. When to See a GP": another list, or a section
            marked = True if marked is None else marked
            list_numbered = numbered
        elif lead_in and kind == "paragraph" and not after_blank and _is_item_like(body) \
                and not marked:
            kind, marked = "item", False  # a capture's list, given as plain lines
        else:
            lead_in = None  # (a plain line after a bulleted list ends it: a heading, say)
        cursor = block_start + skip
        pieces = [p for chunk in _pieces(block[skip:].replace("\n", " "))
                  for p in _segment(segmenter, chunk)]
        for piece in pieces:
            note = _LEADING_NOTE.match(piece)
            if note and out and block_start <= out[-1].start:
                # "... was equivocal. (4, 5)": the footnote belongs to the sentence before it
                prev = out[-1]
                found = flat.find(note.group(0), prev.end)
                if found >= 0 and not flat[prev.end:found].strip():
                    end = found + len(note.group(0))
                    out[-1] = Sentence(prev.index, prev.start, end, text[prev.start:end], prev.block,
                                       prev.alone, prev.lead_in)
                    cursor = end
                    piece = piece[note.end():].strip()
                    if not piece:
                        continue
            # pysbd returns the text unchanged (clean=False): find it to get exact offsets.
            found = flat.find(piece, cursor)
            if found < 0:
                continue
            head = (run_in_heading(piece) if kind == "paragraph" else None) or run_in_label(piece)
            if head:
                out.append(Sentence(len(out), found, found + len(head), text[found:found + len(head)],
                                    block="heading", alone=True))
                piece = piece[len(head):].lstrip()
                found = flat.find(piece, found + len(head))
            out.append(Sentence(len(out), found, found + len(piece), text[found:found + len(piece)],
                                block=kind, alone=len(pieces) == 1,
                                lead_in=lead_in if kind == "item" else None))
            cursor = found + len(piece)
        if body.endswith(":") and kind == "paragraph":
            # the sentence that introduces the list, not the paragraph it ends ("The most common
            # cause ... Risk factors associated with sciatica include:")
            lead_in = out[-1].text.strip() if out and out[-1].start >= block_start else body
            if _BARE_LEAD_IN.match(lead_in) and len(out) > 1 and out[-2].start >= block_start:
                # "... some treatments may not be useful. These include:": the sentence before
                # says what the list's items are
                lead_in = f"{out[-2].text.strip()} {lead_in}"
        if kind == "item" and prefix and prefix.group("item")[0].isdigit() and len(pieces) == 1 \
                and _is_item_like(body) and len(body.split()) <= _HEADING_WORDS \
                and (after_blank or title_case(body)):
            numbered_line = len(out) - 1
    return out


_HEADING_WORDS = 10  # a numbered line this short, blank lines around it and a paragraph after, is a heading
