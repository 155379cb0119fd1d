#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=1800
# "make bench" (issue 7): our Teredo client against sit+fou and Miredo,
# in one guest, on the same path, interleaved.
#
# The same topology is built three times, once per configuration:
#
#   c1 (10.0.1.2) -> nat1 (198.51.100.1, masquerade + drop of unsolicited
#   inbound) -> rly (198.51.100.254, 192.0.2.130) -> h6 (2001:db8:2::2)
#                                  \-> srv (192.0.2.1+.2, miredo-server)
#
#   teredo   our client (t0 in c1), the relay of $BENCH_RELAY in rly
#   sit+fou  the kernel's sit with fou encapsulation (IPv6 in UDP in
#            IPv4, port 5555, with UDP checksums as Teredo sends them)
#            between c1 and rly: the ceiling for this wire format
#   miredo   a miredo client in c1 and a miredo relay in rly
#   sit+fou-nogso  (only if asked for in BENCH_CONFIGS) sit+fou with GSO
#            and TSO off on both tunnel ends: what GSO is worth
#
# Every tunnel has MTU 1280 (Teredo's), so TCP segments are the same size.
# Then, for each repetition, each configuration in turn (A B C A B C ...),
# the runs of $BENCH_KINDS in this order (iperf3 from c1, $BENCH_TIME s):
#   tcp      TCP bulk c1 -> h6
#   tcp-rev  TCP bulk h6 -> c1 (iperf3 -R: through the relay's transmit
#            side and the NAT, into c1's tunnel)
#   tcp4     4 parallel TCP flows c1 -> h6 (iperf3 -P 4)
#   udp64    UDP with 64-byte payloads at full speed (iperf3 -u -l 64 -b 0)
# counting what arrives (the RX counter of h6's eth0; for tcp-rev that of
# c1's eth0, its uplink to nat1, the same device in every configuration)
# and the guest's CPU time (/proc/stat) per UDP packet and per TCP byte
# delivered (TCP: the receiver's figures, iperf3's end.sum_received).
# Scale (if teredo-gen is built): the teredo configuration's t0 grows to
# 1k, 10k and 100k peers (time, unreclaimable slab before/after, bytes per
# peer) with a UDP run to h6 at each size (the per-packet lookup cost with
# N others present: CPU per packet, and with perf the time spent in
# teredo_peer_lookup per packet sent); then TCP to h6 idle vs. under a
# flood of bubbles from 1M spoofed sources (max-peers back at its
# default), 3 pairs.  1M peers at once is out of reach under TCG: peers
# idle out after 60 s and a TCG guest creates a few thousand per second.
# selftests/bench_report.py prints the medians and the ratios and writes
# bench.json to $BENCH_OUT.  Missed targets are reported, not failed;
# the exit status is 1 only if a configuration could not be measured.
#
# Environment: BENCH_TIME (10), BENCH_REPS (3), BENCH_RELAY (teredo: our
# relay, or miredo), BENCH_CONFIGS ("teredo sit+fou miredo"),
# BENCH_KINDS ("tcp tcp-rev tcp4 udp64": the runs of each repetition),
# BENCH_OUT,
# BENCH_PROFILE=1 (then one more TCP and one more UDP run per
# configuration under perf, their top symbols printed and kept in
# profile-CFG-tcp.txt and profile-CFG-udp64.txt; BENCH_PROFILE=graph:
# the same with call stacks, who calls each symbol above 1 % kept in
# profile-CFG-KIND-graph.txt),
# BENCH_SCALE=0 (no scale part; it needs teredo-gen from selftests/tools),
# BENCH_SCALE_PEERS ("1000 10000 100000"), BENCH_FLOOD (1000000),
# BENCH_FLOOD_PPS (2000; empty: full speed),
# BENCH_ONLY=flood (the teredo configuration and its flood part only:
# no comparison, no growth of the table; the same flood figures).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"

BENCH_TIME=${BENCH_TIME:-10}
BENCH_REPS=${BENCH_REPS:-3}
BENCH_RELAY=${BENCH_RELAY:-teredo}
BENCH_CONFIGS=${BENCH_CONFIGS:-teredo sit+fou miredo}
BENCH_KINDS=${BENCH_KINDS:-tcp tcp-rev tcp4 udp64}
for kind in $BENCH_KINDS; do
	case $kind in
	tcp|tcp-rev|tcp4|udp64) ;;
	*)	echo "bench: BENCH_KINDS: unknown kind $kind (tcp tcp-rev tcp4 udp64)" >&2
		exit 2 ;;
	esac
