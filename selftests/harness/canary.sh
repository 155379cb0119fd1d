#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A test that always fails: the harness self-test (selftest.sh) runs it
# to prove that a failing test turns "make check" red.  Not part of the
# default run; run it alone with "make check TESTS=canary".
. "$(dirname "$0")/../lib.sh"

ktap_plan 2
ok "canary: this one passes"
not_ok "canary: this one fails on purpose" "the harness must report this test as failed"
ktap_finished
