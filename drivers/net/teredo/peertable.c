// SPDX-License-Identifier: GPL-2.0
/*
 * The peer table of a device: an rhashtable keyed by the peer's IPv6
 * address (it grows with the table and rehashes with a new random seed
 * when a chain gets long), looked up under RCU, changed under pt->lock.
 * pt->list keeps peers in creation order for garbage collection; pt->ids
 * indexes them by id (allocated cyclically, so in creation order until
 * it wraps) for walks that resume at a cursor in O(log n).
 *
 * Bounds (a flood of spoofed sources must not take the table): the
 * table never holds more than max_peers peers.  Every peer starts on
 * pt->evict, in creation order.  A peer that only sent to us (created
 * on receive) is unsolicited and stays there; one we sent to first is
 * ours and leaves it when it answers (teredo_peer_answered()): from
 * then on it is never evicted, only aged out by the GC.  An ours peer
 * that never answered stays evictable: on a relay, a native host
 * sending to any number of Teredo destinations makes only such peers.
 * When the table is full, a new peer takes the place of the oldest
 * evictable one, with a second chance for those heard from again since
 * they were last passed over (CLOCK): a flood churns its own entries,
 * cannot push out the peers we talk to, and cannot lock a new
 * correspondent out for longer than it takes to rotate.
 */
#include <linux/random.h>
#include <linux/rhashtable.h>
#include <linux/sched.h>
#include <linux/siphash.h>

#include "device.h"
#include "peer.h"
#include "peertable.h"
#include "send.h"
#include "stats.h"
#include "teredo.h"

/* Unsolicited peers passed over at most per eviction (CLOCK hand). */
#define TEREDO_EVICT_SCAN	8
/* Parked peers looked at for a packet to shed (send budget). */
#define TEREDO_SHED_SCAN	32
/* Peers looked at per hold of the table lock by the GC and flush. */
#define TEREDO_GC_BATCH		256

static const struct rhashtable_params teredo_peer_params = {
	.head_offset		= offsetof(struct teredo_peer, rnode),
	.key_offset		= offsetof(struct teredo_peer, addr),
	.key_len		= sizeof(struct in6_addr),
	.automatic_shrinking	= true,
};

int teredo_peertable_init(struct teredo_peertable *pt)
{
	spin_lock_init(&pt->lock);
	INIT_LIST_HEAD(&pt->list);
	INIT_LIST_HEAD(&pt->evict);
	INIT_LIST_HEAD(&pt->parked);
	xa_init_flags(&pt->ids, XA_FLAGS_ALLOC);
	atomic_set(&pt->queued, 0);
	atomic_set(&pt->rx_parked, 0);
	spin_lock_init(&pt->answers.lock);
	pt->answers.second = jiffies;
	get_random_bytes(&pt->answers.key, sizeof(pt->answers.key));
	get_random_bytes(&pt->echo_key, sizeof(pt->echo_key));
	spin_lock_init(&pt->events.lock);
	atomic_set(&pt->events.suppressed, 0);
	return rhashtable_init(&pt->ht, &teredo_peer_params);
}

/* The table is empty (flushed at ndo_stop). */
void teredo_peertable_destroy(struct teredo_peertable *pt)
{
	rhashtable_destroy(&pt->ht);
	xa_destroy(&pt->ids);
}

/*
 * May we answer an indirect bubble from @src with a direct one now?
 * Counts the answer if so.
 */
bool teredo_answer_allowed(struct teredo_dev *t, const struct in6_addr *src)
{
	struct teredo_answers *a = &t->peers.answers;
	struct teredo_answer_slot *s;
	unsigned long now = jiffies;
	bool ok = false;

	s = &a->slot[siphash(src, sizeof(*src), &a->key) % TEREDO_ANSWER_SLOTS];
	spin_lock_bh(&a->lock);
	if (time_after_eq(now, a->second + HZ)) {
		a->second = now;
		a->in_second = 0;
	}
	if (a->in_second >= TEREDO_ANSWER_RATE)
		goto out;
	if (!ipv6_addr_equal(&s->addr, src) || s->window == 0 ||
	    time_after_eq(now, s->window + TEREDO_ANSWER_WINDOW)) {
		s->addr = *src;
		s->window = now;
		s->count = 0;
	} else if (time_before(now, s->last + TEREDO_ANSWER_GAP) ||
		   s->count >= TEREDO_ANSWER_MAX) {
		goto out;
	}
	s->last = now;
	s->count++;
	a->in_second++;
	ok = true;
out:
	spin_unlock_bh(&a->lock);
	return ok;
}

