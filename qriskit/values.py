"""Values written into a code: amounts, tips and fees, references.

Both twins use these functions, so every amount is checked by one set of rules: an ``int``,
``Decimal`` or ``str`` that is above zero, made of ASCII digits with an optional ``"."``, and
at most 13 characters long once written (5 for a fee percentage). Floats are refused with
``TypeError``: they cannot hold money exactly.
"""

from __future__ import annotations

import operator
from decimal import Decimal

from .errors import AmountError, FieldError, _show

__all__ = ["Amount", "Tip", "amount_text", "reference_text", "splice_reference"]

Amount = int | Decimal | str

_DIGITS = frozenset("0123456789")
_HINT = "write it as digits with an optional '.', e.g. 15000 or '15000.00'"


def amount_text(value: object, what: str = "amount", path: str = "54", maxlen: int = 13) -> str:
    """Return ``value`` as the exact text a code carries, or raise ``AmountError``/``TypeError``."""
    if isinstance(value, str):
        text = value
        head, _, tail = text.partition(".")
        if not head or not _DIGITS.issuperset(head) or not _DIGITS.issuperset(tail):
            raise AmountError(f"{what} {_show(value)} is not a plain decimal number", path=path, hint=_HINT)
        if len(text) > maxlen:
            raise AmountError(f"{what} {_show(text)} is longer than {maxlen} characters", path=path)
        if not (set(head) | set(tail)) - {"0"}:
            raise AmountError(f"{what} must be above zero, got {_show(text)}", path=path)
        return text
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise AmountError(f"{what} {_show(value)} is not a finite number", path=path, hint=_HINT)
        if value <= 0:
            raise AmountError(f"{what} must be above zero, got {_show(value)}", path=path)
        if value.adjusted() >= maxlen or -value.as_tuple().exponent > maxlen:
            raise AmountError(f"{what} {_show(value)} is longer than {maxlen} characters", path=path)
        text = format(value, "f")
        if len(text) > maxlen:
            raise AmountError(f"{what} {_show(text)} is longer than {maxlen} characters", path=path)
        return text
    if isinstance(value, (bool, float)) or not hasattr(type(value), "__index__"):
        hint = " (floats cannot hold money exactly: use Decimal or str)" if isinstance(value, float) else ""
        raise TypeError(f"{what} must be an int, Decimal or str, not {type(value).__name__}{hint}")
    number = operator.index(value)
    if number <= 0:
        raise AmountError(f"{what} must be above zero, got {number}", path=path)
    if number >= 10**maxlen:
        raise AmountError(f"{what} is longer than {maxlen} characters", path=path)
    return str(number)


def reference_text(value: object) -> str:
    """Check a reference label for 62.05: 1 to 25 printable ASCII characters."""
    if not isinstance(value, str):
        raise TypeError(f"reference must be a str, not {type(value).__name__}")
    if not 1 <= len(value) <= 25:
        raise FieldError(
            f"reference {_show(value)} must be 1 to 25 characters, has {len(value)}",
            path="62.05",
        )
    for i, ch in enumerate(value):
        if not " " <= ch <= "~":
            raise FieldError(
                f"reference {_show(value)} has a character outside printable ASCII at position {i}",
                path="62.05",
                hint="EMV 'ans' values use ASCII 0x20-0x7E",
            )
    return value


def splice_reference(items: list[tuple[str, str]] | None, reference: str) -> str:
    """Return the full new tag-62 element with ``reference`` as 62.05.

    ``items`` are the existing 62 sub-objects in order (None when the code has no 62).
    An existing 05 is replaced in place; otherwise 05 goes before the first id above 05.
    """
    new = ("05", reference)
    items = list(items or ())
    for i, (tag, _) in enumerate(items):
        if tag == "05":
            items[i] = new
            break
        if tag > "05":
            items.insert(i, new)
            break
    else:
        items.append(new)
    value = "".join(f"{tag}{len(val):02d}{val}" for tag, val in items)
    if len(value) > 99:
        raise FieldError(
            f"tag 62 would be {len(value)} characters with this reference, over the limit of 99",
            path="62",
            hint="use a shorter reference",
        )
    return f"62{len(value):02d}{value}"


class Tip:
    """The tip or convenience fee of a dynamic code (tags 55, 56 and 57).

    ``Tip.prompt()`` asks the payer to enter a tip (55=01); ``Tip.fixed(2500)`` adds a fixed
    fee (55=02, 56); ``Tip.percent("2.5")`` a percentage fee (55=03, 57, above 0 and below 100).
    """

    __slots__ = ("kind", "tlv", "value")
    kind: str
    value: str | None
    tlv: str

    def __init__(self, kind: str, value: str | None = None) -> None:
        if kind == "prompt":
            tlv = "550201"
        elif kind == "fixed":
            value = amount_text(value, "fixed fee", "56")
            tlv = f"55020256{len(value):02d}{value}"
        elif kind == "percent":
            value = amount_text(value, "fee percentage", "57", maxlen=5)
            if Decimal(value) >= 100:
                raise AmountError(f"fee percentage must be below 100, got {value}", path="57")
            tlv = f"55020357{len(value):02d}{value}"
        else:
            raise ValueError(f"unknown tip kind {kind!r}: use Tip.prompt(), Tip.fixed() or Tip.percent()")
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "tlv", tlv)

    @classmethod
    def prompt(cls) -> Tip:
        """Let the payer's app ask for a tip (55=01)."""
        return cls("prompt")

    @classmethod
    def fixed(cls, amount: Amount) -> Tip:
        """A fixed convenience fee (55=02, 56=amount)."""
        return cls("fixed", amount)  # type: ignore[arg-type]

    @classmethod
    def percent(cls, rate: Amount) -> Tip:
        """A percentage convenience fee (55=03, 57=rate, above 0 and below 100)."""
        return cls("percent", rate)  # type: ignore[arg-type]

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Tip is immutable")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Tip) and (self.kind, self.value) == (other.kind, other.value)

    def __hash__(self) -> int:
        return hash((self.kind, self.value))

    def __repr__(self) -> str:
        return f"Tip.{self.kind}()" if self.value is None else f"Tip.{self.kind}({self.value!r})"

    def __reduce__(self):
        return (Tip, (self.kind, self.value))