done
BENCH_OUT=${BENCH_OUT:-/run/vm/results}
BENCH_TMP=$(mktemp -d /tmp/bench.XXXXXX)
BENCH_H6=2001:db8:2::2
BENCH_SCALE_PEERS=${BENCH_SCALE_PEERS:-1000 10000 100000}
BENCH_FLOOD=${BENCH_FLOOD:-1000000}
# The flood's pace, packets a second (empty: as fast as the guest takes
# them, which under TCG is about 20-40k: the guest saturates, with or
# without teredo, and only flood/control says anything).  2000 a second
# is a tenth of what the guest can take: the flood's own cost stays
# small, and what teredo adds to it shows in flood/idle.
BENCH_FLOOD_PPS=${BENCH_FLOOD_PPS-2000}
BENCH_ONLY=${BENCH_ONLY:-}
case $BENCH_ONLY in
"")	;;
flood)	BENCH_CONFIGS=teredo ;;
*)	echo "bench: BENCH_ONLY=$BENCH_ONLY: only \"flood\" is known" >&2; exit 2 ;;
esac
BENCH_MAX_PEERS=1048576
BENCH_ME=""
BENCH_FAILED=""
BENCH_CFG=""

bench_cleanup() {
	local cfg
	for cfg in $BENCH_CONFIGS; do
		bench_use "$cfg"
		topo_cleanup
	done
	rm -rf "$BENCH_TMP"
}
defer bench_cleanup
require_root
require_cmd iperf3 miredo miredo-server nft python3 ping
require_module teredo

# (with the guest's seconds since the start: where the bench's time goes)
say() { printf '\n=== %s [%d s]\n' "$*" "$SECONDS"; }

# bench_use CFG: the topo.sh helpers work on CFG's copy of the topology.
bench_use() {
	case $1 in
	teredo)		TOPO=bt ;;
	sit+fou)	TOPO=bs ;;
	sit+fou-nogso)	TOPO=bn ;;
	miredo)		TOPO=bm ;;
	*)		echo "bench: unknown configuration $1" >&2; exit 2 ;;
	esac
	TOPO_TMP=$BENCH_TMP/$TOPO
	mkdir -p "$TOPO_TMP"
}

# bench_topo: c1 -> nat1 -> rly -> h6, and srv behind rly.
bench_topo() {
	local r
	for r in rly srv h6; do
		ip netns add "$(ns "$r")" || return 1
		ip -n "$(ns "$r")" link set lo up
	done
	topo_veth rly s0 srv eth0
	topo_veth rly h0 h6 eth0
	ip -n "$(ns rly)" -batch - <<-IP || return 1
		addr add 192.0.2.130/32 dev lo
		addr add 192.0.2.126/25 dev s0
		addr add 2001:db8:3::1/64 dev s0 nodad
		addr add 2001:db8:2::1/64 dev h0 nodad
	IP
	in_ns rly sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	ip -n "$(ns srv)" -batch - <<-IP || return 1
		addr add 192.0.2.1/25 dev eth0
		addr add 192.0.2.2/25 dev eth0
		addr add 2001:db8:3::2/64 dev eth0 nodad
		route add default via 192.0.2.126
		route add default via 2001:db8:3::1
	IP
	ip -n "$(ns h6)" -batch - <<-IP || return 1
		addr add $BENCH_H6/64 dev eth0 nodad
		route add default via 2001:db8:2::1
	IP
	TOPO_UPLINK=rly topo_nat 1
}

