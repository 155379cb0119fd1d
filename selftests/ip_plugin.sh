#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The iproute2 plugin link_teredo.so with Debian's ip: "ip link help
# teredo", "ip link add ... type teredo OPTIONS", the options shown back
# by "ip -d link show" (text and -j JSON), "ip link set ... type teredo"
# (changelink), and bad input: ip's one-line error, a non-zero exit and
# no device created or changed.  Every setting is an option (issue 20:
# one configuration surface): what ip sets, teredo-nl sees, and back.
. "$(dirname "$0")/lib.sh"

require_root
require_cmd ip python3 teredo-nl
PLUGIN_DIR=$(cd "$SELFTESTS_DIR/.." && pwd)/build/tools/ip
[ -e "$PLUGIN_DIR/link_teredo.so" ] || skip_all "$PLUGIN_DIR/link_teredo.so not built (make tools)"
require_module teredo
export IP_LIB_DIR=$PLUGIN_DIR

TMP=$(mktemp -d)
defer "rm -rf $TMP"

# info_data DEV: the JSON object linkinfo.info_data of "ip -d -j link show".
info_data() {
	ns_ip a -d -j link show dev "$1" | python3 -c '
import json, sys
links = json.load(sys.stdin)
print(json.dumps(links[0]["linkinfo"]["info_data"], sort_keys=True))'
}

# assert_json DESC DEV PYEXPR: PYEXPR (d is DEV's info_data) is true.
assert_json() {
	local got
	got=$(info_data "$2" 2>&1)
	if python3 -c 'import json, sys; d = json.loads(sys.argv[1]); sys.exit(0 if eval(sys.argv[2]) else 1)' \
		"$got" "$3" 2> /dev/null; then
		ok "$1"
	else
		not_ok "$1" "info_data $got does not satisfy: $3"
	fi
}

# count_teredo: number of teredo devices in netns a.
count_teredo() {
	local lines
	mapfile -t lines < <(ns_ip a -o link show type teredo 2> /dev/null)
	echo "${#lines[@]}"
}

# refused DESC REGEX ARGS...: "ip ARGS" in netns a exits non-zero with one
# line on stderr matching REGEX, and leaves the teredo devices as they were
# (same number, same info_data of t0).
refused() {
	local desc=$1 re=$2 rc err n0 n1 d0 d1
	shift 2
	n0=$(count_teredo)
	d0=$(info_data t0 2> /dev/null)
	ns_ip a "$@" > /dev/null 2> "$TMP/err"
	rc=$?
	err=$(cat "$TMP/err")
	info "ip $*: $err"
	n1=$(count_teredo)
	d1=$(info_data t0 2> /dev/null)
	if [ "$rc" = 0 ]; then
		not_ok "$desc" "'ip $*' succeeded"
	elif [ "$(wc -l < "$TMP/err")" != 1 ] || ! [[ $err =~ $re ]]; then
		not_ok "$desc" "'ip $*': stderr '$err' is not one line matching /$re/"
	elif [ "$n0" != "$n1" ] || [ "$d0" != "$d1" ]; then
		not_ok "$desc" "'ip $*' changed something: $n0 -> $n1 devices, $d0 -> $d1"
	else
		ok "$desc"
	fi
}

ktap_plan 68

ns_create a
ns_ip a link add v0 type veth peer name v1 || fail_all "cannot create a veth pair"

# --- the plugin links against Debian's ip -----------------------------------
# ip loads plugins with RTLD_LAZY: a helper missing from ip would only fail
# when called.  Every symbol the plugin needs from ip must be exported.
IP_BIN=$(command -v ip)
if command -v nm > /dev/null; then
	missing=""
	for sym in $(nm -D --undefined-only "$PLUGIN_DIR/link_teredo.so" | awk '$2 !~ /@|^_/ { print $2 }'); do
		nm -D --defined-only "$IP_BIN" | awk '{ print $3 }' | grep -qx "$sym" ||
			missing="$missing $sym"
	done
	assert_eq "every ip helper the plugin calls is exported by $IP_BIN" "" "$missing"
