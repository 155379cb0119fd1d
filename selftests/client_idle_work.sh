#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# waits: 60 s of an idle client, watched
# timeout=200
# Nothing runs periodically when nothing changes (issue 20 item 2): a
# qualified client kept awake (dormant-timeout 0), with no traffic and
# no peer, runs no work of the module's in 60 s but its refreshes'.
# The workqueue_execute_start tracepoint counts every work item the
# module runs (the function's name in the trace); its exposure
# evaluation runs only after something it depends on changed (at most
# once per refresh: the refresh's RA re-installs the route), the peer GC
# not at all on an empty table.  Then an IPv6 route added in the
# client's netns is seen at once: the exposure work runs within 2 s (the
# event path, and proof that the trace sees the module's work).
# Before: the exposure work ran every second (60 times) and the GC every
# 10 s (6 times).
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd miredo-server conntrack ethtool nft python3 teredo-nl
require_module teredo
ktap_plan 11

WINDOW=60
TR=/sys/kernel/tracing
[ -d "$TR/instances" ] || mount -t tracefs nodev "$TR" 2>/dev/null
INST=$TR/instances/teredo_idle_$$
# works FUNCTION: how many times the trace saw FUNCTION start
works() { grep -c "function $1\b" "$TOPO_TMP/trace" || true; }

topo_build 1
topo_server_start
check "client 1 configured (dormant-timeout 0: never idle)" topo_teredo 1 t0
check "client 1 qualifies" topo_wait_state 1 t0 qualified 20
sleep 5		# the address's DAD and the first RA's follow-ups

mkdir "$INST" 2>/dev/null
defer "rmdir $INST"
check "tracing: the workqueue_execute_start event in an instance" \
	sh -c "echo 4096 > $INST/buffer_size_kb &&
	       echo 1 > $INST/events/workqueue/workqueue_execute_start/enable"
rs=$(topo_stat c1 t0 tx_rs)
: > "$INST/trace"
diag "watching the module's work for $WINDOW s"
sleep "$WINDOW"
cat "$INST/trace" > "$TOPO_TMP/trace"
refreshes=$(($(topo_stat c1 t0 tx_rs) - rs))
grep -o "function teredo_[a-z0-9_]*" "$TOPO_TMP/trace" | sort | uniq -c |
	while read -r n f; do diag "$n x ${f#function }"; done
client=$(works teredo_client_work)
exposure=$(works teredo_exposure_work)
diag "refreshes (RS sent): $refreshes, client work runs: $client"
check "the client refreshed meanwhile (RS sent)" test "$refreshes" -ge 1
check "still qualified" test "$(topo_show 1 t0 state)" = qualified
check "the client work ran (the trace sees the module's work)" \
	test "$client" -ge 1
check "exposure work: at most once per refresh ($exposure, $refreshes refreshes)" \
	test "$exposure" -le "$refreshes"
check "peer GC: not run on an empty table ($(works teredo_gc_work))" \
	test "$(works teredo_gc_work)" = 0
others=$(grep -o "function teredo_[a-z0-9_]*" "$TOPO_TMP/trace" |
	grep -cv "teredo_client_work\|teredo_exposure_work\|teredo_nc_exp_work" ||
	true)
check "no other work of the module ran ($others)" test "$others" = 0

: > "$INST/trace"
in_ns c1 ip -6 route add 2001:db8:77::/48 dev lo
sleep 2
cat "$INST/trace" > "$TOPO_TMP/trace"
check "a route added: the exposure work runs within 2 s" \
	test "$(works teredo_exposure_work)" -ge 1
check "and the client stays qualified" \
	test "$(topo_show 1 t0 state)" = qualified
ktap_finished
