"""QR decoder backends behind one small interface.

A backend takes a 2-D ``uint8`` grayscale numpy array (C-contiguous) and returns the text of
every QR code it finds, in the order found. It never raises for "nothing found": it returns
an empty list. Three backends ship::

    name        package                  extra               notes
    zxing-cpp   zxing-cpp                pyqriskit[image]    default: best and fastest
    opencv      opencv-python-headless   pyqriskit[opencv]   QRCodeDetectorAruco
    zbar        pyzbar + libzbar0        pyqriskit[zbar]     needs the system zbar library

Every import of a decoder package happens on first use, never when this module is imported.
:func:`get_decoder` resolves a name (or passes a ready :class:`Decoder` through) and says what
to install when a backend is missing.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Final, Protocol, runtime_checkable

from ..errors import ImageError, extra_missing

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Gray = npt.NDArray[np.uint8]

DEFAULT_DECODER: Final = "zxing-cpp"


@runtime_checkable
class Decoder(Protocol):
    """What a decoder backend is: a name and a ``decode(gray) -> list[str]`` method."""

    name: str

    def decode(self, gray: Gray) -> list[str]:
        """Return the text of every QR code in ``gray`` (2-D uint8), [] when none."""
        ...


class _LazyBackend:
    """Shared plumbing: import the package once, on first use, and say how to install it."""

    name = ""
    package = ""  # what to import
    extra = "image"  # the qriskit extra that installs it
    system = ""  # a system library it needs too, and how to install it

    def __init__(self) -> None:
        self._mod: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        raise NotImplementedError

    def module(self) -> Any:
        """The imported backend package (imported on the first call)."""
        if self._mod is None:
            with self._lock:
                if self._mod is None:
                    try:
                        self._mod = self._load()
                    except ImportError as exc:
                        also = f"; it also needs {self.system}" if self.system else ""
                        feature = f"the QR decoder {self.name!r} ({exc}{also})"
                        raise extra_missing(self.extra, feature, ImageError) from exc
        return self._mod

    def available(self) -> bool:
        """True when the backend's package (and its native library) can be loaded."""
        try:
            self.module()
        except ImageError:
            return False
        return True

    def decode(self, gray: Gray) -> list[str]:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"


class ZXingDecoder(_LazyBackend):
    """zxing-cpp: rotation, downscale and inversion search built in; the default backend.

    ``binarizer`` is a ``zxingcpp.Binarizer`` member name ("LocalAverage",
    "GlobalHistogram", "FixedThreshold", "BoolCast"); ``fast=True`` turns the built-in
    rotate/downscale/invert searches off (only useful on clean, generated images).
    """

    name = "zxing-cpp"
    package = "zxingcpp"

    def __init__(self, *, binarizer: str = "LocalAverage", fast: bool = False) -> None:
        super().__init__()
        self.binarizer = binarizer
        self.fast = fast
        self._kwargs: dict[str, Any] | None = None

    def _load(self) -> Any:
        import zxingcpp

        return zxingcpp

    def _options(self) -> dict[str, Any]:
        if self._kwargs is None:
            zx = self.module()
            kwargs: dict[str, Any] = {
                "formats": zx.BarcodeFormat.QRCode,
                "try_rotate": not self.fast,
                "try_downscale": not self.fast,
                "binarizer": getattr(zx.Binarizer, self.binarizer),
            }
            if hasattr(zx, "TextMode"):
                kwargs["text_mode"] = zx.TextMode.Plain
            if not self.fast:
                kwargs["try_invert"] = True
            self._kwargs = kwargs
        return self._kwargs

    #: The longest side zxing-cpp takes (it raises ValueError beyond): a longer one is read as
    #: nothing found (a picture that wide reaches it as is, or through the "upscale x2" variant).
    MAX_SIDE: Final = 65535

    def decode(self, gray: Gray) -> list[str]:
        zx = self.module()
        opts = self._options()
        if max(gray.shape) > self.MAX_SIDE:
            return []
        try:
            found = zx.read_barcodes(gray, **opts)
        except TypeError:  # an older zxing-cpp without some keyword: use the plain call
            found = zx.read_barcodes(gray, formats=opts["formats"])
        return [str(b.text) for b in found if getattr(b, "valid", True)]


