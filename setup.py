"""Build qriskit's native modules: the codec twin (qriskit/_codec_c.pyx -> qriskit._codec_c),
its Arrow kernels (qriskit/_arrow_c.pyx -> qriskit._arrow_c) and the QR symbol builder
(qriskit/images/_qr_c.pyx -> qriskit.images._qr_c).

A build without a working C compiler fails loudly: a silently pure install would be many
times slower. Set QRISKIT_PURE_PYTHON=1 to build a pure-Python package on purpose.
Set QRISKIT_RELEASE=1 for a release wheel: the extension is linked stripped (no symbol
table or debug information; a development build keeps them for debuggers and profilers).
"""

import os
import sys

from setuptools import setup
from setuptools.command.build_ext import build_ext

PURE = os.environ.get("QRISKIT_PURE_PYTHON", "") not in ("", "0")
RELEASE = os.environ.get("QRISKIT_RELEASE", "") not in ("", "0")


class LoudBuildExt(build_ext):
    """build_ext that explains what to do when the compiler is missing or fails."""

    def run(self):
        try:
            super().run()
        except Exception as exc:  # re-raised with advice
            self._fail(exc)

    def build_extension(self, ext):
        if RELEASE and sys.platform.startswith("linux"):
            ext.extra_link_args = [*ext.extra_link_args, "-s"]  # every extension of a release wheel
        try:
            super().build_extension(ext)
        except Exception as exc:  # re-raised with advice
            self._fail(exc)

    @staticmethod
    def _fail(exc):
        sys.stderr.write(
            f"\n*** qriskit: building the native core failed: {exc}\n"
            "*** Install a C compiler and the Python headers (e.g. apt-get install gcc python3-dev),\n"
            "*** or set QRISKIT_PURE_PYTHON=1 to install the slower pure-Python core on purpose.\n\n"
        )
        raise SystemExit(1)


def extensions():
    if PURE:
        return []
    from Cython.Build import cythonize
    from setuptools import Extension

    args = ["-O3"] if os.name != "nt" else ["/O2"]
    # the QR mask penalty compares doubles with Python's: no fused multiply-add
    qr_args = [*args, "-ffp-contract=off"] if os.name != "nt" else [*args, "/fp:precise"]
    exts = [
        Extension("qriskit._codec_c", ["qriskit/_codec_c.pyx"], extra_compile_args=args),
        # the Arrow kernels: cimport _codec_c (through _codec_c.pxd); pyarrow is needed to run them only
        Extension("qriskit._arrow_c", ["qriskit/_arrow_c.pyx"], extra_compile_args=args),
        Extension("qriskit.images._qr_c", ["qriskit/images/_qr_c.pyx"], extra_compile_args=qr_args),
    ]
    return cythonize(exts, compiler_directives={"language_level": "3"}, quiet=True)


setup(ext_modules=extensions(), cmdclass={"build_ext": LoudBuildExt})
