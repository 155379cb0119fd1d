#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The generic netlink family on a live client: "teredo-nl monitor" sees
# qualification (state qualifying -> qualified, then the address), a
# peer becoming trusted, a peer deleted (ynl peer-del: peer-expired),
# a requalification and the device going down; "show" and "peers"
# report what the kernel has (address, NAT mapping, counters, peers).
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd miredo-server conntrack python3 ping teredo-nl
require_module teredo
ktap_plan 29

YNL=/usr/src/linux-source-6.12/tools/net/ynl/cli.py
YNL_SCHEMA=/usr/src/linux-source-6.12/Documentation/netlink/genetlink-legacy.yaml
SPEC=$HERE/../Documentation/netlink/specs/teredo.yaml
MON=$TOPO_TMP/monitor.jsonl

# events [FILTER]: the monitor's events so far as "event state|address"
# lines (FILTER: a Python expression on e, default True).
events() {
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if eval(sys.argv[2]):
        what = {"state": e.get("state"), "address": e.get("address")}.get(
            e["event"], (e.get("peer") or {}).get("address"))
        print(e["event"], what)' \
		"$MON" "${1:-True}"
}

# wait_event PATTERN SECONDS: an event line matching PATTERN shows up.
# shellcheck disable=SC2317 # called through check
wait_event() {
	local end=$((SECONDS + $2))
	while [ "$SECONDS" -lt "$end" ]; do
		events | grep -q -E "$1" && return 0
		sleep 0.2
	done
	return 1
}

show_key() { topo_show 1 t0 "$1"; }
# shellcheck disable=SC2317 # called through check
quiet() { "$@" > /dev/null 2>&1; }

topo_build 2
topo_server_start
in_ns c1 ip link add t0 type teredo || fail_all "ip link add t0 type teredo"
in_ns c1 teredo-nl -j monitor t0 > "$MON" 2> "$TOPO_TMP/monitor.err" &
TOPO_PIDS+=("$!")
sleep 1
check "client 2 configured" topo_teredo 2 t0
topo_mark_output 1
# (as topo_teredo: its sockets carry no mark, and it must stay qualified)
check "client 1 set server" in_ns c1 teredo-nl set t0 server 192.0.2.1 allow "$TOPO_MARK" \
	inbound open dormant-timeout 0
check "client 1 up" in_ns c1 ip link set t0 up
check "client 1 qualifies" topo_wait_state 1 t0 qualified 20
check "client 2 qualifies" topo_wait_state 2 t0 qualified 20
check "monitor: address event" wait_event '^address 2001:0:c000:201:' 5

# --- qualification as events and as "show" ---------------------------------
seq=$(events | tr '\n' ';')
diag "events: $seq"
check "monitor: state qualifying, then qualified" \
	grep -q -E '(^|;)state qualifying;(.*;)?state qualified;' <<< "$seq"
a1=$(show_key address)
a2=$(topo_show 2 t0 address)
m1=$(topo_mapping 1)
check "monitor: the address event carries show's address" \
	grep -q -x "address $a1" <<< "$(events)"
check "show: mapped address and port are natN's mapping" \
	test "$(show_key mapped_addr):$(show_key mapped_port)" = "$m1" ||
	diag "show: $(show_key mapped_addr):$(show_key mapped_port), nat1: $m1;" \
		"$(in_ns nat1 conntrack -L -p udp 2> /dev/null | tr '\n' ';')"
