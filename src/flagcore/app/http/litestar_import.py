"""Importing this module imports Litestar without advanced-alchemy.

``litestar.pagination`` imports ``advanced_alchemy.service`` whenever it is installed (to reuse its
``OffsetPagination``), and with it SQLAlchemy and advanced-alchemy's ORM bases: about 0.3 s of CPU that a memory
server has no use for (issue #18: a seeded memory server answers within a second). No route here uses Litestar's
pagination types, so which ``OffsetPagination`` Litestar holds changes nothing served, the OpenAPI document included.
SQL storage imports advanced-alchemy itself, later (``app/ioc_sql.py``). ``app/main.py`` imports this module before
anything that imports Litestar (a module of its own: the package's wire schemas are imported without Litestar, by the
seed loader and the CLI).
"""

from __future__ import annotations

import sys


def _import_litestar_without_advanced_alchemy() -> None:
    if "litestar" in sys.modules or "advanced_alchemy" in sys.modules:
        return  # too late, or advanced-alchemy is in use anyway: Litestar takes its class, as it always did
    # A None entry makes `import advanced_alchemy...` raise ImportError, which litestar.pagination catches.
    sys.modules["advanced_alchemy"] = None  # type: ignore[assignment]
    try:
        import litestar.pagination  # noqa: F401, PLC0415
    finally:
        del sys.modules["advanced_alchemy"]


_import_litestar_without_advanced_alchemy()
