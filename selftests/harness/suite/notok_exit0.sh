#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Harness self-test canary: a "not ok" line, then exit 0.  The runner must
# report it failed: the TAP says a subtest failed, whatever the status.
. "$(dirname "$0")/../../lib.sh"

ktap_plan 2
ok "canary: this one passes"
not_ok "canary: this one fails, and the test exits 0 anyway"
exit 0
