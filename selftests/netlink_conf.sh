#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# teredo.conf(5) in a guest: "teredo-nl showconf" prints the whole
# configuration, "setconf" applies a file all or nothing (replace:
# what the file lacks returns to its default), "addconf" merges.
#  - showconf > a; setconf t0 a; showconf > b: a and b are identical;
#  - a file with one bad line (the parser's or the kernel's refusal):
#    exit 1, "FILE:LINE: message", nothing changed (the MTU, local and
#    dev, set by rtnetlink before the kernel's refusal, are put back);
#  - setconf of a short file resets the rest, addconf changes only its
#    keys; a mode change is applied as "set mode" does;
#  - "show -j" agrees with the file, also after the device went up and
#    down; import-miredo's output applies;
#  - a setting out of its range (IFLA_TEREDO_HAIRPINNING 2) is refused
#    by rtnetlink with an extack message, nothing changed.
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
set -u

. "$(dirname "$0")/lib.sh"

require_root
require_cmd teredo-nl ip python3 diff
PLUGIN_DIR=$(cd "$SELFTESTS_DIR/.." && pwd)/build/tools/ip
[ -e "$PLUGIN_DIR/link_teredo.so" ] || skip_all "$PLUGIN_DIR/link_teredo.so not built (make tools)"
require_module teredo
ktap_plan 25

TMP=$(mktemp -d)
defer "rm -rf '$TMP'"
ns_create conf || fail_all "cannot create a netns"
NS=$(ns conf)
in_ns() { ip netns exec "$NS" "$@"; }
tnl() { in_ns teredo-nl "$@"; }
in_ns ip link add d0 type dummy &&
	in_ns ip addr add 192.0.2.50/24 dev d0 &&
	in_ns ip link set d0 up || fail_all "dummy d0"
IP_LIB_DIR=$PLUGIN_DIR in_ns ip link add t0 type teredo local 192.0.2.50 dev d0 ||
	fail_all "ip link add t0 type teredo local 192.0.2.50 dev d0"

# json EXPR: EXPR on "show t0 -j" (bound to d) and "ip -j link show t0"
# (bound to l).
json() {
	tnl show t0 -j > "$TMP/show.json" &&
		in_ns ip -j link show t0 > "$TMP/link.json" &&
		python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
l = json.load(open(sys.argv[2]))[0]
print(eval(sys.argv[3]))' "$TMP/show.json" "$TMP/link.json" "$1"
}

# expect DESC EXPR WANT
expect() {
	local got
	got=$(json "$2" 2>&1)
	if [ "$got" = "$3" ]; then ok "$1"; else not_ok "$1" "got '$got', want '$3'"; fi
}

# refused DESC PATTERN CMD...: CMD ("setconf t0 FILE" ...) exits 1 with
# one stderr line matching PATTERN, and showconf is unchanged.
refused() {
	local desc=$1 pat=$2 rc err
	shift 2
	tnl showconf t0 > "$TMP/before" 2>&1
	tnl "$@" > /dev/null 2> "$TMP/err"
	rc=$?
	err=$(cat "$TMP/err")
	tnl showconf t0 > "$TMP/after" 2>&1
	if [ "$rc" != 1 ]; then
		not_ok "$desc" "exit $rc, want 1 ($err)"
	elif ! [[ $err =~ $pat ]] || [ "$(wc -l < "$TMP/err")" != 1 ]; then
		not_ok "$desc" "stderr '$err' does not match '$pat'"
	elif ! cmp -s "$TMP/before" "$TMP/after"; then
		not_ok "$desc" "settings changed: $(diff "$TMP/before" "$TMP/after" | tr '\n' ' ')"
	else
		ok "$desc: exit 1, \"$err\", nothing changed"
	fi
}

# --- the round trip ----------------------------------------------------------
tnl set t0 server 198.51.100.1 server2 198.51.100.9 port 3545 fwmark 0x10 \
	refresh 45 allow 0x1 allow 0x20/0xf0 rxmark 7 policy enterprise \
	dormant-timeout 600 max-peers 50 local-discovery on hairpinning on \
	managed 10.0.0.0/8 172.16.0.0/12 inbound open &&
	in_ns ip link set t0 mtu 1400
result "every setting away from its default (set, ip link set mtu)" $?
tnl showconf t0 > "$TMP/a" 2> "$TMP/err"
rc=$?
sed 's/^/# /' "$TMP/a"
nkeys=$(grep -c '^[a-z0-9-]* = ' "$TMP/a")
if [ "$rc" = 0 ] && [ "$nkeys" = 18 ]; then
	ok "showconf t0: the 18 keys of teredo.conf(5)"