# bench_relay: the Teredo relay of the teredo and miredo configurations.
bench_relay() {
	case $1 in
	miredo)	# (its route to 2001::/32 may exist already: check the device)
		topo_relay_start
		ip -n "$(ns rly)" link show teredo > /dev/null ;;
	teredo)	# tr0 in mode relay, bound to 192.0.2.130 as the miredo relay
		# is (rly has three addresses: replies must come from the one
		# the client's NAT saw), with the iproute2 plugin
		in_ns rly sysctl -qw net.ipv6.conf.all.forwarding=1
		IP_LIB_DIR=$SELFTESTS_DIR/../build/tools/ip ip -n "$(ns rly)" \
			link add tr0 type teredo local 192.0.2.130 || return 1
		in_ns rly teredo-nl set tr0 mode relay || return 1
		ip -n "$(ns rly)" link set tr0 up || return 1
		ip -n "$(ns rly)" -6 route add 2001::/32 dev tr0 ;;
	esac
}

bench_wait_miredo() {
	local end=$((SECONDS + 30))
	while [ "$SECONDS" -lt "$end" ]; do
		[ -n "$(topo_global_addr c1 mteredo 2>/dev/null)" ] && return 0
		sleep 0.5
	done
	return 1
}

# bench_sit_fou: a sit tunnel with fou encapsulation between c1 and rly.
bench_sit_fou() {
	modprobe fou && modprobe sit || return 1
	ip -n "$(ns c1)" -batch - <<-IP || return 1
		fou add port 5555 ipproto 41
		link add s6 type sit remote 192.0.2.130 local 10.0.1.2 ttl 64 encap fou encap-sport 5555 encap-dport 5555 encap-csum
		link set s6 mtu 1280 up
		addr add 2001:db8:5::2/64 dev s6 nodad
		route add ::/0 dev s6
	IP
	ip -n "$(ns rly)" -batch - <<-IP || return 1
		fou add port 5555 ipproto 41
		link add s6 type sit remote 198.51.100.1 local 192.0.2.130 ttl 64 encap fou encap-sport 5555 encap-dport 5555 encap-csum
		link set s6 mtu 1280 up
		addr add 2001:db8:5::1/64 dev s6 nodad
	IP
}

# bench_step DESC CMD...: CMD, or say which step of the setup failed.
bench_step() {
	local desc=$1
	shift
	"$@" && return 0
	echo "  $BENCH_CFG: $desc failed"
	return 1
}

# bench_setup CFG: CFG's topology and tunnel, up to a first answered
# ping from c1 to h6, and an iperf3 server in h6.
bench_setup() {
	local cfg=$1 _
	BENCH_CFG=$cfg
	bench_use "$cfg"
	bench_step "building the topology" bench_topo || return 1
	case $cfg in
	teredo)
		topo_server_start
		bench_step "starting the $BENCH_RELAY relay" bench_relay "$BENCH_RELAY" || return 1
		# (a fixed port and room for the scale part's peers; every
		# unmarked packet authorized by the device itself (allow 0), not
		# topo.sh's nft chain marking each packet, which the other
		# configurations would not pay for; with mark 0 authorized,
		# inbound reaches every unmarked socket too; never idle, as
		# topo.sh's devices)
		TOPO_AUTH=0 bench_step "creating t0" topo_teredo 1 t0 \
			port $BENCH_PORT max-peers $BENCH_MAX_PEERS \
			allow 0 dormant-timeout 0 || return 1
		bench_step "qualifying" topo_wait_state 1 t0 qualified 30 || return 1
		;;
	sit+fou)
		bench_step "creating the sit+fou tunnel" bench_sit_fou || return 1
		;;
	sit+fou-nogso)
		bench_step "creating the sit+fou tunnel" bench_sit_fou || return 1
		bench_step "turning GSO off" in_ns c1 ethtool -K s6 gso off tso off &&
			bench_step "turning GSO off" in_ns rly ethtool -K s6 gso off tso off || return 1
		;;
	miredo)
		topo_server_start
		bench_step "starting the miredo relay" bench_relay miredo || return 1
		topo_miredo_client_start 1
		bench_step "qualifying the miredo client" bench_wait_miredo || return 1
		ip -n "$(ns c1)" link set mteredo mtu 1280
		;;
	esac
	bench_step "starting iperf3 -s" in_ns h6 iperf3 -s -D -I "$TOPO_TMP/iperf3.pid" || return 1
	TOPO_PIDS+=("$(cat "$TOPO_TMP/iperf3.pid" 2>/dev/null)")
	for _ in $(seq 10); do
		in_ns c1 ping -c 1 -W 2 "$BENCH_H6" > /dev/null 2>&1 && return 0
	done
	echo "  $cfg: no answer to ping $BENCH_H6 from c1"
	return 1
}

