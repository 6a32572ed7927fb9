"""Photo in, dynamic code out: decode a static QRIS, convert it, draw the result."""

from __future__ import annotations

from typing import Any, Final, NamedTuple

from ._decode import decode_image
from ._encode import encode_image

_DECODE_OPTS: Final = ("decoder", "retry", "max_bytes", "max_pixels", "max_decoded_bytes", "timeout")
_DYNAMIC_OPTS: Final = ("tip", "reference")
_ENCODE_OPTS: Final = ("kind", "scale", "border", "error")


class Converted(NamedTuple):
    """Result of :func:`convert_image`: the dynamic payload and its image."""

    payload: str
    image: Any  # bytes for "png", str for "svg" / "data-uri" / "text", a PIL image for "pil"


def convert_image(source: object, amount: Any, **options: Any) -> Converted:
    """Read the static QRIS in a picture and return ``(dynamic payload, its image)``.

    ``options``: ``tip``, ``reference`` (for :func:`qriskit.to_dynamic`); ``kind`` (default
    "png"), ``scale``, ``border``, ``error`` (for :func:`encode_image`); ``decoder``,
    ``retry``, ``max_bytes``, ``max_pixels``, ``max_decoded_bytes``, ``timeout`` (for
    :func:`decode_image`).
    """
    unknown = set(options) - set(_DECODE_OPTS + _DYNAMIC_OPTS + _ENCODE_OPTS)
    if unknown:
        raise TypeError(f"convert_image() got unexpected option(s): {', '.join(sorted(unknown))}")
    from .. import to_dynamic

    static = decode_image(source, **{k: options[k] for k in _DECODE_OPTS if k in options})
    dynamic = to_dynamic(static, amount, **{k: options[k] for k in _DYNAMIC_OPTS if k in options})
    encode = {k: options[k] for k in _ENCODE_OPTS if k in options}
    kind = encode.pop("kind", "png")
    return Converted(dynamic, encode_image(dynamic, kind, verify=False, **encode))