static u32 teredo_max_peers(const struct teredo_dev *t)
{
	u32 max;

	rcu_read_lock();
	max = teredo_cfg(t)->max_peers;
	rcu_read_unlock();
	return max;
}

/* Returns a referenced peer or NULL. */
struct teredo_peer *teredo_peer_lookup(struct teredo_dev *t,
				       const struct in6_addr *addr)
{
	struct teredo_peer *p;

	rcu_read_lock();
	p = rhashtable_lookup(&t->peers.ht, addr, teredo_peer_params);
	if (p && !kref_get_unless_zero(&p->ref))
		p = NULL;
	rcu_read_unlock();
	return p;
}

/* May one more event of a peer that is not ours-and-answered go out? */
static bool teredo_peer_event_allowed(struct teredo_dev *t)
{
	struct teredo_events *ev = &t->peers.events;
	bool ok;

	spin_lock_bh(&ev->lock);
	ok = teredo_gcra(&ev->tat, ktime_get_ns(),
			 NSEC_PER_SEC / TEREDO_EVENT_RATE, TEREDO_EVENT_BURST);
	spin_unlock_bh(&ev->lock);
	if (!ok) {
		atomic_inc(&ev->suppressed);
		teredo_stat_inc(t, TEREDO_STAT_EVENTS_SUPPRESSED);
	}
	return ok;
}

/*
 * A peer event (TEREDO_EVENT_PEER_*): those of a peer we did not send to
 * first, or that never answered, are rate limited (peertable.h).
 */
void teredo_peer_notify(struct teredo_peer *p, u8 event)
{
	struct teredo_peer_info info;
	bool limited;

	if (!teredo_nl_has_listeners(p->t->dev))
		return;
	spin_lock_bh(&p->lock);
	limited = !(p->ours && p->trusted);
	spin_unlock_bh(&p->lock);
	if (limited && !teredo_peer_event_allowed(p->t))
		return;
	teredo_peer_info(p, &info);
	teredo_nl_notify_peer(p->t->dev, &info, event);
}

/* Process context: reports the peer events suppressed since last time. */
static void teredo_peer_events_report(struct teredo_dev *t)
{
	u32 n = atomic_xchg(&t->peers.events.suppressed, 0);

	if (n)
		teredo_nl_notify_suppressed(t->dev, n);
}

/*
 * @p (ours) answered for the first time: no longer evictable.  A peer
 * unlinked meanwhile has left pt->evict already.
 */
void teredo_peer_answered(struct teredo_dev *t, struct teredo_peer *p)
{
	struct teredo_peertable *pt = &t->peers;

	spin_lock_bh(&pt->lock);
	if (!list_empty(&p->enode))
		list_del_init(&p->enode);
	spin_unlock_bh(&pt->lock);
}

/* pt->lock held. */
static void teredo_peer_unlink(struct teredo_peertable *pt,
			       struct teredo_peer *p)
{
	lockdep_assert_held(&pt->lock);
	rhashtable_remove_fast(&pt->ht, &p->rnode, teredo_peer_params);
	xa_erase(&pt->ids, p->id);
	list_del(&p->lnode);
	if (!list_empty(&p->enode))
		list_del_init(&p->enode);
	list_del_init(&p->qnode);
	p->linked = false;
	WRITE_ONCE(pt->count, pt->count - 1);
	pt->generation++;
}

/*
 * pt->lock held, the table full: unlinks and returns the evictable
 * peer to make room for a new one, NULL if every peer is ours and
 * answered.
 */
static struct teredo_peer *teredo_peer_evict(struct teredo_peertable *pt)
{
	struct teredo_peer *p;
	int i;

	lockdep_assert_held(&pt->lock);
	for (i = 0; i < TEREDO_EVICT_SCAN && !list_empty(&pt->evict); i++) {
		p = list_first_entry(&pt->evict, struct teredo_peer, enode);
		if (!READ_ONCE(p->recent))
			break;
		WRITE_ONCE(p->recent, false);
		list_move_tail(&p->enode, &pt->evict);
	}
	p = list_first_entry_or_null(&pt->evict, struct teredo_peer, enode);
	if (p)
		teredo_peer_unlink(pt, p);
	return p;
}