# "busy total" jiffies of all CPUs.
bench_cpu() {
	awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat
}

# bench_rx [NODE]: packets received on NODE's eth0 (default h6; c1's
# eth0 is its uplink to nat1, for the runs towards c1).
bench_rx() {
	ip -n "$(ns "${1:-h6}")" -s link show eth0 | awk 'f { print $2; exit } /RX:/ { f = 1 }'
}

# bench_run CFG REP KIND [SET]: one iperf3 run, recorded in
# $BENCH_TMP/SET (default: runs); RX0 RX1 are the receiving end's
# counter: h6's, or c1's for tcp-rev.
bench_run() {
	local cfg=$1 rep=$2 kind=$3 set=${4:-runs} f cpu0 cpu1 rx0 rx1 rc args to=h6
	bench_use "$cfg"
	f=$BENCH_TMP/$TOPO-$set-$rep-$kind
	case $kind in
	tcp)	args=(-t "$BENCH_TIME") ;;
	tcp-rev) args=(-R -t "$BENCH_TIME"); to=c1 ;;
	tcp4)	args=(-P 4 -t "$BENCH_TIME") ;;
	udp64)	args=(-u -l 64 -b 0 -t "$BENCH_TIME") ;;
	esac
	rx0=$(bench_rx "$to")
	cpu0=$(bench_cpu)
	timeout $((BENCH_TIME + 30)) ip netns exec "$(ns c1)" \
		iperf3 -c "$BENCH_H6" "${args[@]}" -J > "$f.json" 2> "$f.err"
	rc=$?
	cpu1=$(bench_cpu)
	rx1=$(bench_rx "$to")
	echo "$cfg $rep $kind $rc $rx0 $rx1 $cpu0 $cpu1 $f.json" >> "$BENCH_TMP/$set"
	# (the figures come from iperf3's JSON at the end: a python3 start
	# per run costs seconds under TCG)
	printf '  %-13s %-7s %-5s %s packets at %s, iperf3 status %d\n' \
		"$cfg" "$([ "$set" = runs ] && echo "rep $rep" || echo "$set")" "$kind" \
		$((rx1 - rx0)) "$to" "$rc"
}

# --- scale: the peer table of our client -------------------------------------
# teredo-gen (selftests/tools) sends valid direct bubbles from many spoofed
# Teredo sources, each making one peer, over c1's loopback to t0's port.
BENCH_PORT=3545
BENCH_CONTROL_PORT=3546

bench_ms() { echo $(($(date +%s%N) / 1000000)); }

bench_unreclaimable_kb() {
	sync
	echo 2 > /proc/sys/vm/drop_caches
	awk '$1 == "SUnreclaim:" { print $2 }' /proc/meminfo
}

bench_peers() { topo_show 1 t0 peers; }

# The flood's packets so far: received on c1's flood NIC (from the host),
# or sent on c1's loopback (the generator in the guest).
bench_flood_count() {
	if [ -n "$BENCH_FLOOD_NIC" ]; then
		ip -n "$(ns c1)" -s link show "$BENCH_FLOOD_NIC" |
			awk 'f { print $2; exit } /RX:/ { f = 1 }'
	else
		ip -n "$(ns c1)" -s link show lo | awk 'f { print $2; exit } /TX:/ { f = 1 }'
	fi
}

# Packets the guest's per-CPU input backlogs (netif_rx: loopback, veth)
# dropped so far, every namespace together (/proc/net/softnet_stat).
bench_backlog_drops() {
	local n=0 processed dropped rest
	while read -r processed dropped rest; do
		n=$((n + 0x$dropped))
	done < /proc/net/softnet_stat
	echo "$n"
}

