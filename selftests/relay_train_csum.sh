#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Inner TCP checksums through our relay when a client's datagrams come
# as one UDP GSO train (UDP_SEGMENT: 8 Teredo datagrams of 1280-byte
# IPv6/TCP segments back to back, sent from 192.0.2.1:40000): the UDP
# layer cuts the train at our socket, the module hands the datagrams to
# GRO on tr0 as CHECKSUM_COMPLETE, and GRO must still check each inner
# TCP checksum.
#  A. the 8 segments with valid TCP checksums: tr0 counts 8 datagrams,
#     h6 receives all 8 x 1220 payload bytes, every TCP checksum on its
#     wire valid (tshark), its TCP takes each (one RST per packet, port
#     9 is closed) and counts no checksum error;
#  B. the same train with each TCP checksum off by one: tr0 counts 8
#     datagrams, h6 receives the 8 segments still bad (none made valid
#     on the way), counts 8 TCP checksum errors (TcpInCsumErrors) and
#     answers none of them.
# No "hw csum failure" (a CHECKSUM_COMPLETE sum the packet contradicts)
# in the kernel log.  rt's link to h6 has transmit checksumming off, as
# a NIC without offload: a super-packet GRO made on tr0 is cut there with
# real checksums, so what h6 sees is what a wire would carry.
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
# timeout=180
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd ethtool python3 tcpdump tshark dmesg
require_module teredo
ktap_plan "$((1 + 2 * 5 + 1))"

N=8
PAYLOAD=1220

topo_build 0
check "our relay up on 192.0.2.130:3545" topo_our_relay_start port 3545
in_ns rt ethtool -K h0 tx off > /dev/null

# forge.py PHASE: the train of PHASE (good, bad) as one UDP_SEGMENT send;
# its TCP payload goes to $TOPO_TMP/PHASE.bin.  Keeps the socket open 2 s
# (what comes back through the relay is printed, not refused).
cat > "$TOPO_TMP/forge.py" <<'PY'
import random, socket, struct, sys
from teredopkt import *

phase, n, size, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
SRC, SPORT = "192.0.2.1", 40000
me = teredo("192.0.2.1", SRC, SPORT)
h6 = a6("2001:db8:2::2")
tport = {"good": 1025, "bad": 1026}[phase]
seq0 = {"good": 1000000, "bad": 2000000}[phase]
data = random.Random(phase).randbytes(n * size)
open(out, "wb").write(data)

train = b""
for i in range(n):
    tcp = struct.pack("!HHIIBBHHH", tport, 9, seq0 + i * size, 1, 0x50, 0x10,
                      512, 0, 0) + data[i * size:(i + 1) * size]
    pseudo = me + h6 + struct.pack("!I3xB", len(tcp), 6)
    c = csum(pseudo + tcp)
    if phase == "bad":
        c = (c + 1) & 0xffff
    tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
    # the receiver's verdict, as h6 will compute it
    assert (csum(pseudo + tcp) == 0) == (phase == "good")
    pkt = ip6(me, h6, 6, tcp)
    assert len(pkt) == 1280
    train += pkt

s = teredo_socket(SRC, SPORT)
s.setsockopt(17, 103, 1280)  # SOL_UDP, UDP_SEGMENT
assert s.sendto(train, ("192.0.2.130", 3545)) == len(train)
s.settimeout(2)
back = 0
try:
    while True:
        s.recv(2048)
        back += 1
except socket.timeout:
    pass
print(back)
PY

# verify.py PCAP BIN: "packets good bad other bytes intact" of the TCP
# packets in PCAP (tshark checks each checksum: status 0 bad, 1 good,
# 2 unverified); intact 1 if their payloads put together by sequence
# number are exactly BIN, each byte once.
cat > "$TOPO_TMP/verify.py" <<'PY'
import subprocess, sys

pcap, want = sys.argv[1], open(sys.argv[2], "rb").read()
out = subprocess.run(
    ["tshark", "-n", "-r", pcap, "-o", "tcp.check_checksum:TRUE",
     "-o", "tcp.relative_sequence_numbers:FALSE", "-T", "fields",
     "-E", "separator=,", "-e", "tcp.seq", "-e", "tcp.len",
     "-e", "tcp.checksum.status", "-e", "tcp.payload"],
    capture_output=True, text=True, check=True).stdout
n = good = bad = other = total = 0
segs = []
for line in out.splitlines():
    f = line.split(",")
    if len(f) != 4:
        print("tshark:", line[:200], file=sys.stderr)
        continue
    seq, ln, st, pl = f
    n += 1
    good += st == "1"
    bad += st == "0"
    other += st not in ("0", "1")
    pl = bytes.fromhex(pl.replace(":", ""))
    total += len(pl)
    segs.append((int(seq), pl))
segs.sort()
got = b""
seq0 = segs[0][0] if segs else 0
for seq, pl in segs:
    if seq - seq0 != len(got):
        break
    got += pl
print(n, good, bad, other, total, int(got == want and total == len(want)))
PY

