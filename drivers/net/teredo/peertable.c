// SPDX-License-Identifier: GPL-2.0
/*
 * The peer table of a device: a hash table keyed by the peer's IPv6
 * address with a per-device random siphash key, looked up under RCU,
 * changed under pt->lock.  pt->list keeps peers in creation order for
 * garbage collection; pt->ids indexes them by id (allocated cyclically,
 * so in creation order until it wraps) for walks that resume at a
 * cursor in O(log n).
 */

#include <linux/random.h>

#include "device.h"

void teredo_peertable_init(struct teredo_peertable *pt)
{
	spin_lock_init(&pt->lock);
	hash_init(pt->buckets);
	INIT_LIST_HEAD(&pt->list);
	xa_init_flags(&pt->ids, XA_FLAGS_ALLOC);
	get_random_bytes(&pt->key, sizeof(pt->key));
	atomic_set(&pt->queued, 0);
	spin_lock_init(&pt->answers.lock);
	pt->answers.second = jiffies;
}

static u32 teredo_peer_hash(const struct teredo_peertable *pt,
			    const struct in6_addr *addr);

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

	s = &a->slot[teredo_peer_hash(&t->peers, src) % TEREDO_ANSWER_SLOTS];
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

static u32 teredo_peer_hash(const struct teredo_peertable *pt,
			    const struct in6_addr *addr)
{
	return (u32)siphash(addr, sizeof(*addr), &pt->key);
}

static struct teredo_peer *__teredo_peer_find(struct teredo_peertable *pt,
					      const struct in6_addr *addr,
					      u32 hash)
{
	struct teredo_peer *p;

	hash_for_each_possible_rcu(pt->buckets, p, hnode, hash)
		if (ipv6_addr_equal(&p->addr, addr))
			return p;
	return NULL;
}

/* Returns a referenced peer or NULL. */
struct teredo_peer *teredo_peer_lookup(struct teredo_dev *t,
				       const struct in6_addr *addr)
{
	struct teredo_peertable *pt = &t->peers;
	struct teredo_peer *p;

	rcu_read_lock_bh();
	p = __teredo_peer_find(pt, addr, teredo_peer_hash(pt, addr));
	if (p && !kref_get_unless_zero(&p->ref))
		p = NULL;
	rcu_read_unlock_bh();
	return p;
}

/* Finds or creates; returns a referenced peer, NULL if full or no memory. */
struct teredo_peer *teredo_peer_create(struct teredo_dev *t,
				       const struct in6_addr *addr,
				       bool *full)
{
	struct teredo_peertable *pt = &t->peers;
	u32 hash = teredo_peer_hash(pt, addr);
	struct teredo_peer *p, *n;
	u32 id;

	*full = false;
	p = teredo_peer_lookup(t, addr);
	if (p)
		return p;
	/* a full table costs no allocation; checked again under the lock */
	if (READ_ONCE(pt->count) >= teredo_max_peers(t)) {
		*full = true;
		return NULL;
	}
	n = teredo_peer_alloc(t, addr);
	if (!n)
		return NULL;
	spin_lock_bh(&pt->lock);
	p = __teredo_peer_find(pt, addr, hash);
	if (p) {
		if (!kref_get_unless_zero(&p->ref))
			p = NULL;
		spin_unlock_bh(&pt->lock);
		kfree(n);
		return p;
	}
	if (pt->count >= teredo_max_peers(t)) {
		spin_unlock_bh(&pt->lock);
		kfree(n);
		*full = true;
		return NULL;
	}
	if (xa_alloc_cyclic(&pt->ids, &id, n, xa_limit_31b, &pt->next_id,
			    GFP_ATOMIC) < 0) {
		spin_unlock_bh(&pt->lock);
		kfree(n);
		return NULL;
	}
	n->id = id;
	kref_get(&n->ref);		/* the caller's */
	hash_add_rcu(pt->buckets, &n->hnode, hash);
	list_add_tail(&n->lnode, &pt->list);
	WRITE_ONCE(pt->count, pt->count + 1);
	pt->generation++;
	spin_unlock_bh(&pt->lock);
	return n;
}

/* pt->lock held. */
static void teredo_peer_unlink(struct teredo_peertable *pt,
			       struct teredo_peer *p)
{
	hash_del_rcu(&p->hnode);
	xa_erase(&pt->ids, p->id);
	list_del(&p->lnode);
	WRITE_ONCE(pt->count, pt->count - 1);
	pt->generation++;
}

static void teredo_peer_expired(struct teredo_dev *t, struct teredo_peer *p)
{
	struct teredo_peer_info info;

	teredo_peer_info(p, &info);
	teredo_nl_notify_peer(t->dev, &info, TEREDO_EVENT_PEER_EXPIRED);
}

int teredo_peer_del(struct net_device *dev, const struct in6_addr *addr)
{
	struct teredo_dev *t = teredo_priv(dev);
	struct teredo_peertable *pt = &t->peers;
	struct teredo_peer *p;

	spin_lock_bh(&pt->lock);
	p = __teredo_peer_find(pt, addr, teredo_peer_hash(pt, addr));
	if (!p) {
		spin_unlock_bh(&pt->lock);
		return -ENOENT;
	}
	teredo_peer_unlink(pt, p);
	spin_unlock_bh(&pt->lock);
	teredo_peer_expired(t, p);
	teredo_peer_kill(p);
	return 0;
}

void teredo_peertable_flush(struct teredo_dev *t)
{
	struct teredo_peertable *pt = &t->peers;
	struct teredo_peer *p, *tmp;
	LIST_HEAD(dead);

	spin_lock_bh(&pt->lock);
	list_for_each_entry_safe(p, tmp, &pt->list, lnode) {
		teredo_peer_unlink(pt, p);
		list_add(&p->lnode, &dead);
	}
	spin_unlock_bh(&pt->lock);
	list_for_each_entry_safe(p, tmp, &dead, lnode)
		teredo_peer_kill(p);
}

void teredo_peer_flush(struct net_device *dev)
{
	teredo_peertable_flush(teredo_priv(dev));
}

static bool teredo_peer_idle(struct teredo_peer *p, unsigned long now)
{
	unsigned long last;

	spin_lock_bh(&p->lock);
	last = p->created;
	if (time_after(p->last_rx, last))
		last = p->last_rx;
	if (time_after(p->last_tx, last))
		last = p->last_tx;
	spin_unlock_bh(&p->lock);
	return time_after(now, last + TEREDO_PEER_IDLE);
}

/* Process context: drops peers idle for TEREDO_PEER_IDLE. */
void teredo_peertable_gc(struct teredo_dev *t)
{
	struct teredo_peertable *pt = &t->peers;
	unsigned long now = jiffies;
	struct teredo_peer *p, *tmp;
	LIST_HEAD(dead);

	spin_lock_bh(&pt->lock);
	list_for_each_entry_safe(p, tmp, &pt->list, lnode) {
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
