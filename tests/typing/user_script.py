"""A user's script that touches every public name of qriskit's core; type checkers must
accept it as it is (``mypy --strict``, pyright), and it runs (tests/typing/test_typing.py)."""

from __future__ import annotations

from decimal import Decimal

import qriskit
from qriskit import (
    CODES,
    QRIS,
    Account,
    AdditionalData,
    AmountError,
    Change,
    CRCError,
    FieldError,
    ImageError,
    Language,
    MerchantAccount,
    NoQRCodeFound,
    Problem,
    QRISError,
    Repaired,
    Report,
    Summary,
    Template,
    Tip,
    TLVError,
)
from qriskit.validation import CODES as SAME_CODES

STATIC = (
    "00020101021126570011ID.DANA.WWW011893600915302259148002090225914800303UMI51440014ID.CO.QRIS.WWW"
    "0215ID10200176114730303UMI5204541153033605802ID5914Toko Sejahtera6007Jakarta61051234062070703A0163040B03"
)


def describe(code: QRIS) -> str:
    name: str | None = code.merchant_name
    amount: Decimal | None = code.amount
    accounts: tuple[MerchantAccount, ...] = code.accounts
    extra: AdditionalData = code.additional
    language: Language | None = code.language
    templates: list[Template] = list(code.templates.values())
    return f"{name} {amount} {len(accounts)} {extra.reference_label} {language} {len(templates)}"


def main() -> None:
    code: QRIS = qriskit.parse(STATIC)
    dynamic: str = qriskit.to_dynamic(STATIC, 15000, tip=Tip.prompt(), reference="INV-1")
    again: str = code.to_dynamic(Decimal("15000.50"), Tip.fixed("2500"), "INV-2")
    batch: list[str] = qriskit.to_dynamic_many(STATIC, [1000, "2000", Decimal("3000")])
    static: str = qriskit.to_static(dynamic)
    crc: int = qriskit.crc16(STATIC[:-4])
    report: Report = qriskit.validate(dynamic)
    problems: list[Problem] = [*report.errors, *report.warnings]
    summary: Summary = code.summary()
    info: dict[str, object] = qriskit.info(STATIC)
    built: str = qriskit.build(
        merchant_name="Toko", merchant_city="Jakarta", mcc="5411", postal_code="12340",
        accounts=[Account("ID.DANA.WWW", "936009153022591480", "022591480", "UMI")],
        nmid="ID1020017611473", criteria="UMI",
    )
    masked: str = qriskit.anonymize(STATIC)
    fixed: Repaired = qriskit.repair(" " + STATIC + "\n")
    changes: tuple[Change, ...] = fixed.changes
    severity, meaning = CODES["crc.mismatch"]
    assert SAME_CODES is CODES and report.parsed is not None and crc == int(STATIC[-4:], 16)
    for cls in (AmountError, CRCError, FieldError, TLVError, ImageError, NoQRCodeFound):
        assert issubclass(cls, QRISError)
    print(describe(code), again[:10], len(batch), static == STATIC, [p.code for p in problems], summary.kind,
          info["kind"], built[:6], masked[:6], len(changes), severity, meaning[:10], qriskit.backend)


if __name__ == "__main__":
    main()
