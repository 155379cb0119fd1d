// SPDX-License-Identifier: GPL-2.0
/*
 * Least exposure: a client device carries only what was authorized and
 * is silent when nothing authorized uses it.
 *
 *  - Authorized marks: a packet the stack hands the device for transmit
 *    passes only if (skb->mark & mask) == mark for one of the device's
 *    allowed marks (none by default: nothing passes).  Refused packets
 *    are dropped, counted (drop_unauthorized) and answered with an
 *    ICMPv6 "administratively prohibited", so the sender fails fast.
 *  - Dormant: this file decides *whether* the device should sleep
 *    (teredo_exposure_reason()); client.c does the sleeping and the
 *    waking.  Reasons, in order: policy "client" and a native IPv6
 *    route (TEREDO_DORMANT_NATIVE), policy "client" and an IPv4 address
 *    of the host inside an administrator's managed prefix
 *    (TEREDO_DORMANT_MANAGED), no authorized packet for dormant_timeout
 *    seconds and no hold (TEREDO_DORMANT_IDLE).
 *  - Dormant until used: a device that has had no authorized packet
 *    and no hold since it came up is idle as soon as it has qualified
 *    once (the address that later lets an authorized packet reach it
 *    and wake it): nothing more goes to the server until it is used.
 *    dormant_timeout 0 (never idle) turns this off too.
 *  - Inbound (inbound.c): what decapsulated traffic a client delivers.
 *  - While idle-dormant the device keeps its address deprecated with
 *    its routes (client.c), so an authorized packet still reaches us:
 *    it waits in exp.queue (bounded) while the client requalifies, and
 *    leaves if its source is still our address (else drop_stale_source).
 *  - Holds: a netlink socket that sent TEREDO_CMD_HOLD keeps the device
 *    awake until it sends TEREDO_CMD_RELEASE or closes
 *    (NETLINK_URELEASE).
 *
 * Lifetimes and locking: the settings (marks included) are read from
 * the RCU-published copy (teredo_cfg()).  Holds are on one global list under
 * teredo_holds_lock; a device's holds are removed at ndo_uninit, before
 * its work is cancelled, so a hold never outlives its device.
 * exp.work evaluates the reason and kicks the client work when the
 * client's state disagrees with it.  It runs when something the reason
 * depends on changes, never on a period (teredo_exposure_kick()): the
 * device comes up, its settings or a hold change, the client's state
 * changes (client.c), and netchange.c's notifiers report a device, an
 * IPv4 address or a route of either family changing in the device's
 * netns or its socket's.  The one thing that changes by itself, the
 * idle time, arms the work for the moment it runs out.
 */

#include <linux/icmpv6.h>
#include <linux/inetdevice.h>
#include <linux/ipv6.h>
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>

#include "client.h"
#include "device.h"
#include "exposure.h"
#include "inbound.h"
#include "netchange.h"
#include "send.h"
#include "stats.h"
#include "teredo.h"

struct teredo_hold {
	struct list_head node;
	struct teredo_dev *t;
	possible_net_t net;
	u32 portid;
};

static DEFINE_SPINLOCK(teredo_holds_lock);
static LIST_HEAD(teredo_holds);

static void teredo_exposure_work(struct work_struct *work);

void teredo_exposure_init(struct teredo_dev *t)
{
	skb_queue_head_init(&t->exp.queue);
	INIT_DELAYED_WORK(&t->exp.work, teredo_exposure_work);
	t->exp.last_auth = jiffies;
	teredo_inbound_init(t);
}

/* @cfg: the caller's (RCU, as every published configuration). */
bool teredo_mark_allowed(const struct teredo_config *cfg, u32 mark)
{
	int i;

	for (i = 0; i < cfg->n_marks && i < TEREDO_MAX_ALLOWED_MARKS; i++)
		if ((mark & cfg->marks[i].mask) == cfg->marks[i].mark)
			return true;
	return false;
}

/* Only a client hides; relays and servers serve whoever comes. */
static bool teredo_exposure_applies(const struct teredo_config *cfg)
{
	return cfg->mode == TEREDO_MODE_CLIENT;
}

static void teredo_exposure_refuse(struct teredo_dev *t, struct sk_buff *skb,
				   enum teredo_stat why)
{
	/* the local sender's socket learns at once (EACCES) */
	icmpv6_ndo_send(skb, ICMPV6_DEST_UNREACH, ICMPV6_ADM_PROHIBITED, 0);
	teredo_stat_inc(t, why);
	DEV_STATS_INC(t->dev, tx_dropped);
	kfree_skb(skb);
}

