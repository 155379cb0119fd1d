#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# "make bench": selftests/bench.sh in one guest, output live (run-demo.sh).
exec "$(dirname "$0")/run-demo.sh" --script bench.sh "$@"
