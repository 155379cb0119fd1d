#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host-side unit tests of teredo-nl: the pure argument parser, the
# teredo.conf(5) parser and printer and the Miredo converter (C, TAP),
# and the command line behaviour that needs no kernel module (help,
# usage errors -> exit 2, unresolvable server name -> exit 3,
# import-miredo), the man pages, setconf's defaults against the module's,
# the one table of names (names.h) against the uapi enums.
# Exit 0 pass, 1 fail, 4 skip (no compiler or libmnl).
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$REPO/build}
TOOLS=$BUILD/tools

if ! command -v cc >/dev/null || [ ! -e /usr/include/libmnl/libmnl.h ]; then
	echo "TAP version 13"; echo "1..0 # SKIP no C compiler or libmnl-dev"
	exit 4
fi
if ! make -s -C "$REPO/tools" BUILD="$TOOLS" all unit >&2; then
	echo "TAP version 13"; echo "1..1"; echo "not ok 1 build"
	exit 1
fi

fail=0
# The parser's own TAP stream, renumbered into ours below.
"$TOOLS/teredo-nl-parse-test" > "$TOOLS/parse-test.tap" || fail=1
n=$(grep -c -E '^(not )?ok ' "$TOOLS/parse-test.tap")

echo "TAP version 13"
grep -E '^(not )?ok ' "$TOOLS/parse-test.tap" | sed 's/^\(\(not \)\?ok \)\([0-9]*\) /\1\3 parser: /'

