"""Data tables: EMV MPM data objects, their formats and limits, and the QRIS directory.

Sources: EMVCo Merchant-Presented Mode QR Code Specification v1.1 (tables 3.1-3.7), the
QRIS specification (ASPI / Bank Indonesia) as implemented by public QRIS libraries, ISO 4217
(currencies and their minor units), and the public NNS directories named above
``ACQUIRERS``. Everything here is data; the rules that use it live in ``validation.py``,
``values.py`` and ``model.py``. No other module writes a QRIS/EMV fact out again.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Literal

Format = Literal["N", "ans", "S"]
Presence = Literal["M", "C", "O"]


@dataclass(frozen=True, slots=True)
class DataObject:
    """One EMV data object: id, name, format (N numeric, ans ASCII, S any), limits."""

    id: str
    name: str
    format: Format
    max_len: int
    presence: Presence = "O"
    min_len: int = 1
    template: bool = False


def _table(*objects: DataObject) -> MappingProxyType[str, DataObject]:
    return MappingProxyType({o.id: o for o in objects})


# -- Root (EMV MPM table 3.6 / 3.7) ---------------------------------------------------------
ROOT = _table(
    DataObject("00", "Payload Format Indicator", "N", 2, "M", 2),
    DataObject("01", "Point of Initiation Method", "N", 2, "O", 2),
    *(DataObject(f"{i:02d}", "Merchant Account Information", "ans", 99, "O") for i in range(2, 26)),
    *(DataObject(f"{i:02d}", "Merchant Account Information", "ans", 99, "O", template=True) for i in range(26, 52)),
    DataObject("52", "Merchant Category Code", "N", 4, "M", 4),
    DataObject("53", "Transaction Currency", "N", 3, "M", 3),
    DataObject("54", "Transaction Amount", "ans", 13, "C"),
    DataObject("55", "Tip or Convenience Indicator", "N", 2, "O", 2),
    DataObject("56", "Value of Convenience Fee Fixed", "ans", 13, "C"),
    DataObject("57", "Value of Convenience Fee Percentage", "ans", 5, "C"),
    DataObject("58", "Country Code", "ans", 2, "M", 2),
    DataObject("59", "Merchant Name", "ans", 25, "M"),
    DataObject("60", "Merchant City", "ans", 15, "M"),
    DataObject("61", "Postal Code", "ans", 10, "O"),
    DataObject("62", "Additional Data Field Template", "S", 99, "O", template=True),
    DataObject("63", "CRC", "ans", 4, "M", 4),
    DataObject("64", "Merchant Information - Language Template", "S", 99, "O", template=True),
    *(DataObject(f"{i:02d}", "RFU for EMVCo", "S", 99, "O") for i in range(65, 80)),
    *(DataObject(f"{i:02d}", "Unreserved Template", "S", 99, "O", template=True) for i in range(80, 100)),
)

def _ids(first: int, last: int) -> tuple[str, ...]:
    return tuple(f"{i:02d}" for i in range(first, last + 1))


#: Root ids whose value is itself TLV.
TEMPLATE_IDS = frozenset(o.id for o in ROOT.values() if o.template)
#: Root ids EMV requires in every code.
MANDATORY_IDS = ("00", "52", "53", "58", "59", "60", "63")
#: Merchant account ids: primitive (02-25, card networks) and templates (26-51).
PRIMITIVE_ACCOUNT_IDS = _ids(2, 25)
ACCOUNT_TEMPLATE_IDS = _ids(26, 51)
ACCOUNT_IDS = PRIMITIVE_ACCOUNT_IDS + ACCOUNT_TEMPLATE_IDS
#: Root ids EMVCo reserves for future use, and the unreserved templates (80-99).
RFU_IDS = _ids(65, 79)
UNRESERVED_IDS = _ids(80, 99)

#: 00: the only payload format indicator EMV MPM defines.
PAYLOAD_FORMAT = "01"
#: 01: static (one code, the payer types the amount) or dynamic (one code per payment).
POINT_OF_INITIATION = MappingProxyType({"11": "static", "12": "dynamic"})
STATIC, DYNAMIC = "11", "12"
#: 55: what the payer's app does about a tip or convenience fee.
TIP_INDICATOR = MappingProxyType({"01": "prompt", "02": "fixed", "03": "percent"})
TIP_PROMPT, FEE_FIXED, FEE_PERCENT = "01", "02", "03"
#: 57: a percentage fee runs from 00.01 to 99.99 (EMV MPM 4.7.8).
FEE_PERCENT_MIN, FEE_PERCENT_MAX = Decimal("0.01"), Decimal("99.99")
#: The longest code EMV allows, in characters.
EMV_MAX_PAYLOAD = 512
#: The most characters one QR code can hold (version 40-L, numeric mode): ``repair`` refuses
#: longer text at once, since it cannot have come from a QR code.
QR_MAX_CHARS = 7089

# -- Additional Data Field Template, tag 62 (EMV table 3.7) ----------------------------------
ADDITIONAL = _table(
    DataObject("01", "Bill Number", "ans", 25),
    DataObject("02", "Mobile Number", "ans", 25),
    DataObject("03", "Store Label", "ans", 25),
    DataObject("04", "Loyalty Number", "ans", 25),
    DataObject("05", "Reference Label", "ans", 25),
    DataObject("06", "Customer Label", "ans", 25),
    DataObject("07", "Terminal Label", "ans", 25),
    DataObject("08", "Purpose of Transaction", "ans", 25),
    DataObject("09", "Additional Consumer Data Request", "ans", 3),
    DataObject("10", "Merchant Tax ID", "ans", 20),
    DataObject("11", "Merchant Channel", "ans", 3, min_len=3),
    *(DataObject(f"{i:02d}", "RFU for EMVCo", "ans", 99) for i in range(12, 50)),
    *(DataObject(f"{i:02d}", "Payment System specific template", "S", 99, template=True) for i in range(50, 100)),
)
#: 62 sub-ids EMVCo reserves (00, 12-49) and the payment system templates (50-99).
ADDITIONAL_RFU_IDS = ("00", *_ids(12, 49))
ADDITIONAL_TEMPLATE_IDS = _ids(50, 99)
#: 62 sub-objects that cannot ask the payer to type their value ("***").
NO_PROMPT_IDS = frozenset({"09", "10", "11"})
#: Python attribute names of the 62 sub-objects, as ``QRIS.additional`` exposes them.
ADDITIONAL_NAMES = MappingProxyType({
    "01": "bill_number",
    "02": "mobile_number",
    "03": "store_label",
    "04": "loyalty_number",
    "05": "reference_label",
    "06": "customer_label",
    "07": "terminal_label",
    "08": "purpose",
    "09": "consumer_data_request",
    "10": "merchant_tax_id",
    "11": "merchant_channel",
})
#: 62.09 letters: A address, M mobile number, E email.
CONSUMER_DATA_LETTERS = frozenset("AME")
#: The value that asks the payer's app to prompt for a 62 field.
PROMPT_VALUE = "***"

# -- Merchant Information - Language Template, tag 64 (EMV table 3.8) ------------------------
LANGUAGE = _table(
    DataObject("00", "Language Preference", "ans", 2, "M", 2),
    DataObject("01", "Merchant Name - Alternate Language", "S", 25, "M"),
    DataObject("02", "Merchant City - Alternate Language", "S", 15),
    *(DataObject(f"{i:02d}", "RFU for EMVCo", "S", 99) for i in range(3, 100)),
)
#: 64 sub-ids EMVCo reserves.
LANGUAGE_RFU_IDS = _ids(3, 99)

# -- Merchant account templates 26-51 as QRIS uses them --------------------------------------
ACCOUNT = _table(
    DataObject("00", "Globally Unique Identifier", "ans", 32, "M"),
    DataObject("01", "Merchant PAN", "N", 19, min_len=16),
    DataObject("02", "Merchant ID", "ans", 15),
    DataObject("03", "Merchant Criteria", "ans", 3, min_len=3),
)

# -- Currencies (ISO 4217) -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Currency:
    """An ISO 4217 currency: numeric code (tag 53), alphabetic code, minor units (decimals)."""

    numeric: str
    code: str
    minor_units: int


# alphabetic:numeric:minor units, from the ISO 4217 list (maintenance agency, 1 January 2026);
# funds and precious metals without minor units (XAU, XDR, XXX, ...) are left out.
_ISO4217 = """
    ALL:008:2 DZD:012:2 ARS:032:2 AUD:036:2 BSD:044:2 BHD:048:3 BDT:050:2 AMD:051:2 BBD:052:2
    BMD:060:2 BTN:064:2 BOB:068:2 BWP:072:2 BZD:084:2 SBD:090:2 BND:096:2 MMK:104:2 BIF:108:0
    KHR:116:2 CAD:124:2 CVE:132:2 KYD:136:2 LKR:144:2 CLP:152:0 CNY:156:2 COP:170:2 KMF:174:0
    CRC:188:2 CUP:192:2 CZK:203:2 DKK:208:2 DOP:214:2 SVC:222:2 ETB:230:2 ERN:232:2 FKP:238:2
    FJD:242:2 DJF:262:0 GMD:270:2 GIP:292:2 GTQ:320:2 GNF:324:0 GYD:328:2 HTG:332:2 HNL:340:2
    HKD:344:2 HUF:348:2 ISK:352:0 INR:356:2 IDR:360:2 IRR:364:2 IQD:368:3 ILS:376:2 JMD:388:2
    JPY:392:0 XAD:396:2 KZT:398:2 JOD:400:3 KES:404:2 KPW:408:2 KRW:410:0 KWD:414:3 KGS:417:2
    LAK:418:2 LBP:422:2 LSL:426:2 LRD:430:2 LYD:434:3 MOP:446:2 MWK:454:2 MYR:458:2 MVR:462:2
    MUR:480:2 MXN:484:2 MNT:496:2 MDL:498:2 MAD:504:2 OMR:512:3 NAD:516:2 NPR:524:2 XCG:532:2
    AWG:533:2 VUV:548:0 NZD:554:2 NIO:558:2 NGN:566:2 NOK:578:2 PKR:586:2 PAB:590:2 PGK:598:2
    PYG:600:0 PEN:604:2 PHP:608:2 QAR:634:2 RUB:643:2 RWF:646:0 SHP:654:2 SAR:682:2 SCR:690:2
    SGD:702:2 VND:704:0 SOS:706:2 ZAR:710:2 SSP:728:2 SZL:748:2 SEK:752:2 CHF:756:2 SYP:760:2
    THB:764:2 TOP:776:2 TTD:780:2 AED:784:2 TND:788:3 UGX:800:0 MKD:807:2 EGP:818:2 GBP:826:2
    TZS:834:2 USD:840:2 UYU:858:2 UZS:860:2 WST:882:2 YER:886:2 TWD:901:2 ZWG:924:2 SLE:925:2
    VED:926:2 UYW:927:4 VES:928:2 MRU:929:2 STN:930:2 BYN:933:2 TMT:934:2 GHS:936:2 SDG:938:2
    UYI:940:0 RSD:941:2 MZN:943:2 AZN:944:2 RON:946:2 CHE:947:2 CHW:948:2 TRY:949:2 XAF:950:0
    XCD:951:2 XOF:952:0 XPF:953:0 ZMW:967:2 SRD:968:2 MGA:969:2 COU:970:2 AFN:971:2 TJS:972:2
    AOA:973:2 CDF:976:2 BAM:977:2 EUR:978:2 MXV:979:2 UAH:980:2 GEL:981:2 BOV:984:2 PLN:985:2
    BRL:986:2 CLF:990:4 USN:997:2
