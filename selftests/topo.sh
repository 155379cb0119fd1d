#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Topology of the client tests, sourced by selftests/client_*.sh and
# selftests/demo.sh.  Everything lives in network namespaces named
# "$TOPO-<role>" (TOPO defaults to t<pid>), removed by topo_cleanup:
#
#   srv   192.0.2.1 + 192.0.2.2/25, 2001:db8:3::2/64   miredo-server
#   rly   192.0.2.130/25, 2001:db8:1::2/64             miredo relay (cone)
#   h6    2001:db8:2::2/64                             native IPv6 host
#   rt    the "internet": IPv4 + IPv6 router between all of them,
#         2001::/32 routed to the relay
#   natN  198.51.100.N (N=1) / 203.0.113.N (N=2) outside, 10.0.N.1/24
#         inside; masquerade + drop of unsolicited inbound, like a
#         home router
#   cN    10.0.N.2/24 behind natN: where our teredo device (or a
#         miredo client) runs
#
#   cNb   10.0.N.3/24, a second host on natN's LAN (topo_lan_client N):
#         natN's LAN is then a bridge br0 holding 10.0.N.1
#
# Least exposure (issue 5): a device lets out only packets whose mark it
# authorizes.  topo_teredo authorizes TOPO_MARK on the device and marks
# every IPv6 packet cN sends (nft output chain "topo_mark"), so tests
# not about exposure see an open tunnel; TOPO_AUTH=0 leaves both out.
# Issue 24: a client delivers only what is for authorized sockets, and
# an unused device is dormant once qualified.  The sockets of tests not
# about exposure carry no mark (only their packets do), so with
# TOPO_AUTH=1 topo_teredo also sets "inbound open" and "dormant-timeout
# 0" (unless the test gives its own).
#
# Functions: topo_build [NATS], topo_client_ns N, topo_teredo N [DEV],
# topo_mapping N (the NAT's external IPv4:port of UDP to 3544, from
# conntrack), topo_wait_state NS DEV STATE SECONDS, teredo_addr_decode,
# topo_lan_client N, topo_mapping_of N INSIDE_IPV4, topo_nat_hairpin N,
# topo_lan_bridge N, topo_uplink N M.

REPO=${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
TOPO=${TOPO:-t$$}
TOPO_TMP=${TOPO_TMP:-$(mktemp -d /tmp/teredo-topo.XXXXXX)}
TOPO_PIDS=()
TOPO_MARK=${TOPO_MARK:-0x5e}
TOPO_AUTH=${TOPO_AUTH:-1}
export PATH=$REPO/build/tools:$PATH

# TAP helpers on top of selftests/lib.sh.
check() { # check DESC CMD...: ok if CMD succeeds
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; return 1; fi
}
diag() { info "$@"; }
tap_end() { ktap_finished; }

ns() { echo "$TOPO-$1"; }  # overrides lib.sh: topo names its own
in_ns() { local n; n=$(ns "$1"); shift; ip netns exec "$n" "$@"; }

topo_cleanup() {
	local p n
	for p in "${TOPO_PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "$TOPO_TMP"/*.pid; do
		[ -e "$p" ] && kill "$(cat "$p")" 2>/dev/null
	done
	for p in "${TOPO_PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	for n in $(ip netns list | awk '{ print $1 }'); do
		case $n in "$TOPO"-*) ip netns delete "$n" ;; esac
	done
	rm -rf "$TOPO_TMP"
}

# veth NS1 IF1 NS2 IF2
topo_veth() {
	ip link add "$2" netns "$(ns "$1")" type veth peer name "$4" netns "$(ns "$3")"
	in_ns "$1" ip link set "$2" up
	in_ns "$3" ip link set "$4" up
}

