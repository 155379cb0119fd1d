#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=240
# Least exposure, inbound: decapsulated packets carry the device's
# rxmark, and with the shipped ruleset (tools/nft/teredo.nft, loaded
# as is with one "nft -f") an unauthorized listener on the Teredo
# address receives nothing while an authorized one (socket mark 0x10)
# does; replies to an authorized outbound flow pass; an unsolicited
# ping is dropped by the ruleset.
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd miredo-server conntrack ethtool nft python3 ping
require_module teredo
ktap_plan 15

RULESET=$HERE/../tools/nft/teredo.nft

topo_build 2
# client 2 reaches client 1 through the server (indirect bubbles), by
# the mapping of client 1's last RS: on the debug kernel more than
# conntrack's 30 s for a young UDP entry can pass before that (and a
# refresh comes at 15-27 s after the last RA)
topo_nat_udp_timeout 1 300 || fail_all "no conntrack UDP timeout sysctls in nat1"
topo_server_start
# shellcheck disable=SC2317 # called through check
# (this test is about the ruleset: "inbound open" leaves the filtering to
# it, and dormant-timeout 0 keeps the device qualified for the unsolicited
# traffic with nothing authorized sent yet, as before issue 24)
setup1() { TOPO_AUTH=0 topo_teredo 1 t0 allow 0x10 rxmark 0x99 inbound open dormant-timeout 0; }
check "client 1 configured: allow 0x10, rxmark 0x99" setup1
check "client 2 configured" topo_teredo 2 t0
check "client 1 qualifies" topo_wait_state 1 t0 qualified 20
check "client 2 qualifies" topo_wait_state 2 t0 qualified 20
a1=$(topo_show 1 t0 address)
a2=$(topo_show 2 t0 address)
diag "client 1 $a1, client 2 $a2"

check "the shipped ruleset loads with one nft -f" in_ns c1 nft -f "$RULESET"
check "loading it again replaces it" in_ns c1 nft -f "$RULESET"
# what comes out of the tunnel, by mark (before the ruleset's chain)
in_ns c1 nft -f - <<-NFT
	table inet rxm {
		chain in {
			type filter hook input priority filter - 10; policy accept;
			iifname "t0" meta mark 0x99 counter
		}
	}
NFT

cat > "$TOPO_TMP/listen.py" <<'PY'
import select, socket, sys, time
addr, secs = sys.argv[1], float(sys.argv[2])
socks = {}
for port, mark in ((5000, 0), (5001, 0x10)):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    if mark:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_MARK, mark)
    s.bind((addr, port))
    socks[s] = port
got = {5000: 0, 5001: 0}
open(sys.argv[3], "w").write("ready\n")
end = time.monotonic() + secs
while time.monotonic() < end:
    r, _, _ = select.select(list(socks), [], [], 0.2)
    for s in r:
        s.recv(2000)
        got[socks[s]] += 1
print(got[5000], got[5001])
PY
in_ns c1 python3 "$TOPO_TMP/listen.py" "$a1" 20 "$TOPO_TMP/ready" > "$TOPO_TMP/got" &
lpid=$!
TOPO_PIDS+=("$lpid")
wait_for "test -s $TOPO_TMP/ready" 10
# client 2 sends to both ports, one datagram each per 0.5 s
out=$(in_ns c2 python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
errors = []
for i in range(24):
    for port in (5000, 5001):
        try:
            s.sendto(b"hello", (sys.argv[1], port))
        except OSError as e:
            errors.append(e.errno)
    time.sleep(0.5)
print("send errors:", errors)' "$a1" 2>&1)
wait "$lpid"
read -r g0 g1 < "$TOPO_TMP/got"
diag "unauthorized listener got ${g0:-?}, authorized listener got ${g1:-?}; client 2 $out"
check "authorized listener (socket mark 0x10) receives" test "${g1:-0}" -ge 5 ||
	{ topo_diag 1 t0 "$a2"; topo_diag 2 t0 "$a1"; }
check "unauthorized listener receives nothing" test "${g0:-1}" = 0
rx=$(in_ns c1 nft list table inet rxm | sed -n 's/.*packets \([0-9]*\).*/\1/p')
check "decapsulated packets carry rxmark 0x99 ($rx seen)" test "${rx:-0}" -ge 10
dropped=$(in_ns c1 nft list chain inet teredo from_teredo | sed -n 's/.*packets \([0-9]*\).* drop/\1/p')
check "the ruleset dropped the unauthorized ones ($dropped)" test "${dropped:-0}" -ge 5

out=$(in_ns c1 ping -c 2 -i 0.5 -W 5 -m 16 "$a2" 2>&1)
check "replies to an authorized ping pass the ruleset" grep -q " 2 received" <<< "$out" ||
	diag "$out"
# client 1 answers only pings whose replies it may send: make it so
in_ns c1 sysctl -qw net.ipv6.fwmark_reflect=1
in_ns c1 teredo-nl set t0 rxmark 0x10
before=$(in_ns c1 nft list chain inet teredo from_teredo | sed -n 's/.*packets \([0-9]*\).* drop/\1/p')
out=$(in_ns c2 ping -c 2 -i 0.5 -W 3 "$a1" 2>&1)
check "an unsolicited ping is dropped by the ruleset" grep -q " 0 received" <<< "$out"
after=$(in_ns c1 nft list chain inet teredo from_teredo | sed -n 's/.*packets \([0-9]*\).* drop/\1/p')
check "... and counted by its drop rule" test "${after:-0}" -ge $((before + 2))
check "nft delete table inet teredo removes it" in_ns c1 nft delete table inet teredo
out=$(in_ns c2 ping -c 2 -i 0.5 -W 3 "$a1" 2>&1)
check "without the ruleset, rxmark 0x10 + fwmark_reflect: client 1 answers pings" \
	grep -q " 2 received" <<< "$out" || diag "$out"

tap_end
