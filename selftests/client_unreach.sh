#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# waits: the client gives up a silent peer after its bubbles (8 s and more, twice)
# timeout=300
# Unreachable is said, not silent (issue 19 item 3): a packet our client
# cannot deliver earns its local sender an ICMPv6 destination
# unreachable, code 3 (address unreachable), rate limited as the stack's
# own errors, and drop_unreachable counts it.  While packets wait, the
# client tries again every second (bubbles at least 2 s apart, at most 4
# per 300 s: RFC 4380 section 5.2.6); 2 s after the last try the peer is
# given up.
#  - a Teredo peer behind a NAT that drops everything unsolicited
#    (nat2's outside address): "ping -c 1 -W 25" prints "Destination
#    unreachable: Address unreachable" (the old module: nothing, the
#    ping times out); a TCP connect to another such peer fails with
#    EHOSTUNREACH instead of running into its 30 s timeout; once given
#    up, the next packet is refused at once (its error may fall to the
#    ICMPv6 rate limit, 1 s per destination: TCP's next SYN gets one);
#  - a native host without a relay (no Teredo relay runs: the echo test
#    through the server is never answered): the same for ping;
#  - a peer that answers (client 2) is reached as before.
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd miredo-server conntrack nft ping python3 teredo-nl
require_module teredo
ktap_plan 12

topo_build 2
topo_server_start
check "client 1 configured" topo_teredo 1 t0 local-discovery off
check "client 2 configured" topo_teredo 2 t0 local-discovery off
topo_wait_state 1 t0 qualified 30 && topo_wait_state 2 t0 qualified 30
check "both clients qualify" test $? = 0
# silent peers: Teredo addresses naming nat2's outside address, ports
# nothing inside nat2 ever sent from (its firewall drops what comes)
silent() {
	python3 -c '
import ipaddress, sys
from teredopkt import teredo
print(ipaddress.IPv6Address(teredo("192.0.2.1", "203.0.113.1", int(sys.argv[1]))))' "$1"
}
p1=$(silent 4444)
p2=$(silent 4445)
st() { topo_stat c1 t0 "$1"; }
u0=$(st drop_unreachable)
diag "client 1 $(topo_show 1 t0 address), silent peers $p1 $p2"

out=$(in_ns c1 ping -c 1 -W 25 "$p1" 2>&1)
diag "$(grep -E 'From|transmitted' <<< "$out" | tr '\n' ' ')"
check "ping a silent Teredo peer: Destination unreachable: Address unreachable" \
	grep -q "Destination unreachable: Address unreachable" <<< "$out"
u1=$(st drop_unreachable)
check "drop_unreachable counts it ($u0 -> $u1)" test "$u1" -gt "$u0"
diag "bubbles sent: $(st tx_bubbles)"

# connect CONNECT ADDR: errno name of a TCP connect (30 s timeout)
connect() {
	in_ns c1 python3 -c '
import errno, socket, sys, time
s = socket.socket(socket.AF_INET6)
s.settimeout(30)
t = time.monotonic()
try:
    s.connect((sys.argv[1], 80))
    r = "connected"
except socket.timeout:
    r = "timeout"
except OSError as e:
    r = errno.errorcode.get(e.errno, str(e.errno))
print(r, "%.1f" % (time.monotonic() - t))' "$1"
}
read -r res secs <<< "$(connect "$p2")"
diag "TCP connect to $p2: $res after $secs s"
check "TCP connect to another silent peer: EHOSTUNREACH, not a timeout ($res)" \
	test "$res" = EHOSTUNREACH
read -r res secs <<< "$(connect "$p2")"
diag "again: $res after $secs s"
check "given up: the next connect fails within 5 s ($res after $secs s)" \
	eval 'test "$res" = EHOSTUNREACH && [ "${secs%.*}" -lt 5 ]'
u2=$(st drop_unreachable)

# a native host, no relay running: the echo tests go unanswered
out=$(in_ns c1 ping -c 1 -W 25 2001:db8:2::2 2>&1)
diag "$(grep -E 'From|transmitted' <<< "$out" | tr '\n' ' ')"
check "ping a native host without a relay: Destination unreachable: Address unreachable" \
	grep -q "Destination unreachable: Address unreachable" <<< "$out"
check "tx_echo_tests: at most 4 echo tests to it ($(st tx_echo_tests))" \
	test "$(st tx_echo_tests)" -le 4 -a "$(st tx_echo_tests)" -ge 1
check "drop_unreachable counts it ($u2 -> $(st drop_unreachable))" \
	test "$(st drop_unreachable)" -gt "$u2"

# what answers is reached as before
a2=$(topo_show 2 t0 address)
out=$(in_ns c1 ping -c 3 -i 0.5 -W 10 "$a2" 2>&1)
diag "$(grep -E 'transmitted' <<< "$out")"
check "client 1 -> client 2: 3 pings answered" grep -q " 3 received" <<< "$out"
check "no error for it" eval '! grep -q "Destination unreachable" <<< "$out"'
diag "$(in_ns c1 ethtool -S t0 | grep -v ': 0$' | tr -s ' \n' ' ')"
tap_end