# bench_flood_nic: with "make bench" (run-demo.sh --flood) the guest has a
# second NIC, VM_FLOOD_MAC, fed by flood-host.sh on the host: it goes into
# c1 as "flood0", the way a flood arrives at a real host, and the guest's
# CPU is left to the host under attack.  Without it (or without
# virtio_net) the generator runs in the guest, on c1's loopback.
BENCH_FLOOD_NIC=
BENCH_FLOOD_SEQ=0
bench_flood_nic() {
	local dev= i
	BENCH_FLOOD_NIC=
	[ -n "${VM_FLOOD_MAC:-}" ] || return 0
	if ip -n "$(ns c1)" link show flood0 > /dev/null 2>&1; then
		BENCH_FLOOD_NIC=flood0
		return 0
	fi
	modprobe virtio_net 2> /dev/null
	for i in $(seq 50); do
		dev=$(ip -o link | awk -v m="$VM_FLOOD_MAC" \
			'$0 ~ "link/ether " m { sub(":$", "", $2); sub("@.*", "", $2); print $2; exit }')
		[ -n "$dev" ] && break
		sleep 0.1
	done
	if [ -z "$dev" ]; then
		echo "  bench: no NIC with $VM_FLOOD_MAC: the flood is made in the guest"
		return 0
	fi
	# (renamed first: c1 may have a device of the NIC's name)
	ip link set "$dev" name flood0 || return 0
	ip link set flood0 netns "$(ns c1)" || return 0
	# Spoofed sources arrive on a NIC that has no route back to them.
	in_ns c1 sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.flood0.rp_filter=0
	in_ns c1 ip addr add 10.0.99.2/24 dev flood0
	in_ns c1 ip link set flood0 up
	BENCH_FLOOD_NIC=flood0
}

# bench_flood_host start ARGS... | stop: asks flood-host.sh for it and
# waits (10 s at most) for its acknowledgement.
bench_flood_host() {
	local ack i
	BENCH_FLOOD_SEQ=$((BENCH_FLOOD_SEQ + 1))
	echo "$BENCH_FLOOD_SEQ $*" > /run/vm/flood-req.tmp
	mv /run/vm/flood-req.tmp /run/vm/flood-req
	for i in $(seq 100); do
		ack=$(cat /run/vm/flood-ack 2> /dev/null)
		[ "${ack%% *}" = "$BENCH_FLOOD_SEQ" ] && return 0
		sleep 0.1
	done
	echo "  bench: the host's flood generator did not answer ($*)"
	BENCH_FAILED+="flood-host "
	return 1
}

# bench_gen ARGS...: teredo-gen to t0 from c1.
bench_gen() {
	in_ns c1 teredo-gen -d 10.0.1.2:$BENCH_PORT -m "$BENCH_ME" "$@"
}

# bench_scale: for each N of $BENCH_SCALE_PEERS, grow the table to N peers
# (time, slab memory, bytes per peer), then a UDP run to the native host
# with the N others present (the per-packet lookup cost).  Lines of
# $BENCH_TMP/scale: N PEERS_PRESENT MS KB0 KB1.
bench_scale() {
	local n have=0 kb0 kb1 t0 ms peers
	bench_use teredo
	BENCH_ME=$(topo_show 1 t0 address)
	kb0=$(bench_unreclaimable_kb)
	for n in $BENCH_SCALE_PEERS; do
		t0=$(bench_ms)
		bench_gen -o "$have" -n $((n - have)) 2>> "$BENCH_TMP/gen.log"
		wait_for "[ \"\$(bench_peers)\" -ge $n ]" 30
		ms=$(($(bench_ms) - t0))
		have=$n
		kb1=$(bench_unreclaimable_kb)
		peers=$(bench_peers)
		echo "$n $peers $ms $kb0 $kb1" >> "$BENCH_TMP/scale"
		printf '  %-8s peers: %s present after %d ms, slab +%d kB\n' "$n" "$peers" "$ms" \
			$((kb1 - kb0))
		bench_lookup_run "$n"
		# A peer idles out 60 s after its last packet: when the table
		# grows slower than that, a bigger one cannot be held.
		if [ "$ms" -gt 50000 ]; then
			echo "  (growth took over 50 s: bigger tables idle out before they fill; stopping)"
			break
		fi
	done
}

