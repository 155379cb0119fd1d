#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# soak: a 100k-peer table and its dumps (the dump's kernel side: netlink_events, peer_gc)
# timeout=900
# Issue 4: a 100k-peer dump is complete and consistent.  teredo-gen sends
# one valid direct bubble from each of N spoofed Teredo sources (embedded
# mapping = outer IPv4:port) to our qualified client, which makes N
# trusted peers.  "teredo-nl -j peers" must list exactly that set
# (addresses and mappings), and a dump taken while peers are added (new
# sources) and deleted (ynl peer-del) must list every stable peer exactly
# once, nothing twice, nothing unknown.  The ynl CLI dump is checked the
# same way on the first NY peers: its Python decoder manages about 1.4k
# peers/s under TCG on a quiet machine, many minutes for 100k on a busy one.
#
# SCALE_PEERS=N, SCALE_YNL_PEERS=NY (defaults 100000, 10000; 3000, 300 on
# the debug kernel).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd miredo-server conntrack nft python3 teredo-nl teredo-gen
require_module teredo
ktap_plan 9

# On the debug kernel (VM_TIMEOUT_SCALE > 1) teredo-gen itself sends only
# about 180 packets/s (KASAN on the raw socket's path) and a peer lives
# 60 s after its last packet: 3000 peers there, sent in about 17 s.
if [ "$TSCALE" -gt 1 ]; then
	N=${SCALE_PEERS:-3000} NY=${SCALE_YNL_PEERS:-300}
else
	N=${SCALE_PEERS:-100000} NY=${SCALE_YNL_PEERS:-10000}
fi
CHURN=$((N / 5))
DEL=$((N / 100))
PORT=3545
YNL=/usr/src/linux-source-6.12/tools/net/ynl/cli.py
YNL_SCHEMA=/usr/src/linux-source-6.12/Documentation/netlink/genetlink-legacy.yaml
SPEC=$HERE/../Documentation/netlink/specs/teredo.yaml
T=$TOPO_TMP
have_ynl=1
[ -e "$YNL" ] && python3 -c 'import yaml, jsonschema' 2> /dev/null || have_ynl=0

ms() { echo $(($(date +%s%N) / 1000000)); }
peer_count() { topo_show 1 t0 peers; }

topo_build 1
topo_server_start
check "client configured (max-peers $((2 * N)))" \
	topo_teredo 1 t0 port $PORT refresh 300 dormant-timeout 0 max-peers $((2 * N)) || tap_end
check "client qualifies" topo_wait_state 1 t0 qualified 30 || tap_end
me=$(topo_show 1 t0 address)
diag "client $me, sending to 10.0.1.2:$PORT"

# gen OFFSET COUNT: bubbles from sources OFFSET..OFFSET+COUNT-1 (in c1, over
# loopback to the client's own socket: no NAT, no conntrack in the way)
gen() {
	in_ns c1 teredo-gen -d 10.0.1.2:$PORT -m "$me" -o "$1" -n "$2"
}

# A peer lives 60 s after its last packet, and dumps under TCG on a busy
# machine take a while: the refresher sends, every pass + 10 s, one packet
# from each source range of $T/live ("OFFSET COUNT" lines) until $T/stop.
# live RANGE...: new ranges; returns once no pass over the old ones runs.
refresher() {
	while [ ! -e "$T/stop" ]; do
		cp "$T/live" "$T/live.cur"
		touch "$T/ack"
		while read -r off cnt; do
			gen "$off" "$cnt"
		done < "$T/live.cur"
		for _ in $(seq 10); do
			[ -e "$T/stop" ] || [ ! -e "$T/ack" ] && break
			sleep 1
		done
	done 2> /dev/null
}
live() {
	rm -f "$T/ack"
	printf '%s\n' "$@" > "$T/live.new"
	mv "$T/live.new" "$T/live"
	wait_for "[ -e $T/ack ]" 300 || diag "the refresher did not take the new ranges"
}
RPID=
# (wait for the refresher only: topo's servers run in the background too)
defer 'touch "$T/stop"; [ -n "$RPID" ] && wait $RPID'

# verify FILE EXPECTED_FILE [OPTIONAL_FILE]: the dump lists every address of
# EXPECTED once, each with the mapping its address embeds and trusted;
# nothing twice; nothing outside EXPECTED + OPTIONAL.
verify() {
	python3 - "$@" <<-'PY'
	import ipaddress, json, sys
	def load(path):
	    return set(l.strip() for l in open(path)) if path else set()
	peers = json.load(open(sys.argv[1]))
	want = load(sys.argv[2])
	opt = load(sys.argv[3] if len(sys.argv) > 3 else "")
	addrs = [p["address"] for p in peers]
	seen = set(addrs)
	err = []
	if len(addrs) != len(seen):
	    err.append("%d listed twice" % (len(addrs) - len(seen)))
	if want - seen:
	    err.append("%d missing, e.g. %s" % (len(want - seen), sorted(want - seen)[0]))
	extra = seen - want - opt
	if extra:
	    err.append("%d unexpected, e.g. %s" % (len(extra), sorted(extra)[0]))
	for p in peers:
	    a = ipaddress.IPv6Address(p["address"]).packed
	    ip = str(ipaddress.IPv4Address(bytes(b ^ 0xff for b in a[12:16])))
	    port = int.from_bytes(a[10:12], "big") ^ 0xffff
	    if (p["mapped_addr"], p["mapped_port"], p["trusted"]) != (ip, port, True):
	        err.append("bad content %s" % p)
	        break
	print("; ".join(err) if err else "ok: %d listed" % len(addrs))
	sys.exit(1 if err else 0)
	PY
}

