#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=240
# Least exposure, authorized marks: client 1's device allows only
# marks 0x10/0xf0.  An unmarked socket cannot send through the tunnel
# and fails fast (ICMPv6 administratively prohibited: ping says so, UDP
# and TCP sockets get EACCES), drop_unauthorized counts it; a socket
# whose mark matches under the mask gets through, one that does not is
# refused; the kernel's own unmarked echo replies are refused too.
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
ktap_plan 21

stat() { in_ns c1 ethtool -S t0 | awk -v k="$1:" '$1 == k { print $2 }'; }
# shellcheck disable=SC2317 # called through check
fast() { # fast SECONDS CMD...: CMD fails, within SECONDS
	local start=$SECONDS
	! "${@:2}" && [ $((SECONDS - start)) -le "$1" ]
}

topo_build 2
topo_server_start
# shellcheck disable=SC2317 # called through check
setup1() { TOPO_AUTH=0 topo_teredo 1 t0 allow 0x10/0xf0; }
check "client 1 configured: allow 0x10/0xf0 only, nothing marked" setup1
check "client 2 configured (all its output authorized)" topo_teredo 2 t0
check "client 1 qualifies" topo_wait_state 1 t0 qualified 20
check "client 2 qualifies" topo_wait_state 2 t0 qualified 20
a1=$(topo_show 1 t0 address)
a2=$(topo_show 2 t0 address)
diag "client 1 $a1, client 2 $a2"

before=$(stat drop_unauthorized)
out=$(in_ns c1 ping -c 1 -W 10 "$a2" 2>&1)
rc=$?
diag "$(tr '\n' ' ' <<< "$out")"
check "unmarked ping refused" test "$rc" != 0
check "ping says: administratively prohibited" grep -qi "prohibited" <<< "$out"
check "drop_unauthorized counted it" test "$(stat drop_unauthorized)" -gt "$before"
check "unmarked ping fails fast (< 3 s)" fast 3 in_ns c1 ping -c 1 -W 10 "$a2"

cat > "$TOPO_TMP/sock.py" <<'PY'
import errno, socket, sys, time
kind, dst, mark = sys.argv[1], sys.argv[2], int(sys.argv[3], 0)
t = socket.SOCK_DGRAM if kind == "udp" else socket.SOCK_STREAM
s = socket.socket(socket.AF_INET6, t)
if mark:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_MARK, mark)
s.settimeout(10)
start = time.monotonic()
try:
    s.connect((dst, 9))
    if kind == "udp":
        for _ in range(20):
            s.send(b"x")
            time.sleep(0.1)
    print("no error")
    sys.exit(0)
except OSError as e:
    print(errno.errorcode.get(e.errno, e.errno), round(time.monotonic() - start, 1))
    sys.exit(1 if e.errno in (errno.EACCES, errno.EHOSTUNREACH) else 2)
PY
out=$(in_ns c1 python3 "$TOPO_TMP/sock.py" udp "$a2" 0 2>&1)
diag "unmarked UDP: $out"
check "unmarked connected UDP socket gets EACCES/EHOSTUNREACH" \
	bash -c "[[ '$out' == EACCES* || '$out' == EHOSTUNREACH* ]]"
out=$(in_ns c1 python3 "$TOPO_TMP/sock.py" tcp "$a2" 0 2>&1)
diag "unmarked TCP: $out"
check "unmarked TCP connect fails with EACCES/EHOSTUNREACH within 3 s" \
	python3 -c 'import sys; k, t = sys.argv[1].split(); sys.exit(not (k in ("EACCES", "EHOSTUNREACH") and float(t) <= 3))' "$out"

# (ping -m wants decimal: 19 = 0x13, 31 = 0x1f, 32 = 0x20, 16 = 0x10)
# (the first contact between two peers behind NATs is not what this
# test is about: one answer of three will do)
out=$(in_ns c1 ping -c 3 -i 1 -W 10 -m 19 "$a2" 2>&1)
check "ping with mark 0x13 (0x13 & 0xf0 == 0x10) answered" grep -q " [123] received" <<< "$out" ||
	{ diag "$out"; topo_diag 1 t0 "$a2"; topo_diag 2 t0; }
out=$(in_ns c1 ping -c 2 -i 0.5 -W 5 -m 31 "$a2" 2>&1)
check "ping with mark 0x1f: 2 of 2" grep -q " 2 received" <<< "$out"
before=$(stat drop_unauthorized)
check "ping with mark 0x20 (outside the mask's match) refused" fast 3 \
	in_ns c1 ping -c 1 -W 10 -m 32 "$a2"
check "... and counted" test "$(stat drop_unauthorized)" -gt "$before"
# client 2 has no listener: its port unreachable proves the way through
out=$(in_ns c1 python3 "$TOPO_TMP/sock.py" udp "$a2" 0x10 2>&1)
check "UDP socket with mark 0x10 reaches client 2 (ECONNREFUSED from it)" \
	grep -q "^ECONNREFUSED" <<< "$out" || diag "$out"

# client 1's kernel answers client 2's pings without a mark: refused
before=$(stat drop_unauthorized)
out=$(in_ns c2 ping -c 2 -i 0.5 -W 3 "$a1" 2>&1)
check "client 1 does not answer pings (its replies are unmarked)" grep -q " 0 received" <<< "$out"
check "... its replies counted in drop_unauthorized" \
	test "$(stat drop_unauthorized)" -ge $((before + 2))
check "set allow none: marked pings refused too" in_ns c1 teredo-nl set t0 allow none
check "... ping with mark 0x10 refused" fast 3 in_ns c1 ping -c 1 -W 10 -m 16 "$a2"
# Authorized while up (as after "ip link add t0 up type teredo ..."):
# the next packet passes, no requalification or delay.
check "set allow 0x10/0xf0 again, device up" in_ns c1 teredo-nl set t0 allow 0x10/0xf0
out=$(in_ns c1 ping -c 1 -W 5 -m 16 "$a2" 2>&1)
check "... the next ping with mark 0x10 answered" grep -q " 1 received" <<< "$out" || diag "$out"

tap_end
