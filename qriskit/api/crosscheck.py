"""Check the hosted converter's output against qriskit's own offline conversion.

:func:`check_conversion` converts the original code with :func:`qriskit.to_dynamic`,
parses both codes with :func:`qriskit.parse` (so both CRCs are verified) and compares
them data object by data object, templates (``qriskit.spec.TEMPLATE_IDS``) one level
down. This is the only module of :mod:`qriskit.api` that uses the core, and it imports
it when called, through the public API only.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .models import ConvertedQRIS

__all__ = ["ConversionCheck", "Difference", "check_conversion"]


@dataclass(frozen=True, slots=True)
class Difference:
    """One way the hosted code differs from qriskit's.

    ``kind`` is "changed" (both have ``path``, values differ), "missing" (only qriskit's
    has it), "extra" (only the hosted one has it) or "order" (same data objects at this
    level, in another order: ``expected``/``hosted`` are then the tag sequences).
    """

    path: str
    kind: str
    expected: str | None
    hosted: str | None

    def __str__(self) -> str:
        if self.kind == "missing":
            return f"{self.path}: hosted code lacks it (qriskit: {self.expected!r})"
        if self.kind == "extra":
            return f"{self.path}: only in hosted code ({self.hosted!r})"
        if self.kind == "order":
            return f"{self.path}: data objects in another order ({self.hosted} vs {self.expected})"
        return f"{self.path}: hosted {self.hosted!r}, qriskit {self.expected!r}"


@dataclass(frozen=True, slots=True)
class ConversionCheck:
    """Result of :func:`check_conversion`.

    ``identical``: same string. ``equivalent``: same data objects with the same values,
    order aside (CRC excluded). ``differences`` lists what differs, CRC excluded.
    ``amount_ok``: the hosted code carries exactly the requested nominal.
    """

    expected: str
    hosted: str
    nominal: Any
    hosted_amount: Decimal | None
    differences: tuple[Difference, ...]

    @property
    def identical(self) -> bool:
        return self.expected == self.hosted

    @property
    def equivalent(self) -> bool:
        return all(d.kind == "order" for d in self.differences)

    @property
    def amount_ok(self) -> bool:
        return self.hosted_amount is not None and self.hosted_amount == Decimal(str(self.nominal))

    def __bool__(self) -> bool:
        return self.equivalent and self.amount_ok

    def summary(self) -> str:
        if self.identical:
            return "hosted conversion is identical to qriskit's"
        lines = [str(d) for d in self.differences]
        if not self.amount_ok:
            lines.insert(0, f"amount: hosted {self.hosted_amount}, requested {self.nominal}")
        if not lines:
            return "hosted conversion differs only in its CRC"  # pragma: no cover
        return "; ".join(lines)


def _walk(text: str) -> list[tuple[str, str]]:
    """Split one TLV level into (id, value) pairs; lengths count characters."""
    out, i = [], 0
    while i < len(text):
        tag, size = text[i : i + 2], text[i + 2 : i + 4]
        if len(tag) < 2 or not (tag + size).isascii() or not tag.isdigit() or not size.isdigit():
            raise ValueError(f"broken TLV at offset {i}")
        end = i + 4 + int(size)
        if end > len(text):
            raise ValueError(f"TLV at offset {i} runs past the end")
        out.append((tag, text[i + 4 : end]))
        i = end
    return out


def _compare(expected: str, hosted: str, prefix: str, templates: frozenset[str] | None) -> list[Difference]:
    """Differences at one level; ``templates`` (root level only) are compared one level down."""
    try:
        left, right = _walk(expected), _walk(hosted)
    except ValueError:
        return [] if expected == hosted else [Difference(prefix, "changed", expected, hosted)]
    if templates is not None:
        left = [(t, v) for t, v in left if t != "63"]
        right = [(t, v) for t, v in right if t != "63"]
    lmap, rmap = dict(left), dict(right)
    diffs: list[Difference] = []
    for tag, value in left:
        path = f"{prefix}.{tag}" if prefix else tag
        if tag not in rmap:
            diffs.append(Difference(path, "missing", value, None))
        elif rmap[tag] != value:
            if templates is not None and tag in templates:
                inner = _compare(value, rmap[tag], path, None)
                diffs.extend(inner or [Difference(path, "changed", value, rmap[tag])])
            else:
                diffs.append(Difference(path, "changed", value, rmap[tag]))
    for tag, value in right:
        if tag not in lmap:
            diffs.append(Difference(f"{prefix}.{tag}" if prefix else tag, "extra", None, value))
    lorder = [t for t, _ in left if t in rmap]
    rorder = [t for t, _ in right if t in lmap]
    if lorder != rorder:
        diffs.append(Difference(prefix or "root", "order", " ".join(lorder), " ".join(rorder)))
    return diffs


def _decimal(text: str | None) -> Decimal | None:
    try:
        return Decimal(text) if text is not None else None
    except ArithmeticError:  # an amount that is not a number: not the requested one
        return None


def check_conversion(
    result: ConvertedQRIS | str,
    nominal: Any = None,
    converted: str | None = None,
) -> ConversionCheck:
    """Compare a hosted conversion with ``qriskit.to_dynamic(original, nominal)``.

    Pass the :class:`ConvertedQRIS` from ``qris_convert`` (its ``original_qris``,
    ``nominal`` and ``converted_qris`` are used), or the three values by hand:
    ``check_conversion(original, nominal, converted)``. Raises a
    :class:`qriskit.QRISError` if either code is broken (bad CRC, TLV).
    """
    import qriskit  # here, not at import time: no module of qriskit.api imports the core
    from qriskit.spec import TEMPLATE_IDS

    if isinstance(result, ConvertedQRIS):
        original = result.original_qris
        nominal = result.nominal if nominal is None else nominal
        converted = result.converted_qris if converted is None else converted
    else:
        original = result
    if nominal is None or converted is None:
        raise TypeError("check_conversion needs the original code, the nominal and the converted code")

    expected = qriskit.to_dynamic(original, nominal)
    qriskit.parse(expected)
    qriskit.parse(converted)  # both CRCs and root TLV, or a QRISError
    amount = qriskit.info(converted)["amount"]  # the text of 54, as the code carries it
    diffs = [] if expected == converted else _compare(expected, converted, "", TEMPLATE_IDS)
    return ConversionCheck(
        expected=expected,
        hosted=converted,
        nominal=nominal,
        hosted_amount=_decimal(amount),
        differences=tuple(diffs),
    )
