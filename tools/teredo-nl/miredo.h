/* SPDX-License-Identifier: GPL-2.0 */
/*
 * "teredo-nl import-miredo": converts a Miredo configuration file
 * (miredo.conf(5) or miredo-server.conf(5)) into a teredo.conf(5).
 * Pure: text in, two streams out; unit tests in parse_test.c.
 */
#ifndef TNL_MIREDO_H
#define TNL_MIREDO_H

#include <stdio.h>

/*
 * Writes the teredo.conf equivalent of @text (a Miredo file called
 * @fname in messages) to @out, and one "FNAME:LINE: ..." line per
 * directive without an equivalent to @warn.  Returns 0, or -1 if a value
 * is invalid (reported on @warn; nothing is written to @out).
 */
int tnl_miredo_import(const char *text, const char *fname, FILE *out,
		      FILE *warn);

#endif
