#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install what building and testing teredo needs on a Debian 12 host:
# the packages of the test runner and of "make deb" (debhelper, dh-dkms,
# lintian) and both test kernels (stock 6.1 and
# 6.12 from bookworm-backports).  Idempotent: a host that already has
# everything is left alone.  Needs root when something is missing.
#
# Usage: setup-host.sh [--print-kernels]
set -euo pipefail

PKGS=(qemu-system-x86 busybox-static iproute2 nftables miredo miredo-server
      tshark tcpdump libmnl-dev sparse cpio xz-utils zstd kmod iputils-ping
      conntrack ethtool iperf3 linux-perf python3 python3-yaml python3-jsonschema
      build-essential bc flex bison libelf-dev pkg-config clang libclang-rt-14-dev
      libssl-dev dpkg-dev debhelper dh-dkms dkms lintian bash-completion)

log() { echo "setup-host: $*" >&2; }

need_pkgs() {
	local p missing=()
	for p in "${PKGS[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	echo "${missing[@]}"
}

# The backports suite comes from the mirror this host already uses for
# bookworm: no mirror host name is written in this repository.
add_backports() {
	local f uri
	if grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
		return 0
	fi
	uri=""
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -e "$f" ] || continue
		if awk '/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm") ok = 1 }
			END { exit !ok }' "$f"; then
			uri=$(awk '/^URIs:/ { print $2; exit }' "$f")
			[ -n "$uri" ] && break
		fi
	done
	if [ -z "$uri" ] && [ -e /etc/apt/sources.list ]; then
		uri=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' /etc/apt/sources.list)
	fi
	[ -n "$uri" ] || { log "no bookworm apt source to derive backports from"; exit 1; }
	log "adding bookworm-backports from $uri"
	cat > /etc/apt/sources.list.d/teredo-bookworm-backports.sources <<SRC
Types: deb
URIs: $uri
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	APT_UPDATED=0
}

APT_UPDATED=0
apt_update() {
	[ "$APT_UPDATED" = 1 ] && return 0
	apt-get update -q >&2
	APT_UPDATED=1
}

# Newest versioned image package behind the metapackage version matching $1.
kernel_pkg() {
	local series=$1 ver
	ver=$(apt-cache madison linux-image-amd64 | awk '{ print $3 }' |
	      grep "^$series\." | sort -V | tail -n1)
	[ -n "$ver" ] || return 1
	apt-cache depends "linux-image-amd64=$ver" | awk '/Depends: linux-image-/ { print $2; exit }'
}

have_kernel() {	# series
	local d
	for d in /lib/modules/"$1".*; do
		[ -e "$d/build/Makefile" ] && ls /boot/vmlinuz-"${d##*/}" >/dev/null 2>&1 && return 0
	done
	return 1
}

# The kernel's YNL CLI and netlink schemas (netlink_cli, netlink_events
# and scale_peers drive our family with them) come from Debian's
# linux-source-6.12 tarball: only those two folders are unpacked.  Not
# optional: those checks fail without it, so a failed install or unpack
# fails this script (and "make check"'s host:deps line) loudly.
YNL_TOP=/usr/src/linux-source-6.12
have_ynl() {
	[ -e "$YNL_TOP/tools/net/ynl/cli.py" ] &&
		[ -e "$YNL_TOP/Documentation/netlink/genetlink-legacy.yaml" ]
}

install_ynl() {
	local tarball=$YNL_TOP.tar.xz tmp
	# The package may be installed with its tarball gone: reinstall it.
	if [ ! -s "$tarball" ]; then
		log "installing linux-source-6.12 (for the ynl CLI)"
		apt-get install -y -q --no-install-recommends --reinstall -t bookworm-backports \
			linux-source-6.12 >&2 || { log "error: cannot install linux-source-6.12"; exit 1; }
		[ -s "$tarball" ] || { log "error: linux-source-6.12 has no $tarball"; exit 1; }
	fi
	# Unpack beside the target and move into place: an interrupted unpack
	# never leaves a half tree that have_ynl would take for complete.
	tmp=$(mktemp -d "${YNL_TOP%/*}/.ynl.XXXXXX") || exit 1
	if ! tar -xJf "$tarball" -C "$tmp" linux-source-6.12/tools/net/ynl \
		linux-source-6.12/Documentation/netlink >&2; then
		rm -rf "$tmp"
		log "error: cannot unpack the ynl CLI from $tarball"
		exit 1
	fi
	mkdir -p "$YNL_TOP/tools/net" "$YNL_TOP/Documentation"
	rm -rf "$YNL_TOP/tools/net/ynl" "$YNL_TOP/Documentation/netlink"
	mv "$tmp/linux-source-6.12/tools/net/ynl" "$YNL_TOP/tools/net/ynl" &&
		mv "$tmp/linux-source-6.12/Documentation/netlink" "$YNL_TOP/Documentation/netlink"
	rm -rf "$tmp"
	have_ynl || { log "error: no ynl CLI in $YNL_TOP after unpacking $tarball"; exit 1; }
	log "ynl CLI unpacked in $YNL_TOP"
}

main() {
	local missing series img
	export DEBIAN_FRONTEND=noninteractive
	missing=$(need_pkgs)
	if [ -z "$missing" ] && have_kernel 6.1 && have_kernel 6.12 && have_ynl; then
		return 0
	fi
	[ "$(id -u)" = 0 ] || { log "missing packages or kernels, and not root: $missing"; exit 1; }
	add_backports
	apt_update
	if [ -n "$missing" ]; then
		log "installing: $missing"
		echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
		# shellcheck disable=SC2086
		apt-get install -y -q --no-install-recommends $missing >&2
	fi
	have_ynl || install_ynl
	for series in 6.1 6.12; do
		have_kernel "$series" && continue
		img=$(kernel_pkg "$series") || { log "no $series kernel in apt"; exit 1; }
		log "installing kernel $img"
		apt-get install -y -q --no-install-recommends "$img" \
			"${img/linux-image-/linux-headers-}" >&2
	done
}

main "$@"
