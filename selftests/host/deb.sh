#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# "make deb": the packages teredo-dkms and teredo-tools (debian/, built
# by tools/build-deb.sh with debhelper and dh-dkms) hold what they must,
# where Debian's tools look for it; lintian finds no error, and its other
# tags are exactly the ones README explains ("Install from packages":
# its lines "    W: package: tag [...]"); the bash completion of
# teredo-nl completes commands, devices, settings and values, and knows
# every setting of teredo-nl's parser.  The packages of build/deb (built
# by run-check.sh before the guests boot) are checked, else a build here.
# Installing them is deb:install (selftests/vm/deb-root.sh, on the host)
# and the guest test selftests/deb_install.sh.
# Exit 0 pass, 1 fail, 4 skip (no debhelper, dh-dkms or lintian).
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$REPO/build}

echo "TAP version 13"
for c in dpkg-buildpackage dh_dkms lintian; do
	if ! command -v "$c" > /dev/null; then
		echo "1..0 # SKIP no $c (make deps installs debhelper, dh-dkms, lintian)"
		exit 4
	fi
done
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0
t=0
res() {	# res DESC STATUS [DETAIL...]
	t=$((t + 1))
	if [ "$2" = 0 ]; then
		echo "ok $t $1"
	else
		echo "not ok $t $1"
		[ $# -gt 2 ] && printf '%s\n' "${@:3}" | sed 's/^/# /'
		fail=1
	fi
}

DEBS=$BUILD/deb
if ! ls "$DEBS"/teredo_*.changes > /dev/null 2>&1; then
	DEBS=$TMP/deb
	"$REPO/tools/build-deb.sh" "$DEBS" > "$TMP/build.out" 2>&1
	res "build-deb.sh builds the packages" $? "$(tail -n 20 "$TMP/build.out")"
fi
ver=$(cd "$REPO" && dpkg-parsechangelog -S Version)
tools_deb=$(echo "$DEBS"/teredo-tools_"$ver"_*.deb)
dkms_deb=$DEBS/teredo-dkms_${ver}_all.deb
[ -e "$tools_deb" ] && [ -e "$dkms_deb" ]
res "teredo-dkms and teredo-tools $ver in ${DEBS#"$REPO"/}" $? "$(ls "$DEBS")"

# --- contents ---------------------------------------------------------------------
# has DEB PATH...: each PATH is in DEB
has() {
	local deb=$1 p miss=""
	shift
	dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|' > "$TMP/list" 2> /dev/null
	for p in "$@"; do
		grep -qxF "$p" "$TMP/list" || miss+=" $p"
	done
	[ -z "$miss" ] || { echo "missing:$miss"; return 1; }
}
# ip's plugin directory, from the ip binary itself
ipdir=$(strings "$(command -v ip)" | grep -m1 -E '^/usr/lib/[a-z0-9_-]+/ip$')
out=$(has "$tools_deb" /usr/sbin/teredo-nl "$ipdir/link_teredo.so" \
	/usr/share/man/man8/teredo-nl.8.gz /usr/share/man/man5/teredo.conf.5.gz \
	/usr/lib/systemd/system/teredo@.service \
	/usr/lib/systemd/system/teredo-resolve@.timer \
	/usr/lib/systemd/system/teredo-resolve@.service /usr/share/teredo/teredo.nft \
	/usr/share/bash-completion/completions/teredo-nl)
res "teredo-tools: teredo-nl, the ip plugin in $ipdir, both man pages, units, nft, completion" $? "$out"
mkdir -p "$TMP/tools" "$TMP/dkms"
dpkg-deb -x "$tools_deb" "$TMP/tools"
grep -q '^ExecStart=/usr/sbin/teredo-nl --wait setconf %I /etc/teredo/%I.conf$' \
	"$TMP/tools/usr/lib/systemd/system/teredo@.service" &&
	! grep -q '@[A-Z]*@' "$TMP/tools/usr/lib/systemd/system/teredo@.service"
res "teredo-tools: the unit runs /usr/sbin/teredo-nl" $?
out=$(has "$dkms_deb" "/usr/src/teredo-$ver/dkms.conf" "/usr/src/teredo-$ver/Makefile" \
	"/usr/src/teredo-$ver/Kbuild" "/usr/src/teredo-$ver/drivers/net/teredo/main.c" \
	"/usr/src/teredo-$ver/include/uapi/linux/teredo.h")
res "teredo-dkms: the module's sources and dkms.conf in /usr/src/teredo-$ver" $? "$out"
dpkg-deb -e "$dkms_deb" "$TMP/dkms/DEBIAN"
dpkg-deb -f "$dkms_deb" Depends | grep -q 'dkms' &&
	grep -q 'common.postinst' "$TMP/dkms/DEBIAN/postinst" &&
	grep -q 'dkms install -m teredo' "$TMP/dkms/DEBIAN/postinst" &&
	grep -q 'dkms remove' "$TMP/dkms/DEBIAN/prerm"
res "teredo-dkms: depends on dkms; builds on install, for every kernel; removes on remove" $?

# --- lintian ------------------------------------------------------------------------
lintian -I "$DEBS"/teredo_"$ver"_*.changes > "$TMP/lintian" 2> "$TMP/lintian.err"
lrc=$?
sed 's/^/# lintian: /' "$TMP/lintian"
! grep -q '^E: ' "$TMP/lintian" && [ "$lrc" = 0 ]
res "lintian: no error (exit $lrc)" $? "$(cat "$TMP/lintian.err")"
# The tags README explains, as lintian prints them.
sed -n '/^Install from packages/,/^Testing$/p' "$REPO/README" |
	sed -n 's/^    \([EWIPX]: .*\)$/\1/p' | sort > "$TMP/explained"
sort "$TMP/lintian" | grep -E '^[EWIPX]: ' > "$TMP/seen"
[ -s "$TMP/explained" ] && diff -u "$TMP/explained" "$TMP/seen" > "$TMP/diff"
res "lintian: its tags are the ones README explains, no more, no fewer" $? "$(cat "$TMP/diff")"

# --- bash completion --------------------------------------------------------------
comp=$TMP/tools/usr/share/bash-completion/completions/teredo-nl
if [ -r /usr/share/bash-completion/bash_completion ]; then
	# complete LINE: the completions bash offers at the end of LINE
	cat > "$TMP/complete.sh" <<-'EOF'
	. /usr/share/bash-completion/bash_completion
	. "$1"
	complete_line() {
		local line=$1
		COMP_LINE=$line COMP_POINT=${#line}
		read -ra COMP_WORDS <<< "$line"
		[ "${line: -1}" = " " ] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMPREPLY=()
		_teredo_nl teredo-nl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" 2> /dev/null
		printf '%s\n' "${COMPREPLY[@]}" | sort -u | xargs
	}
	shift
	for l in "$@"; do complete_line "$l"; done
	EOF
	out=$(bash --norc "$TMP/complete.sh" "$comp" "teredo-nl se" "teredo-nl set t0 mode " \
		"teredo-nl set t0 inbound " "teredo-nl --wait set t0 dorm" \
		"teredo-nl exec -d t0 -- dpkg-parsechangel" \
		"teredo-nl import-" 2>&1)
	want=$(printf '%s\n' "set setconf" "client relay server" "authorized open" \
		"dormant-timeout" "dpkg-parsechangelog" "import-miredo")
	[ "$out" = "$want" ]
	res "bash completion: commands, settings, values, a command after exec --" $? \
		"got:" "$out" "want:" "$want"
	keys=$(sed -n '/set_keys\[\] = {/,/^};/p' "$REPO/tools/teredo-nl/parse.c" |
		grep -o '{ "[a-z0-9-]*"' | tr -d '{" ' | sort | xargs)
	got=$(bash --norc "$TMP/complete.sh" "$comp" "teredo-nl set t0 " | tr ' ' '\n' | sort | xargs)
	[ -n "$keys" ] && [ "$keys" = "$got" ]
	res "bash completion: every setting of teredo-nl's parser" $? "parser: $keys" "completion: $got"
else
	t=$((t + 1))
	echo "ok $t bash completion # SKIP no bash-completion (make deps installs it)"
fi

echo "1..$t"
exit $fail
