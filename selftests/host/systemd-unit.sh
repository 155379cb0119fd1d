#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tools/systemd/teredo@.service: "make -C tools systemd" fills in the
# paths, "make install" puts it in PREFIX/lib/systemd/system, and
# "systemd-analyze verify" accepts the unit (an instance,
# teredo@t0.service) without a single warning.  What this does not test:
# the unit run by systemd as PID 1 at boot (no such guest here); the
# guest test systemd_unit.sh runs its Exec lines in order instead.
# Exit 0 pass, 1 fail, 4 skip (no systemd-analyze).
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$REPO/build}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

echo "TAP version 13"
if ! command -v systemd-analyze > /dev/null; then
	echo "1..0 # SKIP no systemd-analyze"
	exit 4
fi
fail=0
t=0

t=$((t + 1))
unit=$TMP/gen/systemd/teredo@.service
if make -s -C "$REPO/tools" BUILD="$TMP/gen" PREFIX=/opt/tp systemd >&2 &&
   ! grep -q '@[A-Z]*@' "$unit" &&
   grep -q '^ExecStart=/opt/tp/sbin/teredo-nl --wait setconf %I /etc/teredo/%I.conf$' "$unit"; then
	echo "ok $t make systemd: the unit with PREFIX's paths"
else
	echo "not ok $t make systemd"; fail=1
fi

t=$((t + 1))
inst=$TMP/root/usr/lib/systemd/system/teredo@.service
if make -s -C "$REPO/tools" BUILD="$TMP/gen2" DESTDIR="$TMP/root" PREFIX=/usr install >&2 &&
   [ -e "$inst" ] && [ -e "$TMP/root/usr/share/man/man5/teredo.conf.5" ] &&
   grep -q '^ExecReload=/usr/sbin/teredo-nl --wait setconf %I /etc/teredo/%I.conf$' "$inst"; then
	echo "ok $t make install DESTDIR= PREFIX=/usr: the unit in /usr/lib/systemd/system, teredo.conf(5)"
else
	echo "not ok $t make install puts the unit in PREFIX/lib/systemd/system"; fail=1
fi

# The instance, with the teredo-nl just built (verify wants every
# command to exist); the man pages are checked by teredo-nl-unit.sh.
t=$((t + 1))
mkdir -p "$TMP/u"
if [ ! -x "$BUILD/tools/teredo-nl" ]; then
	make -s -C "$REPO/tools" BUILD="$BUILD/tools" all >&2
fi
sed "s|/opt/tp/sbin|$BUILD/tools|g" "$unit" > "$TMP/u/teredo@t0.service"
out=$(cd "$TMP/u" && systemd-analyze verify --man=no ./teredo@t0.service 2>&1)
rc=$?
if [ "$rc" = 0 ] && [ -z "$out" ]; then
	echo "ok $t systemd-analyze verify teredo@t0.service: no warning"
else
	echo "not ok $t systemd-analyze verify teredo@t0.service (exit $rc)"
	printf '%s\n' "$out" | sed 's/^/# /'
	fail=1
fi
# The periodic resolution: teredo-resolve@.timer and its service,
# installed next to the unit, reload teredo@DEV.
t=$((t + 1))
for u in teredo-resolve@.timer teredo-resolve@.service; do
	cp "$TMP/root/usr/lib/systemd/system/$u" "$TMP/u/${u/@/@t0}" 2> /dev/null
done
out=$(cd "$TMP/u" && systemd-analyze verify --man=no ./teredo-resolve@t0.timer \
	./teredo-resolve@t0.service 2>&1)
rc=$?
if [ "$rc" = 0 ] && [ -z "$out" ] &&
   grep -q '^ExecStart=/bin/systemctl try-reload-or-restart teredo@%i.service$' \
	"$TMP/u/teredo-resolve@t0.service"; then
	echo "ok $t teredo-resolve@.timer/.service installed, verified, reload teredo@DEV"
else
	echo "not ok $t teredo-resolve@.timer/.service (exit $rc)"
	printf '%s\n' "$out" | sed 's/^/# /'
	fail=1
fi

echo "1..$t"
exit $fail
