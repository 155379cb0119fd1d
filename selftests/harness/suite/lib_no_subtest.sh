#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Harness self-test canary: a plan, no subtest, ended by ktap_finished.
# lib.sh must fail it (exit 1).
. "$(dirname "$0")/../../lib.sh"

ktap_plan 1
ktap_finished
