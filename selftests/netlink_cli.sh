#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# soak: teredo-nl's own behaviour (the family's kernel side: netlink_conf, netlink_strict, netlink_events on every kernel)
# teredo-nl and the generic netlink family "teredo", in a guest:
# show/set/peers/qualify/flush/monitor, JSON output, every kind of bad
# input (each gives its message and exit status and changes nothing),
# permissions (an unprivileged user namespace gets EPERM), and the YNL
# spec driven by the kernel's ynl CLI.
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
. "$HERE/lib.sh"

YNL=/usr/src/linux-source-6.12/tools/net/ynl/cli.py
YNL_SCHEMA=/usr/src/linux-source-6.12/Documentation/netlink/genetlink-legacy.yaml
SPEC=$REPO/Documentation/netlink/specs/teredo.yaml
TMP=$(mktemp -d)
defer "rm -rf '$TMP'"
MON_PID=
MON_ALL=
# shellcheck disable=SC2016 # evaluated at exit
defer '[ -n "$MON_PID" ] && kill "$MON_PID"'
# shellcheck disable=SC2016 # evaluated at exit
defer '[ -n "$MON_ALL" ] && kill "$MON_ALL"'

# check DESC CMD...: passes if CMD succeeds.
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
in_ns() { ip netns exec "$NS" "$@"; }
tnl() { in_ns teredo-nl "$@"; }

