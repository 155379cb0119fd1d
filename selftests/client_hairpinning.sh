#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The Hairpinning Extension (RFC 6081 section 8, "hairpinning on"): two
# of our clients behind one NAT that does NOT hairpin, on two different
# subnets of its inside (10.0.1.0/24 and 10.0.101.0/24: no local
# discovery could find them), through our server.  What one sends to
# the other's mapping ends at the NAT; with the extension each lists
# its local address in an Alternate Address trailer of its bubbles, our
# server relays the trailer with the indirect bubble, and the other
# answers there: the clients ping each other at their inside addresses.
# Then an attacker x on a's LAN claims b (trusted elsewhere) and an
# address a never asked for: both refused, counted in drop_hairpin.
# With hairpinning off, the same NAT gives no answer (as before).
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
# timeout=240
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd conntrack ethtool nft python3 ping
require_module teredo
ktap_plan 20

st() { topo_stat "$1" t0 "$2" | grep . || echo 0; }

topo_build 1
# b: behind nat1 too, on another subnet of its inside
ip netns add "$(ns c1b)"
topo_veth nat1 lan2 c1b eth0
in_ns nat1 ip addr add 10.0.101.1/24 dev lan2
in_ns c1b ip -batch - <<-IP
	link set lo up
	addr add 10.0.101.3/24 dev eth0
	route add default via 10.0.101.1
IP
# the attacker: a second host on a's LAN
ip netns add "$(ns x)"
topo_lan_bridge 1
topo_veth nat1 lanx x eth0
in_ns nat1 ip link set lanx master br0
in_ns x ip -batch - <<-IP
	link set lo up
	addr add 10.0.1.4/24 dev eth0
	route add default via 10.0.1.1
IP
# what our server takes in and sends out with a trailer: a bubble with
# our Alternate Address trailer is 40 + 10 bytes of UDP payload, relayed
# with an origin indication 8 more
in_ns srv nft -f - <<-NFT
	table ip srv {
		counter in_trailer { }
		counter out_trailer { }
		chain in {
			type filter hook input priority filter;
			ip saddr 198.51.100.1 udp dport 3544 udp length 58 counter name in_trailer
		}
		chain out {
			type filter hook output priority filter;
			ip daddr 198.51.100.1 udp sport 3544 udp length 66 counter name out_trailer
		}
	}
NFT
srv_count() {
	in_ns srv nft list counter ip srv "$1" | sed -n 's/.*packets \([0-9]*\).*/\1/p'
}
topo_our_server_start
check "client a configured, hairpinning on" topo_teredo 1 t0 hairpinning on
check "client b configured, hairpinning on" topo_teredo 1b t0 hairpinning on
check "show says hairpinning on" test "$(topo_show 1 t0 hairpinning)" = True -o \
	"$(topo_show 1 t0 hairpinning)" = on -o "$(topo_show 1 t0 hairpinning)" = 1
check "client a qualifies" topo_wait_state 1 t0 qualified 20
check "client b qualifies" topo_wait_state 1b t0 qualified 20
a1=$(topo_show 1 t0 address)
a2=$(topo_show 1b t0 address)
m1=$(topo_mapping_of 1 10.0.1.2)
m2=$(topo_mapping_of 1 10.0.101.3)
l1="$(topo_show 1 t0 local_addr):$(topo_show 1 t0 local_port)"
l2="$(topo_show 1b t0 local_addr):$(topo_show 1b t0 local_port)"
diag "client a $a1 ($m1, local $l1), client b $a2 ($m2, local $l2)"
check "both mappings on the NAT's one outside address" \
	test "${m1%:*}" = 198.51.100.1 -a "${m2%:*}" = 198.51.100.1 -a "$m1" != "$m2"
check "local addresses known: 10.0.1.2, 10.0.101.3" \
	test "${l1%:*}" = 10.0.1.2 -a "${l2%:*}" = 10.0.101.3

out=$(in_ns c1 ping -c 1 -W 10 "$a2" 2>&1)
diag "$(grep -E 'transmitted|time=' <<< "$out" | tr '\n' ' ')"
check "first ping a -> b answered, the NAT not hairpinning" \
	grep -q " 1 received" <<< "$out" ||
	{ diag "$out"; topo_diag 1 t0 "$a2"; topo_diag 1b t0 "$a1"; }
