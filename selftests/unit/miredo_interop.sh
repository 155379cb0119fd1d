#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Interop with Miredo, in a private network namespace (all on lo):
#   server: miredo-server answers the RS that proto.c builds, and
#           proto.c's parsers accept its answer (rs_client);
#   client: the miredo client qualifies against the RA that proto.c
#           builds (ra_server) and takes the address it names.
# Usage: miredo_interop.sh server|client BUILD_DIR
# Exit 0 pass, 1 fail, 4 skip (not root, no netns, Miredo not installed).
set -u
MODE=$1
BUILD=$2
SRV=192.0.2.1
SRV2=192.0.2.2
CLI=198.51.100.5
NS=teredo-unit-$$
TMP=$BUILD/interop-$MODE
PIDS=()

skip() { echo "#   skip: $*"; exit 4; }
fail() { echo "#   $*"; exit 1; }

[ "$(id -u)" = 0 ] || skip "needs root"
command -v ip >/dev/null || skip "no iproute2"
case $MODE in
server) command -v miredo-server >/dev/null || skip "miredo-server not installed" ;;
client) command -v miredo >/dev/null || skip "miredo not installed"
	[ -c /dev/net/tun ] || skip "no /dev/net/tun" ;;
*) echo "usage: $0 server|client BUILD" >&2; exit 2 ;;
esac
ip netns add "$NS" 2>/dev/null || skip "cannot create a network namespace"

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	ip netns del "$NS" 2>/dev/null
}
trap cleanup EXIT
rm -rf "$TMP"
mkdir -p "$TMP"
chmod 755 "$TMP"
ip -n "$NS" link set lo up
for a in $SRV $SRV2 $CLI; do
	ip -n "$NS" addr add "$a/32" dev lo
done
in_ns() { ip netns exec "$NS" "$@"; }

if [ "$MODE" = server ]; then
	echo "ServerBindAddress $SRV" > "$TMP/server.conf"
	in_ns miredo-server -f -c "$TMP/server.conf" -p "$TMP/server.pid" \
		-u nobody > "$TMP/miredo-server.log" 2>&1 &
	PIDS+=($!)
	for _ in $(seq 50); do
		in_ns ss -Hlun 2>/dev/null | grep -q "$SRV:3544" && break
		sleep 0.1
	done
	in_ns "$BUILD/rs_client" "$CLI" "$SRV" > "$TMP/rs_client.out" 2>&1
	rc=$?
	sed 's/^/#   /' "$TMP/rs_client.out"
	[ "$rc" = 0 ] || fail "rs_client failed (miredo-server log: $TMP/miredo-server.log)"
	grep -qx "ra_prefix: 2001:0:c000:201::/64" "$TMP/rs_client.out" ||
		fail "unexpected prefix"
	exit 0
fi

in_ns "$BUILD/ra_server" "$SRV" "$SRV2" 30 > "$TMP/ra_server.out" 2>&1 &
PIDS+=($!)
sleep 0.3
printf 'InterfaceName teredo\nServerAddress %s\nBindAddress %s\n' "$SRV" "$CLI" \
	> "$TMP/miredo.conf"
in_ns miredo -f -c "$TMP/miredo.conf" -p "$TMP/miredo.pid" -u nobody \
	> "$TMP/miredo.log" 2>&1 &
PIDS+=($!)
addr=
for _ in $(seq 150); do
	addr=$(in_ns ip -6 -o addr show dev teredo scope global 2>/dev/null |
		awk '{ print $4 }' | cut -d/ -f1)
	[ -n "$addr" ] && break
	sleep 0.1
done
sed 's/^/#   /' "$TMP/ra_server.out" "$TMP/miredo.log"
[ -n "$addr" ] || fail "miredo did not qualify against our RA"
echo "#   miredo took $addr"
port=$(sed -n "s/^rs: $CLI:\([0-9]*\) verdict 0 RS.*/\1/p" "$TMP/ra_server.out" | tail -n1)
[ -n "$port" ] || fail "ra_server saw no valid RS"
# 2001:0:c000:201:FLAGS:~port:~198.51.100.5 (= 39cc:9bfa)
want=$(printf '2001:0:c000:201:*:%x:39cc:9bfa' $((port ^ 0xffff)))
# shellcheck disable=SC2053
[[ $addr == $want ]] || fail "address $addr is not $want"
exit 0
