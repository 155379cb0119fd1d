#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=240
# Issue 19 item 1: servers by name, with failover.  Two miredo-servers
# in "srv": A on 192.0.2.1/.2 (topo's) and B on 192.0.2.3/.4.  A test
# /etc (an overlay over the guest's, undone at the end) maps the name
# teredo.test to both, and /etc/teredo/t0.conf says "server =
# teredo.test", as teredo@.service would use it.  "teredo-nl monitor t0"
# runs all along.
#  - "set t0 server teredo.test": both A records become the candidate
#    list, in order; the client qualifies against the first, A;
#  - A dies: within 30 s (one round of 3 RS to A after the next refresh)
#    the client qualifies against B: "teredo-nl -j show" names B in use,
#    the address names B, server_failovers = 1, the monitor printed the
#    server-lost event (A lost, B in use), and a ping to a native host
#    (echo test through B, then the relay) is answered;
#  - the name's records change (teredo.test -> A only, A back, B dies):
#    on the server-lost event the monitor resolves the name again and
#    sets the list [A]: the client qualifies against A.
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
ktap_plan 17

A=192.0.2.1
B=192.0.2.3
MON=$TOPO_TMP/monitor.jsonl

# jshow KEY: a key of "teredo-nl -j show t0" in c1, a list space-separated
jshow() {
	in_ns c1 teredo-nl -j show t0 | python3 -c '
import json, sys
d = json.load(sys.stdin)
d = d[0] if isinstance(d, list) else d
v = d.get(sys.argv[1])
print(" ".join(v) if isinstance(v, list) else v)' "$1"
}

# wait_in_use ADDR SECONDS: qualified, with ADDR the server in use
wait_in_use() {
	local end=$((SECONDS + $2))
	while [ $SECONDS -lt "$end" ]; do
		[ "$(jshow state 2> /dev/null) $(jshow server_in_use 2> /dev/null)" = \
			"qualified $1" ] && return 0
		sleep 0.2
	done
	return 1
}

# lost_events: the monitor's server-lost events as "LOST>IN_USE" words
lost_events() {
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("event") == "server-lost":
        print("%s>%s" % (e.get("server_lost"), e.get("server_in_use")))' "$MON" |
		tr '\n' ' '
}

# the second miredo-server, B (topo's files server-b.*)
server_b_start() { topo_server_start -b "$B" 192.0.2.4; }
server_b_stop() { topo_server_stop -b; }

# A writable /etc for the name and the boot configuration.
mkdir -p "$TOPO_TMP/etc-up" "$TOPO_TMP/etc-work"
mount -t overlay overlay \
	-o "lowerdir=/etc,upperdir=$TOPO_TMP/etc-up,workdir=$TOPO_TMP/etc-work" /etc ||
	skip_all "cannot mount an overlay over /etc"
defer "umount -l /etc"
printf '%s teredo.test\n%s teredo.test\n' "$A" "$B" >> /etc/hosts
mkdir -p /etc/teredo
printf 'server = teredo.test\n' > /etc/teredo/t0.conf

topo_build 1
in_ns srv ip addr add 192.0.2.3/25 dev eth0
in_ns srv ip addr add 192.0.2.4/25 dev eth0
topo_server_start
server_b_start
topo_relay_start

# a short refresh: a lost server is noticed within 5 s + 3 RS (12 s)
topo_teredo 1 t0 refresh 5 || diag "topo_teredo failed"
in_ns c1 teredo-nl -j monitor t0 > "$MON" 2> "$TOPO_TMP/monitor.err" &
TOPO_PIDS+=($!)
sleep 0.5

check "set t0 server teredo.test (two A records)" \
	in_ns c1 teredo-nl set t0 server teredo.test
check "servers: both records, in order" test "$(jshow servers)" = "$A $B"
check "qualifies against the first, $A, within 15 s" wait_in_use "$A" 15
check "server_failovers = 0" test "$(topo_stat c1 t0 server_failovers)" = 0

# --- the first server dies ---------------------------------------------
topo_server_stop
t0=$SECONDS
wait_in_use "$B" 30
took=$((SECONDS - t0))
diag "qualified against $B ${took} s after $A died"
check "qualified against the second, $B, within 30 s" test "$(jshow server_in_use)" = "$B" -a \
	"$(jshow state)" = qualified -a "$took" -le 30
read -r srv _ <<< "$(teredo_addr_decode "$(topo_global_addr c1 t0)")"
check "its address names $B" test "$srv" = "$B"
check "server_failovers = 1" test "$(topo_stat c1 t0 server_failovers)" = 1
check "show (text): server in use $B" \
	bash -c "ip netns exec $(ns c1) teredo-nl show t0 | grep -qx '	server in use $B'"
ev=$(lost_events)
diag "server-lost events: $ev"
check "monitor: server-lost, $A lost, $B in use" test "$ev" = "$A>$B "
check "ping to the native host through $B: 3 of 3" test "$(topo_ping3 c1 2001:db8:2::2)" = 3
check "the name did not change: the list neither" test "$(jshow servers)" = "$A $B"

# --- the name's records change ------------------------------------------
sed -i "/^$B teredo.test\$/d" /etc/hosts
topo_server_start
t0=$SECONDS
server_b_stop
wait_in_use "$A" 45
took=$((SECONDS - t0))
diag "qualified against $A ${took} s after $B died; monitor: $(cat "$TOPO_TMP/monitor.err")"
check "monitor resolved teredo.test again: servers $A" test "$(jshow servers)" = "$A"
check "qualified against $A again" test "$(jshow server_in_use) $(jshow state)" = "$A qualified"
check "monitor: server-lost, $B lost" grep -q "\"server_lost\": \"$B\"" "$MON"
check "the monitor said what it set" \
	grep -qx "teredo-nl: t0: servers of /etc/teredo/t0.conf resolved again: $A" \
	"$TOPO_TMP/monitor.err"
read -r srv _ <<< "$(teredo_addr_decode "$(topo_global_addr c1 t0)")"
check "its address names $A" test "$srv" = "$A"
check "set t0 server 192.0.2.1 alone: a list of one" \
	bash -c "ip netns exec $(ns c1) teredo-nl set t0 server $A &&
		test \"\$(ip netns exec $(ns c1) teredo-nl show t0 servers)\" = $A"

tap_end