# topo_nat N: natN and cN, natN's outside linked to $TOPO_UPLINK (default
# rt, the "internet"; bench.sh links it straight to the relay).
topo_nat() {
	local n=$1 up=${TOPO_UPLINK:-rt} out
	case $n in
	1) out=198.51.100.1 ;;
	2) out=203.0.113.1 ;;
	*) out=198.18.$n.1 ;;	# global by RFC 4380's list
	esac
	ip netns add "$(ns nat"$n")"
	ip netns add "$(ns c"$n")"
	topo_veth "$up" "n$n" nat"$n" wan
	topo_veth nat"$n" lan c"$n" eth0
	in_ns "$up" ip addr add "${out%.*}.254/24" dev "n$n"
	in_ns nat"$n" ip -batch - <<-IP
		link set lo up
		addr add $out/24 dev wan
		addr add 10.0.$n.1/24 dev lan
		route add default via ${out%.*}.254
	IP
	in_ns nat"$n" sysctl -qw net.ipv4.ip_forward=1
	in_ns nat"$n" nft -f - <<-NFT
		table inet nat {
			chain post {
				type nat hook postrouting priority srcnat;
				policy accept;
				oifname "wan" masquerade
			}
		}
		table inet fw {
			chain inbound {
				type filter hook input priority filter;
				policy accept;
				iifname "wan" ct state new drop
			}
			chain forwarding {
				type filter hook forward priority filter;
				policy accept;
				iifname "wan" ct state new drop
			}
		}
	NFT
	in_ns c"$n" ip -batch - <<-IP
		link set lo up
		addr add 10.0.$n.2/24 dev eth0
		route add default via 10.0.$n.1
	IP
}

# topo_build [NATS]: the whole topology with NATS (default 2) NATs.
topo_build() {
	local nats=${1:-2} i r
	for r in rt srv rly h6; do
		ip netns add "$(ns $r)"
		in_ns $r ip link set lo up
	done
	in_ns rt sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	topo_veth rt s0 srv eth0
	topo_veth rt r0 rly eth0
	topo_veth rt h0 h6 eth0
	in_ns rt ip -batch - <<-IP
		addr add 192.0.2.126/25 dev s0
		addr add 2001:db8:3::1/64 dev s0 nodad
		addr add 192.0.2.254/25 dev r0
		addr add 2001:db8:1::1/64 dev r0 nodad
		addr add 2001:db8:2::1/64 dev h0 nodad
		route add 2001::/32 via 2001:db8:1::2
	IP
	in_ns srv ip -batch - <<-IP
		addr add 192.0.2.1/25 dev eth0
		addr add 192.0.2.2/25 dev eth0
		addr add 2001:db8:3::2/64 dev eth0 nodad
		route add default via 192.0.2.126
		route add default via 2001:db8:3::1
	IP
	in_ns rly ip -batch - <<-IP
		addr add 192.0.2.130/25 dev eth0
		addr add 2001:db8:1::2/64 dev eth0 nodad
		route add default via 192.0.2.254
		route add default via 2001:db8:1::1
	IP
	in_ns h6 ip -batch - <<-IP
		addr add 2001:db8:2::2/64 dev eth0 nodad
		route add default via 2001:db8:2::1
	IP
	for ((i = 1; i <= nats; i++)); do
		topo_nat "$i"
	done
}

# topo_server_start [ID PRIMARY SECONDARY]: a Teredo server
# (miredo-server) in srv, on 192.0.2.1 and .2 unless told; ID ("" by
# default) names its files (server$ID.conf, .log, .pid, .job) for
# topo_server_stop ID, so that a test can run several.
topo_server_start() {
	local id=${1:-}
	printf 'ServerBindAddress %s\nServerBindAddress2 %s\n' \
		"${2:-192.0.2.1}" "${3:-192.0.2.2}" > "$TOPO_TMP/server$id.conf"
	in_ns srv sysctl -qw net.ipv6.conf.all.forwarding=1
	ip netns exec "$(ns srv)" miredo-server -f -p "$TOPO_TMP/server$id.pid" \
		-c "$TOPO_TMP/server$id.conf" > "$TOPO_TMP/server$id.log" 2>&1 &
	echo $! > "$TOPO_TMP/server$id.job"
	TOPO_PIDS+=("$!")
	sleep 0.5
}