class OpenCVDecoder(_LazyBackend):
    """OpenCV's QR detector (the ArUco-based one when present, it finds more)."""

    name = "opencv"
    package = "cv2"
    extra = "opencv"

    def __init__(self) -> None:
        super().__init__()
        self._local = threading.local()  # cv2 detectors are not thread-safe

    def _load(self) -> Any:
        import cv2

        return cv2

    def _detector(self) -> Any:
        det = getattr(self._local, "det", None)
        if det is None:
            cv2 = self.module()
            factory = getattr(cv2, "QRCodeDetectorAruco", None) or cv2.QRCodeDetector
            det = self._local.det = factory()
        return det

    def decode(self, gray: Gray) -> list[str]:
        det = self._detector()
        cv2_error = self.module().error
        try:
            ok, texts, _points, _straight = det.detectAndDecodeMulti(gray)
        except cv2_error:  # degenerate input: treat as "nothing found"
            ok, texts = False, ()
        out = [str(t) for t in (texts or ()) if t] if ok else []
        if not out:
            try:
                text, _points, _straight = det.detectAndDecode(gray)
            except cv2_error:
                text = ""
            if text:
                out = [str(text)]
        return out


class ZBarDecoder(_LazyBackend):
    """zbar through pyzbar (needs the system library: ``apt-get install libzbar0``)."""

    name = "zbar"
    package = "pyzbar"
    extra = "zbar"
    system = "the system zbar library (apt-get install libzbar0)"

    def _load(self) -> Any:
        from pyzbar import pyzbar  # raises ImportError when libzbar is missing too

        return pyzbar

    def decode(self, gray: Gray) -> list[str]:
        pyzbar = self.module()
        h, w = gray.shape[:2]
        found = pyzbar.decode((gray.tobytes(), w, h), symbols=[pyzbar.ZBarSymbol.QRCODE])
        out = []
        for sym in found:
            data: bytes = sym.data
            try:
                out.append(data.decode("utf-8"))
            except UnicodeDecodeError:
                out.append(data.decode("latin-1"))
        return out


#: Backend classes by name (``qriskit.decoders.DECODERS`` is this dict).
BACKENDS: Final[dict[str, type[_LazyBackend]]] = {
    "zxing-cpp": ZXingDecoder,
    "opencv": OpenCVDecoder,
    "zbar": ZBarDecoder,
}
#: The decoder names ``decode_image(decoder=...)`` accepts, the default first.
DECODERS: Final = tuple(BACKENDS)
_ALIASES: Final = {
    "zxing": "zxing-cpp",
    "zxingcpp": "zxing-cpp",
    "cv2": "opencv",
    "pyzbar": "zbar",
}
_instances: dict[str, _LazyBackend] = {}


def _instance(key: str) -> _LazyBackend:
    inst = _instances.get(key)
    if inst is None:
        inst = _instances.setdefault(key, BACKENDS[key]())
    return inst


def get_decoder(decoder: str | Decoder | None = None) -> Decoder:
    """Resolve ``decoder`` (a name, an alias, a :class:`Decoder` or None for the default).

    Raises :class:`~qriskit.errors.ImageError` for an unknown name or a backend whose
    package is not installed, saying what to install.
    """
    if decoder is None:
        decoder = DEFAULT_DECODER
    if not isinstance(decoder, str):
        if isinstance(decoder, Decoder):
            return decoder
        raise TypeError(f"decoder must be a name or a Decoder, not {type(decoder).__name__}")
    key = _ALIASES.get(decoder.lower(), decoder.lower())
    if key not in BACKENDS:
        raise ImageError(
            f"unknown QR decoder {decoder!r}",
            hint=f"choose one of {', '.join(DECODERS)}",
        )
    inst = _instance(key)
    inst.module()  # fail early, with an install hint
    return inst


def available_decoders() -> list[str]:
    """Names of the backends that can be loaded here, default first."""
    return [key for key in BACKENDS if _instance(key).available()]