# bench_lookup_run N: the UDP run of bench_scale, under perf if there is
# one: $BENCH_TMP/lookup-perf gets "N SAMPLES_IN_LOOKUP SAMPLES HZ".
bench_lookup_run() {
	local n=$1 data=$BENCH_TMP/lookup-$1.data hz=1000 samples
	if ! command -v perf > /dev/null; then
		bench_run teredo "$n" udp64 lookup
		return
	fi
	perf record -q -a -F $hz -e cpu-clock -o "$data" -- sleep $((BENCH_TIME + 4)) \
		> /dev/null 2>&1 &
	bench_run teredo "$n" udp64 lookup
	wait $!
	samples=$(perf report -q -i "$data" --stdio --sort sym -F sample,sym 2> /dev/null |
		awk '$NF ~ /^(teredo_peer_lookup|__teredo_peer_find)$/ { s += $1 }
		     { t += $1 } END { print s + 0, t + 0 }')
	echo "$n $samples $hz" >> "$BENCH_TMP/lookup-perf"
	echo "  perf: ${samples% *} of ${samples#* } samples in teredo_peer_lookup"
	rm -f "$data"
}

# bench_flood_profile KIND: one more TCP run (not counted) under perf,
# flooded or not: where the guest's time goes.
bench_flood_profile() {
	local kind=$1 data=$BENCH_TMP/perf-flood-$1.data
	say "profile: teredo tcp $kind (perf record -a -e cpu-clock, top symbols)"
	perf record -q -a -e cpu-clock -o "$data" -- sleep $((BENCH_TIME + 2)) \
		> /dev/null 2>&1 &
	bench_run teredo 0 tcp "profile-$kind"
	wait $!
	{
		echo "-- by symbol"
		perf report -q -i "$data" --stdio --sort sym 2>/dev/null | grep -v '^$' |
			head -n "${BENCH_PROFILE_LINES:-30}"
		echo "-- teredo.ko's symbols"
		perf report -q -i "$data" --stdio --sort dso,sym 2>/dev/null |
			grep -i teredo | head -n 12
	} | tee "$BENCH_OUT/profile-teredo-$kind.txt"
	rm -f "$data"
}

# bench_flood_start: teredo-gen floods t0 in the background (enough
# rounds to outlast a run; bench_flood_stop ends it).  A command, not a
# shell function: a function sent to the background runs in a subshell,
# $! names that subshell, and killing it left teredo-gen running (into
# the next runs, each repetition adding one more generator).  timeout
# passes the signal on, and ends the flood anyway should it be missed.
# With "control", the same bubbles go to a closed port of c1 (UDP
# answers each with an ICMP error, unlimited on loopback): what the
# generator and the stack cost without t0's work.
bench_flood_start() {
	local port=$BENCH_PORT args
	[ "${1:-}" = control ] && port=$BENCH_CONTROL_PORT
	args=(-d 10.0.1.2:$port -m "$BENCH_ME" -o 2000000 -n "$BENCH_FLOOD" -r 1000
	      ${BENCH_FLOOD_PPS:+-R "$BENCH_FLOOD_PPS"})
	if [ -n "$BENCH_FLOOD_NIC" ]; then
		bench_flood_host start "${args[@]}"
		return
	fi
	timeout $((BENCH_TIME + 30)) ip netns exec "$(ns c1)" \
		teredo-gen "${args[@]}" 2>> "$BENCH_TMP/gen.log" &
	BENCH_GEN_PID=$!
}

bench_flood_stop() {
	if [ -n "$BENCH_FLOOD_NIC" ]; then
		bench_flood_host stop
		return
	fi
	kill "$BENCH_GEN_PID" 2> /dev/null
	wait "$BENCH_GEN_PID" 2> /dev/null
	if pgrep -x teredo-gen > /dev/null; then
		echo "  bench: a flood generator is still running"
		BENCH_FAILED+="flood-stop "
	fi
}

# bench_flood_run REP flood|control: one TCP run under that flood;
# BENCH_FLOOD_N: the flood's packets meanwhile, BENCH_FLOOD_DROPS: the
# packets full input backlogs dropped meanwhile.
bench_flood_run() {
	local n0 d0
	if [ "$2" = control ]; then bench_flood_start control; else bench_flood_start; fi
	n0=$(bench_flood_count)
	d0=$(bench_backlog_drops)
	bench_run teredo "$1" tcp "$2"
	BENCH_FLOOD_N=$(($(bench_flood_count) - n0))
	BENCH_FLOOD_DROPS=$(($(bench_backlog_drops) - d0))
	bench_flood_stop
}

# bench_flood: the legitimate TCP flow (c1 -> h6) idle, then while
# teredo-gen floods t0 with bubbles from $BENCH_FLOOD spoofed sources,
# then while the same generator sends them to a closed port (control:
# the generator shares the guest's CPU with the flow, and under TCG's
# single thread a vCPU that never halts slows the other one);
# three times, interleaved, and idle once more after the last flood.
# t0 is back to the default max-peers first.  The idle run of the first
# repetition is the only one before any flood (an empty table); every
# later idle run follows a flood, with its peers still in the table
# (they idle out after 60 s): "idle after flood / idle before" compares
# them with it.  $BENCH_TMP/flood-peers: SET REP PEERS_AT_START.
bench_flood() {
	local rep
	bench_use teredo
	BENCH_ME=$(topo_show 1 t0 address)
	bench_flood_nic
	echo "  the flood comes from $([ -n "$BENCH_FLOOD_NIC" ] &&
		echo "the host, on c1's $BENCH_FLOOD_NIC${BENCH_FLOOD_PPS:+ at $BENCH_FLOOD_PPS packets/s}" ||
		echo "teredo-gen in the guest, on c1's loopback")"
	in_ns c1 teredo-nl set t0 max-peers 65536 > /dev/null
	in_ns c1 teredo-nl flush t0 > /dev/null
	in_ns c1 ping -c 2 -W 5 "$BENCH_H6" > /dev/null 2>&1
	for rep in 1 2 3 4; do
		echo "idle $rep $(bench_peers)" >> "$BENCH_TMP/flood-peers"
		bench_run teredo "$rep" tcp idle
		[ "$rep" = 4 ] && break
		bench_flood_run "$rep" flood
		echo "$rep $BENCH_FLOOD_N" >> "$BENCH_TMP/flood-sent"
		echo "  flood: $BENCH_FLOOD_N bubbles during the run, $BENCH_FLOOD_DROPS packets" \
			"dropped by full input backlogs; peers $(bench_peers)," \
			"$(in_ns c1 ethtool -S t0 | awk '$1 ~ /^(peers_evicted|drop_peers_full):$/ {
				printf "%s %s ", $1, $2 }')"
		# the same generator at a closed port: its own share of the CPU
		bench_flood_run "$rep" control
		echo "  control: $BENCH_FLOOD_N bubbles to a closed port during the run," \
			"$BENCH_FLOOD_DROPS packets dropped by full input backlogs"
	done
	if [ -n "${BENCH_PROFILE:-}" ] && command -v perf > /dev/null; then
		bench_flood_start
		bench_flood_profile flood
		bench_flood_stop
		bench_flood_profile idle-after-flood
	fi
	in_ns c1 teredo-nl flush t0 > /dev/null
}

