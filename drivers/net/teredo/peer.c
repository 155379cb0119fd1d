// SPDX-License-Identifier: GPL-2.0
/*
 * Peer objects.
 *
 * Lifetime: a peer is created with one reference, owned by the peer
 * table.  Readers find it under rcu_read_lock_bh() and take their own
 * reference with kref_get_unless_zero().  The table unlinks it under
 * its lock; teredo_peer_kill(), after the lock is dropped, marks it
 * dead, drops its queues and the table's reference; the last
 * teredo_peer_put() frees it after an RCU grace period.  Module exit
 * waits for those with rcu_barrier(), then destroys the peer cache: a
 * leaked peer makes the slab allocator warn.
 *
 * The mutable fields are under peer->lock (a BH spinlock); the queues
 * (queue: to send, rxq: received, awaiting the echo test that confirms
 * their relay) have their own locks (sk_buff_head).  Each has its own
 * device-wide bound: pt->queued (packets to send), pt->rx_parked (bytes
 * received, skb->truesize), charged and uncharged by the helpers of
 * peertable.h.
 */

#include <linux/slab.h>

#include "device.h"
#include "peer.h"
#include "peertable.h"
#include "send.h"
#include "teredo.h"

static struct kmem_cache *teredo_peer_cache;

int __init teredo_peer_cache_init(void)
{
	teredo_peer_cache = KMEM_CACHE(teredo_peer, 0);
	return teredo_peer_cache ? 0 : -ENOMEM;
}

/* After rcu_barrier(): every peer has been freed. */
void teredo_peer_cache_exit(void)
{
	kmem_cache_destroy(teredo_peer_cache);
}

struct teredo_peer *teredo_peer_alloc(struct teredo_dev *t,
				      const struct in6_addr *addr)
{
	struct teredo_peer *p;

	p = kmem_cache_zalloc(teredo_peer_cache, GFP_ATOMIC);
	if (!p)
		return NULL;
	kref_init(&p->ref);
	spin_lock_init(&p->lock);
	skb_queue_head_init(&p->queue);
	skb_queue_head_init(&p->rxq);
	INIT_LIST_HEAD(&p->enode);
	INIT_LIST_HEAD(&p->qnode);
	p->t = t;
	p->addr = *addr;
	p->created = jiffies;
	p->last_rx = p->created - TEREDO_TRUST_TIME - 1;
	p->last_tx = p->created;
	p->last_bubble = (u32)p->created - TEREDO_BUBBLE_GAP - 1;
	p->bubble_window = (u32)p->created;
	/* echo_next == echo_floor: no echo test sent, no reply counts */
	return p;
}

static void teredo_peer_free_rcu(struct rcu_head *rcu)
{
	kmem_cache_free(teredo_peer_cache,
			container_of(rcu, struct teredo_peer, rcu));
}

static void teredo_peer_release(struct kref *ref)
{
	struct teredo_peer *p = container_of(ref, struct teredo_peer, ref);

	call_rcu(&p->rcu, teredo_peer_free_rcu);
}

/* A peer that never made it into the table. */
void teredo_peer_free(struct teredo_peer *p)
{
	kmem_cache_free(teredo_peer_cache, p);
}

void teredo_peer_put(struct teredo_peer *p)
{
	if (p)
		kref_put(&p->ref, teredo_peer_release);
}

static void teredo_peer_purge(struct teredo_peer *p)
{
	struct teredo_peertable *pt = &p->t->peers;
	struct sk_buff *skb;

	while ((skb = skb_dequeue(&p->queue))) {
		teredo_peertable_tx_uncharge(pt);
		kfree_skb(skb);
	}
	while ((skb = skb_dequeue(&p->rxq))) {
		teredo_peertable_rx_uncharge(pt, skb->truesize);
		kfree_skb(skb);
	}
}

/*
 * The caller has unlinked @p from the table (teredo_peer_unlink(), under
 * the table lock) and dropped that lock: purging the queues frees skbs.
 */
void teredo_peer_kill(struct teredo_peer *p)
{
	lockdep_assert_not_held(&p->t->peers.lock);
	WARN_ON_ONCE(READ_ONCE(p->linked));
	spin_lock_bh(&p->lock);
	p->dead = true;
	spin_unlock_bh(&p->lock);
	teredo_peer_purge(p);
	teredo_peer_put(p);
}

/*
 * Queues @skb until @p is usable; false (skb not consumed) if full.
 * When the device's budget is spent, a peer with nothing queued yet
 * takes the room of the oldest packet waiting for a never-answered
 * peer (teredo_peertable_shed()): a spray of new destinations rotates
 * its own packets and cannot keep a new correspondent's first one out.
 */
