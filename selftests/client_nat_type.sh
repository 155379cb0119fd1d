#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=240
# waits: a refused client tries again one refresh interval (10 s) later
# Issue 17 item 2: NAT-type detection while qualifying (RFC 4380 5.2.1,
# RFC 6081).  Our client (local port 3545) qualifies against
# miredo-server, then sends one RS to the server's secondary address
# and compares the two mappings:
#  - behind Linux masquerade (one mapping per local port): "restricted",
#    qualified, a native host pinged through a Miredo relay;
#  - masquerade "fully-random" (a mapping per destination; the NAT's
#    conntrack shows the two mappings differ, and the kernel reports
#    exactly those): "symmetric", no 2001: address and no route, the
#    state's reason says why, qualify_symmetric_nat counts each refused
#    round, the kernel log says it once, a new round a refresh interval
#    later (not a tight loop);
#  - SNAT to ports 40001/40002: "sequential-port-symmetric"; SNAT
#    keeping port 3545 towards the primary only: "port-preserving";
#  - the NAT back to plain masquerade: the refused client qualifies at
#    its next round by itself;
#  - a client with a global address (no NAT): "none", qualified, its
#    address encoding its own address and port.
# teredo-nl -j show gives nat, local_addr/local_port, nat_mapped* and
# state_reason; the text output has "nat: ..." and "local: ..." lines.
# teredo-nl monitor's state events carry the same nat and state_reason
# (JSON keys), "nat KIND reason: TEXT" in text.
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
ktap_plan 39

REFRESH=10
PORT=3545
cnt() { topo_stat c1 t0 "$1"; }
show() { topo_show 1 t0 "$1"; }
# conntrack's mapping of c1's flow to server address $1
ct_map() {
	in_ns nat1 conntrack -L -p udp --orig-dst "$1" --orig-port-dst 3544 \
		2>/dev/null |
		sed -n "s/.*src=${1//./\\.} dst=\([0-9.]*\) sport=3544 dport=\([0-9]*\).*/\1:\2/p" |
		head -n1
}
# nat_rules RULE...: nat1's postrouting NAT rules, its mappings forgotten
nat_rules() {
	local r rules=""
	for r in "$@"; do
		rules+="add rule inet nat post oifname \"wan\" $r
"
	done
	in_ns nat1 nft -f - <<-NFT
		flush chain inet nat post
		$rules
	NFT
	in_ns nat1 conntrack -F 2>/dev/null
	return 0
}
# wait_nat KIND SECONDS: teredo-nl reports KIND
wait_nat() {
	wait_for "[ \"\$(show nat)\" = $1 ]" "$2"
}
klog_count() { dmesg | grep -c "$1" || true; }
routes() { in_ns c1 ip -6 route show dev t0 | grep -E '^(2001::/32|default)' || true; }

topo_build 1
topo_server_start
topo_relay_start

# 1. masquerade: one mapping for both server addresses
check "client configured (port $PORT, refresh $REFRESH)" \
	topo_teredo 1 t0 port $PORT refresh $REFRESH
check "masquerade: qualifies within 20 s" topo_wait_state 1 t0 qualified 20 ||
	topo_diag 1 t0
map=$(ct_map 192.0.2.1)
diag "nat $(show nat), mapping $map (conntrack: .2 $(ct_map 192.0.2.2))"
check "masquerade: nat restricted" test "$(show nat)" = restricted
check "local_addr:local_port 10.0.1.2:$PORT" \
	test "$(show local_addr):$(show local_port)" = "10.0.1.2:$PORT"
check "nat_mapped = nat_mapped2 = conntrack's mapping ($map)" test -n "$map" -a \
	"$(show nat_mapped_addr):$(show nat_mapped_port)/$(show nat_mapped2_addr):$(show nat_mapped2_port)" = "$map/$map"
check "no state_reason" test "$(show state_reason)" = None
txt=$(in_ns c1 teredo-nl show t0)
check "text: a line \"local: 10.0.1.2:$PORT\"" \
	grep -qx $'\tlocal: 10.0.1.2:'$PORT <<< "$txt" || diag "$txt"
check "text: a line \"nat: restricted ...\"" \
	grep -q $'^\tnat: restricted ' <<< "$txt"
check "address and route 2001::/32 installed" \
	test -n "$(topo_global_addr c1 t0)" -a -n "$(routes)"
r=$(topo_ping3 c1 2001:db8:2::2)
check "client -> native host through the relay: ${r:-0}/3" test "${r:-0}" -ge 2 ||
	topo_diag 1 t0 2001:db8:2::2
check "qualify_symmetric_nat 0" test "$(cnt qualify_symmetric_nat)" = 0

# 2. masquerade fully-random: a mapping per destination
MON=$TOPO_TMP/monitor.jsonl MONT=$TOPO_TMP/monitor.txt
in_ns c1 teredo-nl -j monitor t0 > "$MON" 2>&1 &
TOPO_PIDS+=("$!")
in_ns c1 teredo-nl monitor t0 > "$MONT" 2>&1 &
TOPO_PIDS+=("$!")
sleep 1
nat_rules "masquerade fully-random"
w0=$(klog_count "t0: symmetric NAT")
in_ns c1 teredo-nl qualify t0
check "fully-random: nat symmetric within 20 s" wait_nat symmetric 20 ||
	topo_diag 1 t0
# (first: the next round is due REFRESH s after the refusal)
n1=$(cnt qualify_symmetric_nat) rs1=$(cnt tx_rs) at=$SECONDS
m1=$(ct_map 192.0.2.1) m2=$(ct_map 192.0.2.2)
diag "conntrack: to 192.0.2.1 $m1, to 192.0.2.2 $m2"
check "the NAT's two mappings really differ" test -n "$m1" -a -n "$m2" -a "$m1" != "$m2"
check "kernel reports them (RA origin indications)" \
	test "$(show nat_mapped_addr):$(show nat_mapped_port)/$(show nat_mapped2_addr):$(show nat_mapped2_port)" = "$m1/$m2"