/* An authorized packet, either way: the device is in use now. */
void teredo_exposure_used(struct teredo_dev *t)
{
	unsigned long now = jiffies;

	/* (written once a tick, not once a packet from every CPU) */
	if (READ_ONCE(t->exp.last_auth) != now)
		WRITE_ONCE(t->exp.last_auth, now);
	if (!READ_ONCE(t->exp.used))
		WRITE_ONCE(t->exp.used, true);
}

/*
 * ndo_start_xmit, BH off, @cfg the packet's settings (RCU held).  Returns
 * true if @skb was consumed here (refused, or queued until the device
 * wakes up), false if it may go on.
 */
bool teredo_exposure_tx(struct teredo_dev *t, const struct teredo_config *cfg,
			struct sk_buff *skb)
{
	struct teredo_client *c = &t->client;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "teredo: transmit without RCU");
	if (!teredo_exposure_applies(cfg))
		return false;
	if (!teredo_mark_allowed(cfg, skb->mark)) {
		teredo_exposure_refuse(t, skb, TEREDO_STAT_DROP_UNAUTHORIZED);
		return true;
	}
	teredo_inbound_note_tx(t, skb);
	teredo_exposure_used(t);
	if (!READ_ONCE(c->parked) &&
	    READ_ONCE(c->state) != TEREDO_STATE_DORMANT)
		return false;
	if (!READ_ONCE(c->parked) &&
	    READ_ONCE(t->exp.reason) != TEREDO_DORMANT_IDLE) {
		/* kept dormant by policy: this packet cannot wake us */
		teredo_exposure_refuse(t, skb, TEREDO_STAT_DROP_DORMANT);
		return true;
	}
	skb_dst_drop(skb);
	skb_orphan(skb);
	spin_lock(&t->exp.queue.lock);
	if (skb_queue_len(&t->exp.queue) < TEREDO_WAKE_QUEUE_MAX) {
		__skb_queue_tail(&t->exp.queue, skb);
		skb = NULL;
	}
	spin_unlock(&t->exp.queue.lock);
	if (skb) {
		teredo_stat_inc(t, TEREDO_STAT_DROP_QUEUE_FULL);
		DEV_STATS_INC(t->dev, tx_dropped);
		kfree_skb(skb);
	}
	/* the client work wakes up: last_auth is fresh */
	teredo_client_kick(t);
	return true;
}

/* Process context: drop what waited for a wake that did not come. */
void teredo_exposure_flush(struct teredo_dev *t, enum teredo_stat why)
{
	struct sk_buff *skb;

	while ((skb = skb_dequeue(&t->exp.queue)))
		teredo_xmit_unreach(t, skb, why);
}

/*
 * Process context, the client is qualified again with @addr: what
 * waited goes out if @addr is still its source.
 */
void teredo_exposure_woken(struct teredo_dev *t, const struct in6_addr *addr)
{
	struct sk_buff_head q;
	struct sk_buff *skb;

	/* what is queued again meanwhile waits for the next wake */
	__skb_queue_head_init(&q);
	spin_lock_bh(&t->exp.queue.lock);
	skb_queue_splice_init(&t->exp.queue, &q);
	spin_unlock_bh(&t->exp.queue.lock);
	while ((skb = __skb_dequeue(&q))) {
		if (!ipv6_addr_equal(&ipv6_hdr(skb)->saddr, addr)) {
			teredo_stat_inc(t, TEREDO_STAT_DROP_STALE_SOURCE);
			DEV_STATS_INC(t->dev, tx_dropped);
			kfree_skb(skb);
			continue;
		}
		/*
		 * Through the stack, as any packet given to the device: its
		 * egress hooks, taps and qdisc see it leave now, and
		 * dev_queue_xmit() accounts the recursion and takes the locks
		 * ndo_start_xmit expects.
		 */
		skb->dev = t->dev;
		dev_queue_xmit(skb);
	}
}

/* A route to the IPv6 Internet that is not through a teredo device. */
static bool teredo_native_route(struct teredo_dev *t)
{
	struct flowi6 fl6 = {
		/* 2000::1: global unicast, outside 2001::/32 */
		.daddr = { .s6_addr = { 0x20, [15] = 1 } },
	};
	struct dst_entry *dst;
	bool native;

	dst = ip6_route_output(dev_net(t->dev), NULL, &fl6);
	native = !dst->error && dst->dev && !netif_is_teredo(dst->dev) &&
		 !(dst->dev->flags & IFF_LOOPBACK);
	dst_release(dst);
	return native;
}

/*
 * An IPv4 address of the host (the socket's netns) in a managed prefix.
 * Under rcu_read_lock().
 */
