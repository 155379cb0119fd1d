#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The server's RA: its MTU option becomes the IPv6 MTU of the link
# (/proc/sys/net/ipv6/conf/t0/mtu), bounded to [1280, the device's MTU];
# an RA whose authentication confirmation byte is not zero (the server
# refused us) is dropped and counted in drop_bad_auth, as Miredo does.
# The device's MTU is at most 1472 (one unfragmented IPv4 packet on a
# 1500-byte path).  A forged server (python, on 192.0.2.1 and .2:3544)
# answers the client's RS with the RA under test.
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
# timeout=240
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd ethtool nft python3
require_module teredo

ktap_plan 10

topo_build 1
cat > "$TOPO_TMP/server.py" <<'PY'
import select, socket, struct, sys
from teredopkt import *

mtu, conf = int(sys.argv[1]), int(sys.argv[2])
socks = [teredo_socket("192.0.2.1", 3544), teredo_socket("192.0.2.2", 3544)]
while True:
    for s in select.select(socks, [], [])[0]:
        data, (ip, port) = s.recvfrom(2048)
        if data[:2] != b"\x00\x01" or len(data) < 13:
            continue
        o = 4 + data[2] + data[3]
        nonce, rs = data[o:o + 8], data[o + 9:]
        if len(rs) < 48 or rs[40] != 133:
            continue
        pio = struct.pack("!BBBBIII", 3, 4, 64, 0x40, 3600, 3600, 0) + \
            TEREDO_PREFIX + socket.inet_aton("192.0.2.1") + b"\0" * 8
        opt = struct.pack("!BBHI", 5, 1, 0, mtu) if mtu else b""
        body = struct.pack("!BBHBBHII", 134, 0, 0, 0, 0, 1800, 0, 0) + pio + opt
        ra = icmp6(a6("fe80::8000:f227:bec9:1c81"), rs[8:24], body, 255)
        # a cone RS (fe80::8000:...) is answered from the other address
        out = socks[1 - socks.index(s)] if rs[16] & 0x80 else s
        out.sendto(auth(nonce=nonce, confirmation=conf) + origin(ip, port) + ra,
                   (ip, port))
PY
# server MTU CONF: (re)start the forged server
server() {
	[ -n "${spid:-}" ] && { kill "$spid"; wait "$spid" 2>/dev/null; }
	# not through in_ns: $! must be python itself, killed on a restart
	ip netns exec "$(ns srv)" python3 "$TOPO_TMP/server.py" "$1" "$2" &
	spid=$!
	TOPO_PIDS+=("$spid")
	sleep 0.5
}
mtu6() { in_ns c1 cat /proc/sys/net/ipv6/conf/t0/mtu; }
# requal: ask for a new qualification, true once qualified
requal() { in_ns c1 teredo-nl qualify t0 && topo_wait_state 1 t0 qualified 30; }
stat() { topo_stat c1 t0 "$1"; }

topo_mark_output 1
in_ns c1 ip link add t0 type teredo
out=$(in_ns c1 ip link set t0 mtu 1473 2>&1)
info "ip link set t0 mtu 1473: ${out:-accepted}"
check "MTU 1473 refused (max_mtu)" test -n "$out"
check "MTU 1472 accepted" in_ns c1 ip link set t0 mtu 1472
in_ns c1 ip link set t0 mtu 1400
# (dormant-timeout 0: this test is about the RA, and a device nothing
# authorized has used yet would go dormant as soon as it qualified)
in_ns c1 teredo-nl set t0 server 192.0.2.1 allow "$TOPO_MARK" dormant-timeout 0

server 1300 0
in_ns c1 ip link set t0 up
check "client qualifies (RA MTU 1300)" topo_wait_state 1 t0 qualified 30 ||
	topo_diag 1 t0
wait_for "[ \"\$(mtu6)\" = 1300 ]" 5
diag "RA MTU 1300, device MTU 1400: IPv6 MTU $(mtu6)"
check "RA MTU 1300 applied: IPv6 MTU of t0 is 1300" test "$(mtu6)" = 1300

server 9000 0
check "requalifies (RA MTU 9000)" requal
wait_for "[ \"\$(mtu6)\" = 1400 ]" 5
diag "RA MTU 9000, device MTU 1400: IPv6 MTU $(mtu6)"
check "RA MTU 9000 bounded to the device's MTU: 1400" test "$(mtu6)" = 1400

server 1000 0
check "requalifies (RA MTU 1000)" requal
wait_for "[ \"\$(mtu6)\" = 1280 ]" 5
diag "RA MTU 1000: IPv6 MTU $(mtu6)"
check "RA MTU 1000 bounded to 1280" test "$(mtu6)" = 1280

server 0 1
a0=$(stat drop_bad_auth)
r0=$(stat rx_ra)
in_ns c1 teredo-nl qualify t0
wait_for "[ \$(stat drop_bad_auth) -ge $((a0 + 1)) ]" 15
sleep 2
st=$(topo_show 1 t0 state)
diag "confirmation byte 1: state $st, drop_bad_auth $a0 -> $(stat drop_bad_auth), rx_ra $r0 -> $(stat rx_ra)"
check "RA with confirmation byte 1 dropped, counted in drop_bad_auth" \
	test "$(stat drop_bad_auth)" -gt "$a0" -a "$(stat rx_ra)" = "$r0"
check "... and the client does not qualify with it ($st)" test "$st" != qualified
tap_end
