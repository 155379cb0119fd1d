/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Teredo address and its routes (addr.c), put on the device by the
 * IPv6 stack's own RA path.
 */
#ifndef _TEREDO_ADDR_H
#define _TEREDO_ADDR_H

#include <linux/in6.h>
#include <linux/jiffies.h>
#include <linux/types.h>

struct teredo_dev;

/* Metric of the last-resort default route (native routes win). */
#define TEREDO_DEFRTR_METRIC		4096
/*
 * A dormant device's deprecated address and routes: their lifetime, and
 * how often (locally, nothing on the wire) they are given again.
 */
#define TEREDO_PARK_LIFETIME		9000
#define TEREDO_PARK_REFRESH		(3600 * HZ)

int teredo_addr_module_init(void);
void teredo_addr_module_exit(void);
int teredo_addr_install(struct teredo_dev *t, const u8 router[16],
			const struct in6_addr *addr, u32 lifetime);
bool teredo_addr_ready(struct teredo_dev *t);
bool teredo_addr_usable(struct teredo_dev *t, const struct in6_addr *addr);
int teredo_addr_park(struct teredo_dev *t, const u8 router[16],
		     const struct in6_addr *addr);
void teredo_addr_withdraw(struct teredo_dev *t, const u8 router[16],
			  const struct in6_addr *addr);

#endif /* _TEREDO_ADDR_H */