"""
#: ISO 4217 numeric code -> ``Currency``; an amount never has more decimals than its
#: currency's minor units (IDR 360 -> 2).
CURRENCIES = MappingProxyType({
    n: Currency(n, a, int(e)) for a, n, e in (row.split(":") for row in _ISO4217.split())
})


def minor_units(numeric: str | None) -> int | None:
    """The number of decimals currency ``numeric`` (tag 53) allows, or None when unknown."""
    currency = CURRENCIES.get(numeric) if numeric else None
    return None if currency is None else currency.minor_units


# -- QRIS profile ------------------------------------------------------------------------------
QRIS_COUNTRY = "ID"
QRIS_CURRENCY = "360"  # ISO 4217 numeric, Indonesian rupiah
#: Templates 26-45 carry domestic acquirers and issuers (each with a merchant PAN); 46-50
#: other acquirer templates; 51 the national template with the NMID.
QRIS_DOMESTIC_IDS = _ids(26, 45)
QRIS_ACQUIRER_IDS = _ids(26, 50)
QRIS_NATIONAL_ID = "51"
#: GUID of the national template (tag 51) carrying the NMID; the older form still circulates.
QRIS_GUID = "ID.CO.QRIS.WWW"
QRIS_GUID_LEGACY = frozenset({"ID.OR.GPNQR.WWW", "ID.GPNQR", "ID.OR.QRNPG.WWW"})
#: Highest amount of one QRIS payment (Bank Indonesia, Rp 10,000,000 per transaction).
QRIS_MAX_AMOUNT = 10_000_000
#: Merchant criteria (sub-tag 03 of the merchant account templates).
CRITERIA = MappingProxyType({
    "UMI": "micro business (Usaha Mikro)",
    "UKE": "small business (Usaha Kecil)",
    "UME": "medium business (Usaha Menengah)",
    "UBE": "large business (Usaha Besar)",
    "URE": "regular business (Usaha Reguler)",
    "PSO": "public service obligation",
    "BLU": "public service agency (Badan Layanan Umum)",
})
#: NMID (51.02): "ID" then 10 to 13 digits, e.g. ID1020017611473.
NMID_PREFIX = "ID"
NMID_DIGITS = (10, 13)
#: A PAN starts with the 8-digit NNS of its issuer or acquirer: "9360" + 4 digits in Indonesia.
NNS_LENGTH = 8
NNS_DOMESTIC_PREFIX = "9360"


@dataclass(frozen=True, slots=True)
class Participant:
    """A QRIS issuer or acquirer, keyed by its NNS, with the sources that list it."""

    nns: str
    name: str
    kind: Literal["bank", "e-money", "aggregator", "other"]
    guid: str | None = None
    sources: str = ""  # keys of PARTICIPANT_SOURCES, space-separated


#: Where the participant directory comes from: public directories and codes (facts only).
#: Bank Indonesia's own list of QRIS participants is not published in a machine-readable
#: form; these directories are kept by QRIS participants and payment companies.
PARTICIPANT_SOURCES = MappingProxyType({
    "AP": "AstraPay spring-qris, QrisNationalNumberingSystem (github.com/astrapay/spring-qris, 2026-01), "
          "refreshed from the Rintis/ALTO switch member lists",
    "DK": "Duitku API documentation, 'Daftar Issuer (QRIS)' (docs.duitku.com)",
    "DK-BANK": "Duitku bank-code list: a bank's NNS is 93600 followed by its 3-digit bank code",
    "DK-PM": "Duitku payment-method documentation (the Nusapay QRIS wallet)",
    "NB": "Nobu Bank QRIS client issuer table (github.com/rhmtty/nobubank-php)",
    "CODE-DIPAY": "a real static QRIS with GUID ID.DIPAY.WWW and a PAN from 93600826 (valid CRC)",
    "CODE-JATENG": "a published QRIS with GUID ID.CO.BIMAQRIS.BANKJATENG and a PAN from 93600113",
    "CODE-CASHLEZ": "Cashlez payment-link documentation: GUID COM.CASHLEZ.WWW with a PAN from 93600839",
    "SRC-FELLO": "a QRIS composer writing ID.FELLO.WWW for Fello",
    "PG-GAJA": "gaja.id terms: the Gaja app is operated by PT GPay Digital Asia",
    "PG-HONEST": "infobanknews.com (2025-05): PT Honest Financial Technologies, a licensed card issuer",
    "PG-EZEELINK": "katadata.co.id (2018): Bank Indonesia's e-money licence for Ezeelink",
})


def _participants(*rows: tuple[str, str, str, str | None, str]) -> MappingProxyType[str, Participant]:
    return MappingProxyType({row[0]: Participant(*row) for row in rows})  # type: ignore[arg-type]  # kinds are literal


#: NNS -> participant: every QRIS participant the sources above list (151 NNS). Rows
#: marked "AP DK" are in both main directories; a row with one source is listed by it alone.
ACQUIRERS = _participants(
    ("93600002", "BRI", "bank", "ID.CO.BRI.WWW", "AP DK"),
    ("93600008", "Bank Mandiri", "bank", "ID.CO.BANKMANDIRI.WWW", "AP DK"),
    ("93600009", "BNI", "bank", "ID.CO.BNI.WWW", "AP DK"),
    ("93600011", "Bank Danamon", "bank", "ID.CO.DANAMON.WWW", "AP DK"),
    ("93600013", "Bank Permata", "bank", "COM.PERMATABANK.WWW", "AP DK"),
    ("93600014", "BCA", "bank", "ID.CO.BCA.WWW", "AP DK"),
    ("93600016", "Maybank Indonesia", "bank", None, "AP DK"),
    ("93600019", "Bank Panin", "bank", None, "AP DK"),
    ("93600022", "CIMB Niaga", "bank", "ID.CO.CIMBNIAGA.WWW", "AP DK"),
    ("93600023", "Bank UOB Indonesia", "bank", None, "AP DK"),
    ("93600028", "OCBC Indonesia", "bank", None, "AP DK"),
    ("93600031", "Citibank", "bank", None, "AP DK"),
    ("93600036", "CCB Indonesia", "bank", None, "AP DK-BANK"),
    ("93600037", "Bank Artha Graha", "bank", None, "AP DK"),
    ("93600046", "DBS Indonesia", "bank", None, "AP DK"),
    ("93600054", "Bank Capital Indonesia", "bank", None, "AP DK-BANK"),
    ("93600076", "Bank Bumi Arta", "bank", None, "AP DK"),
    ("93600095", "Bank JTrust Indonesia", "bank", None, "AP DK-BANK"),
    ("93600110", "Bank BJB", "bank", "ID.CO.BANKBJB.WWW", "AP DK"),
    ("93600111", "Bank DKI", "bank", "WWW.BANKDKI.CO.ID", "AP DK"),
    ("93600112", "BPD DIY", "bank", None, "AP DK"),
    ("93600113", "Bank Jateng", "bank", "ID.CO.BIMAQRIS.BANKJATENG", "AP DK-BANK DK NB CODE-JATENG"),
    ("93600114", "Bank Jatim", "bank", None, "AP DK"),
    ("93600115", "Bank Jambi", "bank", None, "AP DK"),
    ("93600116", "Bank Aceh Syariah", "bank", None, "AP DK"),
    ("93600117", "Bank Sumut", "bank", None, "AP DK-BANK"),
    ("93600118", "Bank Nagari", "bank", None, "AP DK"),
    ("93600119", "Bank Riau Kepri", "bank", None, "AP DK"),
    ("93600120", "Bank Sumsel Babel", "bank", None, "AP DK"),
    ("93600121", "Bank Lampung", "bank", None, "AP DK"),
    ("93600122", "Bank Kalsel", "bank", None, "AP DK"),
    ("93600123", "Bank Kalbar", "bank", None, "AP DK"),
    ("93600124", "Bank Kaltimtara", "bank", None, "AP DK"),
    ("93600125", "Bank Kalteng", "bank", None, "AP DK-BANK"),
    ("93600126", "Bank Sulselbar", "bank", None, "AP DK"),
    ("93600127", "Bank SulutGo", "bank", None, "AP DK-BANK"),
    ("93600128", "Bank NTB Syariah", "bank", None, "AP DK-BANK DK NB"),
    ("93600129", "BPD Bali", "bank", None, "AP DK"),
    ("93600130", "BPD NTT", "bank", None, "AP DK"),
    ("93600131", "Bank Maluku Malut", "bank", None, "AP DK-BANK"),
    ("93600132", "Bank Papua", "bank", None, "AP DK"),
    ("93600133", "Bank Bengkulu", "bank", None, "AP DK"),
    ("93600135", "Bank Sultra", "bank", None, "AP DK-BANK"),
    ("93600137", "Bank Banten", "bank", None, "AP DK-BANK"),
    ("93600146", "Bank of India Indonesia", "bank", None, "AP DK-BANK"),
    ("93600147", "Bank Muamalat", "bank", "ID.CO.BANKMUAMALAT.WWW", "AP DK"),
    ("93600151", "Bank Mestika Dharma", "bank", None, "AP DK-BANK"),
    ("93600152", "Bank Shinhan Indonesia", "bank", None, "AP DK"),
    ("93600153", "Bank Sinarmas", "bank", "COM.BANKSINARMAS.WWW", "AP DK"),
    ("93600157", "Bank Maspion", "bank", None, "AP DK"),
    ("93600161", "Bank Ganesha", "bank", None, "AP DK"),
    ("93600167", "QNB Indonesia", "bank", None, "AP DK"),
    ("93600200", "BTN", "bank", "ID.CO.BTN.WWW", "AP DK"),
    ("93600212", "Bank Woori Saudara", "bank", None, "AP DK-BANK"),
    ("93600213", "SMBC Indonesia (Jenius, ex-BTPN)", "bank", None, "AP DK"),
    ("93600253", "Bank Nano Syariah", "bank", None, "AP"),
    ("93600422", "BRIS Pay (ex-BRI Syariah)", "bank", None, "AP DK"),
    ("93600425", "BJB Syariah", "bank", None, "AP DK"),
    ("93600426", "Bank Mega", "bank", "ID.CO.BANKMEGA.WWW", "AP DK"),
    ("93600441", "KB Bank (KB Bukopin)", "bank", None, "AP DK"),
    ("93600451", "Bank Syariah Indonesia (BSI)", "bank", "ID.CO.BANKBSI.WWW", "AP DK"),
    ("93600459", "Krom Bank", "bank", None, "AP"),
    ("93600472", "Bank Jasa Jakarta", "bank", None, "AP DK-BANK"),
    ("93600484", "Hana Bank Indonesia", "bank", None, "AP DK"),
    ("93600485", "MNC Bank", "bank", None, "AP DK"),
    ("93600490", "Bank Neo Commerce", "bank", None, "AP DK"),
    ("93600494", "Bank Raya", "bank", None, "AP DK"),
    ("93600498", "Bank SBI Indonesia", "bank", None, "AP DK-BANK"),
    ("93600501", "BCA Digital (blu)", "bank", None, "AP DK"),
    ("93600503", "Bank Nobu", "bank", "COM.NOBUBANK.WWW", "AP DK"),
    ("93600506", "Bank Mega Syariah", "bank", None, "AP DK-BANK"),
    ("93600513", "Bank Ina Perdana", "bank", None, "AP DK"),
    ("93600517", "Bank Panin Dubai Syariah", "bank", None, "AP DK-BANK"),
    ("93600521", "KB Bank Syariah (KB Bukopin Syariah)", "bank", None, "AP DK-BANK"),
    ("93600523", "Bank Sahabat Sampoerna", "bank", None, "AP DK"),
    ("93600531", "Amar Bank", "bank", None, "AP DK"),
    ("93600535", "SeaBank", "bank", None, "AP DK"),
    ("93600536", "BCA Syariah", "bank", None, "AP DK"),
    ("93600542", "Bank Jago", "bank", None, "AP DK"),
    ("93600547", "Bank BTPN Syariah", "bank", None, "AP DK-BANK"),
    ("93600548", "Bank Multiarta Sentosa", "bank", None, "AP DK"),
    ("93600553", "Bank Mayora", "bank", None, "AP DK"),
    ("93600555", "Bank Index Selindo", "bank", None, "AP DK-BANK"),
    ("93600562", "Superbank", "bank", None, "AP DK-BANK"),
    ("93600564", "Bank Mandiri Taspen", "bank", None, "AP DK-BANK"),
    ("93600566", "Bank Victoria International", "bank", None, "AP DK-BANK"),
    ("93600567", "Allo Bank", "bank", "ID.CO.ALLOBANK.WWW", "AP DK"),
    ("93600688", "BPR KS", "bank", None, "AP DK-BANK"),
    ("93600689", "Hijra Bank (BPRS Hijra)", "bank", None, "AP"),
    ("93600690", "BPR Eka", "bank", None, "AP"),
    ("93600777", "Finpay (Finnet)", "e-money", "ID.FINPAY.WWW", "AP DK"),
    ("93600789", "IMkas", "e-money", None, "AP DK NB"),
    ("93600808", "Bayarind", "e-money", None, "AP DK"),
    ("93600809", "Bayarind (ALTO)", "e-money", None, "AP"),
    ("93600811", "OttoCash", "e-money", "ID.OTTOCASH.WWW", "AP DK"),
    ("93600812", "KasPro", "e-money", None, "AP DK"),
    ("93600813", "Gaja (GPay)", "e-money", None, "AP DK NB PG-GAJA"),
    ("93600814", "Netzme", "e-money", "ID.NETZME.WWW", "AP DK"),
    ("93600815", "SpeedCash (Bimasakti)", "e-money", None, "AP DK"),
    ("93600816", "SPIN (MNC)", "e-money", None, "AP DK"),
    ("93600817", "YUKK", "e-money", None, "AP DK"),
    ("93600818", "Paydia", "e-money", None, "AP DK"),
    ("93600820", "PAC Cash", "e-money", None, "AP DK"),
    ("93600821", "MidazPay", "e-money", None, "AP DK"),
    ("93600822", "AstraPay", "e-money", "ID.CO.ASTRAPAY.WWW", "AP DK"),
    ("93600823", "Paprika", "e-money", None, "AP NB"),
    ("93600824", "Visi Jaya Indonesia", "other", None, "AP"),
    ("93600825", "Zipay", "e-money", None, "AP DK"),
    ("93600826", "Dipay", "e-money", "ID.DIPAY.WWW", "AP NB CODE-DIPAY"),
    ("93600827", "Fello", "e-money", "ID.FELLO.WWW", "AP DK NB SRC-FELLO"),
    ("93600828", "TrueMoney", "e-money", None, "AP DK"),
    ("93600829", "mBayar", "e-money", None, "AP"),
    ("93600830", "YODU", "e-money", None, "AP DK"),
    ("93600831", "Inacash", "e-money", None, "AP"),
    ("93600832", "GDC Pay", "e-money", None, "AP"),
    ("93600833", "WIDE", "other", None, "AP"),
    ("93600834", "Duwit", "e-money", None, "AP"),
    ("93600835", "Virgo", "e-money", None, "AP DK NB"),
    ("93600836", "Nusapay", "e-money", None, "AP DK-PM"),
    ("93600837", "Cashfazz", "other", None, "AP"),
    ("93600838", "Dutamoney", "e-money", None, "AP"),
    ("93600839", "Cashlez", "aggregator", "COM.CASHLEZ.WWW", "AP CODE-CASHLEZ"),
    ("93600841", "Batpay", "e-money", None, "AP"),
    ("93600842", "Qoin", "e-money", None, "AP"),
    ("93600843", "Yoopay", "e-money", None, "AP"),
    ("93600844", "WOI", "other", None, "AP"),
    ("93600845", "PakaiDonk", "other", None, "AP"),
    ("93600847", "Honest", "other", None, "AP PG-HONEST"),
    ("93600848", "Xendit", "aggregator", "COM.XENDIT.WWW", "AP DK"),
    ("93600849", "Paylabs", "aggregator", None, "AP"),
    ("93600898", "Telkom (T-Money)", "e-money", "ID.CO.TELKOM.WWW", "AP DK"),
    ("93600899", "DOKU", "e-money", "COM.DOKU.WWW", "AP DK"),
    ("93600911", "LinkAja", "e-money", "ID.LINKAJA.WWW", "AP DK"),
    ("93600912", "OVO", "e-money", "ID.OVO", "AP DK"),
    ("93600914", "GoPay", "e-money", "COM.GO-JEK.WWW", "AP DK"),
    ("93600915", "DANA", "e-money", "ID.DANA.WWW", "AP DK"),
    ("93600916", "Gudang Voucher", "e-money", "COM.GUDANGVOUCHER.WWW", "AP DK"),
    ("93600917", "Paytren", "e-money", None, "AP DK"),
    ("93600918", "ShopeePay", "e-money", "ID.CO.SHOPEE.WWW", "AP DK"),
    ("93600919", "BluePay", "e-money", None, "AP DK"),
    ("93600920", "i.saku", "e-money", None, "AP DK"),
    ("93600921", "Saldomu", "e-money", None, "AP DK NB"),
    ("93600922", "Ezeelink", "e-money", None, "AP PG-EZEELINK"),
    ("93600923", "YourPay", "e-money", None, "AP"),
    ("93600945", "Bank IBK Indonesia", "bank", None, "AP DK-BANK"),
    ("93600947", "Bank Aladin Syariah", "bank", None, "AP DK"),
    ("93600949", "Bank CTBC Indonesia", "bank", None, "AP DK-BANK"),
    ("93600950", "Commonwealth Bank Indonesia", "bank", None, "AP DK-BANK DK NB"),
    ("93600998", "DSP", "other", None, "AP DK NB"),
    ("93600999", "AHDI", "other", None, "DK NB"),
    ("93608161", "POS Indonesia", "other", None, "AP DK"),
)


def participant(pan: str | None) -> Participant | None:
    """The participant whose NNS begins ``pan``, if the directory knows it."""
    if not pan or len(pan) < NNS_LENGTH:
        return None
    return ACQUIRERS.get(pan[:NNS_LENGTH])