stats=$(in_ns c1 teredo-nl -j show t0 | python3 -c '
import json, sys
s = json.load(sys.stdin)["stats"]
print(s["qualifications"], s["rx_ra"] >= 1, s["tx_rs"] >= 1)')
check "show: 1 qualification, RS sent, RA received" test "$stats" = "1 True True"
check "show: the same counters as ethtool -S" test \
	"$(in_ns c1 ethtool -S t0 | awk '$1 == "rx_ra:" { print $2 }')" = \
	"$(in_ns c1 teredo-nl -j show t0 | python3 -c 'import json, sys; print(json.load(sys.stdin)["stats"]["rx_ra"])')"

# --- a peer: trusted event, peers listing ------------------------------------
check "ping client 1 -> client 2" quiet in_ns c1 ping -c 1 -W 10 "$a2" ||
	{ topo_diag 1 t0 "$a2"; topo_diag 2 t0 "$a1"; }
check "monitor: peer-trusted event for client 2" wait_event "^peer-trusted $a2\$" 5
peers=$(in_ns c1 teredo-nl -j peers t0)
check "peers -j: client 2 trusted" python3 -c '
import json, sys
p = [p for p in json.loads(sys.argv[1]) if p["address"] == sys.argv[2]]
sys.exit(not (len(p) == 1 and p[0]["trusted"] is True and p[0]["mapped_port"] > 0))' \
	"$peers" "$a2"
check "peers (text): client 2 trusted" \
	bash -c "ip netns exec $(ns c1) teredo-nl peers t0 | grep -q '^$a2 mapped .* trusted'"
check "show: peer count matches peers" \
	test "$(show_key peers)" = "$(python3 -c 'import json, sys; print(len(json.loads(sys.argv[1])))' "$peers")"

# --- peer-del through ynl: peer-expired event, gone from peers ---------------
if [ -e "$YNL" ] && python3 -c 'import yaml, jsonschema' 2> /dev/null; then
	hex=$(python3 -c 'import ipaddress, sys; print(ipaddress.IPv6Address(sys.argv[1]).packed.hex())' "$a2")
	# a fresh exchange first: the peer idles out 60 s after it, and the
	# checks above plus ynl's start take tens of seconds on a debug kernel
	in_ns c1 ping -c 1 -W 5 "$a2" > /dev/null
	out=$(in_ns c1 python3 "$YNL" --spec "$SPEC" --schema "$YNL_SCHEMA" --do peer-del \
		--json "{\"ifname\": \"t0\", \"peer\": {\"address\": \"$hex\"}}" 2>&1)
	check "ynl peer-del client 2" test $? = 0 || diag "$out"
	check "monitor: peer-expired event for client 2" wait_event "^peer-expired $a2\$" 5
	check "peers: client 2 gone" bash -c \
		"! ip netns exec $(ns c1) teredo-nl peers t0 | grep -q '^$a2 '"
	out=$(in_ns c1 python3 "$YNL" --spec "$SPEC" --schema "$YNL_SCHEMA" --do peer-del \
		--json "{\"ifname\": \"t0\", \"peer\": {\"address\": \"$hex\"}}" 2>&1)
	check "ynl peer-del of an unknown peer: ENOENT 'no such peer'" \
		grep -q "no such peer" <<< "$out"
else
	not_ok "ynl peer-del" "no $YNL or python3-jsonschema: make deps (setup-host.sh)"
fi

# --- flush, qualify, down ----------------------------------------------------
in_ns c1 ping -c 1 -W 10 "$a2" > /dev/null
check "flush" in_ns c1 teredo-nl flush t0
check "flush: no peers left" test "$(in_ns c1 teredo-nl -j peers t0)" = "[]"
n_before=$(events 'e["event"] == "state"' | grep -c qualifying)
check "qualify" in_ns c1 teredo-nl qualify t0
check "qualify: monitor sees qualification start again" \
	bash -c "for i in \$(seq 50); do
		[ \$(python3 -c 'import json, sys; print(sum(1 for l in open(sys.argv[1]) if json.loads(l).get(\"state\") == \"qualifying\"))' $MON) -gt $n_before ] && exit 0
		sleep 0.2; done; exit 1"
check "qualify: qualified again" topo_wait_state 1 t0 qualified 20
check "down" in_ns c1 ip link set t0 down
check "monitor: state offline after down" wait_event '^state offline$' 5
check "every monitor line is one JSON object" \
	python3 -c 'import json, sys; [json.loads(l) for l in open(sys.argv[1])]' "$MON"
check "monitor wrote no errors" test ! -s "$TOPO_TMP/monitor.err"
ktap_finished