static bool teredo_in_managed(struct teredo_dev *t,
			      const struct teredo_config *cfg)
{
	u8 n = cfg->n_managed;
	struct net_device *dev;
	struct in_device *idev;
	struct in_ifaddr *ifa;
	bool hit = false;
	int i;

	if (!n)
		return false;
	for_each_netdev_rcu(t->net, dev) {
		idev = __in_dev_get_rcu(dev);
		if (!idev)
			continue;
		in_dev_for_each_ifa_rcu(ifa, idev) {
			for (i = 0; i < n && i < TEREDO_MAX_MANAGED; i++) {
				__be32 mask = inet_make_mask(cfg->managed[i].len);

				if (!((ifa->ifa_local ^ cfg->managed[i].addr) &
				      mask))
					hit = true;
			}
		}
		if (hit)
			break;
	}
	return hit;
}

/*
 * Qualified once since it came up: it has an address, or keeps it
 * parked (dormant by policy, it has none, and must get one first).
 */
static bool teredo_exposure_has_address(struct teredo_dev *t)
{
	u8 state = READ_ONCE(t->client.state);

	return state == TEREDO_STATE_QUALIFIED ||
	       (state == TEREDO_STATE_DORMANT && READ_ONCE(t->client.parked));
}

/* Process context: why should the device sleep now (0: it should not)? */
u8 teredo_exposure_reason(struct teredo_dev *t)
{
	const struct teredo_config *cfg;
	u8 why = TEREDO_DORMANT_NONE;
	bool applies, policy;
	u32 timeout;

	rcu_read_lock();
	cfg = teredo_cfg(t);
	applies = teredo_exposure_applies(cfg);
	policy = cfg->policy == TEREDO_POLICY_CLIENT;
	timeout = cfg->dormant_timeout;
	if (applies && policy && teredo_in_managed(t, cfg))
		why = TEREDO_DORMANT_MANAGED;
	rcu_read_unlock();
	if (!applies)
		goto out;
	if (policy && teredo_native_route(t))
		why = TEREDO_DORMANT_NATIVE;
	if (!why && timeout && !READ_ONCE(t->exp.holds) &&
	    (time_after(jiffies, READ_ONCE(t->exp.last_auth) +
			(unsigned long)timeout * HZ) ||
	     (!READ_ONCE(t->exp.used) && teredo_exposure_has_address(t))))
		why = TEREDO_DORMANT_IDLE;
out:
	WRITE_ONCE(t->exp.reason, why);
	return why;
}

/*
 * Jiffies until the device would fall idle if nothing authorized came,
 * for the work to look again then; 0 when waiting would change nothing
 * (a client asleep already, or kept awake by a hold or by
 * dormant_timeout 0, or a reason that only an event lifts).
 */
static unsigned long teredo_exposure_idle_in(struct teredo_dev *t, u8 why)
{
	const struct teredo_config *cfg;
	unsigned long end;
	u32 timeout;

	if (why || READ_ONCE(t->exp.holds))
		return 0;
	rcu_read_lock();
	cfg = teredo_cfg(t);
	timeout = teredo_exposure_applies(cfg) ? cfg->dormant_timeout : 0;
	rcu_read_unlock();
	if (!timeout)
		return 0;
	end = READ_ONCE(t->exp.last_auth) + (unsigned long)timeout * HZ;
	/* one tick past it: the reason's test is time_after() */
	return time_after(end, jiffies) ? end - jiffies + 1 : 1;
}

static void teredo_exposure_work(struct work_struct *work)
{
	struct teredo_exposure *exp = container_of(to_delayed_work(work),
						   struct teredo_exposure,
						   work);
	struct teredo_dev *t = container_of(exp, struct teredo_dev, exp);
	unsigned long delay;
	bool dormant;
	u8 why;

	if (!netif_running(t->dev))
		return;
	why = teredo_exposure_reason(t);
	dormant = READ_ONCE(t->client.state) == TEREDO_STATE_DORMANT;
	if (teredo_cfg_server(t) && dormant != !!why)
		teredo_client_kick(t);
	delay = teredo_exposure_idle_in(t, why);
	if (delay)
		queue_delayed_work(system_power_efficient_wq, &exp->work,
				   delay);
}

/*
 * Something the reason depends on may have changed: evaluate it again,
 * now, if the device is up (exposure_stop() cancels the work, under the
 * RTNL that the device's state changes under; a kick without RTNL that
 * races with it is harmless: the work returns on a device that is down).
 */
void teredo_exposure_kick(struct teredo_dev *t)
{
	if (netif_running(t->dev))
		mod_delayed_work(system_power_efficient_wq, &t->exp.work, 0);
}

