#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Harness self-test canary: skips as a whole for a reason that IS in the
# expected-skip list given to the runner (suite/expected-skips): the
# runner must report a skip, not a failure.
. "$(dirname "$0")/../../lib.sh"

skip_all "canary: a skip the list expects"
