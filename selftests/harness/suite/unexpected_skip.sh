#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Harness self-test canary: skips as a whole (exit 4) for a reason not in
# the expected-skip list.  The runner must report it failed.
. "$(dirname "$0")/../../lib.sh"

skip_all "canary: a skip nobody expects"
