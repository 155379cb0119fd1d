#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host test: build and run the userspace unit tests of proto.c
# (selftests/unit, ASan + UBSan).  Prints their TAP lines.
# Exit 0 pass, 1 fail, 4 skip (no C compiler).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BUILD=${BUILD:-$REPO/build}

if ! command -v cc >/dev/null 2>&1 || ! command -v make >/dev/null 2>&1; then
	echo "# SKIP: no C compiler or make"
	exit 4
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! make -s -C "$REPO/selftests/unit" BUILD="$BUILD/unit" all > "$log" 2>&1; then
	sed 's/^/# /' "$log"
	echo "not ok 1 unit:build"
	exit 1
fi
make -s --no-print-directory -C "$REPO/selftests/unit" BUILD="$BUILD/unit" run 2>&1
rc=$?
[ "$rc" = 0 ] && exit 0
exit 1
