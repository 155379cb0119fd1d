#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# soak: random and concurrent genl requests (strict parsing: netlink_strict, netlink_conf on every kernel)
# timeout=400
# Issue 8 item 6: the genl family under hostile and concurrent use, in
# raw netlink (selftests/tools/genl_fuzz.py), beyond what netlink_cli.sh
# does through teredo-nl: every attribute with a wrong length, type,
# range or nesting, read-only and unknown attributes, bad device
# references and a truncated attribute are each refused with an extack
# message and change no setting; then random messages of every command;
# then three setters, two dumpers and a peer flusher at once while
# client 1 pings client 2 and spoofed sources keep adding peers.  The
# harness checks the kernel log for oopses and WARNs.
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd miredo-server conntrack nft python3 ping teredo-nl teredo-gen
require_module teredo
ktap_plan 11

FUZZ=$HERE/tools/genl_fuzz.py
PORT=3545
SECS=20

topo_build 2
topo_server_start
check "client 1 configured" topo_teredo 1 t0 port $PORT refresh 300 || tap_end
# Client 2 keeps the default 30 s refresh: the first ping to it comes
# after the malformed and random phases, minutes on a debug kernel, and
# a client silent for longer than its NAT's UDP timeout (120 s) cannot
# be reached (the server's indirect bubble is unsolicited at its NAT).
check "client 2 configured" topo_teredo 2 t0 || tap_end
check "client 1 qualifies" topo_wait_state 1 t0 qualified 30 || tap_end
check "client 2 qualifies" topo_wait_state 2 t0 qualified 30 || tap_end
a1=$(topo_show 1 t0 address)
a2=$(topo_show 2 t0 address)

# --- one bad attribute at a time -------------------------------------------
in_ns c1 python3 "$FUZZ" cases t0 > "$TOPO_TMP/cases.tap"
rc=$?
grep '^not ok' "$TOPO_TMP/cases.tap" | while read -r l; do diag "$l"; done
n=$(grep -c '^ok' "$TOPO_TMP/cases.tap")
check "$n malformed requests refused with a message, settings unchanged" test $rc = 0
diag "e.g. $(grep -m3 '^ok' "$TOPO_TMP/cases.tap" | cut -d' ' -f3- | tr '\n' ';')"

# --- random messages -------------------------------------------------------
out=$(in_ns c1 python3 "$FUZZ" random t0 3000 2>&1)
check "random messages of every command answered ($out)" test $? = 0

# --- concurrent set, dump and flush while traffic flows ----------------------
in_ns c1 ping -i 0.2 -c $((SECS * 5)) -W 2 "$a2" > "$TOPO_TMP/ping.log" 2>&1 &
ppid=$!
(end=$((SECONDS + SECS)); while [ $SECONDS -lt $end ]; do
	in_ns c1 teredo-gen -d 10.0.1.2:$PORT -m "$a1" -n 500 -o $((RANDOM * 8)) > /dev/null 2>&1
done) &
gpid=$!
pids=()
for i in 1 2 3; do
	in_ns c1 python3 "$FUZZ" setter t0 $SECS "$TOPO_MARK" > "$TOPO_TMP/set$i.log" 2>&1 &
	pids+=($!)
done
for i in 1 2; do
	in_ns c1 python3 "$FUZZ" dumper t0 $SECS > "$TOPO_TMP/dump$i.log" 2>&1 &
	pids+=($!)
done
(end=$((SECONDS + SECS)); while [ $SECONDS -lt $end ]; do
	in_ns c1 teredo-nl flush t0 || exit 1; sleep 0.5; done) > "$TOPO_TMP/flush.log" 2>&1 &
pids+=($!)
fails=0
for p in "${pids[@]}"; do
	wait "$p" || fails=$((fails + 1))
done
wait $gpid
wait $ppid
diag "setters: $(cat "$TOPO_TMP"/set*.log | tr '\n' ' ')"
diag "dumpers: $(cat "$TOPO_TMP"/dump*.log | tr '\n' ' ')"
check "3 setters, 2 dumpers and a flusher at once: all succeeded" test $fails = 0 ||
	diag "$(tail -n 3 "$TOPO_TMP"/set*.log "$TOPO_TMP"/dump*.log "$TOPO_TMP/flush.log")"
diag "ping meanwhile: $(grep transmitted "$TOPO_TMP/ping.log")"
# kept being answered: at least half of them, and some in each 5 s slice
# of the phase, the last included (slices by icmp_seq: 25 pings each, as
# sent every 0.2 s; a reply's seq names when its request left)
slices=$(python3 -c '
import re, sys
n, secs = int(sys.argv[2]), int(sys.argv[3])
per = 25
got = [0] * ((n + per - 1) // per)
seqs = set()
for l in open(sys.argv[1]):
    m = re.search(r"icmp_seq=(\d+) ", l)
    if m and " bytes from " in l and int(m.group(1)) not in seqs:
        seqs.add(int(m.group(1)))
        got[(int(m.group(1)) - 1) // per] += 1
print(len(seqs), " ".join(map(str, got)))' "$TOPO_TMP/ping.log" $((SECS * 5)) $SECS)
read -r answered per_slice <<< "$slices"
check "pings 1 -> 2: at least half of $((SECS * 5)) answered ($answered)" \
	test "${answered:-0}" -ge $((SECS * 5 / 2))
check "pings 1 -> 2: answers in every 5 s slice, the last included ($per_slice)" \
	test -n "$per_slice" -a -z "$(grep -wo 0 <<< "$per_slice")"
# Once (6.1, CI with three guests on two cores) client 1 was found
# requalifying here: a refresh's RA lost under the spoofed flood is the
# suspect, not confirmed.  It must be qualified again within 30 s.
st=$(topo_show 1 t0 state)
[ "$st" = qualified ] ||
	diag "client 1 $st after the phase: $(in_ns c1 ethtool -S t0 | grep -v ': 0$' | tr -s ' \n' ' ')"
check "qualified (again within 30 s)" topo_wait_state 1 t0 qualified 30
out=$(in_ns c1 ping -c 2 -i 0.5 -W 5 "$a2" 2>&1)
check "ping 1 -> 2 afterwards: 2 of 2" grep -q " 2 received" <<< "$out" || diag "$out"
tap_end
