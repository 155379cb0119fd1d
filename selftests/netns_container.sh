#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A teredo device handed to a container: made in netns "host" (owned by
# the initial user namespace), moved into a netns owned by an
# unprivileged user namespace (uid 65534: unshare --user --map-root-user
# --net).  Its UDP socket stays in "host".  The container's root can
# read it, change the settings that are its own (refresh, allow...) and
# bring it up, but cannot rebind the host's socket: port, fwmark (and
# mode, local, dev, local-discovery) are refused with an extack message,
# through generic netlink and rtnetlink alike, and the socket in "host"
# keeps the port the host chose; nor have it tell the host's LAN
# address (hairpinning, refused the same way).  The host's root still
# changes them.
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
# timeout=120
. "$(dirname "$0")/lib.sh"

require_root
require_cmd ip ss setpriv unshare nsenter teredo-nl
require_module teredo

NL=$(command -v teredo-nl)
UNPRIV=65534
[ -w /proc/sys/kernel/unprivileged_userns_clone ] &&
	echo 1 > /proc/sys/kernel/unprivileged_userns_clone
[ "$(cat /proc/sys/user/max_user_namespaces)" -gt 0 ] ||
	echo 100 > /proc/sys/user/max_user_namespaces

ktap_plan 14

ns_create host
ns_ip host link set lo up
ns_ip host link add t0 type teredo
ns_exec host "$NL" set t0 server 192.0.2.1 port 3545 fwmark 7 ||
	fail_all "cannot configure t0 in host"

# the container: an unprivileged user's user namespace and netns
setpriv --reuid $UNPRIV --regid $UNPRIV --clear-groups \
	unshare --user --map-root-user --net sleep 300 &
cpid=$!
defer "kill $cpid"
wait_for "[ \"\$(readlink /proc/$cpid/ns/net)\" != \"\$(readlink /proc/self/ns/net)\" ]" 10 ||
	fail_all "no unprivileged user namespace here"
# in_c CMD...: CMD as the container's root (the unprivileged uid, root
# in its own user namespace)
in_c() {
	setpriv --reuid $UNPRIV --regid $UNPRIV --clear-groups \
		nsenter --target "$cpid" --user --net --preserve-credentials "$@"
}
# cfg: "port fwmark refresh" of t0 as the container reads them
cfg() {
	in_c "$NL" -j show t0 | python3 -c '
import json, sys
d = json.load(sys.stdin)
d = d[0] if isinstance(d, list) else d
print(d["port"], d["fwmark"], d["refresh"])'
}
RTNL="python3 $SELFTESTS_DIR/harness/rtnl_newlink.py"

assert_ok "host moves t0 into the container" ns_ip host link set t0 netns "$cpid"
assert_ok "the container sees t0" in_c ip link show t0
assert_eq "the container reads t0's settings (port fwmark refresh)" "3545 7 30" "$(cfg)"

out=$(in_c "$NL" set t0 port 80 2>&1)
info "container: teredo-nl set t0 port 80: $out"
assert_match "container: port refused with a message (generic netlink)" \
	"CAP_NET_ADMIN" "$out"
out=$(in_c $RTNL --change t0 fwmark=u32:0x99 2>&1)
info "container: RTM_NEWLINK t0 IFLA_TEREDO_FWMARK 0x99: $out"
assert_match "container: fwmark refused with a message (rtnetlink)" \
	"CAP_NET_ADMIN" "$out"
out=$(in_c "$NL" set t0 mode relay 2>&1)
assert_match "container: mode refused" "CAP_NET_ADMIN" "$out"
out=$(in_c "$NL" set t0 hairpinning on 2>&1)
info "container: teredo-nl set t0 hairpinning on: $out"
assert_match "container: hairpinning refused (it tells the host's LAN address)" \
	"CAP_NET_ADMIN" "$out"
assert_ok "container: refresh (not the socket) accepted" in_c "$NL" set t0 refresh 60

out=$(in_c ip link set t0 up 2>&1)
info "container: ip link set t0 up: ${out:-ok}"
assert_eq "container: ip link set t0 up works" "" "$out"
assert_eq "settings as the host left them, refresh 60 (port fwmark refresh)" \
	"3545 7 60" "$(cfg)"
socks=$(ns_exec host ss -uanH | awk '{ print $4 }' | tr '\n' ' ')
info "host: UDP sockets: $socks"
assert_match "host: the socket is bound to 3545 (not 80)" ":3545 " "$socks "

# the host's root (CAP_NET_ADMIN over both netns) still decides
assert_ok "host root changes the port of the moved device" \
	nsenter --target "$cpid" --net "$NL" set t0 port 3546
socks=$(ns_exec host ss -uanH | awk '{ print $4 }' | tr '\n' ' ')
info "host: UDP sockets: $socks"
assert_match "host: the socket rebound to 3546" ":3546 " "$socks "
assert_ok "container: ip link set t0 down" in_c ip link set t0 down

ktap_finished
