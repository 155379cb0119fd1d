#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Harness self-test canary: results but no plan, ended by ktap_finished.
# lib.sh must fail it (exit 1).
. "$(dirname "$0")/../../lib.sh"

ok "canary: a result without a plan"
ktap_finished
