#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Harness self-test canary: passes with one skipped subtest that is not in
# the expected-skip list.  The runner must report it failed.
. "$(dirname "$0")/../../lib.sh"

ktap_plan 2
ok "canary: this one passes"
skip "canary subtest nobody expects to skip" "canary: no reason"
ktap_finished