say "kernel $(uname -r), $(nproc) vCPU(s); ${BENCH_TIME} s per run, $BENCH_REPS repetitions"
say "relay of the teredo configuration: $BENCH_RELAY"
configs=""
: > "$BENCH_TMP/runs"
for cfg in $BENCH_CONFIGS; do
	start=$SECONDS
	if bench_setup "$cfg"; then
		echo "  $cfg: up in $((SECONDS - start)) s"
		configs+="$cfg "
	else
		echo "  $cfg: could not be set up, not measured"
		BENCH_FAILED+="$cfg "
		[ "$cfg" = teredo ] && topo_diag 1 t0 "$BENCH_H6"
	fi
done

[ -n "$BENCH_ONLY" ] || say "measuring (interleaved: $configs x $BENCH_REPS)"
for ((rep = 1; rep <= BENCH_REPS; rep++)); do
	[ -n "$BENCH_ONLY" ] && break
	for cfg in $configs; do
		for kind in $BENCH_KINDS; do
			bench_run "$cfg" "$rep" "$kind"
		done
	done
done

# bench_profile CFG KIND: one more run of CFG under "perf record" (a
# software clock: TCG has no PMU), not counted; its top symbols show
# where the guest's time goes.
bench_profile() {
	local cfg=$1 kind=$2 data=$BENCH_TMP/perf-$3.data args graph=
	[ "${BENCH_PROFILE:-}" = graph ] && graph=1
	bench_use "$cfg"
	case $kind in
	tcp)	args=(-t "$BENCH_TIME") ;;
	udp64)	args=(-u -l 64 -b 0 -t "$BENCH_TIME") ;;
	esac
	say "profile: $cfg $kind (perf record -a -e cpu-clock, top symbols)"
	perf record -q -a -e cpu-clock ${graph:+-g} -o "$data" -- timeout $((BENCH_TIME + 30)) \
		ip netns exec "$(ns c1)" iperf3 -c "$BENCH_H6" "${args[@]}" > /dev/null 2>&1
	# BENCH_PROFILE=graph: who calls the top symbols (kernel stacks)
	[ -n "$graph" ] && perf report -q -i "$data" --stdio --no-children \
		--percent-limit 1 -g caller,1,callee,function,percent 2>/dev/null |
		grep -v '^$' > "$BENCH_OUT/profile-$3-graph.txt"
	{
		echo "-- by object"
		perf report -q -i "$data" --stdio --no-children -g none --sort dso 2>/dev/null | grep -v '^$' | head -n 8
		echo "-- by symbol"
		perf report -q -i "$data" --stdio --no-children -g none --sort sym 2>/dev/null |
			grep -v '^$' | head -n "${BENCH_PROFILE_LINES:-20}"
		if [ "$cfg" = teredo ]; then
			echo "-- teredo.ko's symbols"
			perf report -q -i "$data" --stdio --no-children -g none --sort dso,sym \
				2>/dev/null | grep -i teredo | head -n 12
		fi
	} | tee "$BENCH_OUT/profile-$3.txt"
}

