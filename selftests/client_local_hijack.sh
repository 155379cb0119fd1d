#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Local discovery (RFC 4380 section 5.2.8) under attack from the LAN.
# Nothing authenticates a claim "this Teredo address of our NAT is at
# that LAN address": a client takes one only from its LAN and never
# lets one move a peer it trusts elsewhere (drivers/net/teredo/
# discovery.c).  Client a (local discovery on) and client b (off) share
# a hairpinning NAT; an attacker x on their LAN (10.0.1.4, and
# 192.168.50.4: a non-global source off every subnet of a's LAN) claims
# addresses of the NAT:
#  1. the moment a's discovery bubble appears on the LAN (a claim may
#     answer it for TEREDO_LD_ANSWER_TIME, 10 s): a unicast answer from
#     10.0.1.4 is still taken (the protocol works), one from
#     192.168.50.4 is not, nor a unicast datagram to port 3544 (not sent
#     to the group 224.0.0.253), nor a multicast one from 192.168.50.4;
#  2. once a trusts b at b's public mapping (hairpin): b's address, by a
#     multicast discovery bubble from 10.0.1.4 and unicast bubbles from
#     both sources.  b stays at its mapping and pings still reach b, not
#     x (before the fix one bubble moved it);
#  3. after the answer time: a unicast claim of a new address from
#     10.0.1.4 is refused.
# Every refused claim is counted in drop_local_discovery.
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
# timeout=240
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd miredo-server conntrack ethtool nft python3 ping
require_module teredo
ktap_plan 19

st() { topo_stat c1 t0 "$1" | grep . || echo 0; }

topo_build 1
topo_lan_client 1
# b's mapping must outlive a's qualification and x's first claims (the
# hairpin and the indirect bubbles come in through it)
topo_nat_udp_timeout 1 300
# the attacker: a third host on the LAN, with a second, off-subnet
# (non-global) address on the same link
ip netns add "$(ns x)"
topo_veth nat1 lanx x eth0
in_ns nat1 ip link set lanx master br0
in_ns x ip -batch - <<-IP
	link set lo up
	addr add 10.0.1.4/24 dev eth0
	addr add 192.168.50.4/24 dev eth0
	route add default via 10.0.1.1
IP
# what a sends to x over UDP (unicast): bubbles, and data (an encapsulated ping
# is 132 bytes, a bubble 68)
in_ns x nft -f - <<-NFT
	table ip x {
		counter from_a { }
		counter data_from_a { }
		chain in {
			type filter hook input priority filter;
			policy accept;
			ip saddr 10.0.1.2 ip daddr { 10.0.1.4, 192.168.50.4 } meta l4proto udp counter name from_a
			ip saddr 10.0.1.2 meta l4proto udp ip length > 100 counter name data_from_a
		}
	}
NFT
x_count() { # COUNTER: packets
	in_ns x nft list counter ip x "$1" | sed -n 's/.*packets \([0-9]*\).*/\1/p'
}
in_ns x ping -c 1 -W 2 -I 10.0.1.4 10.0.1.2 >/dev/null 2>&1	# ARP

cat > "$TOPO_TMP/x.py" <<'PY'
import ipaddress, json, socket, sys
from teredopkt import *

GROUP = "224.0.0.253"


def sock(src, sport):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((src, sport))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF,
                 socket.inet_aton(src))
    return s


def send(src, sport, dst, dport, claim, to):
    sock(src, sport).sendto(bubble(a6(claim), a6(to)), (dst, dport))


def nat_address(a, port):
    """An address of a's server and NAT (a's outside IPv4), another port."""
    b = ipaddress.IPv6Address(a).packed
    ip = socket.inet_ntoa(bytes(x ^ 0xff for x in b[12:16]))
    return str(ipaddress.IPv6Address(teredo(socket.inet_ntoa(b[4:8]), ip,
                                            port)))


if sys.argv[1] == "discovery":
    # wait for a's discovery bubble, then answer it at once
    l = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind(("", TEREDO_PORT))
    l.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                 socket.inet_aton(GROUP) + socket.inet_aton("10.0.1.4"))
    l.settimeout(int(sys.argv[2]))
    while True:
        data, (ip, port) = l.recvfrom(2048)
        if ip == "10.0.1.2" and len(data) == 40 and data[6] == 59:
            break
    a = str(ipaddress.IPv6Address(data[8:24]))
    c = [nat_address(a, 1001 + i) for i in range(4)]
    # a unicast answer from off the LAN's subnets, and from the LAN
    send("192.168.50.4", 40001, "10.0.1.2", port, c[0], a)
    send("10.0.1.4", 40002, "10.0.1.2", port, c[1], a)
    # a unicast datagram to the discovery port; multicast from off-subnet
    send("10.0.1.4", 40003, "10.0.1.2", TEREDO_PORT, c[2], "ff02::1")
    send("192.168.50.4", 40004, GROUP, TEREDO_PORT, c[3], "ff02::1")
    print(json.dumps({"a": a, "port": port, "c": c}))
elif sys.argv[1] == "new":
    print(nat_address(sys.argv[2], int(sys.argv[3])))
else:
    src, sport, dst, dport, claim, to = sys.argv[1:7]
    send(src, int(sport), dst, int(dport), claim, to)
PY

