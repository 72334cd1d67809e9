"""SQLite tuned for serving: a page cache big enough for a large knowledge base, and a bound on
the size of any value a query can make.

SQLite's default cache is 2 MB per connection; at a million claims (a 4 GB file) a search page
re-reads thousands of rows per facet through the OS on every request. 64 MB per connection
(Datasette keeps a few) keeps them in memory: the count and facets of a search over 18,000
claims went from about 110 ms to 30 ms each in a measurement on the 1M-claim benchmark.
"""

import sqlite3

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