else
	skip "every ip helper the plugin calls is exported by ip" "nm not installed"
fi

# --- help ------------------------------------------------------------------
out=$(ip link help teredo 2>&1)
assert_eq "ip link help teredo exits 0" 0 "$?"
assert_match "help lists every option" \
	'mode \{ client \| relay \| server \}.*server \{ ADDR.*server2 \{ ADDR.*port PORT.*fwmark MARK.*local \{ ADDR.*dev \{ PHYS_DEV.*refresh SECONDS.*refresh auto.*local-discovery \{ on \| off \}.*hairpinning \{ on \| off \}.*inbound.*allow \{ MARK\[/MASK\].*rxmark MARK.*policy \{ client \| enterprise \}.*dormant-timeout SECONDS.*max-peers N.*managed \{ PREFIX' \
	"${out//$'\n'/ }"

# --- add with every option, show it back ----------------------------------
assert_ok "ip link add t0 type teredo with every option" \
	ns_ip a link add t0 type teredo mode client server 192.0.2.1 \
	server2 192.0.2.5 port 3545 fwmark 0x2a local 198.51.100.7 dev v0 refresh 45
line=$(ns_ip a -d -o link show dev t0)
info "$line"
assert_match "ip -d link show: teredo options as text" \
	' teredo mode client server 192\.0\.2\.1 server2 192\.0\.2\.5 port 3545 fwmark 0x2a local 198\.51\.100\.7 dev v0 refresh 45 inbound authorized policy client dormant-timeout 300 max-peers 65536 state offline ' \
	"$line"
info "info_data: $(info_data t0)"
assert_json "ip -d -j link show: JSON values" t0 \
	"d == {'mode': 'client', 'server': '192.0.2.1', 'servers': ['192.0.2.1'], 'server2': '192.0.2.5', 'port': 3545, 'fwmark': 42, 'local': '198.51.100.7', 'link': 'v0', 'refresh': 45, 'refresh_auto': False, 'local_discovery': False, 'hairpinning': False, 'inbound': 'authorized', 'allowed_marks': [], 'rxmark': 0, 'policy': 'client', 'dormant_timeout': 300, 'max_peers': 65536, 'managed': [], 'state': 'offline'}"

# The text form is ip's input form: feed it back and get the same device.
opts=$(sed -E 's/.* teredo (.*) state [a-z]+ .*/\1/' <<< "$line")
# shellcheck disable=SC2086 # word splitting of the options is wanted
assert_ok "the shown options create an equal device (t1)" ns_ip a link add t1 type teredo $opts
assert_eq "t1's info_data equals t0's" "$(info_data t0)" "$(info_data t1)"
ns_ip a link del t1

# Without the plugin ip shows no options: the plugin is what prints them.
line=$(IP_LIB_DIR=$TMP ns_ip a -d -o link show dev t0)
assert_eq "without the plugin, ip -d shows no teredo options" "" \
	"$(grep -o 'server 192.0.2.1' <<< "$line")"

# --- defaults ----------------------------------------------------------------
assert_ok "ip link add t2 type teredo (no options)" ns_ip a link add t2 type teredo
assert_json "defaults: client, no server, port 0, refresh 30, offline" t2 \
	"d == {'mode': 'client', 'server': None, 'servers': [], 'server2': None, 'port': 0, 'fwmark': 0, 'local': None, 'link': None, 'refresh': 30, 'refresh_auto': False, 'local_discovery': False, 'hairpinning': False, 'inbound': 'authorized', 'allowed_marks': [], 'rxmark': 0, 'policy': 'client', 'dormant_timeout': 300, 'max_peers': 65536, 'managed': [], 'state': 'offline'}"
line=$(ns_ip a -d -o link show dev t2)
assert_match "defaults as text: unset values left out" \
	' teredo mode client port 0 refresh 30 inbound authorized policy client dormant-timeout 300 max-peers 65536 state offline ' "$line"
ns_ip a link del t2