# topo_server_stop [ID]
topo_server_stop() {
	local id=${1:-} job
	job=$(cat "$TOPO_TMP/server$id.job" 2>/dev/null)
	if [ -n "$job" ]; then
		kill "$job" 2>/dev/null
		wait "$job" 2>/dev/null
	fi
	# nothing may answer on 3544 any more
	[ -e "$TOPO_TMP/server$id.pid" ] && kill "$(cat "$TOPO_TMP/server$id.pid")" 2>/dev/null
	rm -f "$TOPO_TMP/server$id.pid" "$TOPO_TMP/server$id.job"
}

# Our server in "srv" instead of miredo-server: device ts0 in mode
# server on the same two addresses (192.0.2.1, 192.0.2.2), the host
# forwarding IPv6 (echo tests towards native hosts).
topo_our_server_start() {
	in_ns srv sysctl -qw net.ipv6.conf.all.forwarding=1
	in_ns srv ip link add ts0 type teredo || return 1
	in_ns srv teredo-nl set ts0 mode server server 192.0.2.1 \
		server2 192.0.2.2 || return 1
	in_ns srv ip link set ts0 up
}

# Our relay in "rly" instead of Miredo's: device tr0 in mode relay,
# 2001::/32 routed into it, the host forwarding IPv6.
topo_our_relay_start() {
	in_ns rly sysctl -qw net.ipv6.conf.all.forwarding=1
	in_ns rly ip link add tr0 type teredo || return 1
	in_ns rly teredo-nl set tr0 mode relay "$@" || return 1
	in_ns rly ip link set tr0 up || return 1
	in_ns rly ip -6 route add 2001::/32 dev tr0
}

# topo_stat NS DEV COUNTER: one "ethtool -S" counter of DEV in NS.
topo_stat() {
	in_ns "$1" ethtool -S "$2" | awk -v k="$3:" '$1 == k { print $2 }'
}

# topo_peer_count NS DEV: how many peers DEV in NS holds (teredo-nl -j show).
topo_peer_count() {
	in_ns "$1" teredo-nl -j show "$2" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print((d[0] if isinstance(d, list) else d).get("peers", 0))'
}

# topo_peer_of NS ADDR: "True|False mapped_addr:mapped_port" of the peer
# ADDR in t0's table in netns NS (nothing if there is none).
topo_peer_of() {
	in_ns "$1" teredo-nl -j peers t0 | python3 -c '
import json, sys
for p in json.load(sys.stdin):
    if p.get("address") == sys.argv[1]:
        t = str(p.get("trusted")).lower() in ("true", "1")
        print(t, "%s:%s" % (p.get("mapped_addr"), p.get("mapped_port")))' "$2"
}

# topo_ping3 FROM TO: how many of 3 echo requests from netns FROM to TO
# were answered (1 s apart, 5 s for each answer).
topo_ping3() {
	in_ns "$1" ping -c 3 -i 1 -W 5 "$2" 2>&1 | sed -n 's/.* \([0-9]*\) received.*/\1/p'
}

# topo_wait_miredo N [SECONDS]: the miredo client in cN has its address.
topo_wait_miredo() {
	local end=$((SECONDS + ${2:-30}))
	while [ $SECONDS -lt $end ]; do
		[ -n "$(topo_global_addr c"$1" mteredo 2>/dev/null)" ] && return 0
		sleep 0.5
	done
	return 1
}

# A miredo relay (cone) in "rly".
topo_relay_start() {
	cat > "$TOPO_TMP/relay.conf" <<-EOF
		RelayType cone
		InterfaceName teredo
		BindAddress 192.0.2.130
	EOF
	in_ns rly sysctl -qw net.ipv6.conf.all.forwarding=1
	ip netns exec "$(ns rly)" miredo -f -p "$TOPO_TMP/relay.pid" \
		-c "$TOPO_TMP/relay.conf" > "$TOPO_TMP/relay.log" 2>&1 &
	TOPO_PIDS+=($!)
	local i
	for i in $(seq 50); do
		in_ns rly ip link show teredo >/dev/null 2>&1 && break
		sleep 0.2
	done
	in_ns rly ip link set teredo up
	in_ns rly ip -6 route add 2001::/32 dev teredo 2>/dev/null
}

