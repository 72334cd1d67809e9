"""Building the database file atomically, and knowing when it is stale.

The database is a build output: it is written to a temporary file beside the target and
renamed over it only when complete, so a failed or killed build leaves the previous database
untouched. The file is flushed to the disk before the rename and the folder after it, so a
power loss cannot leave a torn database under the served name either.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..sources import ValidationFailed, digest_of, input_tokens
from .incremental import ChangedDuringBuild, plan, recorded_files, update
from .writer import write_database


@dataclass
class Built:
    """What a build did: ``counts`` of what the database holds, and ``how`` it got there."""
    counts: dict
    how: str
    incremental: bool = False
    timings: dict = field(default_factory=dict)  # seconds by stage (a full build's)


def build(root: Path, db_path: Path, full: bool = True) -> Built:
    """Validate the sources under ``root`` and atomically (re)write ``db_path``.

    With ``full=False`` the database is updated from the files that changed since it was built
    when only claims files and articles did (kb.build.incremental); otherwise, or when a
    changed file has a problem, every source is read again.

    Raises ``ValidationFailed`` (and leaves ``db_path`` untouched) if any
    source file has a problem, and ``OSError`` or ``sqlite3.Error`` (the same) if the database
    cannot be written: no permission, a read-only file system, a full disk.
    """
    db_path = Path(db_path).resolve()
    if db_path.is_dir():  # os.replace would only refuse once the build is done
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(db_path))
    db_path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(db_path)
    why = "a full build was asked for"
    if not full:
        p = plan(root, db_path)
        if p.up_to_date:
            return Built(_counts(db_path), "no source file changed: the database is up to date", True)
        if p.full_because is None:
            done = _replace(db_path, lambda tmp: _update(root, db_path, tmp, p))
            if done is not None:
                return Built(_counts(db_path), done.describe(), True)
            why = ("a changed file has problems (read in full to report them all), or changed "
                   "during the build")
        else:
            why = p.full_because
    reader = _replace(db_path, lambda tmp: write_database(root, tmp))
    return Built(dict(reader.counts), f"full build: {why}", timings=dict(reader.timings))


def _replace(db_path: Path, write):
    """Run ``write(tmp)`` on a new temporary file beside ``db_path`` and rename it over
    ``db_path`` once complete (unless ``write`` returns None); the temporary file is removed
    in every case."""
    # A unique temporary file per build: concurrent builds never write the same file, and
    # os.replace() makes whichever finishes last the database, always a complete one.
    fd, name = tempfile.mkstemp(prefix=f".{db_path.name}.", suffix=f".{os.getpid()}.tmp",
                                dir=db_path.parent)
    os.close(fd)
    # Kept, empty (SQLite reads an empty file as a new database; the incremental copy writes over
    # it): were it removed here and made again by SQLite, a build killed in between would leave
    # nothing, and a watcher could see the file come and go before the build had begun writing.
    tmp = Path(name)
    try:
        result = write(tmp)
        if result is not None:
            _fsync_file(tmp)  # the whole file on the disk before it takes the served name...
            os.replace(tmp, db_path)
    finally:
        tmp.unlink(missing_ok=True)
    if result is not None:
        _fsync_folder(db_path.parent)  # ...and the rename itself
    return result


def _update(root: Path, db_path: Path, tmp: Path, p):
    """A copy of the database brought up to date from the changed files; None if one has a
    problem (the full build reports it)."""
    shutil.copyfile(db_path, tmp)
    conn = sqlite3.connect(tmp, isolation_level=None)
    try:
        conn.execute("pragma journal_mode = off")  # a temporary copy, discarded on any failure
        conn.execute("pragma synchronous = off")
        try:
            return update(root, conn, p)
        except (ValidationFailed, ChangedDuringBuild):
            return None
    finally:
        conn.close()


def _counts(db_path: Path) -> dict:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return {name: conn.execute(f"select count(*) from [{table}]").fetchone()[0]
                for name, table in (("claims", "claims"), ("references", "refs"), ("articles", "articles"))}
    finally:
        conn.close()


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
    """Whether the sources differ from what ``db_path`` was built from (a file whose size and
    modification time are those the build recorded is taken as unchanged, as git does)."""
    stored = stored_digest(db_path)
    if stored is None:
        return True
    return stored != digest_of(input_tokens(root, _recorded(db_path)))


def _recorded(db_path: Path) -> dict[str, tuple]:
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            return recorded_files(conn)
        finally:
            conn.close()
    except sqlite3.Error:
        return {}
