#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Hostile input to our qualified client: malformed and spoofed packets,
# sent from the server's own address and port (the only source the
# client's NAT lets through, through the mapping of the client's last
# RS: topo_nat_udp_timeout), each must be dropped and raise exactly its
# own counter (every counter is diffed), and nothing may be delivered;
# a bad-nonce RA leaves address, mapping and qualifications unchanged.
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd miredo-server conntrack ethtool nft python3
require_module teredo
ktap_plan 18

topo_build 1
topo_nat_udp_timeout 1 300 || fail_all "no conntrack UDP timeout sysctls in nat1"
topo_server_start
check "client configured" topo_teredo 1 t0 refresh 300
check "client qualifies" topo_wait_state 1 t0 qualified 20
me=$(topo_show 1 t0 address)
map=$(topo_mapping 1)
diag "client $me behind $map"
# the forger takes the server's place on 192.0.2.1:3544
topo_server_stop

cat > "$TOPO_TMP/forge.py" <<'PY'
import sys
from teredopkt import *

me = a6(sys.argv[1])
dst_ip, dst_port = sys.argv[2].split(":")
kind = sys.argv[3]

ll = a6("fe80::1")
native = a6("2001:db8:2::99")
other = teredo("192.0.2.1", "203.0.113.77", 4444)

pkts = {
    "malformed": b"\x45" + b"\0" * 59,
    "bad_length": ip6(other, me, 59, b"", plen=8),
    "bad_auth": b"\x00\x01\xc8\x00" + b"\0" * 60,
    "bad_origin": b"\x00\x00\x01\x02\x03" ,
    "bad_nonce": auth() + origin("192.0.2.1", 3544) + ra(),
    "mapping_mismatch": echo(other, me),
    "nonglobal_ipv4": echo(teredo("192.0.2.1", "10.1.2.3", 1000), me),
    "link_local": echo(ll, me),
    "multicast": echo(other, a6("ff02::1")),
    "loop": echo(me, me),
    "not_for_us": echo(other, teredo("192.0.2.1", "198.51.100.9", 9)),
    "unknown_peer": echo(native, me),
}
teredo_socket("192.0.2.1", 3544).sendto(pkts[kind], (dst_ip, int(dst_port)))
PY

stats() { in_ns c1 ethtool -S t0 | awk '$1 ~ /:$/ { sub(":", "", $1); print $1, $2 }'; }
stat() { stats | awk -v k="$1" '$1 == k { print $2 }'; }
# expect KIND COUNTER: send KIND; COUNTER is the only receive or drop
# counter that moved, by exactly one (every counter is diffed, as in
# hostile_input: a drop that also delivers, or counts twice, fails).
# The server is stopped and the refresh is 300 s: no RA comes in
# meanwhile, so rx_ra is diffed too (tx counters move on their own).
expect() {
	local kind=$1 counter=$2 before after diff
	before=$(stats)
	in_ns srv python3 "$TOPO_TMP/forge.py" "$me" "$map" "$kind"
	sleep 0.3
	after=$(stats)
	diff=$(paste -d ' ' <(echo "$before") <(echo "$after") |
		awk '$1 ~ /^(rx_|drop_)/ && $2 != $4 { printf "%s+%d ", $1, $4 - $2 }')
	diff=${diff% }
	check "$kind: dropped, only $counter+1${diff:+ ($diff)}" \
		test "$diff" = "$counter+1"
}
# state: what a bad-nonce RA must not change
qualifications() {
	in_ns c1 teredo-nl -j show t0 | python3 -c '
import json, sys
d = json.load(sys.stdin)
d = d[0] if isinstance(d, list) else d
print(d["stats"]["qualifications"])'
}
mapping() { echo "$(topo_show 1 t0 mapped_addr):$(topo_show 1 t0 mapped_port)"; }

rx0=$(stat rx_packets)
for kind in malformed bad_length bad_auth bad_origin; do
	expect $kind drop_$kind
done
# the forged RA names 192.0.2.1:3544 as our mapping: taken, it would
# change the address and the mapping and count a qualification
a0=$(topo_show 1 t0 address) m0=$(mapping) q0=$(qualifications)
diag "before the bad-nonce RA: $a0, mapping $m0, $q0 qualifications"
expect bad_nonce drop_bad_nonce
sleep 1	# an accepted RA is handled by the client's work
check "bad nonce: address unchanged" test "$(topo_show 1 t0 address)" = "$a0"
check "bad nonce: mapping unchanged ($m0)" test "$(mapping)" = "$m0"
check "bad nonce: qualifications unchanged ($q0)" test "$(qualifications)" = "$q0"
for kind in nonglobal_ipv4 link_local multicast loop not_for_us unknown_peer \
	    mapping_mismatch; do
	expect $kind drop_$kind
done
check "nothing delivered" test "$(stat rx_packets)" = "$rx0"
s=$(in_ns c1 ethtool -S t0)
diag "$(grep -v ': 0$' <<< "$s" | tr -s ' \n' ' ')"
tap_end
