/* SPDX-License-Identifier: GPL-2.0 */
/* Section 5.2.7 refresh interval determination (refresh.c). */
#ifndef _TEREDO_REFRESH_H
#define _TEREDO_REFRESH_H

#include <linux/in6.h>
#include <linux/jiffies.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include "proto.h"

struct socket;
struct teredo_dev;

#define TEREDO_RDET_FIRST		8	/* s, first silence tried */
#define TEREDO_RDET_MIN			2	/* s, the least result */
#define TEREDO_RDET_KEEP		4	/* s, our refresh meanwhile */
#define TEREDO_RDET_REPLY		(2 * HZ)	/* bubble's way back */

/*
 * Lock order: c->lock, then r->lock (teredo_rdet_start()).  r->sock is
 * the work's; a stop takes it with xchg() once the work is cancelled.
 */
struct teredo_rdet {
	spinlock_t lock;		/* everything but sock and work */
	bool running;			/* the client runs: may queue work */
	u8 phase;			/* TEREDO_RDET_*, refresh.c */
	u8 tries;			/* RS sent in this round */
	bool answered;			/* RA or bubble seen in this phase */
	bool failed;			/* a silence was too long */
	u8 nonce[TEREDO_NONCE_LEN];
	__be32 mapped_addr;		/* the secondary mapping */
	u16 mapped_port;
	struct in6_addr addr2;		/* the secondary Teredo address */
	u32 trial;			/* s of silence being tried */
	u32 good;			/* longest silence that worked */
	u32 result;			/* s, when phase is DONE */
	struct socket *sock;		/* the determination port (work) */
	struct delayed_work work;
};

void teredo_rdet_init(struct teredo_dev *t);
void teredo_rdet_start(struct teredo_dev *t);
void teredo_rdet_stop(struct teredo_dev *t);
void teredo_rdet_kick(struct teredo_dev *t);
u32 teredo_rdet_refresh(struct teredo_dev *t);
u32 teredo_rdet_result(struct teredo_dev *t);

#endif /* _TEREDO_REFRESH_H */