/* pt->lock held: @n gets an id and goes into the table. */
static int teredo_peer_link(struct teredo_peertable *pt,
			    struct teredo_peer *n, bool ours)
{
	u32 id;
	int err;

	lockdep_assert_held(&pt->lock);
	n->ours = ours;		/* before anyone can find it */
	err = xa_alloc_cyclic(&pt->ids, &id, n, xa_limit_31b, &pt->next_id,
			      GFP_ATOMIC);
	if (err < 0)
		return err;
	n->id = id;
	err = rhashtable_insert_fast(&pt->ht, &n->rnode, teredo_peer_params);
	if (err) {
		xa_erase(&pt->ids, id);
		return err;
	}
	list_add_tail(&n->lnode, &pt->list);
	list_add_tail(&n->enode, &pt->evict);
	n->linked = true;
	WRITE_ONCE(pt->count, pt->count + 1);
	pt->generation++;
	return 0;
}

static void teredo_peer_evicted(struct teredo_dev *t, struct teredo_peer *p)
{
	teredo_stat_inc(t, TEREDO_STAT_PEERS_EVICTED);
	teredo_peer_notify(p, TEREDO_EVENT_PEER_EXPIRED);
	teredo_peer_kill(p);
}

/*
 * Finds or creates; returns a referenced peer, ERR_PTR(-ENOSPC) if the
 * table is full (of peers that cannot be evicted), another ERR_PTR() if
 * the peer could not be made.  @ours: we are
 * about to send to it (see the top of the file); a peer created on
 * receive is unsolicited.  Either is evictable until an ours peer
 * answers.
 */
struct teredo_peer *teredo_peer_create(struct teredo_dev *t,
				       const struct in6_addr *addr, bool ours)
{
	struct teredo_peertable *pt = &t->peers;
	struct teredo_peer *p, *n, *old = NULL;
	u32 max;
	int err;

	p = teredo_peer_lookup(t, addr);
	if (p)
		return p;
	max = teredo_max_peers(t);
	/* a table full of peers that answered us costs no allocation */
	if (READ_ONCE(pt->count) >= max && list_empty(&pt->evict))
		return ERR_PTR(-ENOSPC);
	n = teredo_peer_alloc(t, addr);
	if (!n)
		return ERR_PTR(-ENOMEM);
	spin_lock_bh(&pt->lock);
	p = rhashtable_lookup_fast(&pt->ht, addr, teredo_peer_params);
	if (p) {
		if (!kref_get_unless_zero(&p->ref))
			p = ERR_PTR(-EAGAIN);
		goto out_free;
	}
	/* max_peers may have been lowered: evict one per new peer */
	if (pt->count >= max) {
		old = teredo_peer_evict(pt);
		if (!old || pt->count >= max) {
			p = ERR_PTR(-ENOSPC);
			goto out_free;
		}
	}
	err = teredo_peer_link(pt, n, ours);
	if (err) {
		p = ERR_PTR(err);
		goto out_free;
	}
	kref_get(&n->ref);		/* the caller's */
	spin_unlock_bh(&pt->lock);
	if (old)
		teredo_peer_evicted(t, old);
	teredo_gc_arm(t);
	return n;
out_free:
	spin_unlock_bh(&pt->lock);
	if (old)
		teredo_peer_evicted(t, old);
	teredo_peer_free(n);
	return p;
}

static void teredo_peer_expired(struct teredo_dev *t, struct teredo_peer *p)
{
	teredo_peer_notify(p, TEREDO_EVENT_PEER_EXPIRED);
}

int teredo_peer_del(struct net_device *dev, const struct in6_addr *addr)
{
	struct teredo_dev *t = teredo_priv(dev);
	struct teredo_peertable *pt = &t->peers;
	struct teredo_peer_info info;
	struct teredo_peer *p;

	spin_lock_bh(&pt->lock);
	p = rhashtable_lookup_fast(&pt->ht, addr, teredo_peer_params);
	if (!p) {
		spin_unlock_bh(&pt->lock);
		return -ENOENT;
	}
	teredo_peer_unlink(pt, p);
	spin_unlock_bh(&pt->lock);
	/* the administrator's own deletion: always told */
	teredo_peer_info(p, &info);
	teredo_nl_notify_peer(dev, &info, TEREDO_EVENT_PEER_EXPIRED);
	teredo_peer_kill(p);
	return 0;
}

