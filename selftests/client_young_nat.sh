#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# waits: pings 31-45 s after each qualification
# timeout=300
# Issue 17 item 4: refreshes that outlive young NAT mappings.  A NAT at
# Linux conntrack's defaults keeps a UDP mapping whose only answer came
# within 2 s of its creation (the qualifying RS and the server's RA) 30 s
# (nf_conntrack_udp_timeout), 120 s once it saw traffic later
# (udp_timeout_stream).  With the default 30 s interval, a first refresh
# drawn from 50-150 % of it came after the mapping was gone one time in
# two, and until then the server and peers reached the client through a
# mapping that no longer existed.  Here ROUNDS (10) clients, each behind
# its own NAT at conntrack's defaults (this test must not raise them),
# qualify against miredo-server with the default refresh; 32 s after
# each one qualified, a native IPv6 host pings it through a Miredo relay
# (whose bubbles reach the client through the server and that mapping).
# Every ping must be answered.  The old module fails it (10 clients:
# about 97 % of runs, see the commit).
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd miredo miredo-server conntrack ethtool nft python3 ping
require_module teredo
ROUNDS=${YOUNG_NAT_ROUNDS:-10}
AFTER=32	# seconds after qualification, inside 31-45
ktap_plan 5

# seconds (3 decimals) from bash's EPOCHREALTIME A to B
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# ping N ADDRESS Q: AFTER s after Q (when client N was seen qualified),
# a native host pings it; prints "N ping_offset_s received address"
ping_later() {
	local n=$1 a=$2 q=$3 at out
	sleep $AFTER
	at=$EPOCHREALTIME
	out=$(in_ns h6 ping -c 1 -W 5 "$a" 2>&1)
	echo "$n $(secs "$q" "$at") $(sed -n 's/.* \([0-9]*\) received.*/\1/p' <<< "$out") $a"
}

topo_build "$ROUNDS"
topo_server_start
topo_relay_start
d=$(in_ns nat1 sysctl -n net.netfilter.nf_conntrack_udp_timeout \
	net.netfilter.nf_conntrack_udp_timeout_stream | tr '\n' ' ')
check "NATs at conntrack's defaults (udp_timeout 30, stream 120)" test "$d" = "30 120 "

# configured down, then all brought up at once right before the poller
# watches them: configuring 10 takes long on a slow guest, and a client
# qualified meanwhile would be seen late, its ping late too
ok=1
for ((i = 1; i <= ROUNDS; i++)); do
	topo_teredo "$i" t0 && in_ns c"$i" ip link set t0 down || ok=0
done
check "$ROUNDS clients configured (default refresh)" test $ok = 1
check "default refresh interval 30 s" test "$(topo_show 1 t0 refresh)" = 30

# One poller for all (a light one: the guest is slow, and 10 pollers
# forking every 0.1 s delayed both the qualification they watched and
# the pings): a client is qualified once its Teredo address is on the
# device (no DAD on it), then its ping is scheduled.
for ((i = 1; i <= ROUNDS; i++)); do
	ip -n "$(ns c"$i")" link set t0 up
done
pids=() t0=$EPOCHREALTIME
declare -A took
pending=$(seq "$ROUNDS")
while [ -n "$pending" ] && [ "$(secs "$t0" "$EPOCHREALTIME" | cut -d. -f1)" -lt 90 ]; do
	left=""
	for n in $pending; do
		a=$(ip -n "$(ns c"$n")" -6 -o addr show dev t0 scope global 2>/dev/null |
			awk '{ split($4, x, "/"); print x[1]; exit }')
		if [ -z "$a" ]; then
			left+=" $n"
			continue
		fi
		q=$EPOCHREALTIME
		took[$n]=$(secs "$t0" "$q")
		ping_later "$n" "$a" "$q" > "$TOPO_TMP/round$n" &
		pids+=("$!")
	done
	pending=$left
	sleep 0.2
done
# (not a bare wait: miredo-server and the relay run in the background)
[ ${#pids[@]} -gt 0 ] && wait "${pids[@]}"
qual=0 answered=0 late=0
for ((i = 1; i <= ROUNDS; i++)); do
	n=$i at=- got=0 a=none
	[ -s "$TOPO_TMP/round$i" ] && read -r n at got a < "$TOPO_TMP/round$i"
	diag "client $n: qualified after ${took[$i]:--} s, pinged ${at} s later: ${got:-0} answered ($a)"
	[ "$a" != none ] && qual=$((qual + 1))
	[ "$got" = 1 ] && answered=$((answered + 1))
	# (a wait past 45 s would no longer test a young mapping)
	awk -v t="$at" 'BEGIN { exit !(t >= 31 && t <= 40) }' 2>/dev/null || late=$((late + 1))
	if [ "$got" != 1 ] && [ "$a" != none ]; then
		diag "client $n: $(in_ns c"$n" ethtool -S t0 | grep -E 'tx_rs|rx_ra|bubbles|drop_' | grep -v ': 0$' | tr -s ' \n' ' ')"
		diag "nat$n: $(in_ns nat"$n" conntrack -L -p udp 2>/dev/null | tr -s ' \n' ' ')"
	fi
done
check "$ROUNDS of $ROUNDS clients qualified, each pinged 31-40 s after" \
	test "$qual/$late" = "$ROUNDS/0"
check "native host -> client 31-40 s after qualification: $answered of $ROUNDS answered" \
	test "$answered" = "$ROUNDS"
tap_end
