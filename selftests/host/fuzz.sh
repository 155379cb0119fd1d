#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host test: build the libFuzzer fuzzers of proto.c (selftests/fuzz),
# replay their committed corpus and fuzz each for FUZZ_SECONDS (default
# 15).  Prints TAP lines and the total number of executions.
# Exit 0 pass, 1 fail, 4 skip (no clang / libFuzzer runtime).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BUILD=${BUILD:-$REPO/build}
FUZZ_SECONDS=${FUZZ_SECONDS:-15}

if ! command -v clang >/dev/null 2>&1; then
	echo "# SKIP: clang not installed (make deps)"
	exit 4
fi
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return d && n; }' > "$probe/p.c"
if ! clang -fsanitize=fuzzer,address,undefined -o "$probe/p" "$probe/p.c" > /dev/null 2>&1; then
	echo "# SKIP: clang cannot link libFuzzer + ASan (libclang-rt-14-dev missing?)"
	exit 4
fi
if ! make -s -C "$REPO/selftests/fuzz" BUILD="$BUILD/fuzz" all > "$probe/build.log" 2>&1; then
	sed 's/^/# /' "$probe/build.log"
	echo "not ok 1 fuzz:build"
	exit 1
fi
make -s --no-print-directory -C "$REPO/selftests/fuzz" BUILD="$BUILD/fuzz" \
	FUZZ_SECONDS="$FUZZ_SECONDS" run 2>&1 || exit 1
exit 0
