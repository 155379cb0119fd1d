#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Crashes the guest kernel (sysrq "c"): the harness self-test
# (selftest.sh) runs it to prove that a guest that dies mid-run turns
# "make check" red.  Not part of the default run; never run it on a host.
. "$(dirname "$0")/../lib.sh"

require_root
[ -e /run/vm/cmd ] || skip_all "only in a make check guest: this crashes the kernel"
ktap_plan 1
echo c > /proc/sysrq-trigger
not_ok "the kernel is still alive after sysrq-c"
ktap_finished
