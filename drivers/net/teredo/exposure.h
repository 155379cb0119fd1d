/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Least exposure (exposure.c): authorized marks, holds, and whether a
 * client device should be dormant.
 */
#ifndef _TEREDO_EXPOSURE_H
#define _TEREDO_EXPOSURE_H

#include <linux/in6.h>
#include <linux/skbuff.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <uapi/linux/teredo.h>

#include "inbound.h"

struct teredo_config;
struct teredo_dev;

/* Authorized packets waiting for a dormant device to wake up. */
#define TEREDO_WAKE_QUEUE_MAX		32

struct teredo_exposure {
	unsigned long last_auth;	/* jiffies: last authorized packet */
	bool used;			/* an authorized packet or a hold
					 * since the device came up
					 */
	struct teredo_echo_table echoes;
	u32 holds;			/* written under teredo_holds_lock */
	u8 reason;			/* enum teredo_dormant_reason, last seen */
	struct sk_buff_head queue;	/* authorized, waiting for the wake */
	struct delayed_work work;	/* evaluates the reason */
};

int teredo_exposure_module_init(void);
void teredo_exposure_module_exit(void);
void teredo_exposure_init(struct teredo_dev *t);
void teredo_exposure_uninit(struct teredo_dev *t);
void teredo_exposure_start(struct teredo_dev *t);
void teredo_exposure_stop(struct teredo_dev *t);
bool teredo_exposure_tx(struct teredo_dev *t, const struct teredo_config *cfg,
			struct sk_buff *skb);
u8 teredo_exposure_reason(struct teredo_dev *t);
void teredo_exposure_flush(struct teredo_dev *t, enum teredo_stat why);
void teredo_exposure_woken(struct teredo_dev *t, const struct in6_addr *addr);
bool teredo_mark_allowed(const struct teredo_config *cfg, u32 mark);
void teredo_exposure_used(struct teredo_dev *t);
void teredo_exposure_kick(struct teredo_dev *t);

#endif /* _TEREDO_EXPOSURE_H */
