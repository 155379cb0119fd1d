#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A test that passes but leaves a "WARNING:" line in the kernel log, as a
# WARN_ON() would: the harness self-test (selftest.sh) runs it to prove
# that the kernel log alone turns "make check" red.  Not part of the
# default run.
. "$(dirname "$0")/../lib.sh"

require_root
ktap_plan 1
if echo "<4>WARNING: canary: the harness must report this kernel log line" > /dev/kmsg; then
	ok "wrote a WARNING line to /dev/kmsg"
else
	not_ok "wrote a WARNING line to /dev/kmsg"
fi
ktap_finished
