"""What one compiled operator does with a property value: the shared shape of all operator families."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flagcore.domain.evaluation.matching.context import MatchInput
from flagcore.domain.evaluation.matching.values import JsonValue

__all__ = ("ALWAYS_FALSE", "InputTest", "OperatorPlan", "ValueTest", "constant_plan")

#: Test of a present property value.
ValueTest = Callable[[JsonValue], bool]
#: Test that also reads the subject's input (only relative dates, which need ``MatchInput.now``).
InputTest = Callable[[JsonValue, MatchInput], bool]


def _false(_value: JsonValue) -> bool:
    return False


def _true(_value: JsonValue) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class OperatorPlan:
    """A compiled operator.

    Attributes:
        test: result for a present key (only one of ``test`` / ``input_test`` is used).
        on_missing: result when the key is absent from the properties.
        input_test: like ``test`` but also given the subject's input.
        constant: the result for every value, when known at compile time (lets callers skip the lookup).
    """

    test: ValueTest
    on_missing: bool
    input_test: InputTest | None = None
    constant: bool | None = None

    @property
    def is_plain(self) -> bool:
        """Whether the result is ``test(value)`` or ``on_missing``, nothing else (no constant, no input test)."""
        return self.constant is None and self.input_test is None


def constant_plan(*, result: bool, on_missing: bool | None = None) -> OperatorPlan:
    """A plan whose result does not depend on the value (``on_missing`` defaults to ``result``)."""
    missing = result if on_missing is None else on_missing
    return OperatorPlan(_true if result else _false, missing, constant=result if missing == result else None)


ALWAYS_FALSE = constant_plan(result=False)
