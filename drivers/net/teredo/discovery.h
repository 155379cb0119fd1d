/* SPDX-License-Identifier: GPL-2.0 */
/* Local client discovery (discovery.c): RFC 4380 section 5.2.8. */
#ifndef _TEREDO_DISCOVERY_H
#define _TEREDO_DISCOVERY_H

#include <linux/in6.h>
#include <linux/jiffies.h>
#include <linux/types.h>

struct sk_buff;
struct teredo_dev;
struct teredo_peer;

/*
 * A unicast bubble from the LAN makes its sender a local peer only
 * within this time of our last discovery bubble (it answers that
 * bubble).
 */
#define TEREDO_LD_ANSWER_TIME		(10 * HZ)

int teredo_ld_start(struct teredo_dev *t);
void teredo_ld_stop(struct teredo_dev *t);
void teredo_ld_tick(struct teredo_dev *t, bool new_address);
bool teredo_ld_same_nat(struct teredo_dev *t, const struct in6_addr *peer);
bool teredo_ld_answer_allowed(struct teredo_dev *t, struct sk_buff *skb);
struct teredo_peer *teredo_ld_take(struct teredo_dev *t, struct teredo_peer *p,
				   const struct in6_addr *addr,
				   struct sk_buff *skb, __be32 saddr, u16 sport);

#endif /* _TEREDO_DISCOVERY_H */
