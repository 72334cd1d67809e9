"""SQLite tuned for serving: a page cache big enough for a large knowledge base, and a bound on
the size of any value a query can make.

SQLite's default cache is 2 MB per connection; at a million claims (a 4 GB file) a search page
re-reads thousands of rows per facet through the OS on every request. 64 MB per connection
(Datasette keeps a few) keeps them in memory: the count and facets of a search over 18,000
claims went from about 110 ms to 30 ms each in a measurement on the 1M-claim benchmark.
"""

import re
import sqlite3
import threading

from datasette import hookimpl

CACHE_KIB = 65536
# No value a query makes may exceed this: printf('%.*c', 999999999, 'x') or zeroblob(1e9) fail at
# once with "string or blob too big" instead of filling memory for seconds the time limit cannot
# interrupt (the longest stored value, an article text, is a few tens of kilobytes).
MAX_VALUE_BYTES = 10_000_000


@hookimpl
def prepare_connection(conn):
    conn.execute(f"pragma cache_size = -{CACHE_KIB}")
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    # printf's %c repeats its character as often as its precision says, and goes on looping
    # after the length limit is hit: printf('%.*c', 999999999, 'x') returns NULL, but only
    # after ~6 s in one of Datasette's three database threads (three of them stall every page).
    # printf and format are given a width and precision bound, then run by SQLite itself.
    conn.create_function("printf", -1, bounded_printf, deterministic=True)
    conn.create_function("format", -1, bounded_printf, deterministic=True)


_SPEC = re.compile(r"%[-+ 0#,!]*(\*|\d+)?(?:\.(\*|\d+))?(?:ll|l)?([A-Za-z%])")
_plain = threading.local()  # per thread: a connection whose printf is SQLite's own


def bounded_printf(fmt, *args):
    """SQLite's printf, but NULL at once for a width or precision over MAX_VALUE_BYTES (written
    in the format or given by `*`): what SQLite returns for a value over the length limit,
    without the seconds it loops first."""
    if not isinstance(fmt, str):
        return None if fmt is None else str(fmt)
    at = 0  # the next argument
    for spec in _SPEC.finditer(fmt):
        if spec.group(3) == "%":
            continue
        for size in spec.group(1), spec.group(2):
            if size == "*":
                size, at = (args[at] if at < len(args) else 0), at + 1
            try:
                too_big = size is not None and abs(int(size)) > MAX_VALUE_BYTES
            except (TypeError, ValueError):
                too_big = False
            if too_big:
                return None
        at += 1
    conn = getattr(_plain, "conn", None)
    if conn is None:
        conn = _plain.conn = sqlite3.connect(":memory:", check_same_thread=False)
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    marks = "".join(", ?" for _ in args)
    return conn.execute(f"select printf(?{marks})", (fmt, *args)).fetchone()[0]