teredo-gen -l -n "$NY" > "$T/first"
teredo-gen -l -n "$N" > "$T/stable_and_deleted"
teredo-gen -l -n "$DEL" > "$T/deleted"
teredo-gen -l -o "$N" -n "$CHURN" > "$T/churn"

# --- the ynl CLI on the first NY peers --------------------------------------
gen 0 "$NY" 2> /dev/null
echo "0 $NY" > "$T/live"
refresher &
RPID=$!
if [ $have_ynl = 1 ]; then
	check "$NY peers created" wait_for "[ \"\$(peer_count)\" = $NY ]" 60
	t0=$(ms)
	in_ns c1 python3 "$YNL" --spec "$SPEC" --schema "$YNL_SCHEMA" \
		--dump peer-get --json '{"ifname": "t0"}' --output-json > "$T/ynl.raw"
	diag "ynl peer-get dump of $NY peers: $(($(ms) - t0)) ms"
	python3 - "$T/ynl.raw" "$T/ynl.json" <<-'PY'
	import ipaddress, json, socket, struct, sys
	out = []
	for msg in json.load(open(sys.argv[1])):
	    p = msg.get("peer") or {}
	    a = p.get("address")
	    if isinstance(a, str) and ":" not in a:
	        a = bytes.fromhex(a)
	    m = p.get("mapped-addr")
	    if isinstance(m, int):
	        m = socket.inet_ntoa(struct.pack("!I", m))
	    out.append({"address": str(ipaddress.IPv6Address(a)), "mapped_addr": m,
	                "mapped_port": p.get("mapped-port"), "trusted": bool(p.get("trusted"))})
	json.dump(out, open(sys.argv[2], "w"))
	PY
	out=$(verify "$T/ynl.json" "$T/first")
	check "ynl peer-get dump: exactly the $NY sources ($out)" test "${out%%:*}" = ok
else
	not_ok "ynl peer-get dump" "no $YNL or python3-jsonschema: make deps (setup-host.sh)"
fi

# --- N peers from N sources -------------------------------------------------
kb0=$(unreclaimable_kb)
t0=$(ms)
gen "$NY" $((N - NY)) 2> "$T/gen.log"
diag "generator: $(cat "$T/gen.log")"
live "0 $N"
check "$N peers created" wait_for "[ \"\$(peer_count)\" = $N ]" 60 ||
	diag "peers: $(peer_count)"
diag "$((N - NY)) more peers in $(($(ms) - t0)) ms"
kb1=$(unreclaimable_kb)
diag "unreclaimable slab $kb0 -> $kb1 kB: $(((kb1 - kb0) * 1024 / (N - NY))) bytes per peer" \
	"(teredo_peer object: $(cat /sys/kernel/slab/teredo_peer/slab_size 2> /dev/null) bytes)"

t0=$(ms)
in_ns c1 teredo-nl -j peers t0 > "$T/dump.json"
diag "teredo-nl -j peers: $N peers dumped in $(($(ms) - t0)) ms"
out=$(verify "$T/dump.json" "$T/stable_and_deleted")
check "teredo-nl peers -j: exactly the $N sources, mappings right ($out)" \
	test "${out%%:*}" = ok

# --- a dump while peers come and go ---------------------------------------
# $DEL peers deleted one by one (in one ynl process), $CHURN new ones
# arriving, during the dump: every other peer must be listed exactly once.
comm -23 <(sort "$T/stable_and_deleted") <(sort "$T/deleted") > "$T/stable"
cat "$T/deleted" "$T/churn" > "$T/changing"
cat "$T/stable" "$T/churn" > "$T/final"
cat > "$T/del.py" <<-PY
	import ipaddress, sys
	sys.path.insert(0, "$(dirname "$YNL")")
	from lib import YnlFamily
	ynl = YnlFamily("$SPEC", "$YNL_SCHEMA")
	for i, line in enumerate(open("$T/deleted")):
	    a = ipaddress.IPv6Address(line.strip()).packed
	    ynl.do("peer-del", {"ifname": "t0", "peer": {"address": a}})
	    if i == 0:
	        open("$T/del.started", "w").close()
PY
if [ $have_ynl = 1 ]; then
	live "$DEL $((N - DEL))" "$N $CHURN"
	in_ns c1 python3 "$T/del.py" 2> "$T/del.log" &
	dpid=$!
	wait_for "[ -e $T/del.started ]" 120 || diag "peer-del did not start"
else
	live "0 $N" "$N $CHURN"
	cat "$T/stable_and_deleted" "$T/churn" > "$T/final"
fi
gen "$N" "$CHURN" 2> "$T/churn.log" &
gpid=$!
sleep 0.2
t0=$(ms)
in_ns c1 teredo-nl -j peers t0 > "$T/dump2.json"
diag "dump under churn: $(($(ms) - t0)) ms"
wait $gpid
[ $have_ynl = 1 ] && { wait $dpid || diag "del: $(tail -3 "$T/del.log")"; }
out=$(verify "$T/dump2.json" "$T/stable" "$T/changing")
check "dump under churn: every stable peer once, nothing unknown ($out)" \
	test "${out%%:*}" = ok
after=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))))' "$T/dump2.json")
diag "dump under churn listed $after peers (stable $(wc -l < "$T/stable"), $CHURN arriving, $DEL leaving)"

# --- quiet again: the exact set ----------------------------------------------
in_ns c1 teredo-nl -j peers t0 > "$T/dump3.json"
out=$(verify "$T/dump3.json" "$T/final")
check "after the churn: exactly the expected set ($out)" test "${out%%:*}" = ok
n=$(peer_count)
check "show: peer count = dump length ($n)" test "$n" = "$(wc -l < "$T/final")"
touch "$T/stop"
wait $RPID
RPID=
tap_end
