#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The host side of "make bench"'s flood: teredo-gen outside the guest, so
# that the flood does not take the guest's CPU to make its packets (under
# TCG both vCPUs share one host thread, and a generator in the guest took
# about half of it).  Frames go to the guest's second NIC through QEMU's
# socket backend (vm-lib.sh, VM_FLOOD_PORT).
#
# Usage: flood-host.sh SHARE PORT GEN
#
# The guest writes SHARE/flood-req, one line: "SEQ start ARGS..." (ARGS
# for teredo-gen: -d, -m, -o, -n, -r, -R ...) or "SEQ stop"; each new SEQ
# ends the running generator, starts the new one if asked, and is then
# acknowledged in SHARE/flood-ack ("SEQ PID", PID 0 when none runs).  The
# generator's stderr goes to SHARE/flood-gen.log.  Ends when SHARE goes
# away or on SIGTERM, with the generator.
set -u
share=$1 port=$2 gen=$3
pid=0 seq=

stop_gen() {
	if [ "$pid" != 0 ]; then
		kill "$pid" 2> /dev/null
		wait "$pid" 2> /dev/null
		pid=0
	fi
}
trap 'stop_gen; exit 0' TERM INT

while [ -d "$share" ]; do
	req=$(cat "$share/flood-req" 2> /dev/null) || req=
	read -r s cmd args <<< "$req"
	if [ -n "${s:-}" ] && [ "$s" != "$seq" ]; then
		seq=$s
		stop_gen
		# Only teredo-gen's own option characters reach its command line.
		if [ "$cmd" = start ] && [[ "$args" =~ ^[-A-Za-z0-9:.\ ]*$ ]]; then
			# shellcheck disable=SC2086 # ARGS are words on purpose
			"$gen" -E "127.0.0.1:$port" $args 2>> "$share/flood-gen.log" &
			pid=$!
		fi
		echo "$seq $pid" > "$share/flood-ack.tmp" && mv "$share/flood-ack.tmp" "$share/flood-ack"
	fi
	sleep 0.1
done
stop_gen
