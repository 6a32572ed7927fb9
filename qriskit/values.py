"""Values written into a code: amounts, tips and fees, references.

Both twins use these functions, so every amount is checked by one set of rules: an ``int``,
``Decimal`` or ``str`` that is above zero, made of ASCII digits with an optional ``"."``, at
most 13 characters long once written (5 for a fee percentage), and with no more decimals
than the code's currency allows (ISO 4217 minor units: IDR 2, JPY 0, KWD 3; any when the
currency is unknown, except that text with 3 decimals that may be grouping, ``15.000``, is
then refused: the currency cannot tell 15 from 15000). Floats are refused with
``TypeError``: they cannot hold money exactly. Text that looks like a number written with
thousands separators or a decimal comma (``15.000``, ``1,000``, ``2.500,50``) is refused
with a message that names what it probably meant, because a payment code for Rp 15 with a
valid CRC is the worst outcome.
A ``str``, ``Decimal`` or ``Tip`` subclass is read as the exact value it holds (its methods
are never called): a subclass that lies in ``__str__``/``__format__`` or in ``Tip.tlv`` cannot
change what is written.
"""

from __future__ import annotations

import operator
import re
from decimal import Decimal
from typing import SupportsIndex, cast

from . import errors, spec
from .errors import AmountError, FieldError, _show

__all__ = [
    "Amount",
    "Tip",
    "amount_text",
    "check_decimals",
    "decimals",
    "exact_str",
    "number_words",
    "reference_text",
    "splice_reference",
    "tip_tlv",
]

Amount = int | Decimal | str

_DIGITS = frozenset("0123456789")
_HINT = "write it as digits with an optional '.', e.g. 15000 or '15000.00'"
_HINT_PERCENT = "write it as digits with an optional '.', e.g. 2.5"
# 15.000 | 1.500.000 | 2.500,50 (Indonesian) and 1,000 | 1,500,000.50 (English grouping)
# a thousands group never starts with 0: "0.001" is a decimal, not "one" with a separator
_GROUPED_DOT = re.compile(r"[1-9][0-9]{0,2}(?:\.[0-9]{3})+(?:,[0-9]+)?")
_GROUPED_COMMA = re.compile(r"[1-9][0-9]{0,2}(?:,[0-9]{3})+(?:\.[0-9]+)?")
_DECIMAL_COMMA = re.compile(r"[0-9]+,[0-9]+")


def exact_str(value: str) -> str:
    """``value`` as an exact ``str``: a subclass is copied without calling its methods."""
    return value if type(value) is str else str.__str__(value)


def decimals(text: str) -> int:
    """How many digits follow the '.' of a plain decimal text (0 without one)."""
    dot = text.find(".")
    return 0 if dot < 0 else len(text) - dot - 1


