#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Harness self-test canary: needs the teredo module, which selftest.sh
# gives the guest broken (its vermagic altered: modprobe refuses it).  The
# runner must report this test failed, not skipped, and <kernel>:modprobe
# failed.
. "$(dirname "$0")/../../lib.sh"

require_root
require_module teredo
ktap_plan 1
not_ok "canary: the broken teredo.ko loaded"
ktap_finished
