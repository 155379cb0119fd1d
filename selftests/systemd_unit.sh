#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tools/systemd/teredo@.service without systemd: the guests here do not
# boot systemd as PID 1, so this runs the unit's Exec lines as systemd
# would (in order, stopping at the first failure, "-" ignoring one, %I
# the instance, $$ a dollar), in a netns, with /etc/teredo replaced by a
# temporary directory (the guest's /etc is read-only):
#  - start: the device exists, is up, has the file's settings, and the
#    nftables ruleset DEV.nft is loaded;
#  - reload: the changed file is applied; a bad file changes nothing;
#  - stop: the device is gone;
#  - a start that fails half way (a bad file) leaves no device.
# The unit itself is checked by "systemd-analyze verify" on the host
# (selftests/host/systemd-unit.sh).
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
set -u

. "$(dirname "$0")/lib.sh"

require_root
require_cmd teredo-nl ip nft
require_module teredo
ktap_plan 11

REPO=$(cd "$SELFTESTS_DIR/.." && pwd)
UNIT_IN=$REPO/tools/systemd/teredo@.service.in
DEV=tsd0
TMP=$(mktemp -d)
defer "rm -rf '$TMP'"
ns_create sd || fail_all "cannot create a netns"
NS=$(ns sd)
in_ns() { ip netns exec "$NS" "$@"; }

# The unit as "make install" writes it, teredo-nl where the guest has it.
sed -e "s|@SBINDIR@|$(dirname "$(command -v teredo-nl)")|g" \
	-e "s|@DATADIR@|$REPO/tools/nft|g" -e "s|/etc/teredo/|$TMP/|g" \
	"$UNIT_IN" > "$TMP/teredo@.service"

# run_exec KEY...: runs the unit's KEY= lines (ExecStart, ...) in the
# order of the file, in the netns, as systemd does; stops at the first
# failure of a line without "-".  Returns that line's status.
run_exec() {
	local key line cmd ignore rc keys=" $* "
	while IFS= read -r line; do
		key=${line%%=*}
		[[ $keys == *" $key "* ]] || continue
		cmd=${line#*=}
		ignore=0
		[ "${cmd:0:1}" = - ] && { ignore=1; cmd=${cmd:1}; }
		cmd=${cmd//%I/$DEV}
		cmd=${cmd//%i/$DEV}
		cmd=${cmd//\$\$/\$}
		info "$key: $cmd"
		eval "set -- $cmd"
		in_ns "$@"
		rc=$?
		if [ "$rc" != 0 ] && [ "$ignore" = 0 ]; then
			info "$key failed: exit $rc"
			return "$rc"
		fi
	done < <(grep -E '^Exec[A-Za-z]+=' "$TMP/teredo@.service")
	return 0
}

# showconf_has LINE...: "teredo-nl showconf DEV" has each line.
showconf_has() {
	local l
	in_ns teredo-nl showconf "$DEV" > "$TMP/showconf" || return 1
	for l in "$@"; do
		grep -qxF "$l" "$TMP/showconf" || { info "no '$l'"; return 1; }
	done
}

printf '# %s.conf\nserver = 192.0.2.1\nport = 3545\nallow = 0x10\n' "$DEV" > "$TMP/$DEV.conf"
sed 's/^define teredo_dev = .*/define teredo_dev = { "'"$DEV"'" }/' \
	"$REPO/tools/nft/teredo.nft" > "$TMP/$DEV.nft"

# --- start --------------------------------------------------------------------
run_exec ExecStartPre ExecStart
result "start: every ExecStartPre/ExecStart line succeeds" $?
in_ns ip link show "$DEV" | grep -q '[<,]UP[,>]'
result "start: $DEV exists and is up" $?
showconf_has "server = 192.0.2.1" "port = 3545" "allow = 0x10"
result "start: $DEV has the file's settings" $?
in_ns nft list table inet teredo 2> /dev/null | grep -q "iifname \"$DEV\""
result "start: the ruleset $DEV.nft is loaded (iifname \"$DEV\")" $?
in_ns ip -6 rule show | grep -q "from 2001::/32 iif lo lookup 3544" &&
	in_ns ip -6 route show table 3544 | grep -q "^default dev $DEV "
result "start: the source route (from 2001::/32 iif lo lookup 3544: default dev $DEV)" $?

# --- reload -------------------------------------------------------------------
sed -i 's/^port = .*/port = 3546/' "$TMP/$DEV.conf"
run_exec ExecReload && showconf_has "port = 3546" "server = 192.0.2.1"
result "reload: the changed file is applied (port 3546)" $?
cp "$TMP/$DEV.conf" "$TMP/good.conf"
echo 'colour = red' >> "$TMP/$DEV.conf"
in_ns teredo-nl showconf "$DEV" > "$TMP/before"
if run_exec ExecReload 2> "$TMP/err"; then
	not_ok "reload of a bad file fails" "ExecReload succeeded"
else
	in_ns teredo-nl showconf "$DEV" > "$TMP/after"
	if cmp -s "$TMP/before" "$TMP/after" && grep -q "$DEV.conf:5: unknown key \"colour\"" "$TMP/err"; then
		ok "reload of a bad file fails ($(cat "$TMP/err")), nothing changed"
	else
		not_ok "reload of a bad file" "$(cat "$TMP/err")"
	fi
fi
cp "$TMP/good.conf" "$TMP/$DEV.conf"

# --- stop ---------------------------------------------------------------------
SERVICE_RESULT=success run_exec ExecStop ExecStopPost
result "stop: ExecStop and ExecStopPost succeed" $?
! in_ns ip link show "$DEV" > /dev/null 2>&1
result "stop: $DEV is gone" $?
! in_ns ip -6 rule show | grep -q "lookup 3544"
result "stop: the source rule is gone" $?

# --- a start that fails half way -----------------------------------------------
printf 'port = 99999\n' > "$TMP/$DEV.conf"
if run_exec ExecStartPre ExecStart 2> "$TMP/err"; then
	not_ok "a start with a bad file fails" "it succeeded"
else
	info "$(cat "$TMP/err")"
	SERVICE_RESULT=exit-code run_exec ExecStopPost
	if in_ns ip link show "$DEV" > /dev/null 2>&1; then
		not_ok "a failed start leaves no device" "$DEV is still there"
	else
		ok "a start with a bad file fails, ExecStopPost leaves no device"
	fi
fi

ktap_finished
