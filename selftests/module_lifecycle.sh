#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Module and device lifecycle: autoload by "ip link add ... type teredo",
# device defaults (MTU 1280, NOARP, counters), bad attributes refused with
# a message, 200 devices created and deleted, a netns holding devices
# deleted, rmmod with devices present, load/unload x20.  The kernel log is
# checked for BUG/WARNING/leaked references by the runner.
. "$(dirname "$0")/lib.sh"

require_root
require_cmd ip python3 modprobe modinfo
modinfo teredo > /dev/null 2>&1 || { echo "1..1"; fail_all "module teredo is not installed"; }
ktap_plan 26

RTNL="python3 $SELFTESTS_DIR/harness/rtnl_newlink.py"
TMP=$(mktemp -d)
defer "rm -rf $TMP"

# count_teredo NS: number of teredo devices in NS.
count_teredo() {
	local lines
	mapfile -t lines < <(ns_ip "$1" -o link show type teredo 2>/dev/null)
	echo "${#lines[@]}"
}

# --- autoload --------------------------------------------------------------
module_unload teredo || fail_all "teredo is loaded and cannot be removed"
ns_create a
assert_ok "ip link add t0 type teredo (module not loaded)" ns_ip a link add t0 type teredo
assert_eq "teredo was autoloaded" yes "$([ -d /sys/module/teredo ] && echo yes)"

# --- defaults --------------------------------------------------------------
line=$(ns_ip a -o -d link show dev t0)
info "$line"
assert_match "t0 has MTU 1280" ' mtu 1280 ' "$line"
assert_match "t0 is NOARP" '[<,]NOARP[,>]' "$line"
assert_match "t0 is of kind teredo" ' teredo ' "$line"
stats=$(ns_ip a -s link show dev t0)
assert_match "ip -s link shows RX and TX counters" 'RX: *bytes +packets.*TX: *bytes +packets' "$(echo $stats)"
assert_eq "new device counters are zero" "0 0 0 0" \
	"$(ns_exec a cat /sys/class/net/t0/statistics/{rx_packets,tx_packets,rx_errors,tx_errors} | tr '\n' ' ' | sed 's/ $//')"

# --- bad attributes --------------------------------------------------------
assert_fail "ip link add t1 type teredo foo fails" ns_ip a link add t1 type teredo foo
assert_ne "... with a message" "" "$ASSERT_OUT"
out=$(ns_exec a $RTNL t1 mode=u8:9)
info "rtnl_newlink t1 mode=u8:9: $out"
assert_match "IFLA_TEREDO_MODE 9 refused with an extack message" '^error [0-9]+: .+' "$out"
out=$(ns_exec a $RTNL t1 port=u8:1)
info "rtnl_newlink t1 port=u8:1: $out"
assert_match "IFLA_TEREDO_PORT of 1 byte refused with an extack message" '^error [0-9]+: .+' "$out"
out=$(ns_exec a $RTNL t1 server=hex:c00002)
info "rtnl_newlink t1 server=hex:c00002: $out"
assert_match "IFLA_TEREDO_SERVER of 3 bytes refused with an extack message" '^error [0-9]+: .+' "$out"
assert_eq "no device t1 after the refusals" 1 "$(count_teredo a)"
ns_ip a link del t1 2>/dev/null

# --- many devices ----------------------------------------------------------
for i in $(seq 1 200); do echo "link add tm$i type teredo"; done > "$TMP/add"
for i in $(seq 1 200); do echo "link del tm$i"; done > "$TMP/del"
assert_ok "ip -batch: create 200 devices" ns_ip a -batch "$TMP/add"
assert_eq "201 teredo devices in the netns" 201 "$(count_teredo a)"
assert_ok "ip -batch: delete 200 devices" ns_ip a -batch "$TMP/del"
assert_eq "1 teredo device left" 1 "$(count_teredo a)"

# --- a netns holding devices goes away -------------------------------------
ns_create b
head -n 10 "$TMP/add" > "$TMP/add10"
ns_ip b -batch "$TMP/add10"
assert_eq "10 devices in netns b" 10 "$(count_teredo b)"
ns_delete b
# cleanup_net runs in a workqueue: then the module must go cleanly.

# --- rmmod with devices present --------------------------------------------
# Counted while the module is loaded (with it gone, a count of teredo
# devices is 0 by construction); after the unload, the names are free:
# netns a holds lo alone.
assert_ok "ip link add t2 type teredo" ns_ip a link add t2 type teredo
assert_eq "t0 and t2 present before rmmod" 2 "$(count_teredo a)"
assert_ok "rmmod teredo with t0 and t2 present" module_unload teredo 20
# (a kernel with ipip, sit or ip6_tunnel built in adds their fallback
# devices, "tunl0@NONE" ..., to every netns: the debug kernel does)
assert_eq "t0 and t2 are gone: netns a holds lo alone" lo \
	"$(ns_ip a -o link show | awk -F': ' '$2 !~ /@NONE$/ { print $2 }' |
	   tr '\n' ' ' | sed 's/ $//')"

# --- load / unload ---------------------------------------------------------
# Each round's figures are exact: the module loads, the device of every
# other round is created and seen (1 device) before the unload, and the
# unload removes the module with it.
fails=0 adds=0 seen=0
for i in $(seq 1 20); do
	modprobe teredo || { fails=$((fails + 1)); info "round $i: modprobe failed"; continue; }
	# Every other round, leave a device for the unload to delete.
	if [ $((i % 2)) = 0 ]; then
		ns_ip a link add t0 type teredo && adds=$((adds + 1))
		[ "$(count_teredo a)" = 1 ] && seen=$((seen + 1))
	fi
	module_unload teredo 10 || { fails=$((fails + 1)); info "round $i: unload failed"; }
done
assert_eq "20 rounds of load/unload" 0 "$fails"
assert_eq "10 of them: link add t0 succeeded" 10 "$adds"
assert_eq "10 of them: 1 teredo device before the unload" 10 "$seen"
assert_eq "module unloaded at the end" no "$([ -d /sys/module/teredo ] && echo yes || echo no)"

ktap_finished
