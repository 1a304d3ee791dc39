"""Who may change whose organization membership: PostHog's rules for member, admin (8) and owner (15) levels.

- Only admins and owners manage others; nobody edits someone above their own level.
- Nobody changes their own level; only an owner makes someone an owner, and nobody grants above their own level.
- Anyone may leave; an organization always keeps at least one owner (the last owner can neither leave, be removed,
  nor be demoted).
"""

from __future__ import annotations

from flagcore.domain.errors import ForbiddenError, InvalidInputError
from flagcore.domain.identity.model import Membership, MembershipLevel


class MemberEditForbiddenError(ForbiddenError):
    pass


class LastOwnerError(InvalidInputError):
    code = "last_owner"

    def __init__(self) -> None:
        super().__init__(
            "An organization must keep at least one owner: make another member an owner first.", attr="level"
        )


def parse_level(value: int) -> MembershipLevel:
    """The membership level PostHog numbers ``value`` (1, 8 or 15).

    Raises:
        InvalidInputError: any other number (attr ``level``).
    """
    try:
        return MembershipLevel(value)
    except ValueError:
        raise InvalidInputError(f'"{value}" is not a valid choice.', code="invalid_choice", attr="level") from None


def check_can_add(actor: Membership, level: MembershipLevel) -> None:
    """Raise unless ``actor`` may add a member at ``level``."""
    _check_admin(actor)
    _check_grant(actor, level)


def check_can_change_level(actor: Membership, target: Membership, level: MembershipLevel, owners: int) -> None:
    """Raise unless ``actor`` may set ``target``'s level to ``level`` (``owners``: the organization's owner count).

    Raises:
        MemberEditForbiddenError: PostHog's rules refuse the change (403).
        LastOwnerError: the change would leave the organization without an owner (400).
    """
    if actor.user_id == target.user_id:
        raise MemberEditForbiddenError("You can't change your own access level.")
    _check_edit_other(actor, target)
    _check_grant(actor, level)
    if target.level is MembershipLevel.OWNER and level is not MembershipLevel.OWNER and owners <= 1:
        raise LastOwnerError


def check_can_remove(actor: Membership, target: Membership, owners: int) -> None:
    """Raise unless ``actor`` may remove ``target`` (themselves: leaving).

    Raises:
        MemberEditForbiddenError: PostHog's rules refuse the removal (403).
        LastOwnerError: the organization's last owner would go (400).
    """
    if actor.user_id != target.user_id:
        _check_edit_other(actor, target)
    if target.level is MembershipLevel.OWNER and owners <= 1:
        raise LastOwnerError


def _check_admin(actor: Membership) -> None:
    if actor.level < MembershipLevel.ADMIN:
        raise MemberEditForbiddenError("You can only edit others if you are an admin.")


def _check_edit_other(actor: Membership, target: Membership) -> None:
    _check_admin(actor)
    if target.level > actor.level:
        raise MemberEditForbiddenError("You can only edit others with level lower or equal to you.")


def _check_grant(actor: Membership, level: MembershipLevel) -> None:
    if level is MembershipLevel.OWNER and actor.level is not MembershipLevel.OWNER:
        raise MemberEditForbiddenError("You can only pass on organization ownership if you're its owner.")
    if level > actor.level:
        raise MemberEditForbiddenError(
            "You can only change access level of others to lower or equal to your current one."
        )


def require_admin(actor: Membership, what: str) -> None:
    """Raise unless ``actor`` is an admin or owner (managing projects, their keys and the organization).

    Raises:
        MemberEditForbiddenError: a plain member (403).
    """
    if actor.level < MembershipLevel.ADMIN:
        raise MemberEditForbiddenError(f"Your organization access level is insufficient to {what}.")
