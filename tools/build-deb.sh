#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# "make deb": the Debian packages teredo-dkms and teredo-tools, built by
# dpkg-buildpackage (debhelper, dh-dkms: see debian/) from a copy of the
# tree, so that nothing is written next to the sources.  The .debs, the
# native source package and the .changes land in OUT (build/deb).
#
# Usage: build-deb.sh [OUT]
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-${BUILD:-$REPO/build}/deb}
die() { echo "build-deb: $*" >&2; exit 1; }

for c in dpkg-buildpackage dh dh_dkms; do
	command -v "$c" > /dev/null || die "no $c: run 'make deps' (debhelper, dh-dkms, dpkg-dev)"
done
ver=$(cd "$REPO" && dpkg-parsechangelog -S Version)
# DKMS puts the sources in /usr/src/teredo-<dkms.conf's version>: the
# package's version must be that one (debian/teredo-dkms.install too).
dver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$REPO/dkms.conf")
[ "$ver" = "$dver" ] || die "debian/changelog says $ver, dkms.conf $dver"
grep -q " usr/src/teredo-$ver/" "$REPO/debian/teredo-dkms.install" ||
	die "debian/teredo-dkms.install does not install into usr/src/teredo-$ver"

rm -rf "$OUT"
src=$OUT/teredo-$ver
mkdir -p "$src"
# The tracked files when this is a git tree (no stray build products in
# the source package), else everything but build/.
if git -C "$REPO" rev-parse --is-inside-work-tree > /dev/null 2>&1; then
	(cd "$REPO" && git ls-files -z --cached --others --exclude-standard |
		xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
		tar --null -T - -cf -) | tar -xf - -C "$src"
else
	(cd "$REPO" && tar --exclude=./build --exclude-vcs -cf - .) | tar -xf - -C "$src"
fi
(cd "$src" && dpkg-buildpackage -us -uc --build=full) > "$OUT/build.log" 2>&1 || {
	tail -n 30 "$OUT/build.log" >&2
	die "dpkg-buildpackage failed, see $OUT/build.log"
}
rm -rf "$src"
ls -1 "$OUT"/*.deb
