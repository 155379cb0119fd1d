#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Issue 23 item 4: what a client parks for native peers is bounded in
# bytes and has its own budget.  A packet from a native IPv6 source
# through a relay not yet confirmed waits for an echo test (RFC 4380
# section 5.2.3); anyone can send those, from any native source.  200
# native sources x 8 packets of ~60 kB reach client 1 (injected in its
# netns, outer source 192.0.2.130:3545): at most 256 KiB of them may
# stay parked (drop_rx_parked counts the rest), where 1024 packets of
# 64 kB were pinned before, and the transmit queue stays free: client
# 1's first ping to client 2 right after (it waits in the queue while
# bubbles open the way) is answered.
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
# timeout=180
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd miredo-server conntrack ethtool nft python3 ping teredo-nl
require_module teredo

ktap_plan 7
T=$TOPO_TMP
PORT=3545
SOURCES=200
PER=8
SIZE=60000

stat() { local v; v=$(topo_stat c1 t0 "$1"); echo "${v:-0}"; }
# parked: packets queued over all peers, and how many peers hold some
parked() {
	in_ns c1 teredo-nl -j peers t0 | python3 -c '
import json, sys
ps = json.load(sys.stdin)
print(sum(p.get("queued", 0) for p in ps), sum(1 for p in ps if p.get("queued")))'
}

topo_build 2
topo_server_start
check "client 1 configured" topo_teredo 1 t0 port $PORT refresh 300 || tap_end
check "client 2 configured" topo_teredo 2 t0 || tap_end
topo_wait_state 1 t0 qualified 30 && topo_wait_state 2 t0 qualified 30
check "both qualify" test $? = 0 || tap_end
a1=$(topo_show 1 t0 address)
a2=$(topo_show 2 t0 address)

cat > "$T/park.py" <<'PY'
import socket, struct, sys
from teredopkt import a6
me, n, per, size, port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
    int(sys.argv[4]), int(sys.argv[5])
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
sent = 0
for i in range(n):
    src = a6("2001:db8:99::%x" % (i + 1))
    body = b"\x80\0\0\0" + b"p" * (size - 4)     # (checksum not checked here)
    ip6 = struct.pack("!IHBB", 0x60000000, len(body), 58, 64) + src + a6(me) + body
    udp = struct.pack("!HHHH", 3545, port, 8 + len(ip6), 0) + ip6
    ip4 = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                      socket.inet_aton("192.0.2.130"),
                      socket.inet_aton("10.0.1.2")) + udp
    for k in range(per):
        s.sendto(ip4, ("10.0.1.2", 0))
        sent += 1
print(sent)
PY
q0=$(stat drop_queue_full)
r0=$(stat drop_rx_parked)
kb0=$(unreclaimable_kb)
sent=$(in_ns c1 python3 "$T/park.py" "$a1" $SOURCES $PER $SIZE $PORT)
sleep 1
read -r npk npeers <<< "$(parked)"
kb1=$(unreclaimable_kb)
rp=$(($(stat drop_rx_parked) - r0))
diag "$sent packets of $SIZE bytes from $SOURCES native sources: $npk parked on" \
	"$npeers peers, drop_rx_parked +$rp, drop_queue_full +$(($(stat drop_queue_full) - q0))," \
	"unreclaimable slab $kb0 -> $kb1 kB, echo tests $(stat tx_echo_tests)"
check "at most 256 KiB parked: $npk packets of ~64 KiB" test "${npk:-9999}" -le 4
check "the rest counted in drop_rx_parked ($rp)" test "$rp" -ge $((sent - 4))
out=$(in_ns c1 ping -c 1 -W 8 "$a2" 2>&1)
check "client 1's first ping to client 2 answered" grep -q " 1 received" <<< "$out" ||
	{ diag "$out"; diag "drop_queue_full +$(($(stat drop_queue_full) - q0))"; }
check "no transmit packet refused (drop_queue_full +$(($(stat drop_queue_full) - q0)))" \
	test "$(stat drop_queue_full)" = "$q0"
tap_end
