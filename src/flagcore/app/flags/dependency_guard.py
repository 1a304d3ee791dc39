"""Dependency rules re-checked after a write commits, undoing the write if a concurrent one broke them.

Validation runs before the write on a view read in another transaction, so two writes can each pass it and together
break a rule: deleting flag A while a flag depending on A is created, or two flags made to depend on each other. The
writer that sees the broken rule afterwards undoes its own write and reports the rule, as validation would have.
If both racing writers see it, both undo: the project ends as it was, never with an active flag depending on a
deleted, disabled or cyclic one.
"""

from __future__ import annotations

import logging

import msgspec

from flagcore.domain.errors import InvalidInputError
from flagcore.domain.flags import (
    FeatureFlag,
    VersionConflictError,
    check_transition,
    flag_dependency_ids,
    validate_dependencies,
)
from flagcore.ports.flags import FlagRepo

logger = logging.getLogger("flagcore.flags")


def needs_confirmation(before: FeatureFlag | None, after: FeatureFlag) -> bool:
    """Whether ``after`` can take part in a dependency race: it depends on flags, or it stopped being live."""
    live_after = after.active and not after.deleted
    if live_after and flag_dependency_ids(after.filters):
        return True
    return before is not None and before.active and not before.deleted and not live_after


async def confirm_or_undo(flags: FlagRepo, before: FeatureFlag | None, after: FeatureFlag) -> None:
    """Re-check the rules on the committed state; on a violation undo ``after`` and raise the rule's error.

    Raises:
        InvalidInputError: the write broke a dependency rule together with a concurrent write (it was undone).
    """
    view = await flags.dependency_view(after.project_id)
    try:
        if after.active and not after.deleted:
            validate_dependencies(flag_id=after.id, key=after.key, filters=after.filters, project_flags=view)
        if before is not None:
            check_transition(before, after, view)
    except InvalidInputError:
        await _undo(flags, before, after)
        raise


async def _undo(flags: FlagRepo, before: FeatureFlag | None, after: FeatureFlag) -> None:
    try:
        if before is None:
            await flags.soft_delete(after.project_id, after.id, expected_version=after.version)
        else:
            await flags.update(msgspec.structs.replace(before, version=after.version), expected_version=after.version)
    except VersionConflictError:
        # Someone wrote the flag again in between; their write was validated against the current state.
        logger.warning("could not undo flag %s after a dependency race: it changed again", after.id)