bool teredo_peer_enqueue(struct teredo_peer *p, struct sk_buff *skb)
{
	struct teredo_peertable *pt = &p->t->peers;
	bool ok = false, first = false;
	unsigned int len;

	len = skb_queue_len_lockless(&p->queue);
	if (len >= TEREDO_PEER_QUEUE_MAX)
		return false;
	if (!teredo_peertable_tx_charge(pt) &&
	    (len || !teredo_peertable_shed(p->t, p))) {
		teredo_peertable_tx_uncharge(pt);
		return false;
	}
	spin_lock_bh(&p->lock);
	if (!p->dead && skb_queue_len(&p->queue) < TEREDO_PEER_QUEUE_MAX) {
		first = skb_queue_empty(&p->queue);
		skb_queue_tail(&p->queue, skb);
		ok = true;
	}
	spin_unlock_bh(&p->lock);
	if (!ok) {
		teredo_peertable_tx_uncharge(pt);
		return false;
	}
	if (first)
		teredo_peertable_park(p->t, p);
	if (teredo_peer_usable(p))
		teredo_peer_send_queue(p->t, p);	/* usable meanwhile */
	return true;
}

/*
 * Keeps a received @skb until an echo test confirms the relay it came
 * through (section 5.2.3); false (skb not consumed) if full.  The
 * caller delivers the queue once the peer is trusted.
 */
bool teredo_peer_rx_enqueue(struct teredo_peer *p, struct sk_buff *skb)
{
	struct teredo_peertable *pt = &p->t->peers;
	unsigned int size = skb->truesize;
	bool ok = false;

	spin_lock_bh(&p->lock);
	if (!p->dead && skb_queue_len(&p->rxq) < TEREDO_PEER_QUEUE_MAX &&
	    teredo_peertable_rx_charge(pt, size)) {
		skb_queue_tail(&p->rxq, skb);
		ok = true;
	}
	spin_unlock_bh(&p->lock);
	return ok;
}

/*
 * @p was heard from: its trust is fresh.  Written once a tick, not once a
 * packet: a busy peer's cache line is not dirtied by every packet.
 */
void teredo_peer_heard(struct teredo_peer *p)
{
	unsigned long now = jiffies;

	if (READ_ONCE(p->last_rx) != now)
		WRITE_ONCE(p->last_rx, now);
}

/*
 * A packet from @p came from @addr:@port, which is now its mapping.
 * Most packets come from a peer trusted at that very mapping, with no
 * bubble unanswered and already spared once (recent): nothing changes,
 * and neither the peer's lock nor a write is needed.  The fields are
 * written under p->lock; a packet racing a change there is taken as if
 * it came just before it.
 */
void teredo_peer_mark_trusted(struct teredo_peer *p, __be32 addr, u16 port)
{
	bool was, ours;

	if (likely(READ_ONCE(p->trusted) && READ_ONCE(p->recent) &&
		   READ_ONCE(p->mapped_addr) == addr &&
		   READ_ONCE(p->mapped_port) == port &&
		   !READ_ONCE(p->window_bubbles))) {
		teredo_peer_heard(p);
		teredo_peer_send_queue(p->t, p);
		return;
	}
	spin_lock_bh(&p->lock);
	was = p->trusted;
	ours = p->ours;
	if (was)
		WRITE_ONCE(p->recent, true);
	WRITE_ONCE(p->mapped_addr, addr);
	WRITE_ONCE(p->mapped_port, port);
	WRITE_ONCE(p->trusted, true);
	WRITE_ONCE(p->last_rx, jiffies);
	/* it answered: the bubble limit is on bubbles without an answer */
	WRITE_ONCE(p->window_bubbles, 0);
	spin_unlock_bh(&p->lock);
	teredo_peer_send_queue(p->t, p);
	if (!was) {
		if (ours)
			teredo_peer_answered(p->t, p);
		teredo_peer_notify(p, TEREDO_EVENT_PEER_TRUSTED);
	}
}

/*
 * Section 5.2.6: >= 2 s apart, at most 4 per 300 s without an answer
 * (teredo_peer_mark_trusted() starts the count again).
 */
bool teredo_peer_bubble_allowed(struct teredo_peer *p)
{
	u32 now = (u32)jiffies;
	bool ok = false;

	spin_lock_bh(&p->lock);
	if (time_after32(now, p->bubble_window + TEREDO_BUBBLE_WINDOW)) {
		p->bubble_window = now;
		WRITE_ONCE(p->window_bubbles, 0);
	}
	if (time_after32(now, p->last_bubble + TEREDO_BUBBLE_GAP) &&
	    p->window_bubbles < TEREDO_BUBBLE_MAX) {
		p->last_bubble = now;
		WRITE_ONCE(p->window_bubbles, p->window_bubbles + 1);
		p->bubbles++;
		ok = true;
	}
	spin_unlock_bh(&p->lock);
	return ok;
}

static u32 teredo_age_ms(unsigned long then)
{
	return jiffies_to_msecs(jiffies - then);
}

void teredo_peer_info(struct teredo_peer *p, struct teredo_peer_info *out)
{
	memset(out, 0, sizeof(*out));
	spin_lock_bh(&p->lock);
	out->id = p->id;
	out->addr = p->addr;
	out->mapped_addr = p->mapped_addr;
	out->mapped_port = p->mapped_port;
	out->trusted = p->trusted;
	out->relay = p->relay;
	out->last_rx_ms = teredo_age_ms(READ_ONCE(p->last_rx));
	out->last_tx_ms = teredo_age_ms(p->last_tx);
	out->bubbles = p->bubbles;
	out->queued = skb_queue_len(&p->queue) + skb_queue_len(&p->rxq);
	spin_unlock_bh(&p->lock);
}
