#!/usr/bin/env bash
# Build a copy of qriskit whose native core is compiled by clang with libFuzzer coverage
# and AddressSanitizer, then fuzz it. Usage: tests/fuzz/build_instrumented.sh [SECONDS]
# Needs clang and its runtime (Debian: clang-14 libclang-rt-14-dev) and atheris.
set -euo pipefail
seconds=${1:-600}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${QRISKIT_FUZZ_DIR:-/tmp/qriskit-fuzz}
cc=$(command -v clang || command -v clang-14) || {
  echo "build_instrumented.sh: needs clang and its runtime (Debian: apt-get install clang-14 libclang-rt-14-dev)" >&2
  exit 1
}
python3 -c "import atheris" 2>/dev/null || {
  echo "build_instrumented.sh: needs atheris (pip install atheris)" >&2
  exit 1
}
rm -rf "$work" && mkdir -p "$work"
cp -r "$root/qriskit" "$root/setup.py" "$root/pyproject.toml" "$root/tests" "$work/"
find "$work/qriskit" -name '*.so' -delete
(cd "$work" && CC="$cc" LDSHARED="$cc -shared" \
  CFLAGS="-fsanitize=fuzzer-no-link,address -fno-omit-frame-pointer -g -O1" \
  LDFLAGS="-fsanitize=fuzzer-no-link,address" \
  python3 setup.py -q build_ext --inplace >/dev/null)
# libFuzzer and ASan in one preloaded library, as atheris expects for native extensions
# (asan_preinit cannot go into a shared object).
rt=$(dirname "$("$cc" -print-file-name=libclang_rt.asan-x86_64.a)")
mkdir -p "$work/rt" && (cd "$work/rt" && ar x "$rt/libclang_rt.asan-x86_64.a" && rm -f asan_preinit.cpp.o \
  && ar x "$rt/libclang_rt.fuzzer_no_main-x86_64.a" && "$cc" -shared -o ../asan_with_fuzzer.so ./*.o \
  -lpthread -ldl -lrt -lm -lstdc++)
asan="$work/asan_with_fuzzer.so"
mkdir -p "$root/tests/fuzz/corpus"
cd "$work"
ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1:quarantine_size_mb=64 LD_PRELOAD="$asan" PYTHONPATH="$work" \
  python3 tests/fuzz/fuzz_native.py -rss_limit_mb=4096 -timeout=10 -max_total_time="$seconds" \
  -print_final_stats=1 "$root/tests/fuzz/corpus"