/* Under RTNL, device up: the idle time counts from now. */
void teredo_exposure_start(struct teredo_dev *t)
{
	ASSERT_RTNL();
	WRITE_ONCE(t->exp.last_auth, jiffies);
	WRITE_ONCE(t->exp.used, false);
	WRITE_ONCE(t->exp.reason, TEREDO_DORMANT_NONE);
	teredo_netchange_device(dev_net(t->dev), 1);
	mod_delayed_work(system_power_efficient_wq, &t->exp.work, 0);
}

/* Under RTNL, device going down. */
void teredo_exposure_stop(struct teredo_dev *t)
{
	ASSERT_RTNL();
	teredo_netchange_device(dev_net(t->dev), -1);
	cancel_delayed_work_sync(&t->exp.work);
	skb_queue_purge(&t->exp.queue);
	WRITE_ONCE(t->exp.reason, TEREDO_DORMANT_NONE);
}

static void teredo_hold_free(struct teredo_hold *h)
{
	struct teredo_dev *t = h->t;

	list_del(&h->node);
	WRITE_ONCE(t->exp.holds, t->exp.holds - 1);
	kfree(h);
	/* the idle time may have run out under the hold */
	teredo_exposure_kick(t);
}

/* ndo_uninit: the device's holds go with it. */
void teredo_exposure_uninit(struct teredo_dev *t)
{
	struct teredo_hold *h, *tmp;

	spin_lock_bh(&teredo_holds_lock);
	list_for_each_entry_safe(h, tmp, &teredo_holds, node)
		if (h->t == t)
			teredo_hold_free(h);
	spin_unlock_bh(&teredo_holds_lock);
	cancel_delayed_work_sync(&t->exp.work);
	skb_queue_purge(&t->exp.queue);
}

/* Under RTNL.  One hold per socket and device; taking it twice is fine. */
int teredo_hold(struct net_device *dev, struct net *net, u32 portid)
{
	struct teredo_dev *t = teredo_priv(dev);
	struct teredo_hold *h, *new;

	ASSERT_RTNL();
	new = kzalloc(sizeof(*new), GFP_KERNEL);
	if (!new)
		return -ENOMEM;
	new->t = t;
	write_pnet(&new->net, net);
	new->portid = portid;
	spin_lock_bh(&teredo_holds_lock);
	list_for_each_entry(h, &teredo_holds, node) {
		if (h->t == t && h->portid == portid &&
		    net_eq(read_pnet(&h->net), net)) {
			spin_unlock_bh(&teredo_holds_lock);
			kfree(new);
			return 0;
		}
	}
	list_add(&new->node, &teredo_holds);
	WRITE_ONCE(t->exp.holds, t->exp.holds + 1);
	WRITE_ONCE(t->exp.last_auth, jiffies);
	WRITE_ONCE(t->exp.used, true);
	teredo_exposure_kick(t);
	spin_unlock_bh(&teredo_holds_lock);
	return 0;
}

/* Under RTNL.  -ENOENT if that socket holds nothing on @dev. */
int teredo_release(struct net_device *dev, struct net *net, u32 portid)
{
	struct teredo_dev *t = teredo_priv(dev);
	struct teredo_hold *h;
	int err = -ENOENT;

	ASSERT_RTNL();
	spin_lock_bh(&teredo_holds_lock);
	list_for_each_entry(h, &teredo_holds, node) {
		if (h->t == t && h->portid == portid &&
		    net_eq(read_pnet(&h->net), net)) {
			/* the idle time counts from the release */
			WRITE_ONCE(t->exp.last_auth, jiffies);
			teredo_hold_free(h);
			err = 0;
			break;
		}
	}
	spin_unlock_bh(&teredo_holds_lock);
	return err;
}

/* A netlink socket closed: the holds it took end. */
static int teredo_netlink_event(struct notifier_block *nb,
				unsigned long event, void *ptr)
{
	struct netlink_notify *n = ptr;
	struct teredo_hold *h, *tmp;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC)
		return NOTIFY_DONE;
	spin_lock_bh(&teredo_holds_lock);
	list_for_each_entry_safe(h, tmp, &teredo_holds, node) {
		if (h->portid == n->portid && net_eq(read_pnet(&h->net), n->net)) {
			WRITE_ONCE(h->t->exp.last_auth, jiffies);
			teredo_hold_free(h);
		}
	}
	spin_unlock_bh(&teredo_holds_lock);
	return NOTIFY_DONE;
}

static struct notifier_block teredo_netlink_notifier = {
	.notifier_call = teredo_netlink_event,
};

int teredo_exposure_module_init(void)
{
	return netlink_register_notifier(&teredo_netlink_notifier);
}

void teredo_exposure_module_exit(void)
{
	netlink_unregister_notifier(&teredo_netlink_notifier);
}