check "state qualifying" test "$(show state)" = qualifying
check "state_reason says why" \
	test "$(show state_reason)" = "symmetric NAT: peers cannot reach us"
check "text: reason line" bash -c "ip netns exec $(ns c1) teredo-nl show t0 |
	grep -qx $'\treason: symmetric NAT: peers cannot reach us'"
check "no global address on t0" test -z "$(topo_global_addr c1 t0)"
check "no 2001::/32 or default route on t0" test -z "$(routes)" ||
	diag "routes: $(routes | tr '\n' ';')"
check "no address in teredo-nl show" test "$(show address)" = None
check "qualify_symmetric_nat counts it ($n1)" test "${n1:-0}" -ge 1
check "kernel log says it once" test "$(($(klog_count "t0: symmetric NAT") - w0))" = 1
# the monitor's state event of the refusal
ev=$(python3 -c '
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["event"] == "state" and e.get("nat") == "symmetric":
        print(e["state"], "/", e.get("state_reason"))' "$MON" | tail -n1)
check "monitor -j: state event with nat symmetric and state_reason" \
	test "$ev" = "qualifying / symmetric NAT: peers cannot reach us" ||
	diag "monitor: $(tail -n 3 "$MON" | tr '\n' ' ')"
check "monitor -j: events that are no refusal carry nat, state_reason null" \
	python3 -c '
import json, sys
e = [json.loads(l) for l in open(sys.argv[1])]
sys.exit(not any(x.get("nat") in ("restricted", "unknown") and
                 "state_reason" in x and x["state_reason"] is None
                 for x in e if x["event"] == "state"))' "$MON"
check "monitor text: \"nat symmetric reason: ...\"" \
	grep -q '^t0 state state qualifying nat symmetric reason: symmetric NAT: peers cannot reach us$' \
	"$MONT" || diag "monitor: $(tail -n 3 "$MONT" | tr '\n' ' ')"
# the next round comes a refresh interval later, refused again (each
# round: an RS and the probe); the checks above take seconds under TCG
wait=$((at + REFRESH + 4 - SECONDS))
[ "$wait" -gt 0 ] && sleep "$wait"
n2=$(cnt qualify_symmetric_nat) rs2=$(cnt tx_rs) el=$((SECONDS - at))
diag "after $el s: qualify_symmetric_nat $n1 -> $n2, tx_rs $rs1 -> $rs2"
check "retried once per refresh interval (1-$((el / REFRESH + 1)) rounds in $el s)" \
	test $((n2 - n1)) -ge 1 -a $((n2 - n1)) -le $((el / REFRESH + 1))
check "no tight loop: at most $((2 * (el / REFRESH + 1))) RS in $el s" \
	test $((rs2 - rs1)) -le $((2 * (el / REFRESH + 1)))
check "still not logged again" test "$(($(klog_count "t0: symmetric NAT") - w0))" = 1
check "still no address" test -z "$(topo_global_addr c1 t0)"

# 3. port-symmetric NATs of RFC 6081
nat_rules "ip daddr 192.0.2.1 udp dport 3544 snat ip to 198.51.100.1:40001" \
	"ip daddr 192.0.2.2 udp dport 3544 snat ip to 198.51.100.1:40002"
in_ns c1 teredo-nl qualify t0
check "ports 40001, 40002: sequential-port-symmetric" \
	wait_nat sequential-port-symmetric 20 || diag "nat: $(show nat)"
check "  its reason" test "$(show state_reason)" = \
	"sequential port-symmetric NAT: peers cannot reach us"
nat_rules "ip daddr 192.0.2.1 udp dport 3544 snat ip to 198.51.100.1:$PORT" \
	"ip daddr 192.0.2.2 udp dport 3544 snat ip to 198.51.100.1:40002"
in_ns c1 teredo-nl qualify t0
check "port $PORT kept towards the primary only: port-preserving" \
	wait_nat port-preserving 20 || diag "nat: $(show nat)"
check "  no address" test -z "$(topo_global_addr c1 t0)"

# 4. plain masquerade again: the next round qualifies, nothing asked
nat_rules "masquerade"
check "NAT fixed: qualified by the next round (within $((REFRESH + 10)) s)" \
	topo_wait_state 1 t0 qualified $((REFRESH + 10)) || topo_diag 1 t0
check "  nat restricted, no state_reason" \
	test "$(show nat)/$(show state_reason)" = restricted/None

# 5. no NAT: a client with a global IPv4 address on the "internet"
ip netns add "$(ns c9)"
topo_veth rt n9 c9 eth0
in_ns rt ip addr add 198.18.9.254/24 dev n9
in_ns c9 ip -batch - <<-IP
	link set lo up
	addr add 198.18.9.2/24 dev eth0
	route add default via 198.18.9.254
IP
check "no NAT: client configured" topo_teredo 9 t0 port $PORT refresh $REFRESH
check "no NAT: qualifies within 20 s" topo_wait_state 9 t0 qualified 20
dec=$(teredo_addr_decode "$(topo_global_addr c9 t0 | head -n1)")
diag "no NAT: nat $(topo_show 9 t0 nat), address decodes as $dec"
check "no NAT: nat none, local 198.18.9.2:$PORT" \
	test "$(topo_show 9 t0 nat)/$(topo_show 9 t0 local_addr):$(topo_show 9 t0 local_port)" = "none/198.18.9.2:$PORT"
check "no NAT: the address encodes our own 198.18.9.2:$PORT" \
	test "${dec##* }" = "198.18.9.2:$PORT"
tap_end
