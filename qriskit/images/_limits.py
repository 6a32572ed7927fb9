"""Every limit the image functions enforce, with its default, in one place.

``decode_image``, ``decode_images`` and ``convert_image`` take ``max_bytes``,
``max_pixels``, ``max_decoded_bytes`` and ``timeout`` as keyword arguments defaulting to
these values;
``encode_image`` refuses an output wider than ``MAX_ENCODE_SIDE`` pixels.
docs/images.md lists them all.
"""

from __future__ import annotations

from typing import Final

#: The only formats handed to Pillow. PostScript, EPS and PDF (which Pillow renders by
#: starting Ghostscript) and every other plugin are never tried.
FORMATS: Final = ("PNG", "JPEG", "GIF", "WEBP", "BMP", "TIFF")

#: The most bytes read from any source: a file, bytes, a file object, base64 or a data URI.
MAX_IMAGE_BYTES: Final = 50 * 1024 * 1024

#: The most pixels (width x height, read from the header before any pixel is decoded).
MAX_IMAGE_PIXELS: Final = 40_000_000

#: The most bytes the decoder may hold for the decoded pixels, estimated from the header
#: before any pixel is decoded: width x height x bytes a pixel (1 for 1-bit, gray and palette
#: pictures, 2 for 16-bit gray, 4 for every colour mode, alpha included), x 4 for WebP (Pillow's
#: libwebp decoder holds four RGBA copies of the picture: two canvases, the frame, the image),
#: plus a progressive JPEG's coefficients (2 bytes a sample of each component), a TIFF's largest
#: strip or tile, and a second copy of a TIFF its EXIF orientation turns.
#: The default admits an RGBA picture at MAX_IMAGE_PIXELS
#: and a WebP of 12.5 megapixels, and keeps every decode under 300 MB of peak memory.
MAX_DECODED_BYTES: Final = 200_000_000

#: Seconds one decode may spend on the cascade of passes before it gives up.
DECODE_TIMEOUT: Final = 5.0

#: The first passes run on at most about this many pixels: a larger picture is scaled down
#: (a JPEG decoded at 1/2, 1/4 or 1/8 size), and read at full size only when they find nothing.
WORK_PIXELS: Final = 6_000_000

#: The largest side, in pixels, of a picture ``encode_image`` draws (``scale`` and ``border``
#: included); a larger one is refused before anything is drawn.
MAX_ENCODE_SIDE: Final = 8192