peer_of() { # ADDR: "trusted mapped_addr:mapped_port" of a's peer, or "none"
	in_ns c1 teredo-nl -j peers t0 | python3 -c '
import json, sys
for p in json.load(sys.stdin):
    if p.get("address") == sys.argv[1]:
        t = str(p.get("trusted")).lower() in ("true", "1")
        print(t, "%s:%s" % (p.get("mapped_addr"), p.get("mapped_port")))
        break
else:
    print("none")' "$1"
}

topo_server_start
in_ns x python3 "$TOPO_TMP/x.py" discovery 60 > "$TOPO_TMP/x1.json" 2>&1 &
xpid=$!
TOPO_PIDS+=("$xpid")
wait_for "in_ns x ss -Hlun 'sport = :3544' | grep -q ." 30
check "client b configured (local discovery off)" topo_teredo 1b t0
check "client b qualifies" topo_wait_state 1b t0 qualified 20
check "client a configured (local discovery on)" topo_teredo 1 t0 local-discovery on
check "client a qualifies" topo_wait_state 1 t0 qualified 20
wait "$xpid"
check "x answered a's discovery bubble" python3 -c \
	'import json, sys; json.load(open(sys.argv[1]))' "$TOPO_TMP/x1.json" ||
	diag "$(cat "$TOPO_TMP/x1.json")"
t1=$SECONDS
read -r a1 port_a c1 c2 c3 c4 <<< "$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(d["a"], d["port"], *d["c"])' "$TOPO_TMP/x1.json" 2>/dev/null)"
a2=$(topo_show 1b t0 address)
m2=$(topo_mapping_of 1 10.0.1.3)
diag "client a $a1 (port $port_a), client b $a2 ($m2)"
sleep 1

# 1. answers to a's discovery bubble
p=$(peer_of "${c2:-x}")
diag "from 10.0.1.4 (unicast answer): $p"
check "a LAN host's answer still makes a local peer" test "$p" = "True 10.0.1.4:40002"
p=$(peer_of "${c1:-x}")
diag "from 192.168.50.4 (unicast answer): $p"
check "an off-subnet source's answer is refused" test "$p" = none
p=$(peer_of "${c3:-x}")
diag "unicast to 10.0.1.2:3544: $p"
check "a unicast datagram to port 3544 is refused" test "$p" = none
p=$(peer_of "${c4:-x}")
diag "multicast from 192.168.50.4: $p"
check "an off-subnet source's discovery bubble is refused" test "$p" = none
d=$(st drop_local_discovery)
diag "drop_local_discovery $d, rx_bubbles $(st rx_bubbles), x got $(x_count from_a) packets from a"
check "3 claims counted in drop_local_discovery" test "$d" = 3

# 2. b trusted at its public mapping (hairpin), then claimed
check "NAT hairpins" topo_nat_hairpin 1
out=$(in_ns c1 ping -c 1 -W 10 "$a2" 2>&1)
diag "$(grep -E 'transmitted|time=' <<< "$out" | tr '\n' ' ')"
check "ping a -> b through the NAT answered" grep -q " 1 received" <<< "$out" ||
	{ diag "$out"; topo_diag 1 t0 "$a2"; topo_diag 1b t0 "$a1";
	  diag "nat1: $(in_ns nat1 conntrack -L -p udp 2>/dev/null | tr '\n' ';')"; }
p=$(peer_of "$a2")
diag "a sees b as: $p"
check "a trusts b at b's mapping" test "$p" = "True $m2"
d0=$(st drop_local_discovery)
xpy="$TOPO_TMP/x.py"
in_ns x python3 "$xpy" 192.168.50.4 40005 10.0.1.2 "$port_a" "$a2" "$a1"
in_ns x python3 "$xpy" 10.0.1.4 40006 224.0.0.253 3544 "$a2" ff02::1
in_ns x python3 "$xpy" 10.0.1.4 40006 10.0.1.2 "$port_a" "$a2" "$a1"
sleep 1
p=$(peer_of "$a2")
d=$(($(st drop_local_discovery) - d0))
diag "after 3 claims of b: a sees b as $p, drop_local_discovery +$d"
check "b stays trusted at its mapping" test "$p" = "True $m2"
check "the 3 claims counted in drop_local_discovery" test "$d" = 3
out=$(in_ns c1 ping -c 3 -i 0.5 -W 5 "$a2" 2>&1)
diag "$(grep -E 'transmitted' <<< "$out")"
check "pings a -> b: 3 of 3" grep -q " 3 received" <<< "$out" ||
	{ diag "$out"; topo_diag 1 t0 "$a2"; }
n=$(x_count from_a)
nd=$(x_count data_from_a)
diag "x received from a: $n unicast packets, $nd data packets"
check "x received nothing from a" test "$n" = 0 -a "$nd" = 0

# 3. after the answer time (10 s) of a's discovery bubble
while [ $((SECONDS - t1)) -lt 12 ]; do sleep 1; done
c5=$(python3 "$xpy" new "$a1" 1005)
d0=$(st drop_local_discovery)
in_ns x python3 "$xpy" 10.0.1.4 40007 10.0.1.2 "$port_a" "$c5" "$a1"
sleep 1
p=$(peer_of "$c5")
d=$(($(st drop_local_discovery) - d0))
diag "unicast claim of a new address from 10.0.1.4, $((SECONDS - t1)) s after a's discovery bubble: $p, drop_local_discovery +$d"
check "a late claim from the LAN is refused" test "$p" = none
check "... counted in drop_local_discovery" test "$d" = 1

tap_end