bench_report() {
	python3 "$HERE/bench_report.py" --runs "$BENCH_TMP/runs" --json "$BENCH_OUT/bench.json" \
		--scale "$BENCH_TMP/scale" --lookup "$BENCH_TMP/lookup" \
		--lookup-perf "$BENCH_TMP/lookup-perf" --flood-sent "$BENCH_TMP/flood-sent" \
		--flood-peers "$BENCH_TMP/flood-peers" \
		--idle "$BENCH_TMP/idle" --flood "$BENCH_TMP/flood" --flood-sources "$BENCH_FLOOD" \
		--control "$BENCH_TMP/control" --flood-pps "${BENCH_FLOOD_PPS:-}" \
		--flood-from "$([ -n "$BENCH_FLOOD_NIC" ] && echo host || echo guest)" \
		--kernel "$(uname -r)" --cpus "$(nproc)" --time "$BENCH_TIME" --reps "$BENCH_REPS" \
		--relay "$BENCH_RELAY" --failed "$BENCH_FAILED"
}

# The comparison's figures are kept before the scale part starts.
mkdir -p "$BENCH_OUT"
bench_report > "$BENCH_OUT/bench.txt"

if [ "${BENCH_SCALE:-1}" = 1 ] && [[ " $configs " = *" teredo "* ]]; then
	if command -v teredo-gen > /dev/null; then
		if [ -z "$BENCH_ONLY" ]; then
			say "scale: peer table of our client ($BENCH_SCALE_PEERS peers)"
			bench_scale
		fi
		say "scale: a legitimate TCP flow under a flood of $BENCH_FLOOD spoofed sources"
		bench_flood
	else
		say "scale: skipped, no teredo-gen (selftests/tools) in the build"
	fi
fi

mkdir -p "$BENCH_OUT"
if [ -n "${BENCH_PROFILE:-}" ] && [ -z "$BENCH_ONLY" ] && command -v perf > /dev/null; then
	for cfg in $configs; do
		bench_profile "$cfg" tcp "${cfg//+/-}-tcp"
		bench_profile "$cfg" udp64 "${cfg//+/-}-udp64"
	done
fi

say "results (medians of $BENCH_REPS)"
mkdir -p "$BENCH_OUT"
bench_report | tee "$BENCH_OUT/bench.txt"
# The raw material: each run's line and iperf3's JSON.
tar -C "$BENCH_TMP" -czf "$BENCH_OUT/bench-raw.tar.gz" . 2>/dev/null

if [ -n "$BENCH_FAILED" ]; then
	echo "bench: not measured: $BENCH_FAILED" >&2
	exit 1
fi
exit 0
