#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Hostile input to our server (RFC 4380 section 5.3.1): one crafted
# packet per drop rule, from 192.0.2.130 (or from the server's own
# second address for the loop), each dropped and counted in exactly its
# own counter, nothing forwarded.  Section 5.3.2: the RA comes from the
# address the RS came to, or from the other one for a cone RS, echoes
# the nonce and names the sender as origin.  A flood of spoofed RS gets
# at most the token bucket's worth of answers, none larger than an RA.
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
# timeout=180
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd ethtool nft python3
require_module teredo
ktap_plan "$((11 + 12))"

topo_build 0
# a server needs its own address, local, and two different ones
in_ns srv ip link add ts1 type teredo
out=$(in_ns srv teredo-nl set ts1 mode server 2>&1)
check "mode server without an address refused: $out" \
	grep -q "a server needs its own address" <<< "$out"
out=$(in_ns srv teredo-nl set ts1 mode server server 192.0.2.1 server2 192.0.2.1 2>&1)
check "mode server with twice the same address refused: $out" \
	grep -q "two different addresses" <<< "$out"
in_ns srv teredo-nl set ts1 mode server server 198.51.100.200
check "a server on addresses that are not local does not come up" \
	bash -c "! ip netns exec $(ns srv) ip link set ts1 up 2>/dev/null"
in_ns srv ip link del ts1
check "our server up" topo_our_server_start

cat > "$TOPO_TMP/forge.py" <<'PY'
import ipaddress, select, socket, struct, sys, time
from teredopkt import *

SRC, SPORT = "192.0.2.130", 40000
kind = sys.argv[1]

me = teredo("192.0.2.1", SRC, SPORT)            # our own mapping: valid
client = teredo("192.0.2.1", "203.0.113.77", 4444)
cone = a6("fe80::8000:ffff:ffff:fffe")
nonce = b"NONCE-42"
with_nonce = auth(nonce=nonce)

pkts = {
    "malformed": b"\x45" + b"\0" * 59,
    "bad_length": ip6(me, client, 59, b"", plen=8),
    "bad_origin": origin("0.0.0.0", 0) + bubble(me, client),
    "bad_auth": b"\x00\x01\x05\x00" + b"idid!" + nonce + b"\x00" + rs(),
    "not_icmp": ip6(me, a6("2001:db8:2::2"), 17, b"\0" * 8),
    "nonglobal_ipv4": bubble(me, teredo("192.0.2.1", "10.1.2.3", 1000)),
    "bad_source": echo(a6("fe80::1"), client),
    "mapping_mismatch": bubble(teredo("192.0.2.1", SRC, SPORT + 1), client),
    "nonglobal_ipv6": echo(me, a6("fd00::1")),
    "not_for_us": bubble(me, teredo("198.51.100.99", "203.0.113.77", 4444)),
    "bad_rs": with_nonce + rs(hlim=64),
    "loop": bubble(me, client),
}

def answers(s, wait):
    got = []
    end = time.time() + wait
    while True:
        left = end - time.time()
        if left <= 0 or not select.select([s], [], [], left)[0]:
            return got
        data, frm = s.recvfrom(4096)
        got.append((frm, data))

if kind in pkts:
    s = teredo_socket("192.0.2.2" if kind == "loop" else SRC, 5000 if kind == "loop" else SPORT)
    s.sendto(pkts[kind], ("192.0.2.1", 3544))