# --- every setting: ip and teredo-nl agree -----------------------------------
EVERY="mode client server 192.0.2.1 198.51.100.3 server2 192.0.2.9 port 3546
	fwmark 0x2b local 198.51.100.7 dev v0 refresh 50 refresh auto
	local-discovery on hairpinning on inbound open allow 0x1 allow 0x20/0xf0
	rxmark 0x7
	policy enterprise dormant-timeout 600 max-peers 100
	managed 10.0.0.0/8 192.168.0.0/16"
# shellcheck disable=SC2086 # word splitting of the options is wanted
assert_ok "ip link add t1 type teredo with every setting" \
	ns_ip a link add t1 type teredo $EVERY
info "info_data: $(info_data t1)"
assert_json "ip -d -j link show: every setting as given" t1 \
	"d == {'mode': 'client', 'server': '192.0.2.1', 'servers': ['192.0.2.1', '198.51.100.3'], 'server2': '192.0.2.9', 'port': 3546, 'fwmark': 43, 'local': '198.51.100.7', 'link': 'v0', 'refresh': 50, 'refresh_auto': True, 'local_discovery': True, 'hairpinning': True, 'inbound': 'open', 'allowed_marks': [{'mark': 1, 'mask': 0xffffffff}, {'mark': 0x20, 'mask': 0xf0}], 'rxmark': 7, 'policy': 'enterprise', 'dormant_timeout': 600, 'max_peers': 100, 'managed': ['10.0.0.0/8', '192.168.0.0/16'], 'state': 'offline'}"