def _ones(n: int) -> str:
    words = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
             "fifteen sixteen seventeen eighteen nineteen").split()
    tens = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
    out = []
    if n >= 100:
        out.append(f"{words[n // 100]} hundred")
        n %= 100
        if not n:
            return " ".join(out)
    out.append(words[n] if n < 20 else tens[n // 10] + (f"-{words[n % 10]}" if n % 10 else ""))
    return " ".join(out)


def number_words(n: int) -> str:
    """``n`` (0 to 10**15 - 1) in English words: 1500000 -> "one million five hundred thousand"."""
    if n == 0:
        return "zero"
    parts = []
    for scale, name in ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (10**3, "thousand"), (1, "")):
        chunk, n = divmod(n, scale)
        if chunk:
            parts.append(f"{_ones(chunk)} {name}".rstrip())
    return " ".join(parts)


def _separators(text: str, what: str, path: str) -> AmountError | None:
    """The error for text that looks like a number with separators, naming what it means."""
    if _GROUPED_DOT.fullmatch(text):
        whole, _, frac = text.partition(",")
        whole = whole.replace(".", "")
    elif _GROUPED_COMMA.fullmatch(text):
        whole, _, frac = text.partition(".")
        whole = whole.replace(",", "")
    elif _DECIMAL_COMMA.fullmatch(text):
        whole, _, frac = text.partition(",")
        plain = f"{whole}.{frac}"
        return AmountError(f"{what} {_show(text)} looks like {plain} written with a decimal comma",
                           path=path, hint=f"pass {plain}")
    else:
        return None
    plain = f"{whole}.{frac}" if frac else whole
    many = "separators" if text.count(".") + text.count(",") > 1 else "a thousands separator"
    if frac:
        return AmountError(f"{what} {_show(text)} looks like {plain} written with {many}", path=path,
                           hint=f"pass {plain}")
    meaning = number_words(int(whole)) if len(whole) <= 15 else plain
    return AmountError(f"{what} {_show(text)} looks like {meaning} written with {many}", path=path,
                       hint=f"pass {plain}")


def check_decimals(
    text: str, currency: str | None, what: str = "amount", path: str = "54", *, typed: bool = True
) -> None:
    """Refuse ``text`` (a plain decimal) when it has more decimals than ``currency`` allows.

    ``typed``: the text came from a person or a file (a str), so "15.000" may be grouping;
    a ``Decimal`` cannot carry a separator.
    """
    allowed = spec.minor_units(currency)
    found = decimals(text)
    if allowed is None:
        # no rule to tell 15 units of a 3-decimal currency from 15000 written with a separator
        grouped = _separators(text, what, path) if found == 3 and typed else None
        if grouped is not None:
            unknown = f"its currency {_show(currency)} (tag 53) is unknown" if currency else "it has no tag 53"
            raise AmountError(f"{grouped.message}, and the code cannot tell: {unknown}", path=path,
                              hint=f"{grouped.hint}, or Decimal({text!r}) if you meant {text}" if path == "54"
                              else grouped.hint)
        return
    if found > allowed:
        grouped = _separators(text, what, path) if found == 3 and typed else None
        if grouped is not None:
            raise grouped
        name = spec.CURRENCIES[currency].code  # type: ignore[index]  # known: minor_units found it
        most = "no decimals" if allowed == 0 else f"at most {allowed} decimal{'s' if allowed > 1 else ''}"
        raise AmountError(
            f"{what} {_show(text)} has {found} decimals; {name} ({currency}) allows {most}",
            path=path,
            hint="the amount must be exact in the code's currency: pass it without the extra decimals",
        )


def amount_text(
    value: object, what: str = "amount", path: str = "54", maxlen: int = 13, currency: str | None = None,
    *, later: bool = False,
) -> str:
    """Return ``value`` as the exact text a code carries, or raise ``AmountError``/``TypeError``.

    ``currency`` is the ISO 4217 numeric code (tag 53) whose minor units bound the decimals;
    ``later``: there is no code yet (a ``Tip``), so the decimals are checked when it is written.
    """
    if isinstance(value, str):
        text = exact_str(value)
        head, _, tail = text.partition(".")
        if not head or not _DIGITS.issuperset(head) or not _DIGITS.issuperset(tail):
            raise _separators(text, what, path) or AmountError(
                f"{what} {_show(text)} is not a plain decimal number",
                path=path,
                hint=_HINT_PERCENT if path == "57" else _HINT,
            )
        if len(text) > maxlen:
            raise AmountError(f"{what} {_show(text)} is longer than {maxlen} characters", path=path)
        if not (set(head) | set(tail)) - {"0"}:
            raise AmountError(f"{what} must be above zero, got {_show(text)}", path=path)
        if not later:
            check_decimals(text, currency, what, path)
        return text
    if isinstance(value, Decimal):
        if type(value) is not Decimal:
            value = Decimal(value)  # a subclass is read as the exact Decimal it holds
        if not value.is_finite():
            raise AmountError(f"{what} {_show(value)} is not a finite number", path=path, hint=_HINT)
        if value <= 0:
            raise AmountError(f"{what} must be above zero, got {_show(value)}", path=path)
        exponent = value.as_tuple().exponent
        assert isinstance(exponent, int)  # finite
        if value.adjusted() >= maxlen or -exponent > maxlen:
            raise AmountError(f"{what} {_show(value)} is longer than {maxlen} characters", path=path)
        text = format(value, "f")
        if len(text) > maxlen:
            raise AmountError(f"{what} {_show(text)} is longer than {maxlen} characters", path=path)
        if not later:
            check_decimals(text, currency, what, path, typed=False)
        return text
    if isinstance(value, (bool, float)) or not hasattr(type(value), "__index__"):
        hint = " (floats cannot hold money exactly: use Decimal or str)" if isinstance(value, float) else ""
        raise TypeError(f"{what} must be an int, Decimal or str, not {type(value).__name__}{hint}")
    number = operator.index(cast(SupportsIndex, value))  # __index__ checked above
    if number <= 0:
        raise AmountError(f"{what} must be above zero, got {number}", path=path)
    if number >= 10**maxlen:
        raise AmountError(f"{what} is longer than {maxlen} characters", path=path)
    return str(number)


def reference_text(value: object) -> str:
    """Check a reference label for 62.05: 1 to 25 printable ASCII characters (an exact str)."""
    if not isinstance(value, str):
        raise TypeError(f"reference must be a str, not {type(value).__name__}")
    value = exact_str(value)
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
        raise errors.reference_too_long(len(value))
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

    def __init__(self, kind: str, value: Amount | None = None) -> None:
        text: str | None = None
        if kind == "prompt":
            tlv = "550201"
        elif kind == "fixed":
            text = amount_text(value, "fixed fee", "56", later=True)
            tlv = f"55020256{len(text):02d}{text}"
        elif kind == "percent":
            text = amount_text(value, "fee percentage", "57", maxlen=5, later=True)
            if Decimal(text) >= 100:
                raise AmountError(f"fee percentage must be below 100, got {text}", path="57")
            tlv = f"55020357{len(text):02d}{text}"
        else:
            raise ValueError(f"unknown tip kind {kind!r}: use Tip.prompt(), Tip.fixed() or Tip.percent()")
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "value", text)
        object.__setattr__(self, "tlv", tlv)

    @classmethod
    def prompt(cls) -> Tip:
        """Let the payer's app ask for a tip (55=01)."""
        return cls("prompt")

    @classmethod
    def fixed(cls, amount: Amount) -> Tip:
        """A fixed convenience fee (55=02, 56=amount)."""
        return cls("fixed", amount)

    @classmethod
    def percent(cls, rate: Amount) -> Tip:
        """A percentage convenience fee (55=03, 57=rate, above 0 and below 100)."""
        return cls("percent", rate)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Tip is immutable")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Tip) and (self.kind, self.value) == (other.kind, other.value)

    def __hash__(self) -> int:
        return hash((self.kind, self.value))

    def __repr__(self) -> str:
        return f"Tip.{self.kind}()" if self.value is None else f"Tip.{self.kind}({self.value!r})"

    def __reduce__(self) -> tuple[type[Tip], tuple[str, str | None]]:
        return (Tip, (self.kind, self.value))


