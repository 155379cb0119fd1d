#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# waits: listeners that must receive nothing, for seconds each (CPU 26 %)
# timeout=400
# Least exposure without a ruleset (issue 24): with the defaults and no
# nftables ruleset, client 1 (allow 0x10, nothing marked) delivers only
# what is for an authorized socket.  An unmarked UDP listener and an
# unmarked TCP listener on [::] receive nothing from a Miredo client
# (c3) nor from our own client (c2), and the host answers no ping: each
# dropped packet is counted (drop_inbound_unauthorized).  The same
# listeners started with "teredo-nl exec" (mark 0x10) receive and
# answer.  A connection client 1 opens as an authorized socket works
# both ways (TCP, UDP, ping).  "inbound open" restores delivery to the
# unmarked listeners (whose unmarked answers are still refused
# outbound).  "show" states the exposure in one line.
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd miredo miredo-server conntrack ethtool nft python3 ping teredo-nl
require_module teredo
ktap_plan 28

ROUNDS=3
stat() { in_ns c1 ethtool -S t0 | awk -v k="$1:" '$1 == k { print $2 }'; }
# "ip netns exec" mounts a fresh /sys, without the cgroup v2 hierarchy
nl_exec() {
	in_ns c1 sh -c 'mount -t cgroup2 none /sys/fs/cgroup && exec teredo-nl exec "$@"' \
		sh "$@"
}

topo_build 3
# the peers reach client 1 through the mapping of its last RS
topo_nat_udp_timeout 1 300 || fail_all "no conntrack UDP timeout sysctls in nat1"
topo_server_start
topo_miredo_client_start 3
# shellcheck disable=SC2317 # called through check
setup1() { TOPO_AUTH=0 topo_teredo 1 t0 allow 0x10; }
check "client 1 configured: allow 0x10, nothing marked, defaults" setup1
check "client 2 configured (ours, all its output authorized)" topo_teredo 2 t0
check "client 2 qualifies" topo_wait_state 2 t0 qualified 20
check "the Miredo client qualifies" topo_wait_miredo 3 30

# --- listeners on client 1: UDP and TCP echo servers on [::] -----------------
# srv.py UDP TCP FILE: echoes what comes; FILE holds "udp N tcp M mark K"
# (datagrams received, TCP connections that sent data, its sockets' mark),
# rewritten at each one; FILE.pid its pid.
cat > "$TOPO_TMP/srv.py" <<'PY'
import select, socket, sys
uport, tport, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
# (topo_cleanup kills the pids of $TOPO_TMP/*.pid: exec's child too)
open(out + ".pid", "w").write("%d\n" % __import__("os").getpid())
u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
u.bind(("::", uport))
t = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind(("::", tport))
t.listen(8)
n = {"udp": 0, "tcp": 0, "mark": u.getsockopt(socket.SOL_SOCKET, socket.SO_MARK)}
def dump():
    open(out + ".tmp", "w").write("udp %(udp)d tcp %(tcp)d mark %(mark)d\n" % n)
    __import__("os").rename(out + ".tmp", out)
dump()
while True:
    r, _, _ = select.select([u, t], [], [])
    if u in r:
        data, peer = u.recvfrom(2000)
        n["udp"] += 1
        u.sendto(data, peer)
    if t in r:
        c, _ = t.accept()
        c.settimeout(5)
        try:
            data = c.recv(100)
            if data:
                n["tcp"] += 1
                c.sendall(data)
        except OSError:
            pass
        c.close()
    dump()
PY
# cli.py DST ROUNDS: per round one datagram to 5000 and 5001, one TCP
# connection to 5002 and 5003; prints how many were echoed per port.
cat > "$TOPO_TMP/cli.py" <<'PY'
import socket, sys, time
dst, rounds = sys.argv[1], int(sys.argv[2])
got = {5000: 0, 5001: 0, 5002: 0, 5003: 0}
u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
for i in range(rounds):
    for port in (5000, 5001):
        try:
            u.sendto(b"udp %d" % i, (dst, port))
        except OSError:
            pass
    end = time.monotonic() + 2
    while time.monotonic() < end:
        u.settimeout(max(0.01, end - time.monotonic()))
        try:
            data, peer = u.recvfrom(2000)
            got[peer[1]] = got.get(peer[1], 0) + 1
        except socket.timeout:
            break
        except OSError:
            pass
    for port in (5002, 5003):
        try:
            s = socket.create_connection((dst, port), timeout=4)
            s.settimeout(4)
            s.sendall(b"tcp %d" % i)
            if s.recv(100) == b"tcp %d" % i:
                got[port] += 1
            s.close()
        except OSError:
            pass
print(" ".join("%d=%d" % (p, got[p]) for p in (5000, 5001, 5002, 5003)))
PY
in_ns c1 python3 "$TOPO_TMP/srv.py" 5000 5002 "$TOPO_TMP/plain" &
TOPO_PIDS+=($!)
# the authorized one under exec, which also holds the device awake
nl_exec -- python3 "$TOPO_TMP/srv.py" 5001 5003 "$TOPO_TMP/auth" &
TOPO_PIDS+=($!)
wait_for "test -s $TOPO_TMP/plain && test -s $TOPO_TMP/auth" 30
diag "plain listener: $(cat "$TOPO_TMP/plain"); exec'd listener: $(cat "$TOPO_TMP/auth")"
check "the exec'd listener's sockets carry mark 0x10" grep -q "mark 16" "$TOPO_TMP/auth"
check "client 1 qualified (held by exec)" topo_wait_state 1 t0 qualified 30
a1=$(topo_show 1 t0 address)
a2=$(topo_show 2 t0 address)
a3=$(topo_global_addr c3 mteredo)
diag "client 1 $a1, client 2 $a2, Miredo client $a3"

