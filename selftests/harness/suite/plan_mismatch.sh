#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Harness self-test canary: plans 3 subtests, prints 2 and exits 0 (not
# through ktap_finished, which would catch it itself).  The runner must
# report it failed: its result lines differ from its plan.
. "$(dirname "$0")/../../lib.sh"

ktap_plan 3
ok "canary: one"
ok "canary: two (the third never comes)"
exit 0