def _exact_tip(tip: Tip) -> Tip:
    """A ``Tip`` subclass as the plain ``Tip`` its slots hold, checked again: what a subclass
    says through its own attributes or properties (``tlv``, ``value``) is never written."""
    try:
        kind = _TIP_KIND.__get__(tip, Tip)
        value = _TIP_VALUE.__get__(tip, Tip)
    except AttributeError:
        raise TypeError(f"tip {type(tip).__name__} was not made by Tip(): use Tip.prompt(), Tip.fixed(x) "
                        "or Tip.percent(r)") from None
    if not isinstance(kind, str) or (value is not None and not isinstance(value, str)):
        raise TypeError(f"tip {type(tip).__name__} holds a kind or value that is not a str")
    return Tip(exact_str(kind), None if value is None else exact_str(value))


_TIP_KIND = Tip.__dict__["kind"]
_TIP_VALUE = Tip.__dict__["value"]


def tip_tlv(tip: object, currency: str | None) -> str:
    """The 55-57 data objects of ``tip`` for a code in ``currency`` (ISO 4217 numeric).

    A fixed fee with more decimals than the currency allows raises ``AmountError``.
    """
    if not isinstance(tip, Tip):
        raise TypeError(f"tip must be a Tip (Tip.prompt(), Tip.fixed(x), Tip.percent(r)), not {type(tip).__name__}")
    if type(tip) is not Tip:
        tip = _exact_tip(tip)
    if tip.kind == "fixed":
        assert tip.value is not None
        check_decimals(tip.value, currency, "fixed fee", "56")
    return tip.tlv