t=$n
# cli NAME EXPECTED_RC STDERR_PATTERN ARGS...: runs teredo-nl on the host.
cli() {
	local name=$1 want=$2 pat=$3 rc out
	shift 3
	t=$((t + 1))
	out=$("$TOOLS/teredo-nl" "$@" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" = "$want" ] && [[ $out =~ $pat ]] &&
	   [ "$(printf '%s' "$out" | wc -l)" -le 0 ]; then
		echo "ok $t cli: $name"
	else
		echo "not ok $t cli: $name (exit $rc, want $want; stderr: $out)"
		fail=1
	fi
}

t=$((t + 1))
if "$TOOLS/teredo-nl" --help | grep -q '^Usage: teredo-nl'; then
	echo "ok $t cli: --help prints usage, exit 0"
else
	echo "not ok $t cli: --help"; fail=1
fi
cli "unknown command exits 2" 2 '^teredo-nl: unknown command' bogus
cli "bad mode exits 2" 2 'unknown mode "fast"' set t0 mode fast
cli "bad mark exits 2" 2 'allow: invalid mark' set t0 allow 0x1/zz
cli "bad port exits 2" 2 'port: invalid port' set t0 port 70000
cli "missing device exits 2" 2 'device name required' peers
cli "unknown option exits 2" 2 'unknown option "--frobnicate"' --frobnicate show
cli "unresolvable server exits 3" 3 'cannot resolve server "no-such-host.invalid"' \
	set t0 server no-such-host.invalid
cli "setconf without a file exits 2" 2 'setconf: file name required' setconf t0
cli "import-miredo of a missing file exits 1" 1 'nosuch.conf: No such file or directory' \
	import-miredo /nonexistent/nosuch.conf
t=$((t + 1))
out=$(printf 'ServerAddress 192.0.2.1\nSyslogFacility daemon\n' |
	"$TOOLS/teredo-nl" import-miredo - 2> "$TOOLS/miredo.err")
if [ $? = 0 ] && [[ $out == *"server = 192.0.2.1"* ]] &&
   [ "$(cat "$TOOLS/miredo.err")" = "<stdin>:2: SyslogFacility: no equivalent, left out (teredo.ko reports to the kernel log and its counters; teredo-nl monitor prints its events)" ]; then
	echo "ok $t cli: import-miredo - reads stdin, reports what it leaves out"
else
	echo "not ok $t cli: import-miredo -"; fail=1
fi
# The YNL spec and the counters' names (names.h) match the uapi header.
t=$((t + 1))
if python3 -c 'import yaml' 2> /dev/null; then
	if out=$(python3 "$REPO/selftests/host/netlink-spec-check.py" \
		 "$REPO/include/uapi/linux/teredo.h" \
		 "$REPO/Documentation/netlink/specs/teredo.yaml" \
		 "$REPO/drivers/net/teredo/names.h" 2>&1); then
		echo "ok $t YNL spec and the counters' names agree with the uapi header"
	else
		echo "not ok $t YNL spec or the counters' names disagree with the uapi header"
		printf '%s\n' "$out" | sed 's/^/# /'
		fail=1
	fi
else
	echo "ok $t YNL spec check # SKIP no python3-yaml"
fi
# The kernel's hand-written policies and the YNL spec agree attribute by
# attribute (types, byte order, nesting, ranges); and the check can fail:
# a kernel range changed in a copy of config.c is found.
pcheck() {
	python3 "$REPO/selftests/host/netlink-policy-check.py" \
		"$REPO/include/uapi/linux/teredo.h" "$REPO/drivers/net/teredo/teredo.h" \
		"$1" "$REPO/drivers/net/teredo/netlink.c" \
		"$REPO/Documentation/netlink/specs/teredo.yaml" 2>&1
}
t=$((t + 1))
if python3 -c 'import yaml' 2> /dev/null; then
	if out=$(pcheck "$REPO/drivers/net/teredo/config.c"); then
		echo "ok $t kernel policies agree with the YNL spec (${out##*$'\n'})"
	else
		echo "not ok $t kernel policies and the YNL spec disagree"
		printf '%s\n' "$out" | sed 's/^/# /'
		fail=1
	fi
	t=$((t + 1))
	sed 's/\.max = 3600,/.max = 3601,/' "$REPO/drivers/net/teredo/config.c" > "$TOOLS/config.c"
	if ! out=$(pcheck "$TOOLS/config.c") &&
	   grep -q "TEREDO_A_REFRESH.*'max': 3601" <<< "$out"; then
		echo "ok $t the policy check finds a range the spec does not state"
	else
		echo "not ok $t the policy check misses a changed range"
		printf '%s\n' "$out" | sed 's/^/# /'
		fail=1
	fi
else
	echo "ok $t policy check # SKIP no python3-yaml"
	t=$((t + 1))
	echo "ok $t policy check (negative) # SKIP no python3-yaml"
fi
# The man pages must be valid roff that man can render.
# man_renders PAGE SECTION_TITLE
man_renders() {
	t=$((t + 1))
	if man -l "$REPO/tools/teredo-nl/$1" 2>&1 >/dev/null | grep -q .; then
		echo "not ok $t man page $1 renders without warnings"; fail=1
	elif MANWIDTH=80 man -l "$REPO/tools/teredo-nl/$1" 2>/dev/null | grep -q "$2"; then
		echo "ok $t man page $1 renders"
	else
		echo "not ok $t man page $1 renders"; fail=1
	fi
}
man_renders teredo-nl.8 'EXIT STATUS'
man_renders teredo.conf.5 'KEYS'
# setconf's defaults (tools/teredo-nl/conf.h) are the module's.
t=$((t + 1))
kdef() { sed -n "s/^#define $1[[:space:]]*\([0-9]*\).*/\1/p" "$REPO/drivers/net/teredo/$2"; }
tdef() { sed -n "s/^#define $1[[:space:]]*\([0-9]*\).*/\1/p" "$REPO/tools/teredo-nl/conf.h"; }
k="$(kdef TEREDO_DEFAULT_REFRESH device.h) $(kdef TEREDO_DEFAULT_MAX_PEERS device.h) $(kdef TEREDO_DEFAULT_DORMANT device.h) $(kdef TEREDO_MTU proto.h)"
u="$(tdef TNL_DEFAULT_REFRESH) $(tdef TNL_DEFAULT_MAX_PEERS) $(tdef TNL_DEFAULT_DORMANT) $(tdef TNL_DEFAULT_MTU)"
if [ "$k" = "$u" ] && [ "$(echo $k | wc -w)" = 4 ]; then
	echo "ok $t setconf's defaults are the module's (refresh, max-peers, dormant-timeout, mtu: $u)"
else
	echo "not ok $t setconf's defaults ($u) differ from the module's ($k)"; fail=1
fi
# The names of the uapi enums' values ("ethtool -S", the module's log,
# "teredo-nl show", "ip -d link show") have one table,
# drivers/net/teredo/names.h, which the module, teredo-nl and the ip
# plugin include.  The compiler finds a missing last value of an enum
# (static_assert on each table's size); names_check finds the rest:
# every value of each enum with exactly one name, counters' names that
# fit ethtool's 32 bytes, and no copy of a name back in a user of the
# table.  names_check NAMES_H: prints what is wrong, returns 1 if any.
NAME_ENUMS="mode state policy dormant_reason inbound nat event stat"
# pairs: the "[ENUM] = "name"" lines of stdin as ENUM="name", sorted.
pairs() {
	sed -n 's/^[[:space:]]*\[\(TEREDO_[A-Z0-9_]*\)\][[:space:]]*=[[:space:]]*\("[^"]*"\).*/\1=\2/p' |
		sort
}
names_check() {
	local e values named long f copies bad=0
	for e in $NAME_ENUMS; do
		values=$(sed -n "/^enum teredo_$e {/,/^};/p" "$REPO/include/uapi/linux/teredo.h" |
			sed -n 's/^[[:space:]]*\(TEREDO_[A-Z0-9_]*\)[[:space:]]*[,=].*/\1/p' | sort)
		named=$(sed -n "/teredo_${e}_name(unsigned int/,/^}/p" "$1" | pairs)
		if [ -z "$values" ] || [ "$values" != "$(echo "$named" | sed 's/=.*//')" ] ||
		   grep -q '=""' <<< "$named"; then
			echo "enum teredo_$e: values without exactly one name:" \
				"$(comm -3 <(echo "$values") <(echo "$named" | sed 's/=.*//') |
				   tr -s '\t\n' '  ')"
			bad=1
		fi
	done
	long=$(sed -n '/teredo_stat_name(unsigned int/,/^}/p' "$1" | pairs |
		sed 's/.*="\(.*\)"/\1/' | awk 'length($0) >= 32')
	if [ -n "$long" ]; then
		echo "counter names longer than ethtool's 31 characters:" $long
		bad=1
	fi
	# a copy: an array whose "[ENUM] = "name"" entries are all names.h's
	for f in "$REPO"/drivers/net/teredo/*.c "$REPO"/tools/teredo-nl/*.c \
		 "$REPO"/tools/ip/*.c; do
		copies=$(awk -v names=<(pairs < "$1") '
			BEGIN { while ((getline l < names) > 0) known[l] = 1 }
			/= {$/ { match($0, /[A-Za-z0-9_]+\[/)
				 arr = substr($0, RSTART, RLENGTH - 1); n = same = 0; next }
			/^};/ { if (arr != "" && n && n == same) print arr; arr = ""; next }
			arr != "" && match($0, /^[ \t]*\[TEREDO_[A-Z0-9_]*\][ \t]*=[ \t]*"[^"]*"/) {
				e = substr($0, RSTART, RLENGTH)
				gsub(/[][ \t]/, "", e)
				n++; same += (e in known)
			}' "$f")
		if [ -n "$copies" ]; then
			echo "${f#"$REPO"/} has a copy of a table of names.h:" $copies
			bad=1
		fi
	done
	return $bad
}
t=$((t + 1))
if out=$(names_check "$REPO/drivers/net/teredo/names.h"); then
	echo "ok $t names.h names every value of its $(echo $NAME_ENUMS | wc -w) enums once, no copies elsewhere"
else
	echo "not ok $t names.h and the uapi enums disagree"
	printf '%s\n' "$out" | sed 's/^/# /'
	fail=1
fi
# ... and the check can fail: a name missing inside a table (where the
# table's size does not change) is found.
t=$((t + 1))
sed '/\[TEREDO_STATE_QUALIFYING\]/d' "$REPO/drivers/net/teredo/names.h" > "$TOOLS/names.h"
if ! out=$(names_check "$TOOLS/names.h") && grep -q 'teredo_state:.* TEREDO_STATE_QUALIFYING' <<< "$out"; then
	echo "ok $t the names check finds a value without a name"
else
	echo "not ok $t the names check misses a value without a name"
	printf '%s\n' "$out" | sed 's/^/# /'
	fail=1
fi
echo "1..$t"
exit $fail
