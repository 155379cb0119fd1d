/* SPDX-License-Identifier: GPL-2.0 */
/* Local client discovery (discovery.c): RFC 4380 section 5.2.8. */
#ifndef _TEREDO_DISCOVERY_H
#define _TEREDO_DISCOVERY_H

#include <linux/in6.h>
#include <linux/jiffies.h>
#include <linux/types.h>

struct sk_buff;
struct socket;
struct teredo_dev;
struct teredo_peer;

/*
 * A unicast bubble from the LAN makes its sender a local peer only
 * within this time of our last discovery bubble (it answers that
 * bubble).
 */
#define TEREDO_LD_ANSWER_TIME		(10 * HZ)

/*
 * A client's local discovery (t->ld): the socket is created, joined and
 * released under RTNL with the client (teredo_ld_start(), _stop()); the
 * client work sends the discovery bubbles; receive reads ifindex and
 * sent in softirq.
 */
struct teredo_ld {
	struct socket *sock;		/* on port 3544, in the group (RTNL) */
	int ifindex;			/* where sock joined the group, 0:
					 * none (read in softirq)
					 */
	unsigned long next;		/* next discovery bubble (work) */
	unsigned long sent;		/* last one (read in softirq) */
};

int teredo_ld_start(struct teredo_dev *t);
void teredo_ld_stop(struct teredo_dev *t);
void teredo_ld_tick(struct teredo_dev *t, bool new_address);
bool teredo_ld_same_nat(struct teredo_dev *t, const struct in6_addr *peer);
bool teredo_ld_answer_allowed(struct teredo_dev *t, struct sk_buff *skb);
struct teredo_peer *teredo_ld_take(struct teredo_dev *t, struct teredo_peer *p,
				   const struct in6_addr *addr,
				   struct sk_buff *skb, __be32 saddr, u16 sport);

#endif /* _TEREDO_DISCOVERY_H */
