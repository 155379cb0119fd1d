#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# IFLA_TEREDO_* are validated strictly: an attribute type this module
# does not know (above IFLA_TEREDO_MAX) and an attribute of the wrong
# length are refused with an extack message, at creation (RTM_NEWLINK
# with NLM_F_CREATE) and on a change of an existing device; before, the
# rtnetlink core's liberal parse skipped the first and accepted the
# second (a u32 where a u16 is expected) with a line in the kernel log.
# The settings that came to IFLA from the generic netlink family (issue
# 20: one configuration surface) are validated as there: their length
# and range are checked, and a refused change changes nothing.  A link
# attribute teredo refuses (a link-layer address, an MTU below 1280) is
# named in the extack (NLMSGERR_ATTR_OFFS), beside the message.
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
# timeout=60
. "$(dirname "$0")/lib.sh"

require_root
require_cmd ip python3 teredo-nl
require_module teredo

RTNL="python3 $SELFTESTS_DIR/harness/rtnl_newlink.py"
UNKNOWN=40	# far above IFLA_TEREDO_MAX

ktap_plan 14

ns_create a
# create NAME=TYPE:VALUE...: a new t1 with these attributes; prints the
# answer and whether t1 exists afterwards (then deleted)
create() {
	local out
	out=$(ns_exec a $RTNL t1 "$@")
	if ns_ip a link show t1 > /dev/null 2>&1; then
		out+=" (t1 created)"
		ns_ip a link del t1
	fi
	echo "$out"
}
out=$(create mode=u8:0 $UNKNOWN=u32:1)
info "new t1 with attribute $UNKNOWN: $out"
assert_match "creation with an unknown attribute refused with a message" \
	'^error 22: [^(]+$' "$out"
out=$(create port=u32:3545)
info "new t1 with a 4-byte port: $out"
assert_match "creation with a 4-byte IFLA_TEREDO_PORT refused with a message" \
	'^error 22: [^(]+$' "$out"
out=$(create max_peers=u16:5)
info "new t1 with a 2-byte max_peers: $out"
assert_match "creation with a 2-byte IFLA_TEREDO_MAX_PEERS refused with a message" \
	'^error (22|34): [^(]+$' "$out"
out=$(create policy=u8:7)
info "new t1 with policy 7: $out"
assert_match "creation with an out-of-range IFLA_TEREDO_POLICY refused with a message" \
	'^error (22|34): [^(]+$' "$out"
out=$(create --link mtu=u32:1000 mode=u8:0)
info "new t1 with IFLA_MTU 1000: $out"
assert_eq "creation with an MTU below 1280 refused, IFLA_MTU named" \
	"error 22: teredo: MTU must be at least 1280 [attribute mtu]" "$out"
out=$(create --link address=hex:020000000001 mode=u8:0)
info "new t1 with an IFLA_ADDRESS: $out"
assert_eq "creation with a link-layer address refused, IFLA_ADDRESS named" \
	"error 22: teredo: a teredo device has no link-layer address [attribute address]" "$out"

out=$(ns_exec a $RTNL t1 mode=u8:0 port=u16:3545)
assert_eq "well-formed attributes accepted" ok "$out"
out=$(ns_exec a $RTNL --change t1 port=u16:3546 $UNKNOWN=u32:1)
info "change t1 with attribute $UNKNOWN: $out"
assert_match "a change with an unknown attribute refused with a message" \
	'^error 22: .+' "$out"
out=$(ns_exec a $RTNL --change t1 refresh=u32:60 fwmark=hex:0100000000000000)
info "change t1 with an 8-byte fwmark: $out"
assert_match "a change with an 8-byte IFLA_TEREDO_FWMARK refused with a message" \
	'^error 22: .+' "$out"
out=$(ns_exec a $RTNL --change t1 max_peers=u32:0)
info "change t1 with max_peers 0: $out"
assert_match "a change with IFLA_TEREDO_MAX_PEERS 0 (range 1..2^20) refused with a message" \
	'^error (22|34): .+' "$out"
out=$(ns_exec a $RTNL --change t1 dormant_timeout=u32:60 policy=u8:2)
info "change t1 with dormant_timeout 60 and policy 2: $out"
assert_match "a change with an out-of-range IFLA_TEREDO_POLICY refused with a message" \
	'^error (22|34): .+' "$out"
# settings: port refresh fwmark max_peers dormant_timeout policy
settings() {
	ns_exec a teredo-nl -j show t1 | python3 -c '
import json, sys
d = json.load(sys.stdin)
d = d[0] if isinstance(d, list) else d
print(d["port"], d["refresh"], d["fwmark"], d["max_peers"], d["dormant_timeout"], d["policy"])'
}
assert_eq "t1 unchanged by the refused changes (port refresh fwmark max-peers dormant-timeout policy)" \
	"3545 30 0 65536 300 client" "$(settings)"
out=$(ns_exec a $RTNL --change t1 max_peers=u32:500 policy=u8:1)
assert_eq "well-formed IFLA_TEREDO_MAX_PEERS and POLICY accepted" ok "$out"
assert_eq "teredo-nl sees the change made through IFLA" \
	"3545 30 0 500 300 enterprise" "$(settings)"
ktap_finished