# agree DESC DEV: every setting in "ip -d -j link show" (info_data) has
# the same value in "teredo-nl -j show" (same JSON key).
agree() {
	local diff
	diff=$( (info_data "$2"; ns_exec a teredo-nl -j show "$2") | python3 -c '
import json, sys
ip = json.loads(sys.stdin.readline())
nl = json.loads(sys.stdin.read())
nl = nl[0] if isinstance(nl, list) else nl
keys = ["mode", "server", "servers", "server2", "port", "fwmark", "local",
        "link", "refresh", "refresh_auto", "local_discovery", "hairpinning",
        "inbound", "allowed_marks", "rxmark", "policy", "dormant_timeout",
        "max_peers", "managed", "state"]
print(" ".join("%s: ip %r, teredo-nl %r" % (k, ip.get(k, "absent"), nl.get(k, "absent"))
               for k in keys if ip.get(k, "absent") != nl.get(k, "absent")))' 2>&1)
	if [ -z "$diff" ]; then
		ok "$1"
	else
		not_ok "$1" "$diff"
	fi
}
agree "teredo-nl -j show t1 agrees with ip on every setting" t1

line=$(ns_ip a -d -o link show dev t1)
info "$line"
assert_match "ip -d link show: every setting as text" \
	' teredo mode client server 192\.0\.2\.1 198\.51\.100\.3 server2 192\.0\.2\.9 port 3546 fwmark 0x2b local 198\.51\.100\.7 dev v0 refresh 50 refresh auto local-discovery on hairpinning on inbound open allow 0x1/0xffffffff allow 0x20/0xf0 rxmark 0x7 policy enterprise dormant-timeout 600 max-peers 100 managed 10\.0\.0\.0/8 192\.168\.0\.0/16 state offline ' \
	"$line"
opts=$(sed -E 's/.* teredo (.*) state [a-z]+ .*/\1/' <<< "$line")
# shellcheck disable=SC2086 # word splitting of the options is wanted
assert_ok "t1's shown settings create an equal device (t4)" ns_ip a link add t4 type teredo $opts
assert_eq "t4's info_data equals t1's" "$(info_data t1)" "$(info_data t4)"
ns_ip a link del t4

# ip link set -> teredo-nl, teredo-nl set -> ip
assert_ok "ip link set t1 type teredo dormant-timeout 900" \
	ns_ip a link set t1 type teredo dormant-timeout 900
assert_eq "teredo-nl show t1 dormant_timeout: 900" 900 \
	"$(ns_exec a teredo-nl show t1 dormant_timeout)"
agree "teredo-nl agrees with ip after ip link set" t1
assert_ok "ip link set t1 type teredo hairpinning off" \
	ns_ip a link set t1 type teredo hairpinning off
assert_eq "teredo-nl show t1 hairpinning: false" false \
	"$(ns_exec a teredo-nl show t1 hairpinning)"
assert_ok "ip link set t1 type teredo allow none managed none refresh 40 policy client" \
	ns_ip a link set t1 type teredo allow none managed none refresh 40 policy client
assert_json "lists emptied, refresh fixed (determination off), policy client" t1 \
	"d['allowed_marks'] == [] and d['managed'] == [] and d['refresh'] == 40 and not d['refresh_auto'] and d['policy'] == 'client' and d['dormant_timeout'] == 900"
assert_ok "teredo-nl set t1 max-peers 200 rxmark 0x9 local any dev any server 203.0.113.9 hairpinning on" \
	ns_exec a teredo-nl set t1 max-peers 200 rxmark 0x9 local any dev any server 203.0.113.9 hairpinning on
assert_json "ip -d -j link show sees teredo-nl's change" t1 \
	"d['hairpinning'] is True and d['max_peers'] == 200 and d['rxmark'] == 9 and d['local'] is None and d['link'] is None and d['server'] == '203.0.113.9' and d['servers'] == ['203.0.113.9']"
line=$(ns_ip a -d -o link show dev t1)
assert_match "ip -d link show (text) sees teredo-nl's change" \
	' server 203\.0\.113\.9 server2 192\.0\.2\.9 .* hairpinning on .* rxmark 0x9 .*max-peers 200 ' "$line"
assert_ok "teredo-nl set t1 local 198.51.100.8 dev v0" \
	ns_exec a teredo-nl set t1 local 198.51.100.8 dev v0
assert_json "ip sees local and dev set through the family" t1 \
	"d['local'] == '198.51.100.8' and d['link'] == 'v0'"
agree "teredo-nl agrees with ip after teredo-nl set" t1
ns_ip a link del t1

# --- changelink ------------------------------------------------------------
assert_ok "ip link set t0 type teredo port 4000 refresh 60" \
	ns_ip a link set t0 type teredo port 4000 refresh 60
assert_json "port and refresh changed, the rest kept" t0 \
	"d['port'] == 4000 and d['refresh'] == 60 and d['server'] == '192.0.2.1' and d['fwmark'] == 42 and d['link'] == 'v0'"
assert_ok "ip link set t0 type teredo server 203.0.113.9 fwmark 7" \
	ns_ip a link set t0 type teredo server 203.0.113.9 fwmark 7
assert_json "server and fwmark changed" t0 \
	"d['server'] == '203.0.113.9' and d['fwmark'] == 7 and d['port'] == 4000"

# A running device takes a new port: its UDP socket moves.
assert_ok "ip link add t3 type teredo port 3600, up" \
	ns_ip a link add t3 type teredo server 192.0.2.1 port 3600
ns_ip a link set t3 up
# udp_ports: the local UDP ports bound in netns a, sorted, on one line.
udp_ports() {
	ns_exec a ss -Hunl | awk '{ sub(/.*:/, "", $4); print $4 }' | sort -n | tr '\n' ' '
}
# shellcheck disable=SC2016 # wait_for evaluates it
wait_for '[ "$(udp_ports)" = "3600 " ]' 5
assert_eq "t3 (up) has its UDP socket on port 3600" "3600 " "$(udp_ports)"
assert_ok "ip link set t3 type teredo port 3601 (device up)" \
	ns_ip a link set t3 type teredo port 3601
assert_json "t3 shows port 3601" t3 "d['port'] == 3601"
assert_eq "t3's UDP socket moved to port 3601" "3601 " "$(udp_ports)"
ns_ip a link del t3

# --- bad values: ip's error, nothing created or changed ----------------------
refused "port 70000 refused" '^Error: argument "70000" is wrong: port' \
	link add t9 type teredo port 70000
refused "port -1 refused" '^Error: argument "-1" is wrong: port' \
	link add t9 type teredo port -1
refused "server 192.0.2 refused" '^Error: argument "192.0.2" is wrong: not an IPv4 address' \
	link add t9 type teredo server 192.0.2
refused "server2 2001:db8::1 refused" '^Error: argument "2001:db8::1" is wrong: not an IPv4' \
	link add t9 type teredo server2 2001:db8::1
refused "mode bogus refused" '^Error: argument "bogus" is wrong: mode must be client, relay or server' \
	link add t9 type teredo mode bogus
refused "fwmark 0x100000000 refused" '^Error: argument "0x100000000" is wrong: fwmark' \
	link add t9 type teredo fwmark 0x100000000
refused "refresh 0 refused" '^Error: argument "0" is wrong: refresh' \
	link add t9 type teredo refresh 0
refused "dev nosuch0 refused" '^Error: argument "nosuch0" is wrong: no such network device' \
	link add t9 type teredo dev nosuch0
refused "a missing value refused" 'Command line is not complete' \
	link add t9 type teredo server
refused "a repeated option refused" '^Error: duplicate "port"' \
	link add t9 type teredo port 1 port 2
# Values only the module can judge: its extack message, as ip prints it.
refused "refresh 4000 refused by the module" '^Error: .+' \
	link add t9 type teredo refresh 4000
refused "server 10.0.0.1 (not global) refused by the module" '^Error: .*global' \
	link add t9 type teredo server 10.0.0.1
refused "max-peers 0 refused" '^Error: argument "0" is wrong: max-peers' \
	link add t9 type teredo max-peers 0
refused "policy bogus refused" '^Error: argument "bogus" is wrong: policy must be client or enterprise' \
	link add t9 type teredo policy bogus
refused "local-discovery yes refused" '^Error: argument "yes" is wrong: local-discovery must be on or off' \
	link add t9 type teredo local-discovery yes
refused "hairpinning 2 refused" '^Error: argument "2" is wrong: hairpinning must be on or off' \
	link add t9 type teredo hairpinning 2
refused "managed 10.0.0.0/33 refused" '^Error: argument "10.0.0.0/33" is wrong: managed' \
	link add t9 type teredo managed 10.0.0.0/33
refused "refresh auto twice refused" '^Error: duplicate "refresh"' \
	link add t9 type teredo refresh auto refresh auto
# The module's checks of the new settings: same messages as teredo-nl's.
refused "dormant-timeout 700000 refused by the module" '^Error: .+' \
	link add t9 type teredo dormant-timeout 700000
refused "allow 0x3/0x1 refused by the module" '^Error: .*mask' \
	link add t9 type teredo allow 0x3/0x1
refused "managed 10.0.0.1/8 refused by the module" '^Error: .*beyond its length' \
	link add t9 type teredo managed 10.0.0.1/8
refused "a server listed twice refused by the module" '^Error: .*twice' \
	link add t9 type teredo server 192.0.2.1 192.0.2.1
# Unknown option.
refused "unknown option refused" '^Error: unknown teredo option "bogus"' \
	link add t9 type teredo bogus 1
# changelink with bad values keeps the old configuration.
refused "ip link set t0 type teredo port 70000 refused" '^Error: argument "70000" is wrong' \
	link set t0 type teredo port 70000
refused "ip link set t0 type teredo refresh 4000 refused by the module" '^Error: .+' \
	link set t0 type teredo refresh 4000
refused "ip link set t0 type teredo max-peers 2000000 policy enterprise refused by the module" \
	'^Error: .+' link set t0 type teredo max-peers 2000000 policy enterprise
assert_eq "only t0 is left" 1 "$(count_teredo)"
assert_json "t0 unchanged by the refusals" t0 \
	"d['port'] == 4000 and d['refresh'] == 60 and d['server'] == '203.0.113.9'"

ktap_finished