# A miredo client in cN.
topo_miredo_client_start() {
	local n=$1
	cat > "$TOPO_TMP/client$n.conf" <<-EOF
		RelayType client
		InterfaceName mteredo
		ServerAddress 192.0.2.1
	EOF
	ip netns exec "$(ns c"$n")" miredo -f -p "$TOPO_TMP/client$n.pid" \
		-c "$TOPO_TMP/client$n.conf" > "$TOPO_TMP/client$n.log" 2>&1 &
	TOPO_PIDS+=($!)
}

# topo_mark_output N: every IPv6 packet cN sends carries TOPO_MARK.
topo_mark_output() {
	in_ns c"$1" nft list table ip6 topo_mark >/dev/null 2>&1 && return 0
	in_ns c"$1" nft -f - <<-NFT
		table ip6 topo_mark {
			chain out {
				type route hook output priority mangle;
				policy accept;
				meta mark set $TOPO_MARK
			}
		}
	NFT
}

# topo_nat_udp_timeout N SECONDS: how long natN keeps a UDP mapping
# (conntrack's udp_timeout and udp_timeout_stream; 30 s and 120 s by
# default).  Tests whose forged packets or a peer's indirect bubbles come
# in through the mapping of the client's last RS raise it (on the slow
# debug kernel, more than 30 s can pass between that RS and the packets);
# client_refresh_auto lowers it.
topo_nat_udp_timeout() {
	in_ns nat"$1" sysctl -qw net.netfilter.nf_conntrack_udp_timeout="$2" \
		net.netfilter.nf_conntrack_udp_timeout_stream="$2"
}

# topo_teredo N [DEV] [SET ARGS]: our device in cN, pointed at the
# server, authorized for TOPO_MARK, inbound open and never idle (unless
# TOPO_AUTH=0), up.
topo_teredo() {
	in_ns c"$1" ip link add "${2:-t0}" type teredo || return 1
	topo_teredo_set "$@"
}

# topo_teredo_set N DEV [SETTINGS...]: topo_teredo on an existing device
topo_teredo_set() {
	local n=$1 dev=${2:-t0} auth=()
	if [ "$TOPO_AUTH" = 1 ]; then
		auth=(allow "$TOPO_MARK")
		[[ " ${*:3} " == *" inbound "* ]] || auth+=(inbound open)
		[[ " ${*:3} " == *" dormant-timeout "* ]] || auth+=(dormant-timeout 0)
		topo_mark_output "$n" || return 1
	fi
	in_ns c"$n" teredo-nl set "$dev" server 192.0.2.1 "${auth[@]}" "${@:3}" || return 1
	in_ns c"$n" ip link set "$dev" up
}

# topo_tcp_xfer FROM TO ADDR FILE [TIMEOUT]: FILE over TCP from netns FROM
# to ADDR:5001 (a listener in netns TO); true if every byte arrived with
# the same sha256.  Sets TOPO_XFER to "BYTES SHA256" as received.
topo_tcp_xfer() {
	local from=$1 to=$2 addr=$3 file=$4 timeout=${5:-120} rcv want
	in_ns "$to" python3 -c '
import hashlib, socket, sys
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 5001))
s.listen(1)
s.settimeout(int(sys.argv[2]))
c, _ = s.accept()
c.settimeout(int(sys.argv[2]))
h, n = hashlib.sha256(), 0
while True:
    b = c.recv(65536)
    if not b:
        break
    h.update(b)
    n += len(b)