/*
 * Unlinks up to TEREDO_GC_BATCH peers from the head of pt->list onto
 * @dead; returns how many.
 */
static u32 teredo_peertable_take(struct teredo_peertable *pt,
				 struct list_head *dead)
{
	struct teredo_peer *p;
	u32 n = 0;

	spin_lock_bh(&pt->lock);
	while (n < TEREDO_GC_BATCH &&
	       (p = list_first_entry_or_null(&pt->list, struct teredo_peer,
					     lnode))) {
		teredo_peer_unlink(pt, p);
		list_add(&p->lnode, dead);
		n++;
	}
	spin_unlock_bh(&pt->lock);
	return n;
}

/*
 * Empties the table, TEREDO_GC_BATCH peers per hold of its lock.  At
 * most the peers there at the start: one created meanwhile (the socket
 * still open) is newer than the flush, as if created right after it.
 */
void teredo_peertable_flush(struct teredo_dev *t)
{
	struct teredo_peertable *pt = &t->peers;
	u32 left = READ_ONCE(pt->count);
	struct teredo_peer *p, *tmp;
	LIST_HEAD(dead);
	u32 n;

	do {
		n = teredo_peertable_take(pt, &dead);
		list_for_each_entry_safe(p, tmp, &dead, lnode)
			teredo_peer_kill(p);
		INIT_LIST_HEAD(&dead);
		left = n < left ? left - n : 0;
	} while (n == TEREDO_GC_BATCH && left);
}

void teredo_peer_flush(struct net_device *dev)
{
	teredo_peertable_flush(teredo_priv(dev));
}

/*
 * Idle: nothing sent or received for TEREDO_PEER_IDLE.  A peer whose
 * bubbles are unanswered is not idle until its bubble window ends: it
 * carries the section 5.2.6 count, and a new entry would start a fresh
 * one (4 more bubbles to a host that never answers, every minute).  It
 * stays on pt->evict (it never answered), so such peers cannot fill
 * the table: a new peer takes the oldest one's place.
 */
static bool teredo_peer_idle(struct teredo_peer *p, unsigned long now)
{
	unsigned long last, rx;
	bool counting;

	spin_lock_bh(&p->lock);
	last = p->created;
	rx = READ_ONCE(p->last_rx);	/* also written without the lock */
	if (time_after(rx, last))
		last = rx;
	if (time_after(p->last_tx, last))
		last = p->last_tx;
	counting = p->window_bubbles &&
		   time_before32((u32)now, p->bubble_window + TEREDO_BUBBLE_WINDOW);
	spin_unlock_bh(&p->lock);
	return !counting && time_after(now, last + TEREDO_PEER_IDLE);
}

/*
 * Process context: drops peers idle for TEREDO_PEER_IDLE.  A whole pass
 * over the table each run (every peer is looked at every
 * TEREDO_GC_INTERVAL), in id order, but the table lock is held for at
 * most TEREDO_GC_BATCH peers at a time, with a resched point between
 * batches: at a million peers, a single hold would stall the receive
 * softirqs (peer creation takes the lock) for tens of milliseconds.
 * The id cursor survives the unlocked gaps: peers removed meanwhile are
 * simply not found, peers created meanwhile are young (if their id
 * wrapped below the cursor, the next run sees them).
 */
void teredo_peertable_gc(struct teredo_dev *t)
{
	struct teredo_peertable *pt = &t->peers;
	unsigned long now = jiffies;
	struct teredo_peer *p, *tmp;
	unsigned long id = 0;
	LIST_HEAD(dead);
	bool more;
	u32 n;

	do {
		more = false;
		n = 0;
		spin_lock_bh(&pt->lock);
		xa_for_each_start(&pt->ids, id, p, id) {
			if (n++ == TEREDO_GC_BATCH) {
				more = true;	/* resume at this id */
				break;
			}
			if (!teredo_peer_idle(p, now))
				continue;
			teredo_peer_unlink(pt, p);
			list_add(&p->lnode, &dead);
		}
		spin_unlock_bh(&pt->lock);
		list_for_each_entry_safe(p, tmp, &dead, lnode) {
			teredo_peer_expired(t, p);
			teredo_peer_kill(p);
		}
		INIT_LIST_HEAD(&dead);
		cond_resched();
	} while (more);
	teredo_peer_events_report(t);
}

