"""The contract suites' flag builders (they live in ``flagcore.testing.contracts.flag_builders``)."""

from flagcore.testing.contracts.flag_builders import MULTIVARIATE, RICH_FILTERS, T0, depends_on, edited, new_flag

__all__ = ("MULTIVARIATE", "RICH_FILTERS", "T0", "depends_on", "edited", "new_flag")