print(n, h.hexdigest())' "$addr" "$timeout" > "$TOPO_TMP/xfer.sum" 2>&1 &
	rcv=$!
	# the sender connects once the listener listens (starting python3
	# took more than a second on a loaded host: connection refused)
	wait_for "in_ns $to ss -Hltn 'sport = :5001' | grep -q ." 30
	in_ns "$from" python3 -c '
import socket, sys
s = socket.create_connection((sys.argv[1], 5001), timeout=int(sys.argv[3]))
with open(sys.argv[2], "rb") as f:
    s.sendall(f.read())
s.close()' "$addr" "$file" "$timeout"
	wait "$rcv"
	TOPO_XFER=$(cat "$TOPO_TMP/xfer.sum")
	want="$(stat -c %s "$file") $(sha256sum < "$file" | cut -d' ' -f1)"
	[ "$TOPO_XFER" = "$want" ]
}

# topo_show N [DEV] KEY: one key of "teredo-nl show -j".
topo_show() {
	local n=$1 dev=$2 key=$3
	in_ns c"$n" teredo-nl -j show "$dev" | python3 -c '
import json, sys
d = json.load(sys.stdin)
if isinstance(d, list):
    d = d[0]
print(d.get(sys.argv[1], ""))' "$key"
}

# topo_wait_state N DEV STATE SECONDS
topo_wait_state() {
	local n=$1 dev=$2 want=$3 end=$((SECONDS + $4))
	while [ $SECONDS -lt $end ]; do
		[ "$(topo_show "$n" "$dev" state 2>/dev/null)" = "$want" ] && return 0
		sleep 0.2
	done
	return 1
}

# topo_global_addr NS DEV: the global IPv6 address(es) of DEV.
topo_global_addr() {
	in_ns "$1" ip -6 -o addr show dev "$2" scope global |
		awk '{ split($4, a, "/"); print a[1] }'
}

# topo_mapping N: "IPv4:port" natN gives cN's UDP flow to the server.
topo_mapping() {
	local i m
	# a dump can come back empty while the table changes (seen on a
	# debug kernel with the entry present): a few tries
	for i in 1 2 3 4 5; do
		m=$(in_ns nat"$1" conntrack -L -p udp --orig-dst 192.0.2.1 --orig-port-dst 3544 \
			2>/dev/null |
			sed -n 's/.*src=192\.0\.2\.1 dst=\([0-9.]*\) sport=3544 dport=\([0-9]*\).*/\1:\2/p' |
			head -n1)
		[ -n "$m" ] && break
		sleep 0.2
	done
	echo "$m"
}

# topo_mapping_of N INSIDE: "IPv4:port" natN gives INSIDE's UDP flow
# to the server.
topo_mapping_of() {
	in_ns nat"$1" conntrack -L -p udp --orig-src "$2" --orig-dst 192.0.2.1 \
		--orig-port-dst 3544 2>/dev/null |
		sed -n 's/.*src=192\.0\.2\.1 dst=\([0-9.]*\) sport=3544 dport=\([0-9]*\).*/\1:\2/p' |
		head -n1
}

# topo_lan_bridge N: natN's LAN becomes a bridge (br0) holding the NAT's
# inside address, so that more hosts can join it.
topo_lan_bridge() {
	local n=$1
	in_ns nat"$n" ip link show br0 >/dev/null 2>&1 && return 0
	in_ns nat"$n" ip -batch - <<-IP
		link add br0 type bridge
		link set br0 up
		addr del 10.0.$n.1/24 dev lan
		link set lan master br0
		addr add 10.0.$n.1/24 dev br0
	IP
}

# topo_uplink N M: cN gets a second uplink, eth1 (up, no IPv4 address),
# on natM's LAN: a test moves cN behind natM by addressing eth1 and
# moving cN's default route to 10.0.M.1.
topo_uplink() {
	local n=$1 m=$2
	topo_lan_bridge "$m"
	topo_veth nat"$m" "lanc$n" c"$n" eth1
	in_ns nat"$m" ip link set "lanc$n" master br0
}