elif kind in ("rs-primary", "rs-secondary", "rs-cone", "rs-noauth"):
    s = teredo_socket(SRC, SPORT)
    to = "192.0.2.2" if kind == "rs-secondary" else "192.0.2.1"
    pkt = rs() if kind == "rs-noauth" else with_nonce + rs(cone if kind == "rs-cone" else None)
    s.sendto(pkt, (to, 3544))
    for frm, data in answers(s, 2):
        has_auth = data[:2] == b"\x00\x01"
        o = 13 if has_auth else 0
        port = struct.unpack("!H", data[o + 2:o + 4])[0] ^ 0xffff
        ip = socket.inet_ntoa(bytes(b ^ 0xff for b in data[o + 4:o + 8]))
        ra = data[o + 8:]
        print("from=%s:%d len=%d nonce=%s origin=%s:%d type=%d dst=%s" % (
            frm[0], frm[1], len(data), has_auth and data[4:12] == nonce,
            ip, port, ra[40], ipaddress.IPv6Address(ra[24:40])))
elif kind == "flood":
    s = teredo_socket(SRC, SPORT)
    big = 0
    for i in range(100):
        s.sendto(with_nonce + rs(), ("192.0.2.1", 3544))
        s.sendto(rs(), ("192.0.2.1", 3544))
    got = answers(s, 1)
    print("answers=%d larger=%d" % (len(got), sum(len(d) > 117 for _, d in got)))
PY

forge() { in_ns "$1" python3 "$TOPO_TMP/forge.py" "$2"; }
st() { topo_stat srv ts0 "$1"; }
# a NIC statistics snapshot without the counter under test
others() { in_ns srv ethtool -S ts0 | grep -v -e "^ *$1:" -e NIC; }

for kind in malformed bad_length bad_origin bad_auth not_icmp nonglobal_ipv4 \
	    bad_source mapping_mismatch nonglobal_ipv6 not_for_us bad_rs loop; do
	counter=drop_$kind
	before=$(st "$counter")
	rest=$(others "$counter")
	forge "$([ $kind = loop ] && echo srv || echo rly)" "$kind"
	sleep 0.3
	after=$(st "$counter")
	check "$kind: dropped, counted in $counter ($before -> $after), nothing else" \
		test "$after" = $((before + 1)) -a "$(others "$counter")" = "$rest" ||
		diag "$(diff <(echo "$rest") <(others "$counter"))"
done

out=$(forge rly rs-primary)
diag "$out"
check "RS to 192.0.2.1: RA from 192.0.2.1:3544, nonce echoed, origin 192.0.2.130:40000" \
	grep -qx "from=192.0.2.1:3544 len=117 nonce=True origin=192.0.2.130:40000 type=134 dst=fe80::ffff:ffff:ffff" <<< "$out"
out=$(forge rly rs-secondary)
check "RS to 192.0.2.2: RA from 192.0.2.2" grep -q "^from=192.0.2.2:3544 len=117 nonce=True" <<< "$out"
out=$(forge rly rs-cone)
check "cone RS to 192.0.2.1: RA from the other address, 192.0.2.2" \
	grep -qx "from=192.0.2.2:3544 len=117 nonce=True origin=192.0.2.130:40000 type=134 dst=fe80::8000:ffff:ffff:fffe" <<< "$out"
out=$(forge rly rs-noauth)
check "RS without authentication: RA without it (104 bytes)" \
	grep -q "^from=192.0.2.1:3544 len=104 nonce=False" <<< "$out"

sleep 2	# a full bucket
rl0=$(st drop_ratelimit)
ra0=$(st tx_ra)
out=$(forge rly flood)
rl1=$(st drop_ratelimit)
ra1=$(st tx_ra)
diag "200 spoofed RS: $out, tx_ra $ra0 -> $ra1, drop_ratelimit $rl0 -> $rl1"
read -r n _ <<< "${out//[a-z=]/ }"
check "flood of 200 RS: at most the bucket (20) + refill answered ($n)" \
	test "$n" -ge 1 -a "$n" -le 40
check "flood: no answer larger than an RA (117 bytes)" grep -q "larger=0" <<< "$out"
check "flood: the rest counted in drop_ratelimit" \
	test $((rl1 - rl0 + ra1 - ra0)) = 200
diag "$(in_ns srv ethtool -S ts0 | grep -v ': 0$' | tr -s ' \n' ' ')"
tap_end
