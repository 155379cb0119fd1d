/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Least exposure, inbound (inbound.c): what decapsulated traffic a
 * client device delivers to the host.
 */
#ifndef _TEREDO_INBOUND_H
#define _TEREDO_INBOUND_H

#include <linux/in6.h>
#include <linux/jiffies.h>
#include <linux/siphash.h>
#include <linux/spinlock.h>
#include <linux/types.h>

struct sk_buff;
struct teredo_config;
struct teredo_dev;

/*
 * The echo requests an authorized socket sent, whose replies may come
 * in, one slot per (destination, identifier) by keyed hash, a newcomer
 * taking its slot's place.
 */
#define TEREDO_ECHO_SLOTS		64
#define TEREDO_ECHO_TIME		(30 * HZ)

struct teredo_echo_slot {
	struct in6_addr addr;		/* destination of the request */
	__be16 id;			/* its identifier */
	unsigned long sent;		/* jiffies, 0: empty */
};

struct teredo_echo_table {
	spinlock_t lock;		/* the slots */
	siphash_key_t key;
	struct teredo_echo_slot slot[TEREDO_ECHO_SLOTS];
};

void teredo_inbound_init(struct teredo_dev *t);
void teredo_inbound_note_tx(struct teredo_dev *t, struct sk_buff *skb);
bool teredo_inbound_allowed(struct teredo_dev *t,
			    const struct teredo_config *cfg,
			    struct sk_buff *skb);

#endif /* _TEREDO_INBOUND_H */
