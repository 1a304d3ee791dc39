"""A new SQLite database file is created readable and writable by its owner only.

The file holds every flag and the hashes of every key. SQLite would create it with the process umask (usually
0644: readable by every local user); creating it first with mode 0600 fixes that, and SQLite gives the ``-wal`` and
``-shm`` files it creates beside the database the database file's own permissions.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

#: Owner read and write, nothing for group and others.
DATABASE_FILE_MODE: Final = 0o600


def create_private_database_file(database: str | None) -> None:
    """Create the SQLite file at ``database`` with ``DATABASE_FILE_MODE`` if it does not exist yet.

    In-memory databases, ``file:`` URIs and paths whose directory does not exist are left to SQLite (the latter
    fails there with its own error, or the caller creates the directory first). An existing file is not touched.
    """
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if not path.parent.is_dir():
        return
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, DATABASE_FILE_MODE)
    except FileExistsError:
        return
    os.close(descriptor)
