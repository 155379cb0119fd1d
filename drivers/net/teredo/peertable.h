/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The peer table of a device (peertable.c): its peers by address and by
 * id, their bounds, the answers to indirect bubbles and the peer events.
 */
#ifndef _TEREDO_PEERTABLE_H
#define _TEREDO_PEERTABLE_H

#include <linux/atomic.h>
#include <linux/in6.h>
#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/rhashtable-types.h>
#include <linux/siphash.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/xarray.h>

struct teredo_dev;
struct teredo_peer;

/*
 * The device's bound on the packets queued to send, all peers (section
 * 5.4.1 asks for a limit; a peer's own is TEREDO_PEER_QUEUE_MAX).
 */
#define TEREDO_DEV_QUEUE_MAX		1024
/*
 * Received packets parked until an echo test confirms their relay
 * (section 5.2.3; anyone can send them, from any native source): at most
 * TEREDO_PEER_QUEUE_MAX per peer and TEREDO_RX_PARK_BYTES of memory
 * (skb->truesize) per device, a budget of their own: they never take
 * the room of what we send (TEREDO_DEV_QUEUE_MAX packets).
 */
#define TEREDO_RX_PARK_BYTES		(256 * 1024)
/* A peer idle this long (nothing sent or received) goes (GC). */
#define TEREDO_PEER_IDLE		(60 * HZ)
/*
 * Direct bubbles sent in answer to indirect ones (a reflection vector:
 * whoever gets our server to relay bubbles picks where the answers go):
 * per source >= 1 s apart and at most 8 per 300 s (twice what section
 * 5.2.6 lets an honest peer send), and at most 32 per second in all.
 */
#define TEREDO_ANSWER_GAP		HZ
#define TEREDO_ANSWER_WINDOW		(300 * HZ)
#define TEREDO_ANSWER_MAX		8
#define TEREDO_ANSWER_RATE		32
#define TEREDO_ANSWER_SLOTS		64

/* Recent answers to one source's indirect bubbles. */
struct teredo_answer_slot {
	struct in6_addr addr;
	unsigned long last;
	unsigned long window;
	u32 count;			/* in the current window */
};

/*
 * The answer limiter: a small table of sources (not the peer table,
 * which forged sources must not fill), slot by keyed hash; a newcomer
 * evicts the slot's previous source, so the device-wide rate bounds
 * what eviction could let through.
 */
struct teredo_answers {
	spinlock_t lock;		/* everything below */
	siphash_key_t key;		/* slot of a source */
	unsigned long second;		/* start of the current second */
	u32 in_second;
	struct teredo_answer_slot slot[TEREDO_ANSWER_SLOTS];
};

/*
 * Peer events (netlink) of peers that are not ours-and-answered: anyone
 * can make those by the thousand (a flood of forged sources, a spray of
 * destinations on a relay).  A device sends at most TEREDO_EVENT_BURST
 * at once and TEREDO_EVENT_RATE per second of them; the rest are
 * counted (events_suppressed) and reported by one
 * TEREDO_EVENT_SUPPRESSED event at the next GC run (every 10 s).
 */
#define TEREDO_EVENT_BURST		32
#define TEREDO_EVENT_RATE		16

struct teredo_events {
	spinlock_t lock;		/* tat */
	u64 tat;			/* GCRA, ns */
	atomic_t suppressed;		/* since the last report */
};

struct teredo_peertable {
	spinlock_t lock;		/* writers */
	struct rhashtable ht;		/* addr -> peer */
	struct list_head list;
	struct list_head evict;		/* evictable peers, oldest first */
	struct list_head parked;	/* peers with packets queued, ditto */
	struct xarray ids;		/* id -> peer, for walks */
	u32 count;
	u32 generation;
	u32 next_id;			/* of xa_alloc_cyclic() */
	atomic_t queued;		/* packets queued to send, all peers */
	atomic_t rx_parked;		/* truesize of received ones parked */
	struct teredo_answers answers;
	struct teredo_events events;
	siphash_key_t echo_key;		/* echo test nonces, send.c */
};

/*
 * The device's budgets of queued packets, raised and lowered only here.
 *
 * pt->queued, packets to send (TEREDO_DEV_QUEUE_MAX): a packet is
 * charged before it joins a peer's queue and uncharged when it leaves
 * it (sent, refused, purged).  The charge is taken even over budget,
 * which teredo_peertable_tx_charge() then returns false for: the caller
 * either uncharges it or makes room with teredo_peertable_shed(), which
 * passes the room of the packet it drops on to that charge.
 */
static inline bool teredo_peertable_tx_charge(struct teredo_peertable *pt)
{
	return atomic_inc_return(&pt->queued) <= TEREDO_DEV_QUEUE_MAX;
}

static inline void teredo_peertable_tx_uncharge(struct teredo_peertable *pt)
{
	atomic_dec(&pt->queued);
}

/*
 * pt->rx_parked, received packets parked (TEREDO_RX_PARK_BYTES of
 * skb->truesize): true if @size more fit, charged; false if not,
 * nothing charged.
 */
static inline bool teredo_peertable_rx_charge(struct teredo_peertable *pt,
					      unsigned int size)
{
	if (atomic_add_return(size, &pt->rx_parked) <= TEREDO_RX_PARK_BYTES)
		return true;
	atomic_sub(size, &pt->rx_parked);
	return false;
}

static inline void teredo_peertable_rx_uncharge(struct teredo_peertable *pt,
						unsigned int size)
{
	atomic_sub(size, &pt->rx_parked);
}

int teredo_peertable_init(struct teredo_peertable *pt);
void teredo_peertable_destroy(struct teredo_peertable *pt);
struct teredo_peer *teredo_peer_lookup(struct teredo_dev *t,
				       const struct in6_addr *addr);
struct teredo_peer *teredo_peer_create(struct teredo_dev *t,
				       const struct in6_addr *addr, bool ours);
void teredo_peertable_flush(struct teredo_dev *t);
void teredo_peer_answered(struct teredo_dev *t, struct teredo_peer *p);
void teredo_peer_notify(struct teredo_peer *p, u8 event);
void teredo_peertable_gc(struct teredo_dev *t);
bool teredo_peertable_shed(struct teredo_dev *t, struct teredo_peer *p);
void teredo_peertable_park(struct teredo_dev *t, struct teredo_peer *p);
int teredo_peertable_parked(struct teredo_dev *t, struct teredo_peer **out,
			    int max);
void teredo_peertable_unpark(struct teredo_dev *t, struct teredo_peer *p);
bool teredo_answer_allowed(struct teredo_dev *t, const struct in6_addr *src);

#endif /* _TEREDO_PEERTABLE_H */
