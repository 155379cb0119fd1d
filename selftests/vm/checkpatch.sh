#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# "make checkpatch": the kernel's checkpatch.pl --strict over our sources.
# checkpatch.pl (with spelling.txt and const_structs.checkpatch) is taken
# at run time from Debian's linux-source package, installed with apt if
# missing, and cached under build/checkpatch/: it is never copied into
# the repository.  Exit 1 on any error, warning or check.
#
# Usage: checkpatch.sh [DIR|FILE...]   (default: drivers/net/teredo and
#                                        include/uapi/linux/teredo.h)
set -uo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$REPO/build}
CP=$BUILD/checkpatch
FILES=(scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch)

die() { echo "checkpatch: $*" >&2; exit 1; }

fetch_from_dir() {	# /usr/src/linux-source-X
	local f
	for f in "${FILES[@]}"; do
		[ -e "$1/$f" ] || return 1
	done
	mkdir -p "$CP"
	for f in "${FILES[@]}"; do
		cp "$1/$f" "$CP/" || return 1
	done
}

fetch_from_tarball() {	# /usr/src/linux-source-X.tar.xz
	local top tmp
	top=$(basename "$1" .tar.xz)
	tmp=$(mktemp -d) || return 1
	tar -xJf "$1" -C "$tmp" "${FILES[@]/#/$top/}" 2>/dev/null &&
		fetch_from_dir "$tmp/$top"
	local rc=$?
	rm -rf "$tmp"
	return $rc
}

fetch() {
	local d t pkg
	[ -e "$CP/checkpatch.pl" ] && [ -e "$CP/spelling.txt" ] && return 0
	# The newest checkpatch.pl first.
	while read -r d; do
		[ -d "$d" ] && fetch_from_dir "$d" && return 0
	done < <(printf '%s\n' /usr/src/linux-source-*/ | sed 's|/$||' | sort -rV)
	while read -r t; do
		[ -e "$t" ] && fetch_from_tarball "$t" && return 0
	done < <(printf '%s\n' /usr/src/linux-source-*.tar.xz | sort -rV)
	[ "$(id -u)" = 0 ] || die "no linux-source package installed; as root: apt-get install linux-source-6.12"
	for pkg in linux-source-6.12 linux-source-6.1; do
		apt-cache show "$pkg" > /dev/null 2>&1 || continue
		echo "checkpatch: installing $pkg for scripts/checkpatch.pl" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$pkg" >&2 ||
			continue
		fetch_from_tarball "/usr/src/$pkg.tar.xz" && return 0
	done
	die "cannot get scripts/checkpatch.pl from a linux-source package"
}

fetch
cd "$REPO" || exit 1
[ $# -gt 0 ] || set -- drivers/net/teredo include/uapi/linux/teredo.h
srcs=()
for a in "$@"; do
	if [ -d "$a" ]; then
		for f in "$a"/*.[ch]; do
			[ -e "$f" ] && srcs+=("$f")
		done
	elif [ -e "$a" ]; then
		srcs+=("$a")
	else
		die "no such file or directory: $a"
	fi
done
[ ${#srcs[@]} -gt 0 ] || die "no sources to check"

bad=0
for f in "${srcs[@]}"; do
	out=$(perl "$CP/checkpatch.pl" --strict --no-tree --show-types --color=never -f "$f" 2>&1)
	total=$(echo "$out" | grep -E '^total: ' | tail -n1)
	if [ -z "$total" ]; then
		echo "$out"
		echo "checkpatch: no verdict for $f"
		bad=$((bad + 1))
	elif ! [[ $total =~ ^total:\ 0\ errors,\ 0\ warnings,\ 0\ checks ]]; then
		echo "$out" | sed -n '/^total: /q;p'
		echo "$f: ${total#total: }"
		bad=$((bad + 1))
	fi
done
if [ "$bad" -gt 0 ]; then
	echo "checkpatch: $bad of ${#srcs[@]} files have errors, warnings or checks"
	exit 1
fi
echo "checkpatch: ${#srcs[@]} files clean (--strict)"