out=$(in_ns c1b ping -c 3 -i 0.5 -W 5 "$a1" 2>&1)
check "ping b -> a: 3 of 3" grep -q " 3 received" <<< "$out" || diag "$out"
out=$(in_ns c1 ping -c 3 -i 0.5 -W 5 -s 1200 "$a2" 2>&1)
check "1200-byte pings a -> b: 3 of 3" grep -q " 3 received" <<< "$out"

p=$(topo_peer_of c1 "$a2")
diag "a sees b as: $p"
check "a trusts b at b's inside address" test "$p" = "True $l2"
p=$(topo_peer_of c1b "$a1")
diag "b sees a as: $p"
check "b trusts a at a's inside address" test "$p" = "True $l1"
in_t=$(srv_count in_trailer)
out_t=$(srv_count out_trailer)
hb=$(st c1b hairpin_bubbles)
diag "server: $in_t bubbles in with a trailer, $out_t relayed with it; b: hairpin_bubbles $hb"
check "our server relayed a's trailer to b" test "${in_t:-0}" -ge 1 -a "${out_t:-0}" -ge 1
check "b sent a bubble to a's inside address (hairpin_bubbles)" test "$hb" -ge 1
s=$(in_ns c1b ethtool -S t0; in_ns c1 ethtool -S t0)
check "no drops on a and b" test -z "$(grep '^ *drop_' <<< "$s" | grep -v ': 0$')" ||
	diag "$(grep '^ *drop_' <<< "$s" | grep -v ': 0$' | tr -s ' \n' ' ')"

# x claims b (trusted at 10.0.101.3) and an address of the NAT a never
# sought, each with a trailer listing x's very source
cat > "$TOPO_TMP/x.py" <<'PY'
import socket, sys
from teredopkt import *

src, sport, claim, to, dport = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((src, sport))
trailer = bytes([3, 8, 0, 0]) + socket.inet_aton(src) + sport.to_bytes(2, "big")
s.sendto(bubble(a6(claim), a6(to)) + trailer, ("10.0.1.2", dport))
PY
other=$(python3 -c '
import ipaddress, sys
b = bytearray(ipaddress.IPv6Address(sys.argv[1]).packed)
b[10] ^= 0x55
print(ipaddress.IPv6Address(bytes(b)))' "$a2")
aport=${l1#*:}
d0=$(st c1 drop_hairpin)
in_ns x python3 "$TOPO_TMP/x.py" 10.0.1.4 40010 "$a2" "$a1" "$aport"
in_ns x python3 "$TOPO_TMP/x.py" 10.0.1.4 40011 "$other" "$a1" "$aport"
sleep 0.5
d=$(($(st c1 drop_hairpin) - d0))
p=$(topo_peer_of c1 "$a2")
diag "after x's 2 claims: drop_hairpin +$d, a sees b as $p, $(topo_peer_of c1 "$other" | grep -c .) entry for $other"
check "both claims refused, counted in drop_hairpin" test "$d" = 2
check "b stays at its inside address" test "$p" = "True $l2"
check "no peer made for the address a never sought" test -z "$(topo_peer_of c1 "$other")"
out=$(in_ns c1 ping -c 2 -i 0.5 -W 5 "$a2" 2>&1)
check "pings a -> b still answered: 2 of 2" grep -q " 2 received" <<< "$out"

# without the extension this NAT leaves them apart
in_ns c1 teredo-nl set t0 hairpinning off
in_ns c1b teredo-nl set t0 hairpinning off
in_ns c1 teredo-nl flush t0
in_ns c1b teredo-nl flush t0
in_ns nat1 conntrack -D -p udp --orig-dst 198.51.100.1 >/dev/null 2>&1
sleep 2		# b's answer limiter forgets a's last indirect bubble
out=$(in_ns c1 ping -c 1 -W 6 "$a2" 2>&1)
check "hairpinning off: no answer" grep -q " 0 received" <<< "$out"

tap_end
