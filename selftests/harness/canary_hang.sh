#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Never finishes: the harness self-test (selftest.sh) runs it with a short
# VM_TIMEOUT to prove that a guest that does not finish in time turns
# "make check" red, however fast the machine.  Not part of the default run.
. "$(dirname "$0")/../lib.sh"

[ -e /run/vm/cmd ] || skip_all "only in a make check guest"
ktap_plan 1
sleep 3600
not_ok "the guest was not stopped"
ktap_finished