st() { topo_stat rly tr0 "$1"; }
drops() { in_ns rly ethtool -S tr0 | grep 'drop_' | grep -v ': 0$' | tr -s ' \n' ' '; }
# tcp FIELD: a counter of h6's "Tcp:" line in /proc/net/snmp (nstat's
# TcpFIELD)
tcp() {
	in_ns h6 cat /proc/net/snmp | awk -v k="$1" '$1 == "Tcp:" {
		if (!h) { for (i = 2; i <= NF; i++) if ($i == k) c = i; h = 1; next }
		print $c }'
}
csum_faults() { dmesg | grep -c 'hw csum failure'; }

# cap NS DEV NAME FILTER [SNAPLEN]: tcpdump into $TOPO_TMP/NAME.pcap,
# returns once it listens
caps=()
cap() {
	ip netns exec "$(ns "$1")" tcpdump -n -U -s "${5:-0}" -i "$2" \
		-w "$TOPO_TMP/$3.pcap" "$4" 2> "$TOPO_TMP/$3.err" &
	TOPO_PIDS+=("$!")
	caps+=("$!")
	wait_for "grep -q listening '$TOPO_TMP/$3.err'" 30 ||
		diag "tcpdump in $1: $(cat "$TOPO_TMP/$3.err")"
}
cap_stop() {
	sleep 2
	kill "${caps[@]}"
	wait "${caps[@]}" 2> /dev/null
	caps=()
}

faults0=$(csum_faults)

# phase GOOD|BAD
phase() {
	local p=$1 rx0 rx d0 err0 rst0 err rst back v n good bad other bytes intact \
		in_udp out_tcp whole
	rx0=$(st rx_packets)
	d0=$(drops)
	err0=$(tcp InCsumErrors)
	rst0=$(tcp OutRsts)
	cap h6 eth0 "h6-$p" "ip6 and tcp dst port 9"
	cap rly eth0 "rly-$p" "udp dst port 3545 or (ip6 and tcp dst port 9)" 128
	back=$(in_ns srv python3 "$TOPO_TMP/forge.py" "$p" $N $PAYLOAD "$TOPO_TMP/$p.bin")
	cap_stop
	rx=$(st rx_packets)
	err=$(( $(tcp InCsumErrors) - err0 ))
	rst=$(( $(tcp OutRsts) - rst0 ))

	# what the relay saw (not asserted: the veths keep a train whole,
	# another lower device may cut it first), and what it forwarded
	# (GRO on tr0 merges what it may)
	in_udp=$(tshark -n -r "$TOPO_TMP/rly-$p.pcap" -Y udp -T fields \
		-e frame.len 2> /dev/null | tr '\n' ' ')
	out_tcp=$(tshark -n -r "$TOPO_TMP/rly-$p.pcap" -Y tcp -T fields \
		-e tcp.len 2> /dev/null | tr '\n' ' ')
	whole="the train whole"
	[ "$(wc -w <<< "$in_udp")" = 1 ] || whole="not one train"
	diag "$p: rly eth0 received the $N datagrams as $(wc -w <<< "$in_udp")" \
		"frame(s) of ${in_udp}bytes ($whole); forwarded" \
		"$(wc -w <<< "$out_tcp") TCP packet(s) of ${out_tcp}payload bytes"
	v=$(python3 "$TOPO_TMP/verify.py" "$TOPO_TMP/h6-$p.pcap" "$TOPO_TMP/$p.bin")
	read -r n good bad other bytes intact <<< "$v"
	diag "$p: h6 captured $n TCP packets, checksums $good good, $bad bad," \
		"$other other, $bytes payload bytes (intact $intact);" \
		"TcpInCsumErrors +$err, TcpOutRsts +$rst; $back Teredo packets back to 192.0.2.1:40000"

	check "$p: tr0 took $N datagrams from the train (rx_packets $rx0 -> $rx), no drop" \
		test "$rx" = $((rx0 + N)) -a "$(drops)" = "$d0" ||
		diag "drops before: $d0; after: $(drops)"
	if [ "$p" = good ]; then
		check "good: h6 received all $((N * PAYLOAD)) payload bytes, intact" \
			test "$bytes" = $((N * PAYLOAD)) -a "$intact" = 1
		check "good: every TCP checksum h6 received is valid (tshark)" \
			test "$n" -gt 0 -a "$good" = "$n"
		check "good: h6 counted no TCP checksum error (TcpInCsumErrors +$err)" \
			test "$err" = 0
		check "good: h6's TCP took every packet: one RST each ($rst for $n)" \
			test "$rst" = "$n" -a "$n" -gt 0
	else
		check "bad: h6 received the $N segments, all $((N * PAYLOAD)) bytes, intact" \
			test "$n" = $N -a "$bytes" = $((N * PAYLOAD)) -a "$intact" = 1
		check "bad: each still with its bad TCP checksum, none made valid (tshark)" \
			test "$bad" = $N -a "$good" = 0 -a "$other" = 0
		check "bad: h6 counted $N TCP checksum errors (TcpInCsumErrors +$err)" \
			test "$err" = $N
		check "bad: h6's TCP answered none of them (TcpOutRsts +$rst)" \
			test "$rst" = 0
	fi
}

phase good
phase bad

faults=$(csum_faults)
check "no 'hw csum failure' in the kernel log ($faults0 -> $faults)" \
	test "$faults" = "$faults0" ||
	diag "$(dmesg | grep -A3 'hw csum failure' | tail -n 20 | tr '\n' ';')"
diag "$(in_ns rly ethtool -S tr0 | grep -v ': 0$' | tr -s ' \n' ' ')"
tap_end
