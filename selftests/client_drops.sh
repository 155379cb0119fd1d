#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Hostile input to our qualified client: malformed and spoofed packets,
# sent from the server's own address and port (the only source the
# client's NAT lets through, through the mapping of the client's last
# RS: topo_nat_udp_timeout), each must be dropped and raise exactly its
# own counter, and nothing may be delivered.
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
ktap_plan "$((4 + 11))"

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

stat() { in_ns c1 ethtool -S t0 | awk -v k="$1:" '$1 == k { print $2 }'; }
rx0=$(stat rx_packets)
for kind in malformed bad_length bad_auth bad_origin bad_nonce \
	    nonglobal_ipv4 link_local multicast loop not_for_us unknown_peer; do
	counter=drop_$kind
	before=$(stat "$counter")
	in_ns srv python3 "$TOPO_TMP/forge.py" "$me" "$map" "$kind"
	sleep 0.3
	after=$(stat "$counter")
	check "$kind packet dropped and counted in $counter ($before -> $after)" \
		test "$after" = $((before + 1))
done
# the mapping check needs a source that is not the server's own mapping
before=$(stat drop_mapping_mismatch)
in_ns srv python3 "$TOPO_TMP/forge.py" "$me" "$map" mapping_mismatch
sleep 0.3
check "spoofed Teredo source counted in drop_mapping_mismatch" \
	test "$(stat drop_mapping_mismatch)" = $((before + 1))
check "nothing delivered" test "$(stat rx_packets)" = "$rx0"
s=$(in_ns c1 ethtool -S t0)
diag "$(grep -v ': 0$' <<< "$s" | tr -s ' \n' ' ')"
tap_end