else
	not_ok "showconf t0" "exit $rc, $nkeys keys: $(cat "$TMP/err")"
fi
grep -qx 'local = 192.0.2.50' "$TMP/a" && grep -qx 'dev = d0' "$TMP/a" &&
	grep -qx 'mtu = 1400' "$TMP/a" && grep -qx 'allow = 0x1, 0x20/0xf0' "$TMP/a" &&
	grep -qx 'managed = 10.0.0.0/8, 172.16.0.0/12' "$TMP/a"
result "showconf: ip link add's local and dev, the MTU, the lists" $?
tnl setconf t0 "$TMP/a"
result "setconf t0 a" $?
tnl showconf t0 > "$TMP/b"
if diff -u "$TMP/a" "$TMP/b" > "$TMP/diff"; then
	ok "showconf > a; setconf t0 a; showconf > b: identical"
else
	not_ok "showconf | setconf is not the identity" "$(tr '\n' ' ' < "$TMP/diff")"
fi
expect "show -j agrees with the file" \
	'(d["mode"], d["server"], d["server2"], d["port"], d["fwmark"], d["refresh"], d["refresh_auto"], [(m["mark"], m["mask"]) for m in d["allowed_marks"]], d["rxmark"], d["policy"], d["dormant_timeout"], d["max_peers"], d["local_discovery"], d["hairpinning"], d["inbound"], l["mtu"])' \
	"('client', '198.51.100.1', '198.51.100.9', 3545, 16, 45, False, [(1, 4294967295), (32, 240)], 7, 'enterprise', 600, 50, True, True, 'open', 1400)"
grep -qx 'hairpinning = on' "$TMP/a" && tnl show t0 | grep -qx $'\thairpinning on' &&
	[ "$(tnl show t0 hairpinning)" = true ]
result "hairpinning on: showconf, show (text) and show t0 hairpinning agree" $?

# A setting out of its range, through rtnetlink (teredo-nl's parser
# never sends one): refused with a message, nothing changed.
tnl showconf t0 > "$TMP/before"
out=$(in_ns python3 "$SELFTESTS_DIR/harness/rtnl_newlink.py" --change t0 hairpinning=u8:2)
tnl showconf t0 > "$TMP/after"
if [[ $out =~ ^error\ (22|34):\ .+ ]] && cmp -s "$TMP/before" "$TMP/after"; then
	ok "IFLA_TEREDO_HAIRPINNING 2 refused with a message, nothing changed ($out)"
else
	not_ok "IFLA_TEREDO_HAIRPINNING 2" "got '$out', $(diff "$TMP/before" "$TMP/after" | tr '\n' ' ')"
fi

# --- all or nothing ------------------------------------------------------------
sed 's/^port = .*/port = 70000/' "$TMP/a" > "$TMP/badport"
line=$(grep -n '^port =' "$TMP/badport" | cut -d: -f1)
refused "a bad value" "^$TMP/badport:$line: port: invalid port \"70000\"" \
	setconf t0 "$TMP/badport"
{ cat "$TMP/a"; echo "colour = red"; } > "$TMP/unknown"
line=$(wc -l < "$TMP/unknown")
refused "an unknown key" "^$TMP/unknown:$line: unknown key \"colour\"" \
	setconf t0 "$TMP/unknown"
{ cat "$TMP/a"; echo "fwmark = 0x11"; } > "$TMP/dup"
line=$(wc -l < "$TMP/dup")
refused "a key given twice" "^$TMP/dup:$line: fwmark: given twice \\(first on line [0-9]+\\)" \
	addconf t0 "$TMP/dup"
# The MTU, local and dev go first (one rtnetlink request), the kernel
# then refuses the server: they are put back.
printf 'mtu = 1300\nlocal = 192.0.2.51\ndev = lo\nport = 4000\nserver = 10.1.2.3\n' > "$TMP/private"
refused "a server the kernel refuses, with a new MTU, local and dev" \
	"^$TMP/private:5: server: .*server must be a global unicast IPv4 address" \
	setconf t0 "$TMP/private"
printf 'port = 4000\ndev = nosuch0\n' > "$TMP/dev"
refused "a dev that does not exist" "^$TMP/dev:2: dev: no interface \"nosuch0\" here" \
	addconf t0 "$TMP/dev"
