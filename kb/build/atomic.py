"""Building the database file atomically, and knowing when it is stale.

The database is a build output: it is written to a temporary file beside the target and
renamed over it only when complete, so a failed or killed build leaves the previous database
untouched. The file is flushed to the disk before the rename and the folder after it, so a
power loss cannot leave a torn database under the served name either.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import tempfile
from pathlib import Path

from ..sources import SourceReader, inputs_digest
from .writer import write_database


def build(root: Path, db_path: Path) -> SourceReader:
    """Validate the sources under ``root`` and atomically (re)write ``db_path``; returns the
    reader, whose ``counts`` say what was written.

    Raises ``ValidationFailed`` (and leaves ``db_path`` untouched) if any
    source file has a problem, and ``OSError`` or ``sqlite3.Error`` (the same) if the database
    cannot be written: no permission, a read-only file system, a full disk.
    """
    db_path = Path(db_path).resolve()
    if db_path.is_dir():  # os.replace would only refuse once the build is done
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(db_path))
    db_path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(db_path)
    # A unique temporary file per build: concurrent builds never write the same file, and
    # os.replace() makes whichever finishes last the database, always a complete one.
    fd, name = tempfile.mkstemp(prefix=f".{db_path.name}.", suffix=f".{os.getpid()}.tmp",
                                dir=db_path.parent)
    os.close(fd)
    tmp = Path(name)
    tmp.unlink()  # sqlite-utils creates the file itself
    try:
        reader = write_database(root, tmp)
        _fsync_file(tmp)  # the whole file on the disk before it takes the served name...
        os.replace(tmp, db_path)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_folder(db_path.parent)  # ...and the rename itself
    return reader


def _fsync_file(path: Path) -> None:
    """Flush a file's writes to the disk (an error, such as a full disk, fails the build)."""
    fd = os.open(path, os.O_RDWR)  # Windows flushes only a file open for writing
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(path: Path) -> None:
    """Flush a folder's entries (a rename) to the disk, where the system allows it. Best effort:
    the rename is done, and whichever database a power loss leaves is a whole one."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # Windows cannot open a folder
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems cannot flush a folder
        pass
    finally:
        os.close(fd)


def _remove_stale_temporaries(db_path: Path) -> None:
    """Delete temporary files left by builds that were killed (their process is gone)."""
    for tmp in db_path.parent.glob(f".{db_path.name}.*.tmp"):
        try:
            pid = int(tmp.name.rsplit(".", 2)[-2])
            os.kill(pid, 0)  # still running: leave its file alone
        except ProcessLookupError:
            tmp.unlink(missing_ok=True)
        except (ValueError, PermissionError, OSError):
            continue


def stored_digest(db_path: Path) -> str | None:
    """The inputs hash a database was built from, or None if it is missing or unreadable."""
    if not Path(db_path).exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            row = conn.execute("select value from build_info where key = 'inputs_sha256'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def is_stale(root: Path, db_path: Path) -> bool:
    return stored_digest(db_path) != inputs_digest(root)