int teredo_peer_walk(struct net_device *dev, u64 *cursor,
		     struct teredo_peer_info *out, int max, u32 *generation)
{
	struct teredo_dev *t = teredo_priv(dev);
	struct teredo_peertable *pt = &t->peers;
	struct teredo_peer *p;
	unsigned long id;
	int n = 0;

	if (max <= 0 || *cursor > INT_MAX)
		return 0;
	spin_lock_bh(&pt->lock);
	*generation = pt->generation;
	xa_for_each_start(&pt->ids, id, p, *cursor) {
		teredo_peer_info(p, &out[n]);
		*cursor = (u64)id + 1;
		if (++n >= max)
			break;
	}
	spin_unlock_bh(&pt->lock);
	return n;
}

/*
 * @p's queue has its first packet: @p joins pt->parked, the peers with
 * packets waiting, in the order their wait began (unless @p left the
 * table meanwhile, or its queue was sent meanwhile).
 */
void teredo_peertable_park(struct teredo_dev *t, struct teredo_peer *p)
{
	struct teredo_peertable *pt = &t->peers;

	spin_lock_bh(&pt->lock);
	if (p->linked && list_empty(&p->qnode) &&
	    !skb_queue_empty_lockless(&p->queue))
		list_add_tail(&p->qnode, &pt->parked);
	spin_unlock_bh(&pt->lock);
	teredo_seek_start(t);
}

/*
 * Up to @max peers with packets waiting, a reference each, into @out;
 * they go to the end of pt->parked, so that the next call sees the
 * others first.  Returns how many.
 */
int teredo_peertable_parked(struct teredo_dev *t, struct teredo_peer **out,
			    int max)
{
	struct teredo_peertable *pt = &t->peers;
	struct teredo_peer *p, *tmp;
	LIST_HEAD(seen);
	int n = 0;

	spin_lock_bh(&pt->lock);
	list_for_each_entry_safe(p, tmp, &pt->parked, qnode) {
		if (n == max)
			break;
		if (!kref_get_unless_zero(&p->ref))
			continue;
		out[n++] = p;
		list_move_tail(&p->qnode, &seen);
	}
	list_splice_tail(&seen, &pt->parked);
	spin_unlock_bh(&pt->lock);
	return n;
}

/* @p's queue was sent: it leaves pt->parked, unless a packet came since. */
void teredo_peertable_unpark(struct teredo_dev *t, struct teredo_peer *p)
{
	struct teredo_peertable *pt = &t->peers;

	spin_lock_bh(&pt->lock);
	if (skb_queue_empty_lockless(&p->queue))
		list_del_init(&p->qnode);
	spin_unlock_bh(&pt->lock);
}

/*
 * The device's send budget (TEREDO_DEV_QUEUE_MAX) is spent and @p, a
 * peer with nothing queued, needs room for its first packet: drop the
 * oldest packet of the peer that has waited longest (pt->parked; a peer
 * with packets waiting has not answered, or they would have been sent).
 * The room passes to the caller: its charge stands (pt->queued is not
 * lowered, see teredo_peertable_tx_charge()).
 * Counted as drop_queue_full, as a packet refused for want of room is.
 */
bool teredo_peertable_shed(struct teredo_dev *t, struct teredo_peer *p)
{
	struct teredo_peertable *pt = &t->peers;
	struct teredo_peer *v, *tmp;
	struct sk_buff *skb = NULL;
	int n = 0;

	spin_lock_bh(&pt->lock);
	list_for_each_entry_safe(v, tmp, &pt->parked, qnode) {
		if (v == p)
			continue;
		skb = skb_dequeue(&v->queue);
		if (skb_queue_empty_lockless(&v->queue))
			list_del_init(&v->qnode);
		if (skb || ++n >= TEREDO_SHED_SCAN)
			break;
	}
	spin_unlock_bh(&pt->lock);
	if (!skb)
		return false;
	teredo_xmit_unreach(t, skb, TEREDO_STAT_DROP_QUEUE_FULL);
	return true;
}
