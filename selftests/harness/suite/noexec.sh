#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Harness self-test canary: a correct passing test committed WITHOUT its
# executable bit (mode 644, on purpose).  The runner must run it and
# report it failed: a test that is not executable is not a test.
. "$(dirname "$0")/../../lib.sh"

ktap_plan 1
ok "canary: this one passes, but the script is not executable"
ktap_finished
