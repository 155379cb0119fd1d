#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The host's IPv6 stack accepts the RA that teredo_build_ra() makes, as
# the module hands it to the stack: through a tap device in a private
# network namespace, with "ip token" holding the Teredo interface ID.
# Expected: SLAAC forms exactly 2001:0:4136:e378:8000:63bf:3fff:fdd2,
# no on-link /64 (L=0), a 2001::/32 route (RFC 4191), a default route,
# and the RA's MTU.
# Usage: linux_ra.sh BUILD_DIR.  Exit 0 pass, 1 fail, 4 skip.
set -u
BUILD=$1
NS=teredo-ra-$$

[ "$(id -u)" = 0 ] || { echo "#   skip: needs root"; exit 4; }
[ -c /dev/net/tun ] || { echo "#   skip: no /dev/net/tun"; exit 4; }
ip netns add "$NS" 2>/dev/null || { echo "#   skip: no network namespaces"; exit 4; }
trap 'ip netns del "$NS" 2>/dev/null' EXIT

setup='ip link set lo up &&
	sysctl -qw net.ipv6.conf.tap0.accept_dad=0 net.ipv6.conf.tap0.accept_ra=2 &&
	{ sysctl -qw net.ipv6.conf.tap0.accept_ra_rt_info_max_plen=32 2>/dev/null || true; } &&
	ip token set ::8000:63bf:3fff:fdd2 dev tap0 && ip link set tap0 up && sleep 0.5'
# shellcheck disable=SC2016
check='
	a=$(ip -6 -o addr show dev tap0 scope global)
	r=$(ip -6 route show dev tap0)
	m=$(sysctl -n net.ipv6.conf.tap0.mtu)
	printf "%s\n" "$a" "$r" "mtu6 $m" | sed "s/^/#   /"
	ok=0
	echo "$a" | grep -q " 2001:0:4136:e378:8000:63bf:3fff:fdd2/64 " || { echo "#   no SLAAC address"; ok=1; }
	echo "$r" | grep -q "^2001:0:4136:e378::/64" && { echo "#   on-link /64 route (L=1?)"; ok=1; }
	echo "$r" | grep -q "^default via fe80::8000:f227:bec9:1c81 " || { echo "#   no default route"; ok=1; }
	if [ -e /proc/sys/net/ipv6/conf/tap0/accept_ra_rt_info_max_plen ]; then
		echo "$r" | grep -q "^2001::/32 via fe80::8000:f227:bec9:1c81 " || { echo "#   no 2001::/32 route"; ok=1; }
	fi
	[ "$m" = 1280 ] || { echo "#   MTU not 1280"; ok=1; }
	exit $ok'
ip netns exec "$NS" "$BUILD/tap_inject" tap0 "$setup" "$check"
rc=$?
[ "$rc" = 0 ] && exit 0
exit 1
