"""Testing against flagcore: the pytest plugin (``flagcore.testing.plugin``), seeded servers, the port contracts.

Importing this package needs no pytest; ``flagcore.testing.plugin`` and ``flagcore.testing.contracts`` do
(install ``flagcore[testing]``).
"""

from flagcore.testing.server import DEFAULT_SEED, FlagcoreServer, FlagHandle, running_seeded_server, seed_keys

__all__ = ("DEFAULT_SEED", "FlagHandle", "FlagcoreServer", "running_seeded_server", "seed_keys")
