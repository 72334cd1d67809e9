"""Reading rows from a built knowledge-base database as dicts (for pages, checks and exports)."""

from __future__ import annotations

import sqlite3


def rows(conn: sqlite3.Connection, sql: str, params=()) -> list[dict]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor]


def one(conn: sqlite3.Connection, sql: str, params=()) -> dict | None:
    found = rows(conn, sql, params)
    return found[0] if found else None
