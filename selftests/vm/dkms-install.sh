#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# "make dkms-install": register teredo with DKMS (installing dkms with apt
# if needed) so that it is built and installed for every installed kernel
# with headers, and rebuilt for each new one.  Root only.
#
# Usage: dkms-install.sh [--build-only]   (--build-only: dkms build, no
#                                          install into /lib/modules)
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
die() { echo "dkms-install: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root"
if ! command -v dkms > /dev/null; then
	echo "dkms-install: installing dkms" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends dkms >&2 ||
		die "apt-get install dkms failed"
fi
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$REPO/dkms.conf")
[ -n "$ver" ] || die "no PACKAGE_VERSION in dkms.conf"
src=/usr/src/teredo-$ver

# Replace an older registration of the same version.
if dkms status -m teredo -v "$ver" 2>/dev/null | grep -q .; then
	dkms remove -m teredo -v "$ver" --all > /dev/null
fi
rm -rf "$src"
mkdir -p "$src"
(cd "$REPO" && tar -cf - dkms.conf Makefile Kbuild drivers/net/teredo include/uapi/linux/teredo.h) |
	tar -xf - -C "$src"
dkms add -m teredo -v "$ver"
status=0
for d in /lib/modules/*/build; do
	[ -e "$d/Makefile" ] || continue
	k=$(basename "$(dirname "$d")")
	if [ "${1:-}" = --build-only ]; then
		dkms build -m teredo -v "$ver" -k "$k" || status=1
	else
		dkms install -m teredo -v "$ver" -k "$k" || status=1
	fi
done
dkms status -m teredo -v "$ver"
exit $status
