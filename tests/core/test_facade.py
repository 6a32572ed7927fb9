"""The facade: public names, backend choice, and a light import."""

import json
import os
import subprocess
import sys

import qriskit
from qriskit import Tip
from tests.codes import STATIC

PUBLIC = ["crc16", "parse", "to_dynamic", "to_static", "to_dynamic_many", "Tip", "QRIS", "QRISError", "CRCError",
          "TLVError", "AmountError", "FieldError", "ImageError", "NoQRCodeFound", "backend"]


def run_python(code: str, **env: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, **env})
    return out.stdout.strip()


def test_public_names():
    for name in PUBLIC:
        assert hasattr(qriskit, name), name
    assert qriskit.backend in ("native", "python")


def test_error_tree():
    assert issubclass(qriskit.QRISError, ValueError)
    for name in ("CRCError", "TLVError", "AmountError", "FieldError", "ImageError"):
        assert issubclass(getattr(qriskit, name), qriskit.QRISError)
    assert issubclass(qriskit.NoQRCodeFound, qriskit.ImageError)


def test_forced_pure_backend():
    assert run_python("import qriskit; print(qriskit.backend)", QRISKIT_PURE_PYTHON="1") == "python"


def test_import_is_light():
    heavy = ["numpy", "PIL", "httpx", "zxingcpp", "cv2", "segno", "rich", "pyzbar"]
    loaded = json.loads(run_python(
        f"import sys, json, qriskit; print(json.dumps([m for m in {heavy!r} if m in sys.modules]))"))
    assert loaded == []


def test_facade_matches_kernel():
    code = qriskit.parse(STATIC)
    assert isinstance(code, qriskit.QRIS)
    assert qriskit.to_dynamic(STATIC, 5, tip=Tip.prompt()) == code.to_dynamic(5, Tip.prompt())
    assert qriskit.to_static(qriskit.to_dynamic(STATIC, 5)) == STATIC
    assert qriskit.to_dynamic_many(STATIC, [5]) == [code.to_dynamic(5)]
    assert qriskit.crc16(STATIC[:-4]) == int(STATIC[-4:], 16)
    assert qriskit.to_dynamic.__doc__.startswith("Return ``payload`` as a dynamic code")


def test_qris_value_semantics():
    a, b = qriskit.parse(STATIC), qriskit.parse(STATIC)
    assert a == b and hash(a) == hash(b) and str(a) == STATIC
    assert a != qriskit.parse(a.to_dynamic(1))
    assert "Toko Sejahtera" in repr(a)