# json FILE EXPR: evaluates a Python expression on the JSON document in
# FILE (bound to d) and prints the result.
json() {
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# show_json NAME: "teredo-nl show t0 -j" into $TMP/NAME.json.
show_json() {
	tnl show t0 -j > "$TMP/$1.json" 2> "$TMP/$1.err"
}

# expect_value DESC EXPR WANT: the last show's EXPR equals WANT.
expect_value() {
	local got
	got=$(json "$TMP/cur.json" "$2" 2>&1)
	if [ "$got" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1" "got '$got', want '$3'"
	fi
}

# refused DESC RC PATTERN ARGS...: "teredo-nl ARGS" exits RC with one
# stderr line matching PATTERN, and "show t0 -j" is the same before and
# after.
refused() {
	local desc=$1 want=$2 pat=$3 rc err
	shift 3
	show_json before
	# "unshare ..." and "setpriv ..." run as given (they run teredo-nl).
	if [ "$1" = unshare ] || [ "$1" = setpriv ]; then
		in_ns "$@" > /dev/null 2> "$TMP/err"
	else
		tnl "$@" > /dev/null 2> "$TMP/err"
	fi
	rc=$?
	err=$(cat "$TMP/err")
	show_json after
	if [ "$rc" != "$want" ]; then
		not_ok "$desc" "exit $rc, want $want ($err)"
	elif ! [[ $err =~ $pat ]] || [ "$(wc -l < "$TMP/err")" != 1 ]; then
		not_ok "$desc" "stderr '$err' does not match '$pat'"
	elif ! cmp -s "$TMP/before.json" "$TMP/after.json"; then
		not_ok "$desc" "settings changed"
	else
		ok "$desc: exit $rc, \"$err\", nothing changed"
	fi
}

# The plan: the ynl section is 4 subtests or 1 skip, the user namespace
# section 5 subtests or 1 skip.
have_ynl() { [ -e "$YNL" ] && python3 -c 'import yaml, jsonschema' 2> /dev/null; }
have_userns() { unshare -U -r true 2> /dev/null; }
plan() { echo $((PLAN_BASE + $(have_ynl && echo 4 || echo 1) + $(have_userns && echo 5 || echo 1))); }
PLAN_BASE=63	# the subtests outside those two sections

require_root
require_cmd teredo-nl python3 setpriv unshare
require_module teredo
ktap_plan "$(plan)"
ns_create nl || fail_all "cannot create a netns"
NS=$(ns nl)
in_ns ip link add t0 type teredo || fail_all "ip link add t0 type teredo"
in_ns ip link add d0 type dummy || fail_all "ip link add d0 type dummy"

# --- show -----------------------------------------------------------------
show_json cur
check "show t0 -j is valid JSON" python3 -m json.tool "$TMP/cur.json" /dev/null
expect_value "show: ifname" 'd["ifname"]' t0
expect_value "show: state offline without a server" 'd["state"]' offline
expect_value "show: no address yet" 'd["address"]' None
expect_value "show: every key present" \
	'sorted(k for k in ["ifname", "mode", "state", "address", "server", "mapped_addr", "mapped_port", "peers", "stats", "dormant_reason", "holds", "managed"] if k not in d)' '[]'
# as many counters as enum teredo_stat has (it only grows)
nstats=$(sed -n '/^enum teredo_stat {/,/^};/p' "$REPO/include/uapi/linux/teredo.h" |
	grep -c '^[[:space:]]*TEREDO_STAT_')
expect_value "show: $nstats counters (enum teredo_stat), drop_malformed at 0" \
	'(len(d["stats"]), d["stats"]["drop_malformed"])' "($nstats, 0)"
check "show t0 text names the device and state" \
	bash -c "ip netns exec $NS teredo-nl show t0 | grep -q '^t0: mode client state offline'"
# show DEV FIELD: each key's value alone, as -j shows it
check "show t0 state: offline" test "$(tnl show t0 state)" = offline
check "show t0 drop_malformed = show t0 stats.drop_malformed = 0" \
	test "$(tnl show t0 drop_malformed)/$(tnl show t0 stats.drop_malformed)" = 0/0
cat > "$TMP/fields.py" <<'PY'
import json, subprocess, sys
ns = sys.argv[1]
run = lambda *a: subprocess.run(["ip", "netns", "exec", ns, "teredo-nl", "show", "t0", *a],
                                capture_output=True, text=True, check=True).stdout
d = json.loads(run("-j"))
bad = []
for k, v in list(d.items()) + [("stats." + n, c) for n, c in d["stats"].items()]:
    if isinstance(v, dict):
        continue
    want = ("" if v is None else str(v).lower() if isinstance(v, bool) else str(v))
    if isinstance(v, list):
        want = "\n".join(x if isinstance(x, str) else "0x%x/0x%x" % (x["mark"], x["mask"])
                         for x in v)
    got = run(k)
    if got != (want + "\n" if want or not isinstance(v, list) else ""):
        bad.append("%s: %r != %r" % (k, got, want))
print("\n".join(bad) or "%d fields agree" % len(d))
sys.exit(1 if bad else 0)
PY
check "show t0 FIELD agrees with show t0 -j for every key" python3 "$TMP/fields.py" "$NS"
refused "show t0 nosuchfield: exit 2" 2 "no field" show t0 nosuchfield

# --- set, one setting at a time and all at once ------------------------------
check "set server 192.0.2.1" tnl set t0 server 192.0.2.1
show_json cur
expect_value "show: server" 'd["server"]' 192.0.2.1
check "set every setting" tnl set t0 server 198.51.100.1 server2 198.51.100.9 \
	port 3545 fwmark 0x10 refresh 45 allow 0x1 allow 0x20/0xf0 rxmark 7 \
	policy enterprise dormant-timeout 600 max-peers 50
show_json cur
expect_value "show: server, server2, port" '(d["server"], d["server2"], d["port"])' \
	"('198.51.100.1', '198.51.100.9', 3545)"
expect_value "show: fwmark, refresh, rxmark" '(d["fwmark"], d["refresh"], d["rxmark"])' \
	"(16, 45, 7)"
expect_value "show: allowed marks" '[(m["mark"], m["mask"]) for m in d["allowed_marks"]]' \
	"[(1, 4294967295), (32, 240)]"
expect_value "show: policy, dormant timeout, max peers" \
	'(d["policy"], d["dormant_timeout"], d["max_peers"])' "('enterprise', 600, 50)"
check "set allow none" tnl set t0 allow none policy client
show_json cur
expect_value "show: marks cleared" 'd["allowed_marks"]' '[]'
check "set mode client" tnl set t0 mode client
# Every role is implemented (relay.c, server.c): mode relay is accepted
# and shows (it was once accepted or refused alike, for a core that did
# not implement it yet).
check "set mode relay" tnl set t0 mode relay
show_json cur
expect_value "set mode relay: shows relay" 'd["mode"]' relay
check "back to mode client" tnl set t0 mode client
show_json cur
expect_value "... shows client" 'd["mode"]' client

# --- server names: resolved in userspace; --wait retries --------------------
# A private /etc/hosts (bind mount in a mount namespace) that learns the
# name only after teredo-nl started waiting for it.
cp /etc/hosts "$TMP/hosts"
# shellcheck disable=SC2016 # the inner script's own arguments
in_ns unshare -m bash -c '
	mount --bind "$1/hosts" /etc/hosts || exit 9
	teredo-nl --wait set t0 server teredo-test.example > "$1/wait.out" 2>&1 &
	pid=$!
	sleep 2
	kill -0 $pid 2> /dev/null || { echo "did not wait" >> "$1/wait.out"; exit 1; }
	echo "203.0.113.7 teredo-test.example" >> "$1/hosts"
	wait $pid' _ "$TMP"
rc=$?
show_json cur
if [ "$rc" = 0 ] && [ "$(json "$TMP/cur.json" 'd["server"]')" = 203.0.113.7 ]; then
	ok "--wait: waits for the name, then sets its address"
else
	not_ok "--wait (exit $rc: $(cat "$TMP/wait.out"))"
fi
# shellcheck disable=SC2016
in_ns unshare -m bash -c 'mount --bind "$1/hosts" /etc/hosts && teredo-nl set t0 server2 teredo-test.example' _ "$TMP"
show_json cur
expect_value "server2 by name" 'd["server2"]' 203.0.113.7
tnl set t0 server 192.0.2.1 server2 none

# --- bad input: message, exit status, nothing changed ------------------------
refused "bad mark" 2 'fwmark: invalid number "abc"' set t0 fwmark abc
refused "negative refresh" 2 'refresh: invalid number' set t0 refresh -1
refused "refresh 0 out of range" 1 '^teredo-nl: refresh: .*range' set t0 refresh 0
refused "refresh 3601 out of range" 1 '^teredo-nl: refresh: .*range' set t0 refresh 3601
refused "max-peers 0 out of range" 1 '^teredo-nl: max-peers: .*range' set t0 max-peers 0
refused "unknown mode" 2 'unknown mode "fast"' set t0 mode fast
refused "unknown policy" 2 'unknown policy' set t0 policy open
refused "unknown setting" 2 'unknown setting "colour"' set t0 colour red
refused "missing value" 2 'port: missing value' set t0 port
refused "non-global server 10.0.0.1" 1 'server: server must be a global unicast' \
	set t0 server 10.0.0.1
refused "non-global server2 127.0.0.1" 1 'server2: server must be a global unicast' \
	set t0 server2 127.0.0.1
refused "server 224.0.0.1" 1 'global unicast' set t0 server 224.0.0.1
refused "mark outside its mask" 1 'allow: .*outside its mask' set t0 allow 0x3/0x1
refused "good and bad together change nothing" 1 'refresh' \
	set t0 fwmark 0x99 port 4000 refresh 0
refused "server name resolved (localhost), refused as non-global" 1 \
	'server: server must be a global unicast' set t0 server localhost
refused "unresolvable server name" 3 'cannot resolve server "no-such-host.invalid"' \
	set t0 server no-such-host.invalid
refused "missing device" 1 'no such device' set nosuch0 fwmark 1
refused "show missing device" 1 'no such device' show nosuch0
refused "non-teredo device (dummy)" 1 'not a teredo device' set d0 fwmark 1
refused "peers of a non-teredo device" 1 'not a teredo device' peers d0
refused "qualify a non-teredo device" 1 'not a teredo device' qualify d0

# Unprivileged callers get EPERM for every change and can still read.
# As a plain user (nobody, no capabilities):
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)
for c in "set t0 fwmark 1" "qualify t0" "flush t0"; do
	# shellcheck disable=SC2086
	refused "unprivileged user: $c: EPERM" 1 '^teredo-nl: .*Operation not permitted' \
		"${NOBODY[@]}" teredo-nl $c
done
check "unprivileged user: show works" bash -c \
	"ip netns exec $NS ${NOBODY[*]} teredo-nl show t0 -j | python3 -m json.tool > /dev/null"
# As root of a user namespace of its own, which has no CAP_NET_ADMIN
# over this netns (owned by the initial user namespace).  unshare -U
# needs a real root: it fails inside a chroot.
if in_ns unshare -U -r true 2> /dev/null; then
	for c in "set t0 fwmark 1" "qualify t0" "flush t0"; do
		# shellcheck disable=SC2086
		refused "user namespace root: $c: EPERM" 1 '^teredo-nl: .*Operation not permitted' \
			unshare -U -r teredo-nl $c
	done
	check "user namespace root: show works" bash -c \
		"ip netns exec $NS unshare -U -r teredo-nl show t0 -j | python3 -m json.tool > /dev/null"
	# ... but that root owns a netns it creates, and its devices.
	check "user namespace root: set in its own netns works" \
		unshare -U -r -n bash -c 'ip link add t9 type teredo &&
			teredo-nl set t9 fwmark 0x42 &&
			teredo-nl show t9 -j | grep -q "\"fwmark\": 66"'
else
	skip "user namespace tests" "unshare -U fails here: $(in_ns unshare -U -r true 2>&1)"
fi

# --- dump of every device, peers, qualify, flush -----------------------------
in_ns ip link add t1 type teredo
tnl show -j > "$TMP/all.json"
check "show (dump) -j is valid JSON" python3 -m json.tool "$TMP/all.json" /dev/null
check "show (dump) -j through a pipe is valid JSON" \
	bash -c "ip netns exec $NS teredo-nl show -j | python3 -m json.tool > /dev/null"
check "peers -j through a pipe is valid JSON" \
	bash -c "ip netns exec $NS teredo-nl peers t0 -j | python3 -m json.tool > /dev/null"
cp "$TMP/all.json" "$TMP/cur.json"
expect_value "show (dump): t0 and t1, not d0" 'sorted(x["ifname"] for x in d)' "['t0', 't1']"
tnl peers t0 -j > "$TMP/cur.json"
check "peers -j is valid JSON" python3 -m json.tool "$TMP/cur.json" /dev/null
expect_value "peers: none yet" 'd' '[]'
check "qualify t0" tnl qualify t0
check "flush t0" tnl flush t0

# --- monitor sees a state change --------------------------------------------
# t0 and t1 both change state meanwhile: "monitor t0" shows t0's events
# and none of t1's, while an unfiltered monitor shows both (so t1's
# events were there to filter out).
tnl set t0 server 192.0.2.1
tnl set t1 server 192.0.2.1
in_ns teredo-nl monitor t0 -j > "$TMP/mon.out" 2> "$TMP/mon.err" &
MON_PID=$!
in_ns teredo-nl monitor -j > "$TMP/monall.out" 2> "$TMP/monall.err" &
MON_ALL=$!
sleep 1
in_ns ip link set t0 up
in_ns ip link set t1 up
sleep 2
in_ns ip link set t0 down
in_ns ip link set t1 down
sleep 1
kill "$MON_PID" "$MON_ALL" 2> /dev/null
wait "$MON_PID" "$MON_ALL" 2> /dev/null
MON_PID=
MON_ALL=
# ifnames FILE: the devices named by the events in FILE, sorted, unique
ifnames() {
	python3 -c '
import json, sys
print(" ".join(sorted({json.loads(l).get("ifname") for l in open(sys.argv[1]) if l.strip()})))' "$1"
}
if grep -q '"event": "state"' "$TMP/mon.out" &&
   python3 -c 'import json, sys; [json.loads(l) for l in open(sys.argv[1])]' "$TMP/mon.out"; then
	ok "monitor: state event, one JSON object per line ($(head -n1 "$TMP/mon.out"))"
else
	not_ok "monitor: no state event ($(cat "$TMP/mon.out" "$TMP/mon.err"))"
fi
assert_eq "monitor (all devices) shows t0 and t1" "t0 t1" "$(ifnames "$TMP/monall.out" 2>&1)"
assert_eq "monitor t0 shows only t0" t0 "$(ifnames "$TMP/mon.out" 2>&1)"

# --- the YNL spec with the kernel's ynl CLI ----------------------------------
if [ ! -e "$YNL" ]; then
	not_ok "ynl CLI" "no $YNL: make deps (setup-host.sh) unpacks linux-source-6.12"
elif ! why=$(python3 -c 'import yaml, jsonschema' 2>&1); then
	not_ok "ynl CLI" "python3-yaml or python3-jsonschema: $why"
else
	if in_ns python3 "$YNL" --spec "$SPEC" --schema "$YNL_SCHEMA" --dump dev-get \
	   > "$TMP/ynl.out" 2>&1 &&
	   grep -q "'ifname': 't0'" "$TMP/ynl.out" && grep -q "'ifname': 't1'" "$TMP/ynl.out"; then
		ok "ynl --dump dev-get lists t0 and t1"
	else
		not_ok "ynl --dump dev-get ($(head -c 600 "$TMP/ynl.out"))"
	fi
	if in_ns python3 "$YNL" --spec "$SPEC" --schema "$YNL_SCHEMA" --do dev-get \
	   --json '{"ifname": "t0"}' > "$TMP/ynl.out" 2>&1 &&
	   grep -q "'server': '192.0.2.1'" "$TMP/ynl.out" &&
	   grep -q "'drop-malformed': 0" "$TMP/ynl.out"; then
		ok "ynl --do dev-get decodes server and counters"
	else
		not_ok "ynl --do dev-get ($(head -c 600 "$TMP/ynl.out"))"
	fi
	if in_ns python3 "$YNL" --spec "$SPEC" --schema "$YNL_SCHEMA" --do dev-set \
	   --json '{"ifname": "t0", "refresh": 77}' > "$TMP/ynl.out" 2>&1 &&
	   show_json cur && [ "$(json "$TMP/cur.json" 'd["refresh"]')" = 77 ]; then
		ok "ynl --do dev-set changes refresh"
	else
		not_ok "ynl --do dev-set ($(head -c 600 "$TMP/ynl.out"))"
	fi
	show_json before
	if ! in_ns python3 "$YNL" --spec "$SPEC" --schema "$YNL_SCHEMA" --do dev-set \
	     --json '{"ifname": "t0", "fwmark": 1234, "state": 2}' > "$TMP/ynl.out" 2>&1 &&
	   grep -q -E 'read-only|Unsupported attribute' "$TMP/ynl.out" && show_json after &&
	   cmp -s "$TMP/before.json" "$TMP/after.json"; then
		ok "ynl --do dev-set with a read-only attribute: refused, nothing changed"
	else
		not_ok "ynl dev-set read-only attribute ($(tail -c 300 "$TMP/ynl.out"))"
	fi
fi

ktap_finished
