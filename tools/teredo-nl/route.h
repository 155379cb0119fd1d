/* SPDX-License-Identifier: GPL-2.0 */
/* teredo-nl srcroute: Teredo-sourced packets leave through the device. */
#ifndef TNL_ROUTE_H
#define TNL_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TNL_SRCROUTE_TABLE	3544	/* the Teredo port: easy to spot */
#define TNL_SRCROUTE_PREF	32000	/* before the main table (32766) */

/*
 * On: the rule "from 2001::/32 iif lo lookup TABLE" (priority
 * TNL_SRCROUTE_PREF) and the route "default dev DEV table TABLE".  Off:
 * both removed.  Either is idempotent.  0, or -1 with a message in @err.
 */
int tnl_srcroute(const char *dev, uint32_t table, bool off, char *err,
		 size_t errlen);

#endif
