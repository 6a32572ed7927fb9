"""Coverage-guided fuzz target for the native core (atheris / libFuzzer).

Every input is decoded to text and run through the native parser and converters, and
through the pure twin: both must agree, and nothing may escape but a ``QRISError`` or a
``TypeError``. A crash, a hang, a disagreement or another exception is a finding. The
target also hands both twins ``str`` subclasses that lie about their length, hash and
text (they must give the result of the plain ``str``), re-initialises a ``Payload`` after a
failed ``__init__``, and calls methods on one that ``__init__`` never ran on.

Run (see docs/architecture.md, "Fuzzing")::

    python tests/fuzz/fuzz_native.py -max_total_time=600 tests/fuzz/corpus

For coverage of the C code itself, build the extension with clang and
``-fsanitize=fuzzer-no-link,address`` first (``tests/fuzz/build_instrumented.sh``).
"""

from __future__ import annotations

import os
import sys

# libFuzzer's symbols must be global, so that a clang-instrumented native core reports its
# coverage to it (see build_instrumented.sh); harmless for a normal build.
sys.setdlopenflags(sys.getdlopenflags() | os.RTLD_GLOBAL)
import atheris  # noqa: E402

with atheris.instrument_imports(include=["qriskit"]):
    from qriskit import Tip, validation
    from qriskit import _codec_c as _native
    from qriskit import _codec_py as _core
    from qriskit.errors import QRISError

TIPS = [None, Tip.prompt(), Tip.fixed("1500"), Tip.percent("2.5")]
# Tables for Payload.scan: every format code, required ids and flag ids, odd length limits.
SCAN = (bytes(range(100)), bytes((99 - i) % 100 for i in range(100)),
        bytes(((i % 8) | (0x80 if i % 11 == 0 else 0) | (0x40 if i % 13 == 0 else 0)) for i in range(100)))
REFERENCES = [None, "INV-1", "", "é", "R" * 30]


def outcome(fn):
    try:
        return ("ok", fn())
    except QRISError as exc:
        return (type(exc).__name__, str(exc), exc.offset, exc.path)
    except TypeError as exc:
        return ("TypeError", str(exc))


def comparable(scan_result):
    """A scan result with its template errors turned into comparable tuples."""
    findings, order, templates, flags = scan_result
    subs = [(t, v, o, sub if isinstance(sub, dict) else (type(sub).__name__, str(sub), sub.offset))
            for t, v, o, sub in templates]
    return findings, order, subs, flags


class Lying(str):
    """A str subclass whose methods lie: the codec must read the text it holds, not them."""

    lie = 5

    def __len__(self):
        return self.lie

    def __hash__(self):
        return self.lie

    def __eq__(self, other):
        return True

    def __str__(self):
        return "lie"

    def encode(self, *args, **kwargs):
        return b"lie"

    def strip(self, *args):
        return "lie"


def lying(text, lie):
    out = Lying(text)
    out.lie = lie
    return out


def check(label, call):
    left, right = outcome(lambda: call(_native)), outcome(lambda: call(_core))
    if left != right:
        raise AssertionError(f"twins disagree on {label}: native={left!r} python={right!r}")
    return left


def test_one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    mode = fdp.ConsumeIntInRange(0, 3)
    verify = fdp.ConsumeBool()
    amount = [fdp.ConsumeIntInRange(-5, 10**14), fdp.ConsumeUnicodeNoSurrogates(14), "15000", 1][
        fdp.ConsumeIntInRange(0, 3)]
    tip = TIPS[fdp.ConsumeIntInRange(0, len(TIPS) - 1)]
    reference = REFERENCES[fdp.ConsumeIntInRange(0, len(REFERENCES) - 1)]
    if mode == 0:
        text = fdp.ConsumeUnicode(fdp.remaining_bytes())  # may hold lone surrogates
    elif mode == 1:
        text = fdp.ConsumeBytes(fdp.remaining_bytes()).decode("latin-1")
    else:  # mostly well-formed: a valid code with a fuzzed body
        body = fdp.ConsumeUnicodeNoSurrogates(fdp.remaining_bytes())
        text = body + "6304"
        text += f"{_core.crc16(text):04X}" if mode == 2 else "ABCD"
    lie = fdp.ConsumeIntInRange(0, 64)
    parsed = check("parse", lambda k: k.Payload(text, verify).items())
    # str subclasses: the same outcome as the plain str, on both twins
    same = check("subclass parse", lambda k: k.Payload(lying(text, lie), verify).items())
    if same != parsed:
        raise AssertionError(f"a str subclass changed the outcome: {same!r} != {parsed!r}")
    if isinstance(amount, str):
        plain = check("amount", lambda k: k.to_dynamic(text, amount, verify_crc=False))
        sub = check("subclass amount", lambda k: k.to_dynamic(text, lying(amount, lie), verify_crc=False))
        if plain != sub:
            raise AssertionError(f"a str subclass amount changed the outcome: {sub!r} != {plain!r}")
    if reference is not None:
        check("subclass reference",
              lambda k: k.to_dynamic(text, 1000, reference=lying(reference, lie), verify_crc=False))
    # __new__ without __init__, and __init__ again after a failed one
    check("uninitialised", lambda k: k.Payload.__new__(k.Payload).to_dynamic(amount))

    def reinit(k):
        p = k.Payload.__new__(k.Payload)
        try:
            p.__init__(text[: len(text) // 2], True)
        except QRISError:
            pass
        try:
            p.__init__(text, verify)
        except QRISError:
            pass
        return p.to_dynamic(amount), p.items(), p.to_static()

    check("re-init", reinit)
    check("to_dynamic", lambda k: k.to_dynamic(text, amount, tip=tip, reference=reference, verify_crc=verify))
    check("to_static", lambda k: k.to_static(text, verify_crc=verify))
    check("many", lambda k: k.to_dynamic_many(text, [amount, 7], verify_crc=False))
    # 32 rows or more: the native batch renders the fixed text once around amount and 62
    refs = [reference, None, "R" * 25, lying(reference or "X", lie)] * 10 + [reference]
    check("many references", lambda k: k.to_dynamic_many(text, [amount] * 40 + [7], tip=tip, references=refs,
                                                         verify_crc=False))
    check("tlv_items", lambda k: k.tlv_items(text, 3, "62"))
    check("tlv_map", lambda k: k.tlv_map(text, 3, "62"))
    check("scan", lambda k: comparable(k.Payload(text, False).scan(*SCAN)))
    for rules in (validation._RULES_QRIS, validation._RULES_EMV):  # the template rules validate uses
        check("scan rules", lambda k, r=rules: comparable(k.Payload(text, False).scan(*SCAN, r)))
    if parsed[0] == "ok":
        out = check("pre-parsed", lambda k: k.Payload(text, False).to_dynamic(amount))
        if out[0] == "ok":
            _core.Payload(out[1])  # what comes out is a valid code (raises on a bad CRC)


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
