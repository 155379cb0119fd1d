#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The NAT's mapping of our client changes under it: first the NAT's
# conntrack is flushed (the mapping may come back the same), then the
# NAT's outside address changes.  On its next refresh the client learns
# the new mapping from the RA's origin indication: the old address goes,
# the new one (encoding the new mapping, read from conntrack) comes, in
# "ip -6 addr" and in "teredo-nl show -j", and "teredo-nl monitor"
# reports the new address.
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd miredo-server conntrack nft python3 teredo-nl
require_module teredo
ktap_plan 13

MON=$TOPO_TMP/monitor.jsonl
# addr_events: the addresses of the monitor's address events so far
addr_events() {
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("event") == "address":
        print(e.get("address"))' "$MON"
}

# wait_addr OLD SECONDS: the client's address is no longer OLD, and
# "ip -6 addr" and "teredo-nl show" agree on it.
wait_addr() {
	local end=$((SECONDS + $2)) a s
	while [ $SECONDS -lt $end ]; do
		a=$(topo_global_addr c1 t0)
		s=$(topo_show 1 t0 address)
		[ -n "$a" ] && [ "$a" != "$1" ] && [ "$a" = "$s" ] && return 0
		sleep 0.3
	done
	return 1
}

# mapping_is ADDR: ADDR and "show" both name the NAT's mapping now
mapping_is() {
	local map dec
	map=$(topo_mapping 1)
	dec=$(teredo_addr_decode "$1" | cut -d' ' -f3)
	diag "address $1 encodes $dec; NAT's mapping $map; show:" \
		"$(topo_show 1 t0 mapped_addr):$(topo_show 1 t0 mapped_port)"
	[ -n "$map" ] && [ "$dec" = "$map" ] &&
		[ "$(topo_show 1 t0 mapped_addr):$(topo_show 1 t0 mapped_port)" = "$map" ]
}

topo_build 1
topo_server_start
in_ns c1 ip link add t0 type teredo || fail_all "ip link add t0 type teredo"
in_ns c1 teredo-nl -j monitor t0 > "$MON" 2> "$TOPO_TMP/monitor.err" &
TOPO_PIDS+=("$!")
sleep 0.5
# dormant-timeout 0: nothing authorized is sent here, and on a slow
# (debug) kernel the test outlasts the default idle timeout
check "configured (refresh 4 s)" \
	in_ns c1 teredo-nl set t0 server 192.0.2.1 refresh 4 dormant-timeout 0
in_ns c1 ip link set t0 up
check "qualifies" topo_wait_state 1 t0 qualified 20
a0=$(topo_global_addr c1 t0)
check "address encodes the mapping" mapping_is "$a0"

# 1. conntrack flushed: the next refresh makes a new NAT mapping, maybe
#    with the same port (masquerade keeps ports when it can).
in_ns nat1 conntrack -F >/dev/null 2>&1
sleep 8
a1=$(topo_global_addr c1 t0)
one_mapped() { test "$(wc -w <<< "$1")" = 1 && mapping_is "$1"; }
check "conntrack flushed: one address, encoding the mapping now" one_mapped "$a1"

# 2. the NAT's outside address changes (the ISP gave a new one)
in_ns nat1 ip -batch - <<-IP
	addr del 198.51.100.1/24 dev wan
	addr add 198.51.100.7/24 dev wan
	route replace default via 198.51.100.254
IP
in_ns nat1 conntrack -F >/dev/null 2>&1
check "outside address changed: new address within 2 refreshes" wait_addr "$a1" 15 ||
	{ topo_diag 1 t0; diag "$(tail -5 "$TOPO_TMP/server.log")"; }
a2=$(topo_global_addr c1 t0)
check "one global address, not the old one" \
	test "$(wc -w <<< "$a2")" = 1 -a "$a2" != "$a1"
check "old address gone from ip -6 addr" test -n "$a1" -a -n "$a2" &&
	bash -c "! ip netns exec $(ns c1) ip -6 addr show dev t0 | grep -q '$a1/'"
# (the conntrack flush may have raced the refresh that got the new
# mapping: its entry then comes back with the next refresh)
on_new_ip() {
	local i
	for i in $(seq 20); do
		[[ $(topo_mapping 1) == 198.51.100.7:* ]] && break
		sleep 0.5
	done
	mapping_is "$1" && [[ $(topo_mapping 1) == 198.51.100.7:* ]]
}
check "new address encodes the new mapping on 198.51.100.7" on_new_ip "$a2"
check "teredo-nl show: still qualified" test "$(topo_show 1 t0 state)" = qualified
sleep 0.5
# one snapshot of the events for the diagnostic and both checks
ev=$(addr_events)
diag "monitor's address events: $(tr '\n' ' ' <<< "$ev")"
check "monitor: an address event for the new address" \
	test -n "$a2" -a -n "$(grep -x "$a2" <<< "$ev")"
check "monitor: the new address is the last one announced" \
	test -n "$a2" -a "$(tail -n1 <<< "$ev")" = "$a2" ||
	diag "state now: $(topo_show 1 t0 state), events now: $(addr_events | tr '\n' ' ')"
routes=$(in_ns c1 ip -6 route show dev t0)
check "routes still there (2001::/32, default)" \
	bash -c "grep -q '^2001::/32' <<< '$routes' && grep -q '^default' <<< '$routes'"
check "monitor wrote no errors" test ! -s "$TOPO_TMP/monitor.err"

tap_end