# topo_lan_client N: a second client host, c<N>b (10.0.N.3), on natN's
# LAN.  The LAN becomes a bridge (br0) holding the NAT's inside address.
topo_lan_client() {
	local n=$1
	topo_lan_bridge "$n"
	ip netns add "$(ns c"$n"b)"
	topo_veth nat"$n" lanb c"$n"b eth0
	in_ns nat"$n" ip link set lanb master br0
	in_ns c"$n"b ip -batch - <<-IP
		link set lo up
		addr add 10.0.$n.3/24 dev eth0
		route add default via 10.0.$n.1
	IP
}

# topo_nat_hairpin N: natN hairpins, as a home router with RFC 4787
# REQ-9 hairpinning does: a LAN host's packet to one of the NAT's own
# mappings (outside IPv4:port) is sent back into the LAN to the host
# owning it, its source translated to the sender's own mapping.  The
# mappings are those of the UDP flows to the server at call time.
topo_nat_hairpin() {
	local n=$1 rules="" in lp out p
	while read -r in lp out p; do
		[ -n "$p" ] || continue
		rules+="add rule ip hairpin pre iifname \"br0\" ip daddr $out udp dport $p dnat to $in:$lp
add rule ip hairpin post oifname \"br0\" ip saddr $in udp sport $lp ip daddr 10.0.$n.0/24 snat to $out:$p
"
	done < <(in_ns nat"$n" conntrack -L -p udp --orig-dst 192.0.2.1 \
			--orig-port-dst 3544 2>/dev/null |
		sed -n 's/.*src=\([0-9.]*\) dst=192\.0\.2\.1 sport=\([0-9]*\) dport=3544 .*src=192\.0\.2\.1 dst=\([0-9.]*\) sport=3544 dport=\([0-9]*\).*/\1 \2 \3 \4/p')
	[ -n "$rules" ] || return 1
	in_ns nat"$n" nft -f - <<-NFT
		table ip hairpin {
			chain pre {
				type nat hook prerouting priority dstnat;
				policy accept;
			}
			chain post {
				type nat hook postrouting priority srcnat;
				policy accept;
			}
		}
		$rules
	NFT
}

# topo_diag N [DEV] [DST]: what a failing test needs to see about cN.
topo_diag() {
	local n=$1 dev=${2:-t0} dst=${3:-}
	diag "c$n $(in_ns c"$n" teredo-nl show "$dev" | head -4 | tr -s '\n\t' '  ')"
	diag "c$n addr: $(in_ns c"$n" ip -6 -o addr show dev "$dev" | tr -s ' ' ' ')"
	diag "c$n routes: $(in_ns c"$n" ip -6 route show dev "$dev" | tr '\n' ';')"
	[ -n "$dst" ] && diag "c$n route get: $(in_ns c"$n" ip -6 route get "$dst" 2>&1)"
	diag "c$n neigh: $(in_ns c"$n" ip -6 neigh show dev "$dev" | tr '\n' ';')"
	diag "c$n nstat: $(in_ns c"$n" nstat -az 2>/dev/null | awk '$2 != 0 && $1 ~ /^(Ip6|Icmp6)/ { printf "%s=%s ", $1, $2 }')"
	diag "c$n stats: $(in_ns c"$n" ethtool -S "$dev" | grep -v ': 0$' | tr -s ' \n' ' ')"
}

# teredo_addr_decode ADDR: "server flags ipv4:port" of a Teredo address.
teredo_addr_decode() {
	python3 -c '
import ipaddress, sys
a = ipaddress.IPv6Address(sys.argv[1]).packed
if a[:4] != bytes([0x20, 0x01, 0, 0]):
    sys.exit(1)
srv = ipaddress.IPv4Address(a[4:8])
flags = int.from_bytes(a[8:10], "big")
port = int.from_bytes(a[10:12], "big") ^ 0xffff
cli = ipaddress.IPv4Address(bytes(b ^ 0xff for b in a[12:16]))
print(f"{srv} {flags:#06x} {cli}:{port}")' "$1"
}
