#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The Debian packages at work: two clients behind NATs run on the
# teredo.ko that DKMS built when teredo-dkms was installed, configured
# with the packaged teredo-nl and ip plugin (teredo-tools); they qualify
# with miredo-server, get their 2001:0::/32 addresses and ping each other.
#
# selftests/vm/deb-root.sh (run by run-check.sh on the host beside the
# guests, deb:install; this test waits for its end) installed both
# packages with dpkg -i on a clean root and kept what the install wrote
# in build/deb-root/root.
# Its /usr goes over this guest's /usr (an overlay, removed at the end):
# /usr/sbin/teredo-nl, ip's plugin directory and /lib/modules/KVER
# (/lib is /usr/lib) with the DKMS module and DKMS's modules.dep are then
# the installed root's, instead of build/.  The module is loaded by ip's
# autoload (request_module), and /sys/module/teredo's build ID is the
# DKMS module's.
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup

require_root
require_cmd miredo-server conntrack ethtool nft python3 ping readelf xz
ROOT=$REPO/build/deb-root/root
K=$(uname -r)
# run-check.sh installs the packages beside the guests: wait for the end
# of an install that started.  The directory's listing, not a lookup:
# the 9p mount (cache=loose) keeps a name it once found missing missing
# for good, so a test that looked before the install ended would wait
# out the whole 540 s (it did, when it ran first).
for ((i = 0; i < 540; i++)); do
	state=$(ls "$REPO/build")
	grep -qx deb-root.started <<< "$state" || break
	grep -qx deb-root.done <<< "$state" && break
	sleep 1
done
[ -d "$ROOT/usr" ] ||
	skip_all "no installed root ${ROOT#"$REPO"/} (selftests/vm/deb-root.sh, run by run-check.sh)"
ktap_plan 15

# build_id FILE: the GNU build ID of an ELF file (teredo.ko[.xz])
build_id() {
	local f=$1
	case $f in *.xz) xz -dc "$f" > "$TOPO_TMP/ko" && f=$TOPO_TMP/ko ;; esac
	readelf -n "$f" 2> /dev/null | awk '/Build ID:/ { print $3 }'
}

# sysfs_build_id: the build ID of the loaded teredo module
sysfs_build_id() {
	python3 -c '
import struct, sys
b = open("/sys/module/teredo/notes/.note.gnu.build-id", "rb").read()
namesz, descsz, _ = struct.unpack("<III", b[:12])
off = 12 + (namesz + 3) // 4 * 4
print(b[off:off + descsz].hex())' 2> /dev/null
}

# the tests start with no module loaded
module_unload teredo
dkms_ko=$(find "$ROOT/usr/lib/modules/$K/updates/dkms" -name "teredo.ko*" 2> /dev/null | head -n1)
check "DKMS built teredo.ko for $K in the installed root" test -n "$dkms_ko"
dkms_id=$(build_id "$dkms_ko")
diag "DKMS module ${dkms_ko#"$REPO"/}, build ID $dkms_id"
[ -e "$REPO/build/$K/teredo.ko" ] &&
	diag "build/$K/teredo.ko (the harness's), build ID $(build_id "$REPO/build/$K/teredo.ko")"

check "the installed root's /usr over /usr" \
	mount -t overlay overlay -o "ro,lowerdir=$ROOT/usr:/usr" /usr
defer "umount -l /usr"
# the packaged tools only: not build/tools (topo.sh), not IP_LIB_DIR
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
unset IP_LIB_DIR
check "teredo-nl is the packaged /usr/sbin/teredo-nl" \
	test "$(command -v teredo-nl)" = /usr/sbin/teredo-nl
mi=$(modinfo -n teredo 2>&1)
check "modinfo -n teredo: the DKMS module in updates/dkms" \
	test "$mi" = "/lib/modules/$K/updates/dkms/${dkms_ko##*/}" || diag "modinfo -n: $mi"

topo_build 2
topo_server_start
# client N: "ip link add" through the packaged plugin (its options),
# then the packaged teredo-nl (least exposure opened as topo_teredo does)
client() {
	local n=$1
	topo_mark_output "$n" &&
	in_ns c"$n" ip link add t0 type teredo server 192.0.2.1 refresh 30 &&
	in_ns c"$n" teredo-nl set t0 allow "$TOPO_MARK" inbound open dormant-timeout 0 &&
	in_ns c"$n" ip link set t0 up
}
check "client 1: ip link add type teredo server ... (autoloads the module), teredo-nl set" \
	client 1
check "the loaded module is the DKMS one (build ID $dkms_id)" \
	test -n "$dkms_id" -a "$(sysfs_build_id)" = "$dkms_id" ||
	diag "loaded: $(sysfs_build_id)"
check "client 2 configured the same way" client 2
line=$(in_ns c1 ip -d -o link show dev t0)
diag "$line"
check "ip -d link show: the plugin prints the options" \
	grep -q " teredo mode client server 192\.0\.2\.1 .*refresh 30 " <<< "$line"
check "client 1 qualifies" topo_wait_state 1 t0 qualified 20
check "client 2 qualifies" topo_wait_state 2 t0 qualified 20
a1=$(topo_show 1 t0 address)
a2=$(topo_show 2 t0 address)
diag "client 1 $a1, client 2 $a2"
check "client 1: its address is in 2001:0::/32 and on t0" \
	test "${a1:0:7}" = 2001:0: -a "$(topo_global_addr c1 t0)" = "$a1"
check "client 1: its address names the server 192.0.2.1" \
	test "$(teredo_addr_decode "$a1" | cut -d' ' -f1)" = 192.0.2.1
check "client 2: its address is in 2001:0::/32 and on t0" \
	test "${a2:0:7}" = 2001:0: -a "$(topo_global_addr c2 t0)" = "$a2"
out=$(in_ns c1 ping -c 3 -i 0.5 -W 10 "$a2" 2>&1)
diag "$(grep -E 'transmitted' <<< "$out")"
check "client 1 pings client 2 over Teredo: 3 of 3" grep -q " 3 received" <<< "$out" ||
	{ diag "$out"; topo_diag 1 t0 "$a2"; }

in_ns c1 ip link del t0
in_ns c2 ip link del t0
check "the DKMS module unloads" module_unload teredo
tap_end
