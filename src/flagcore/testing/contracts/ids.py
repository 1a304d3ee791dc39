"""The tenants every contract suite assumes exist in the store under test (SQL adapters check foreign keys).

An adapter author creates them before handing the adapter to a suite: organizations ``ORG_ID`` and
``OTHER_ORG_ID``, projects ``PROJECT_ID`` and ``OTHER_PROJECT_ID`` (of ``ORG_ID``), users ``USER_ID`` and
``OTHER_USER_ID``. Stores that check no references (the memory adapters) need nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

ORG_ID: Final = "0195f0d4-0000-7000-8000-000000000001"
OTHER_ORG_ID: Final = "0195f0d4-0000-7000-8000-000000000002"
PROJECT_ID: Final = 1
OTHER_PROJECT_ID: Final = 2
USER_ID: Final = 1
OTHER_USER_ID: Final = 2
SEEDED_AT: Final = datetime(2025, 6, 1, tzinfo=UTC)
