#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Harness self-test canary: a correct passing test with one expected
# subtest skip.  The runner must report it passed: the checks do not fail
# everything.
. "$(dirname "$0")/../../lib.sh"

ktap_plan 3
ok "canary: one"
ok "canary: two"
skip "canary expected subtest skip" "canary: listed in suite/expected-skips"
ktap_finished