printf 'mode = server\nserver = none\n' > "$TMP/server"
refused "mode server without a server address (the kernel's check)" \
	"^$TMP/server: teredo: a server needs its own address" setconf t0 "$TMP/server"
refused "setconf of a device that is not teredo" "d0: not a teredo device|not a teredo" \
	setconf d0 "$TMP/a"
refused "a file that does not exist" "$TMP/nosuch: No such file or directory" \
	setconf t0 "$TMP/nosuch"

# --- replace and merge ----------------------------------------------------------
printf '# only two keys\nserver = 192.0.2.1\nmtu = 1280\n' | tnl setconf t0 -
result "setconf t0 - (stdin) of two keys" $?
expect "setconf: the rest is back to its defaults, local and dev kept" \
	'(d["server"], d["server2"], d["port"], d["fwmark"], d["refresh"], d["allowed_marks"], d["rxmark"], d["policy"], d["dormant_timeout"], d["max_peers"], d["local_discovery"], d["hairpinning"], d["inbound"], d["managed"], l["mtu"])' \
	"('192.0.2.1', None, 0, 0, 30, [], 0, 'client', 300, 65536, False, False, 'authorized', [], 1280)"
grep -qx 'local = any' <(tnl showconf t0) && grep -qx 'dev = any' <(tnl showconf t0) &&
	[ "$(IP_LIB_DIR=$PLUGIN_DIR in_ns ip -d -j link show t0 |
		python3 -c 'import json, sys; d = json.load(sys.stdin)[0]["linkinfo"]["info_data"]; print(d.get("local") in (None, "0.0.0.0") and not d.get("dev"))')" = True ] ||
	in_ns ip -d link show t0 | sed 's/^/# /'
result "setconf: local and dev back to any (ip -d link show agrees)" $?
tnl setconf t0 "$TMP/a" && printf 'port = 3600\nallow = 0x5\n' > "$TMP/add" &&
	tnl addconf t0 "$TMP/add" && tnl showconf t0 > "$TMP/c"
diff "$TMP/a" "$TMP/c" | grep '^[<>]' | sort > "$TMP/diff"
if [ "$(cat "$TMP/diff")" = "< allow = 0x1, 0x20/0xf0
< port = 3545
> allow = 0x5
> port = 3600" ]; then
	ok "addconf: only its two keys changed"
else
	not_ok "addconf changed more or less than its keys" "$(tr '\n' ' ' < "$TMP/diff")"
fi
# A mode change is applied as "teredo-nl set t0 mode" does.
printf 'mode = relay\n' > "$TMP/relay"
tnl addconf t0 "$TMP/relay" && expect "addconf mode = relay: the mode changes" \
	'(d["mode"], d["port"])' "('relay', 3600)" || not_ok "addconf mode = relay"

# local and dev, which ip link add set, change too (rtnetlink).
sed 's/^local = .*/local = 192.0.2.51/; s/^dev = .*/dev = lo/' "$TMP/a" > "$TMP/local"
tnl setconf t0 "$TMP/local" && tnl showconf t0 | grep -qx 'local = 192.0.2.51' &&
	tnl showconf t0 | grep -qx 'dev = lo'
result "setconf: another local and dev are applied" $?

# --- the settings survive ---------------------------------------------------------
tnl setconf t0 "$TMP/a" && in_ns ip link set t0 up && in_ns ip link set t0 down &&
	tnl showconf t0 > "$TMP/d" && cmp -s "$TMP/a" "$TMP/d"
result "setconf a, up, down: showconf still a" $?
expect "show -j after up and down" \
	'(d["server"], d["port"], d["policy"], d["dormant_timeout"], l["mtu"])' \
	"('198.51.100.1', 3545, 'enterprise', 600, 1400)"

# --- from Miredo --------------------------------------------------------------------
printf 'InterfaceName t0\nServerAddress 192.0.2.1\nBindPort 3546\nSyslogFacility daemon\n' > "$TMP/miredo.conf"
tnl import-miredo "$TMP/miredo.conf" 2> "$TMP/err" | tnl setconf t0 - &&
	expect "import-miredo | setconf: Miredo's behaviour" \
		'(d["mode"], d["server"], d["port"], [(m["mark"], m["mask"]) for m in d["allowed_marks"]], d["inbound"], d["dormant_timeout"], d["policy"])' \
		"('client', '192.0.2.1', 3546, [(0, 4294967295)], 'open', 0, 'enterprise')" ||
	not_ok "import-miredo | setconf t0 -"
sed 's/^/# /' "$TMP/err"

ktap_finished