out=$(in_ns c1 teredo-nl show t0)
check "show: 'inbound: authorized sockets only'" grep -q "inbound: authorized sockets only" <<< "$out"
check "show -j: inbound authorized" test "$(topo_show 1 t0 inbound)" = authorized

# --- unsolicited, from our client and from Miredo's --------------------------
before=$(stat drop_inbound_unauthorized)
rx0=$(stat rx_packets)
r2=$(in_ns c2 python3 "$TOPO_TMP/cli.py" "$a1" $ROUNDS 2>&1)
r3=$(in_ns c3 python3 "$TOPO_TMP/cli.py" "$a1" $ROUNDS 2>&1)
dropped=$(( $(stat drop_inbound_unauthorized) - before ))
diag "echoed to our client: $r2; to the Miredo client: $r3"
diag "plain listener: $(cat "$TOPO_TMP/plain"); exec'd listener: $(cat "$TOPO_TMP/auth")"
diag "client 1: drop_inbound_unauthorized +$dropped, rx_packets +$(( $(stat rx_packets) - rx0 ))"
check "unmarked UDP and TCP listeners received nothing" \
	grep -q "^udp 0 tcp 0 " "$TOPO_TMP/plain" || topo_diag 1 t0 "$a2"
check "our client: no answer from the unmarked listeners" grep -q "5000=0 5001=.* 5002=0 " <<< "$r2"
check "Miredo client: no answer from the unmarked listeners" grep -q "5000=0 5001=.* 5002=0 " <<< "$r3"
check "our client: the exec'd listener answered UDP and TCP" \
	python3 -c 'import sys; d = dict(kv.split("=") for kv in sys.argv[1].split()); sys.exit(not (int(d["5001"]) >= 1 and int(d["5003"]) >= 1))' "$r2"
check "Miredo client: the exec'd listener answered UDP and TCP" \
	python3 -c 'import sys; d = dict(kv.split("=") for kv in sys.argv[1].split()); sys.exit(not (int(d["5001"]) >= 1 and int(d["5003"]) >= 1))' "$r3"
# at least one UDP datagram and one TCP SYN per round and sender
check "the refused packets were counted (drop_inbound_unauthorized +$dropped >= $((4 * ROUNDS)))" \
	test "$dropped" -ge $((4 * ROUNDS))

before=$(stat drop_inbound_unauthorized)
out=$(in_ns c2 ping -c 2 -i 0.5 -W 3 "$a1" 2>&1)
check "the host answers no ping (echo requests to the kernel dropped)" grep -q " 0 received" <<< "$out"
check "... counted" test "$(stat drop_inbound_unauthorized)" -ge $((before + 2))

# --- what client 1 opens as an authorized socket works both ways ------------
in_ns c2 python3 "$TOPO_TMP/srv.py" 6000 6002 "$TOPO_TMP/c2srv" &
TOPO_PIDS+=($!)
wait_for "test -s $TOPO_TMP/c2srv" 30
out=$(nl_exec -- python3 -c '
import socket, sys
u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
u.settimeout(5)
ok = 0
for i in range(5):
    u.sendto(b"x%d" % i, (sys.argv[1], 6000))
    try:
        if u.recv(100) == b"x%d" % i:
            ok += 1
    except OSError:
        pass
s = socket.create_connection((sys.argv[1], 6002), timeout=10)
s.settimeout(10)
s.sendall(b"y" * 100)
n = 0
while n < 100:
    b = s.recv(2000)
    if not b:
        break
    n += len(b)
print(ok, n)' "$a2" 2>&1)
diag "authorized UDP echoes, TCP bytes echoed: $out"
check "authorized UDP flow from client 1: answers come back" grep -q "^[1-5] " <<< "$out"
check "authorized TCP connection from client 1: both ways" grep -q " 100$" <<< "$out"
out=$(nl_exec -- ping -6 -c 2 -i 0.5 -W 5 "$a2" 2>&1)
check "authorized ping from client 1: replies delivered" grep -q " [12] received" <<< "$out" ||
	diag "$out"
out=$(nl_exec -- ping -6 -c 2 -i 0.5 -W 5 "$a3" 2>&1)
check "authorized ping to the Miredo client: replies delivered" grep -q " [12] received" <<< "$out" ||
	diag "$out"

# --- inbound open: today's delivery -------------------------------------------
check "set inbound open" in_ns c1 teredo-nl set t0 inbound open
out=$(in_ns c1 teredo-nl show t0)
check "show: 'inbound: open'" grep -q "inbound: open" <<< "$out"
check "show -j: inbound open" test "$(topo_show 1 t0 inbound)" = open
before=$(stat drop_inbound_unauthorized)
refused=$(stat drop_unauthorized)
r2=$(in_ns c2 python3 "$TOPO_TMP/cli.py" "$a1" 1 2>&1)
r3=$(in_ns c3 python3 "$TOPO_TMP/cli.py" "$a1" 1 2>&1)
diag "open: echoed to our client: $r2; to the Miredo client: $r3; plain listener: $(cat "$TOPO_TMP/plain")"
# (outbound is unchanged: their unmarked answers are refused, counted)
check "open: the unmarked UDP listener receives again" \
	test "$(awk '{ print $2 }' "$TOPO_TMP/plain")" -ge 2
refused=$(( $(stat drop_unauthorized) - refused ))
check "open: its answers (and the TCP listener's) refused outbound (drop_unauthorized +$refused)" \
	test "$refused" -ge 4
check "open: nothing counted in drop_inbound_unauthorized" \
	test "$(stat drop_inbound_unauthorized)" = "$before"
check "set inbound authorized" in_ns c1 teredo-nl set t0 inbound authorized
check "show -j: inbound authorized again" test "$(topo_show 1 t0 inbound)" = authorized

tap_end
