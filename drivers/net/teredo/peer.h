/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A peer (peer.c): a Teredo or native IPv6 host we exchange packets
 * with, its mapping, its trust and its queues.  The table that holds
 * the peers is peertable.h's.
 */
#ifndef _TEREDO_PEER_H
#define _TEREDO_PEER_H

#include <linux/in6.h>
#include <linux/jiffies.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/rhashtable-types.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "proto.h"

struct teredo_dev;
struct teredo_peer_info;

/*
 * A peer's queue bound (section 5.4.1 asks for a limit), packets to
 * send and received ones parked alike; the device-wide bounds are the
 * peer table's (TEREDO_DEV_QUEUE_MAX, TEREDO_RX_PARK_BYTES).
 */
#define TEREDO_PEER_QUEUE_MAX		8
/* A peer is trusted for 30 s after its last receive (section 5.2). */
#define TEREDO_TRUST_TIME		(30 * HZ)
/* Section 5.2.6: bubbles at least 2 s apart, at most 4 per 300 s. */
#define TEREDO_BUBBLE_GAP		(2 * HZ)
#define TEREDO_BUBBLE_WINDOW		(300 * HZ)
#define TEREDO_BUBBLE_MAX		4
/*
 * A reply to any of a native peer's last TEREDO_ECHO_LIVE echo tests
 * (the tests of one window) confirms its relay, once.
 */
#define TEREDO_ECHO_LIVE		TEREDO_BUBBLE_MAX

struct teredo_peer {
	struct rhash_head rnode;	/* in teredo_peertable, RCU */
	struct list_head lnode;		/* GC order, under table lock */
	struct list_head enode;		/* evictable, ditto (peertable.c) */
	struct list_head qnode;		/* on parked while queue is not empty */
	struct kref ref;
	spinlock_t lock;		/* fields from mapped_addr on */
	struct rcu_head rcu;
	struct teredo_dev *t;
	struct in6_addr addr;		/* key */
	u32 id;				/* index in peertable ids (31 bits) */
	/* (packed: a table holds up to a million of these) */
	__be32 mapped_addr;
	__be32 local_addr;		/* found on our LAN (5.2.8) at */
	u16 mapped_port;
	u16 local_port;
	bool trusted;
	bool relay;			/* native peer reached via a relay */
	bool local;			/* found on our LAN: local_addr/port */
	bool dead;
	bool recent;			/* heard again: spare it once */
	bool ours;			/* we sent first (peertable.c) */
	bool linked;			/* in the table (table lock) */
	unsigned long created;
	unsigned long last_rx;
	unsigned long last_tx;
	/* 32-bit jiffies: spans of seconds, in a struct held a million times */
	u32 last_bubble;
	u32 bubble_window;
	u32 bubbles;			/* sent, total */
	u32 window_bubbles;		/* unanswered, in the current window */
	/* echo tests (native peers, send.c): the next one's number, and the
	 * oldest whose reply still counts (a reply retires it and older ones)
	 */
	u32 echo_next;
	u32 echo_floor;
	struct sk_buff_head queue;	/* packets awaiting trust */
	/* received from a native peer through a relay not yet confirmed */
	struct sk_buff_head rxq;
};

int teredo_peer_cache_init(void);
void teredo_peer_cache_exit(void);
void teredo_peer_free(struct teredo_peer *p);
struct teredo_peer *teredo_peer_alloc(struct teredo_dev *t,
				      const struct in6_addr *addr);
void teredo_peer_put(struct teredo_peer *p);
void teredo_peer_kill(struct teredo_peer *p);
bool teredo_peer_enqueue(struct teredo_peer *p, struct sk_buff *skb);
bool teredo_peer_rx_enqueue(struct teredo_peer *p, struct sk_buff *skb);
void teredo_peer_heard(struct teredo_peer *p);
void teredo_peer_mark_trusted(struct teredo_peer *p, __be32 addr, u16 port);
void teredo_peer_info(struct teredo_peer *p, struct teredo_peer_info *out);
bool teredo_peer_bubble_allowed(struct teredo_peer *p);

#endif /* _TEREDO_PEER_H */
