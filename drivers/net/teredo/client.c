// SPDX-License-Identifier: GPL-2.0
/*
 * The Teredo client: qualification (RFC 4380 section 5.2.1), refresh
 * (section 5.2.5, randomised per RFC 6081) and the resulting address.
 *
 * One delayed work item runs the state machine in process context:
 *
 *   OFFLINE --start--> QUALIFYING: RS every 4 s, 3 tries to the candidate
 *   server in use (cfg.servers[c->cand]); unanswered, the next candidate
 *   takes over at once (a "failover", announced by a server-lost event);
 *   once every candidate failed, back off (8, 16, ... 60 s) and start
 *   over at the first, alternating primary and secondary server
 *   addresses each time round, forever.
 *   A valid RA (checked in softirq by teredo_client_ra(), handed over
 *   in c->ra_*) of a new qualification -> NAT detection (below) -> if
 *   the NAT lets peers reach us, QUALIFIED: address installed
 *   (addr.c); refresh RS at
 *   50-90 % of cfg.refresh after the last RA (teredo_refresh_delay());
 *   3 unanswered refresh RS -> address withdrawn, next candidate,
 *   QUALIFYING again.  A new address becomes QUALIFIED only once
 *   the stack's DAD has finished.  DAD runs in a stack work item that
 *   needs RTNL, so our work must not wait for it: it ends by inserting
 *   the address's local route, whose FIB event (netchange.c) kicks the
 *   work (teredo_client_route6()); the round is given up after
 *   TEREDO_DAD_TIMEOUT.  Likewise the first run waits for the stack to
 *   make the device ready for addresses (IF_READY, set by its
 *   NETDEV_UP or NETDEV_CHANGE): addr.c's notifier, called after the
 *   stack's, kicks it (teredo_client_stack_ready()).  Without the
 *   events the work looks again every TEREDO_STACK_RETRY (backing off
 *   to TEREDO_STACK_RETRY_MAX while the device is not ready): nothing
 *   polls on the usual path.
 *
 * NAT detection (RFC 4380 section 5.2.1, RFC 6081): the first RA of a
 * qualification names the mapping the server address we asked saw
 * (c->nat_mapped); one RS from the same socket then goes to the
 * server's other address (primary + 1, or cfg.server2) and its RA
 * names the mapping that one saw (c->nat_mapped2).  The same mapping:
 * "restricted" (or "none" if it is our own address and port; we do
 * no cone test, RFC 5991 having retired the cone bit); another port
 * or address: the NAT maps each destination on its own, and a peer
 * (or a relay) would never reach the mapping the server gave us.
 * Then the address is not installed, c->why says so, the kernel log
 * once per new result, qualify_symmetric_nat counts it, and the next
 * round starts a refresh interval later.  An unanswered probe
 * (TEREDO_RS_TIMEOUT) leaves the NAT "unknown" and qualifies.  The
 * first RA stays in c->ra_* meanwhile: the address, and the refresh
 * timing, are that RA's (the probe renews a mapping of its own, not
 * the one we refresh).
 *
 * A network change (netchange.c's notifiers: a device down or up, an
 * IPv4 address added or removed, an IPv4 route changed) is noted by
 * teredo_client_netchange() under RTNL, which queues c->nc_work; the
 * events of one burst thus end in one run of it, TEREDO_NETCHANGE_DELAY
 * after the first, which sets c->netchange and kicks the work.  The
 * work qualifies again at once (teredo_client_requalify(): the address
 * withdrawn, an RS now) if an event was on the device the last RS left
 * by (or cfg.link), if the route to the server is no longer that RS's
 * (device, source, next hop), or if the system slept since its last
 * run (CLOCK_BOOTTIME ran ahead of CLOCK_MONOTONIC).
 *
 * Dormant (exposure.c decides when, and why): no RS, no refresh, no
 * bubbles; if merely idle, the address stays on the stack deprecated
 * (c->parked) with its routes, so that an authorized packet reaches
 * the device and wakes it: QUALIFYING again, and if the new RA gives
 * the same mapping the parked address is kept and the packets queued
 * meanwhile leave.  Kept dormant by policy, nothing stays.
 *
 * c->lock (BH spinlock) protects the client fields; the work is the only
 * writer of the address, and stop/start happen under RTNL.  c->running
 * (under c->lock) is the client between teredo_client_start() and
 * teredo_client_stop(): whatever queues the work from outside it (the
 * exposure paths, an RA, the interval determination, a new setting)
 * goes through teredo_client_kick(), which queues it only then, and the
 * determination starts only then, so that once teredo_client_stop() has
 * cancelled the work nothing runs until the next start.
 */

#include <linux/ktime.h>
#include <linux/random.h>

#include "addr.h"
#include "client.h"
#include "device.h"
#include "discovery.h"
#include "exposure.h"
#include "names.h"
#include "netchange.h"
#include "peertable.h"
#include "refresh.h"
#include "socket.h"
#include "stats.h"
#include "teredo.h"

/* RFC 4380 5.2.1: the RS comes from fe80::ffff:ffff:ffff (cone bit 0). */
static const u8 teredo_rs_src[16] = {
	0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
};

/* c->nat_phase */
enum {
	TEREDO_NAT_PHASE_IDLE,		/* no probe out */
	TEREDO_NAT_PHASE_PROBE,		/* RS to the server's other address */
};

/*
 * A port-symmetric NAT giving ports in sequence (RFC 6081 section 7):
 * the second mapping's port at most this far past the first's.
 */
#define TEREDO_NAT_SEQ_MAX	8

/* The state's reason (TEREDO_A_STATE_REASON) behind each NAT refused. */
static const char * const teredo_nat_why[__TEREDO_NAT_MAX] = {
	[TEREDO_NAT_PORT_PRESERVING]	=
		"port-preserving NAT: peers cannot reach us",
	[TEREDO_NAT_SEQUENTIAL]		=
		"sequential port-symmetric NAT: peers cannot reach us",
	[TEREDO_NAT_SYMMETRIC]		= "symmetric NAT: peers cannot reach us",
};

/* Can a client behind @nat qualify (without RFC 6081's extensions)? */
static bool teredo_nat_usable(u8 nat)
{
	return nat <= TEREDO_NAT_RESTRICTED;
}

static void teredo_client_work(struct work_struct *work);
static void teredo_client_nc_work(struct work_struct *work);

void teredo_client_init(struct teredo_dev *t)
{
	struct teredo_client *c = &t->client;

	spin_lock_init(&c->lock);
	c->state = TEREDO_STATE_OFFLINE;
	INIT_DELAYED_WORK(&c->work, teredo_client_work);
	INIT_DELAYED_WORK(&c->nc_work, teredo_client_nc_work);
	teredo_rdet_init(t);
}

/*
 * The work runs now if the client runs and, given @waiting (a field of
 * c, read under c->lock), only if that says it waits for the event.
 */
static void __teredo_client_kick(struct teredo_client *c, const bool *waiting)
{
	spin_lock_bh(&c->lock);
	if (c->running && (!waiting || *waiting))
		mod_delayed_work(system_power_efficient_wq, &c->work, 0);
	spin_unlock_bh(&c->lock);
}

/* Any context: the work runs now, if the client runs. */
void teredo_client_kick(struct teredo_dev *t)
{
	__teredo_client_kick(&t->client, NULL);
}

/*
 * RTNL (addr.c's netdevice notifier, after the stack's): the device may
 * have become ready for addresses.  Kicks the work only if it waits for
 * that: any other run would send an RS before its time.
 */
void teredo_client_stack_ready(struct teredo_dev *t)
{
	ASSERT_RTNL();
	__teredo_client_kick(&t->client, &t->client.ready_wait);
}

/*
 * RTNL (netchange.c): an IPv6 route of the device's netns came or went.
 * The stack inserts an address's local route when its DAD is over, so
 * a client waiting for DAD looks now.
 */
void teredo_client_route6(struct teredo_dev *t)
{
	ASSERT_RTNL();
	__teredo_client_kick(&t->client, &t->client.dad_wait);
}

/*
 * Under RTNL (netchange.c's notifiers): something changed in @net, on
 * device @ifindex (0: a route).  Only noted here; the first event of a
 * burst queues nc_work, and the work looks once the burst is over.
 */
void teredo_client_netchange(struct teredo_dev *t, struct net *net,
			     int ifindex)
{
	struct teredo_client *c = &t->client;
	const struct teredo_config *cfg;
	int link;

	ASSERT_RTNL();
	if (!net_eq(net, t->net))
		return;
	cfg = teredo_cfg(t);
	if (cfg->mode != TEREDO_MODE_CLIENT)
		return;
	link = cfg->link;
	spin_lock_bh(&c->lock);
	if (c->running) {
		if (ifindex && (ifindex == c->path.ifindex || ifindex == link))
			c->nc_on_path = true;
		queue_delayed_work(system_power_efficient_wq, &c->nc_work,
				   TEREDO_NETCHANGE_DELAY);
	}
	spin_unlock_bh(&c->lock);
}

/* The burst of events is over: the work looks at the network now. */
static void teredo_client_nc_work(struct work_struct *work)
{
	struct teredo_client *c = container_of(to_delayed_work(work),
					       struct teredo_client, nc_work);

	spin_lock_bh(&c->lock);
	c->netchange = true;
	/* under c->lock: teredo_client_stop() has not cancelled it yet */
	if (c->running)
		mod_delayed_work(system_power_efficient_wq, &c->work, 0);
	spin_unlock_bh(&c->lock);
}

/*
 * The secondary address of candidate @i (RFC 4380 names a server by its
 * primary address and it answers from primary + 1 too): cfg.server2 for
 * the first candidate if set, primary + 1 otherwise.
 */
static __be32 teredo_cfg_secondary(const struct teredo_config *cfg,
				   unsigned int i)
{
	__be32 s = i ? cfg->servers[i] : cfg->server;

	return !i && cfg->server2 ? cfg->server2 : htonl(ntohl(s) + 1);
}

/* The secondary server address: cfg.server2, default server + 1. */
__be32 teredo_server2(const struct teredo_dev *t)
{
	__be32 s2;

	rcu_read_lock();
	s2 = teredo_cfg_secondary(teredo_cfg(t), 0);
	rcu_read_unlock();
	return s2;
}

/* Any context: the candidate server in use (its primary address). */
__be32 teredo_client_server(const struct teredo_dev *t)
{
	return READ_ONCE(t->client.active);
}

/* Any context: its primary and secondary addresses. */
void teredo_client_servers(const struct teredo_dev *t, __be32 *server,
			   __be32 *server2)
{
	*server = READ_ONCE(t->client.active);
	*server2 = READ_ONCE(t->client.active2);
}

/*
 * Candidate @i of cfg.servers becomes the one in use, with its
 * secondary address (teredo_cfg_secondary()).  An @i past the list
 * (which may have shrunk) means the first.  Returns true if it did.
 */
static bool teredo_client_pick(struct teredo_dev *t, unsigned int i)
{
	struct teredo_client *c = &t->client;
	const struct teredo_config *cfg;
	__be32 s, s2;
	bool wrapped;

	lockdep_assert_held(&c->lock);
	rcu_read_lock();
	cfg = teredo_cfg(t);
	wrapped = i >= cfg->n_servers;
	if (wrapped)
		i = 0;
	s = cfg->n_servers ? cfg->servers[i] : 0;
	s2 = teredo_cfg_secondary(cfg, i);
	rcu_read_unlock();
	c->cand = i;
	WRITE_ONCE(c->active, s);
	WRITE_ONCE(c->active2, s ? s2 : 0);
	return wrapped;
}

/*
 * A round of RS went unanswered by the candidate in use: the next one
 * takes over, at once (a dead server costs one round, 12 s).  Returns
 * true if the list wrapped around: every candidate failed, back off.
 */
static bool teredo_client_failover(struct teredo_dev *t)
{
	struct teredo_client *c = &t->client;
	__be32 lost, next;
	bool wrapped;

	spin_lock_bh(&c->lock);
	lost = c->active;
	wrapped = teredo_client_pick(t, c->cand + 1);
	next = c->active;
	spin_unlock_bh(&c->lock);
	if (next != lost) {
		teredo_stat_inc(t, TEREDO_STAT_SERVER_FAILOVERS);
		netdev_info(t->dev, "server %pI4 not answering, trying %pI4\n",
			    &lost, &next);
	}
	teredo_nl_notify_server_lost(t->dev, lost, next);
	return wrapped;
}

bool teredo_client_address(struct teredo_dev *t, struct in6_addr *addr,
			   __be32 *server)
{
	const struct teredo_client_id *id;

	rcu_read_lock();
	id = rcu_dereference(t->client.id);
	if (likely(id)) {
		*addr = id->address;
		*server = id->server;
	}
	rcu_read_unlock();
	if (unlikely(!id)) {
		memset(addr, 0, sizeof(*addr));
		*server = 0;
	}
	return id;
}

/*
 * Our source address towards the server and our UDP port, as the last
 * qualification found them (RFC 6081's local address, for the
 * Alternate Address trailer): false if not known.
 */
bool teredo_client_local(struct teredo_dev *t, __be32 *addr, u16 *port)
{
	struct teredo_client *c = &t->client;

	spin_lock_bh(&c->lock);
	*addr = c->local_addr;
	*port = c->local_port;
	spin_unlock_bh(&c->lock);
	return *addr && *port;
}

/*
 * c->lock held: the client has a usable address, c->address naming
 * c->server, published as @id (filled here), or none (@id NULL).  Returns
 * the snapshot it replaces, for the caller to free once unlocked
 * (teredo_client_id_free()).
 */
static struct teredo_client_id *
teredo_client_publish(struct teredo_client *c, struct teredo_client_id *id)
{
	lockdep_assert_held(&c->lock);
	if (id) {
		id->address = c->address;
		id->server = c->server;
	}
	return rcu_replace_pointer(c->id, id, lockdep_is_held(&c->lock));
}

static void teredo_client_id_free(struct teredo_client_id *id)
{
	if (id)
		kfree_rcu(id, rcu);
}

static void teredo_client_set_state(struct teredo_dev *t, u8 state)
{
	struct teredo_client *c = &t->client;
	bool changed;

	spin_lock_bh(&c->lock);
	changed = c->state != state;
	WRITE_ONCE(c->state, state);
	spin_unlock_bh(&c->lock);
	if (changed) {
		teredo_nl_notify_state(t->dev);
		/* qualified and never used: idle at once (exposure.c) */
		teredo_exposure_kick(t);
	}
}

/* Drops the address (and routes), if any. */
static void teredo_client_unqualify(struct teredo_dev *t, bool withdraw)
{
	struct teredo_client *c = &t->client;
	struct teredo_client_id *id;
	struct in6_addr old;
	u8 router[16];
	bool had;

	spin_lock_bh(&c->lock);
	had = teredo_client_has_address(c) || c->dad_wait || c->parked;
	old = c->address;
	memcpy(router, c->router, 16);
	id = teredo_client_publish(c, NULL);
	c->parked = false;
	c->dad_wait = false;
	c->dad_new = false;
	c->mapped_addr = 0;
	c->mapped_port = 0;
	spin_unlock_bh(&c->lock);
	teredo_client_id_free(id);
	teredo_exposure_flush(t, TEREDO_STAT_DROP_NOT_QUALIFIED);
	if (!had)
		return;
	if (withdraw)
		teredo_addr_withdraw(t, router, &old);
	teredo_peertable_flush(t);
	teredo_nl_notify_address(t->dev);
}

static void teredo_client_send_rs(struct teredo_dev *t, __be32 server,
				  const u8 nonce[TEREDO_NONCE_LEN])
{
	u8 buf[TEREDO_AUTH_MIN_LEN + TEREDO_IPV6_HLEN + 16];
	size_t a, r;

	a = teredo_build_auth(buf, sizeof(buf), nonce);
	r = a ? teredo_build_rs(buf + a, sizeof(buf) - a, teredo_rs_src) : 0;
	if (!r)
		return;
	if (!teredo_udp_send_buf(t, buf, a + r, server, TEREDO_PORT))
		teredo_stat_inc(t, TEREDO_STAT_TX_RS);
}

/* c->lock held: no probe out (a new round, a stop, a doze). */
static void teredo_client_nat_reset(struct teredo_client *c)
{
	lockdep_assert_held(&c->lock);
	c->nat_phase = TEREDO_NAT_PHASE_IDLE;
	c->nat_answered = false;
}

/* c->lock held: what the two mappings and our own address say. */
static u8 teredo_nat_classify(const struct teredo_client *c)
{
	bool own = c->nat_mapped_addr == c->local_addr &&
		   c->nat_mapped_port == c->local_port;
	u16 delta;

	lockdep_assert_held(&c->lock);
	if (!c->nat_answered)
		return own ? TEREDO_NAT_NONE : TEREDO_NAT_UNKNOWN;
	if (c->nat_mapped2_addr != c->nat_mapped_addr)
		return TEREDO_NAT_SYMMETRIC;
	if (c->nat_mapped2_port == c->nat_mapped_port)
		return own ? TEREDO_NAT_NONE : TEREDO_NAT_RESTRICTED;
	if (c->nat_mapped_port == c->local_port)
		return TEREDO_NAT_PORT_PRESERVING;
	delta = c->nat_mapped2_port - c->nat_mapped_port;
	if (delta && delta <= TEREDO_NAT_SEQ_MAX)
		return TEREDO_NAT_SEQUENTIAL;
	return TEREDO_NAT_SYMMETRIC;
}

/*
 * The RA in c->ra_* came: may we qualify with it?  A refresh (an address
 * held or on its way) may at once.  A new qualification first sends the
 * probe (the RS to the server's other address) and returns 1, the work
 * queued for its timeout; called again once its RA came (or not), it
 * compares the mappings (teredo_nat_classify()).  Returns 0 to qualify,
 * 1 while the probe is out, -EPROTONOSUPPORT if the NAT keeps peers out
 * (the RA dropped, the next round a refresh interval later).
 */
static int teredo_client_nat(struct teredo_dev *t)
{
	struct teredo_client *c = &t->client;
	__be32 to, m1, m2, local;
	u8 nonce[TEREDO_NONCE_LEN];
	unsigned long retry;
	u16 p1, p2, lport;
	u8 phase, nat, was;

	spin_lock_bh(&c->lock);
	phase = c->nat_phase;
	if (teredo_client_has_address(c) || c->dad_wait || c->parked) {
		spin_unlock_bh(&c->lock);
		return 0;
	}
	spin_unlock_bh(&c->lock);

	if (phase == TEREDO_NAT_PHASE_IDLE) {
		lport = teredo_udp_local_port(t);
		get_random_bytes(nonce, sizeof(nonce));
		spin_lock_bh(&c->lock);
		/* the source of the RS just answered */
		c->local_addr = c->path.saddr;
		c->local_port = lport;
		c->nat_mapped_addr = c->ra_mapped_addr;
		c->nat_mapped_port = c->ra_mapped_port;
		c->nat_mapped2_addr = 0;
		c->nat_mapped2_port = 0;
		c->nat_answered = false;
		c->nat_phase = TEREDO_NAT_PHASE_PROBE;
		c->nat_sent = jiffies;
		/* the address that did not answer that RS */
		to = c->use_secondary ? c->active : c->active2;
		c->nat_to = to;
		memcpy(c->nonce, nonce, sizeof(nonce));
		c->rs_outstanding = true;
		spin_unlock_bh(&c->lock);
		teredo_client_send_rs(t, to, nonce);
		queue_delayed_work(system_power_efficient_wq, &c->work,
				   TEREDO_RS_TIMEOUT);
		return 1;
	}

	retry = teredo_cfg_refresh(t) * HZ;
	spin_lock_bh(&c->lock);
	if (!c->nat_answered) {
		if (time_before(jiffies, c->nat_sent + TEREDO_RS_TIMEOUT)) {
			/* woken early: wait out the probe */
			unsigned long left = c->nat_sent + TEREDO_RS_TIMEOUT -
					     jiffies;

			spin_unlock_bh(&c->lock);
			queue_delayed_work(system_power_efficient_wq, &c->work,
					   left);
			return 1;
		}
		c->rs_outstanding = false;	/* the probe is given up */
	}
	nat = teredo_nat_classify(c);
	teredo_client_nat_reset(c);
	was = c->nat;
	c->nat = nat;
	c->why = teredo_nat_why[nat];
	m1 = c->nat_mapped_addr;
	p1 = c->nat_mapped_port;
	m2 = c->nat_mapped2_addr;
	p2 = c->nat_mapped2_port;
	local = c->local_addr;
	lport = c->local_port;
	to = c->nat_to;
	if (!teredo_nat_usable(nat)) {
		c->ra_pending = false;
		c->tries = 0;
		c->nat_retry = jiffies + retry;
		/* (counted with the result: show never sees one alone) */
		teredo_stat_inc(t, TEREDO_STAT_QUALIFY_SYMMETRIC_NAT);
	}
	spin_unlock_bh(&c->lock);

	if (teredo_nat_usable(nat)) {
		if (nat != was && m2)
			netdev_info(t->dev, "NAT %s: local %pI4:%u, mapped %pI4:%u, by %pI4 %pI4:%u\n",
				    teredo_nat_name(nat), &local, lport,
				    &m1, p1, &to, &m2, p2);
		else if (nat != was)
			netdev_info(t->dev, "NAT %s: local %pI4:%u, mapped %pI4:%u, %pI4 did not answer\n",
				    teredo_nat_name(nat), &local, lport,
				    &m1, p1, &to);
		return 0;
	}
	if (nat != was) {
		netdev_warn(t->dev, "%s NAT (local %pI4:%u, mapped %pI4:%u, by %pI4 %pI4:%u): peers cannot reach us, not qualifying; trying again every %lu s\n",
			    teredo_nat_name(nat), &local, lport, &m1, p1,
			    &to, &m2, p2, retry / HZ);
		teredo_nl_notify_state(t->dev);
	}
	queue_delayed_work(system_power_efficient_wq, &c->work, retry);
	return -EPROTONOSUPPORT;
}

static u32 teredo_lifetime(const struct teredo_dev *t)
{
	return max_t(u32, TEREDO_RA_MIN_LIFETIME, 3 * teredo_cfg_refresh(t));
}

/*
 * When to refresh: at a random point of 50-90 % of the interval
 * (configured, or from section 5.2.7: refresh.c), counted from the RA
 * that answered the last RS.  RFC 6081 5.1.1 allows any range inside
 * 50-150 %; past 100 % the NAT may have forgotten the mapping by then.
 * The interval is how long the NAT keeps a mapping after its last
 * packet, and a NAT with Linux conntrack's defaults keeps one whose
 * only answer came within 2 s of its creation (a new mapping, our RS
 * and the server's RA) just 30 s, the default interval: a refresh later
 * than that finds a new mapping, and meanwhile the server and peers
 * reach us through one that is gone (a qualified client unreachable for
 * up to half an interval, one time in two).  The 10 % left covers the
 * timer's slack and the RS's way to the NAT.
 */
static unsigned long teredo_refresh_delay(struct teredo_dev *t)
{
	struct teredo_client *c = &t->client;
	unsigned long base = teredo_rdet_refresh(t) * HZ;
	unsigned long draw, since;

	spin_lock_bh(&c->lock);
	since = jiffies - c->ra_at;
	spin_unlock_bh(&c->lock);
	draw = base / 2 + get_random_u32_below(base * 2 / 5 + 1);
	return draw > since ? draw - since : 0;
}

/* A valid RA arrived: (re)install the address it gives, DAD follows. */
static void teredo_client_qualified(struct teredo_dev *t)
{
	struct teredo_client *c = &t->client;
	struct teredo_client_id *id = NULL;
	struct teredo_addr ta;
	struct in6_addr addr, old;
	u8 router[16], oldrouter[16];
	__be32 mapped, server;
	bool changed, had;
	u16 port;

	spin_lock_bh(&c->lock);
	c->ra_pending = false;
	c->rs_outstanding = false;
	c->tries = 0;
	c->backoff = 0;
	memcpy(router, c->ra_router, 16);
	mapped = c->ra_mapped_addr;
	port = c->ra_mapped_port;
	memcpy(&server, &c->ra_prefix[4], 4);
	had = teredo_client_has_address(c) || c->dad_wait || c->parked;
	old = c->address;
	memcpy(oldrouter, c->router, 16);
	changed = !had || c->mapped_addr != mapped || c->mapped_port != port ||
		  c->server != server;
	spin_unlock_bh(&c->lock);

	if (changed) {
		/* RFC 5991: new random flag bits with each new address */
		ta.server = ntohl(server);
		ta.flags = teredo_flags_from_random(get_random_u16());
		ta.port = port;
		ta.client = ntohl(mapped);
		teredo_addr_encode(addr.s6_addr, &ta);
		if (had) {
			teredo_addr_withdraw(t, oldrouter, &old);
			teredo_peertable_flush(t);
		}
	} else {
		addr = old;
	}

	spin_lock_bh(&c->lock);
	if (changed) {
		id = teredo_client_publish(c, NULL);
		c->dad_new = true;
	}
	c->parked = false;
	c->dad_wait = true;
	c->dad_start = jiffies;
	c->dad_ra = jiffies - HZ;	/* given at the first look */
	c->address = addr;
	memcpy(c->router, router, 16);
	c->server = server;
	c->mapped_addr = mapped;
	c->mapped_port = port;
	spin_unlock_bh(&c->lock);
	teredo_client_id_free(id);
}

/*
 * One look at the address waiting for DAD.  "qualified" promises a
 * usable address: the stack finishes DAD (immediate on a NOARP device)
 * in its own work item.  Should it not have taken our RA, the RA is
 * given again, at most once a second.  Returns 1 while still waiting,
 * 0 once qualified, -ETIMEDOUT when the stack never took the address.
 */
static int teredo_client_dad(struct teredo_dev *t)
{
	struct teredo_client *c = &t->client;
	struct teredo_client_id *id;
	struct in6_addr addr;
	unsigned long waited;
	u8 router[16];
	__be32 mapped;
	bool new, ra;
	u16 port;

	spin_lock_bh(&c->lock);
	addr = c->address;
	memcpy(router, c->router, 16);
	mapped = c->mapped_addr;
	port = c->mapped_port;
	waited = jiffies - c->dad_start;
	ra = time_after_eq(jiffies, c->dad_ra + HZ);
	if (ra)
		c->dad_ra = jiffies;
	spin_unlock_bh(&c->lock);

	if (ra)
		teredo_addr_install(t, router, &addr, teredo_lifetime(t));
	if (!teredo_addr_usable(t, &addr)) {
		if (waited < TEREDO_DAD_TIMEOUT)
			return 1;
		netdev_warn(t->dev, "IPv6 stack did not take the Teredo address in %u ms\n",
			    jiffies_to_msecs(waited));
		return -ETIMEDOUT;
	}
	id = kmalloc(sizeof(*id), GFP_KERNEL);
	if (!id)
		return 1;	/* the next poll tries again */
	if (waited >= HZ)
		netdev_warn(t->dev, "IPv6 stack slow to take the Teredo address (%u ms)\n",
			    jiffies_to_msecs(waited));

	spin_lock_bh(&c->lock);
	new = c->dad_new;
	c->dad_wait = false;
	c->dad_new = false;
	id = teredo_client_publish(c, id);
	spin_unlock_bh(&c->lock);
	teredo_client_id_free(id);

	if (new) {
		teredo_stat_inc(t, TEREDO_STAT_QUALIFICATIONS);
		netdev_info(t->dev, "qualified: %pI6c (mapped %pI4:%u)\n",
			    &addr, &mapped, port);
		teredo_nl_notify_address(t->dev);
	}
	teredo_client_set_state(t, TEREDO_STATE_QUALIFIED);
	teredo_rdet_kick(t);
	teredo_ld_tick(t, new);
	/* awake again: what an authorized sender queued meanwhile */
	teredo_exposure_woken(t, &addr);
	return 0;
}

/* Idle: keep the address, deprecated, for the first packet to come. */
static void teredo_client_park(struct teredo_dev *t)
{
	struct teredo_client *c = &t->client;
	struct teredo_client_id *id;
	struct in6_addr addr;
	bool parked, was;
	u8 router[16];

	spin_lock_bh(&c->lock);
	was = teredo_client_has_address(c);
	parked = c->parked || teredo_client_has_address(c) || c->dad_wait;
	c->parked = parked;
	id = teredo_client_publish(c, NULL);
	c->dad_wait = false;
	c->dad_new = false;
	addr = c->address;
	memcpy(router, c->router, 16);
	spin_unlock_bh(&c->lock);
	teredo_client_id_free(id);
	if (parked)
		teredo_addr_park(t, router, &addr);
	teredo_peertable_flush(t);
	if (was)
		teredo_nl_notify_address(t->dev);
}

static const char * const teredo_dormant_why[] = {
	[TEREDO_DORMANT_IDLE]		= "idle",
	[TEREDO_DORMANT_NATIVE]		= "native IPv6 route",
	[TEREDO_DORMANT_MANAGED]	= "managed network",
};

/*
 * Should the client sleep (exposure.c says why)?  If so, makes it
 * dormant (silent) and returns true; wakes it if it may not sleep.
 */
static bool teredo_client_doze(struct teredo_dev *t)
{
	struct teredo_client *c = &t->client;
	u8 why = teredo_exposure_reason(t);
	bool dormant = READ_ONCE(c->state) == TEREDO_STATE_DORMANT;

	if (!why) {
		if (dormant) {
			spin_lock_bh(&c->lock);
			c->tries = 0;
			c->backoff = 0;
			c->use_secondary = false;
			/* interval determination starts over once qualified */
			if (c->running)
				teredo_rdet_start(t);
			spin_unlock_bh(&c->lock);
			netdev_info(t->dev, "waking up\n");
			teredo_client_set_state(t, TEREDO_STATE_QUALIFYING);
		}
		return false;
	}
	spin_lock_bh(&c->lock);
	c->tries = 0;
	c->rs_outstanding = false;
	c->ra_pending = false;
	teredo_client_nat_reset(c);
	spin_unlock_bh(&c->lock);
	/* interval determination probes are traffic too */
	if (!dormant)
		teredo_rdet_stop(t);
	if (why == TEREDO_DORMANT_IDLE)
		teredo_client_park(t);
	else
		teredo_client_unqualify(t, true);
	if (!dormant)
		netdev_info(t->dev, "dormant (%s)\n", teredo_dormant_why[why]);
	teredo_client_set_state(t, TEREDO_STATE_DORMANT);
	/* the parked address and routes outlive no TEREDO_PARK_LIFETIME */
	if (READ_ONCE(c->parked))
		queue_delayed_work(system_power_efficient_wq, &c->work,
				   TEREDO_PARK_REFRESH);
	return true;
}

/*
 * Has the network under us changed since the last RS: a burst of events
 * on the device that RS left by, the route to the server not that RS's
 * any more, or a resume (jiffies and CLOCK_MONOTONIC stop while the
 * system sleeps, CLOCK_BOOTTIME does not)?
 */
static bool teredo_client_moved(struct teredo_dev *t)
{
	struct teredo_client *c = &t->client;
	ktime_t boot = ktime_mono_to_any(0, TK_OFFS_BOOT);
	struct teredo_path was, now;
	bool change, on_path;
	s64 slept;

	spin_lock_bh(&c->lock);
	change = c->netchange;
	on_path = c->nc_on_path;
	c->netchange = false;
	if (change)
		c->nc_on_path = false;
	slept = ktime_to_ns(ktime_sub(boot, c->boot_offset));
	c->boot_offset = boot;
	was = c->path;
	spin_unlock_bh(&c->lock);

	if (slept > TEREDO_RESUME_MIN) {
		netdev_info(t->dev, "resumed after %lld s asleep\n",
			    slept / NSEC_PER_SEC);
		return true;
	}
	if (!change)
		return false;
	if (on_path) {
		netdev_info(t->dev, "lower device or its address changed\n");
		return true;
	}
	/* no RS sent since the start: the next one is the first anyway */
	if (!was.daddr)
		return false;
	teredo_path_get(t, was.daddr, &now);
	if (!memcmp(&now, &was, sizeof(now)))
		return false;
	netdev_info(t->dev, "route to %pI4 changed (dev %d via %pI4 from %pI4)\n",
		    &now.daddr, now.ifindex, &now.gw, &now.saddr);
	return true;
}

/*
 * The network changed: the address (if any) names a mapping that may
 * be gone, so it goes now (its owners learn at once, and the routes go
 * with it), and qualification starts over with an RS now, the refresh
 * interval determined again.
 */
static void teredo_client_requalify(struct teredo_dev *t)
{
	struct teredo_client *c = &t->client;

	teredo_stat_inc(t, TEREDO_STAT_REQUALIFY_NETCHANGE);
	netdev_info(t->dev, "network changed: qualifying again\n");
	teredo_rdet_stop(t);
	teredo_client_unqualify(t, true);
	spin_lock_bh(&c->lock);
	c->tries = 0;
	c->backoff = 0;
	c->use_secondary = false;
	c->rs_outstanding = false;
	c->ra_pending = false;
	/* another network, maybe another NAT: detected again */
	teredo_client_nat_reset(c);
	c->nat = TEREDO_NAT_UNKNOWN;
	c->why = NULL;
	if (c->running)
		teredo_rdet_start(t);
	spin_unlock_bh(&c->lock);
	teredo_client_set_state(t, TEREDO_STATE_QUALIFYING);
}

static void teredo_client_work(struct work_struct *work)
{
	struct teredo_client *c = container_of(to_delayed_work(work),
					       struct teredo_client, work);
	struct teredo_dev *t = container_of(c, struct teredo_dev, client);
	u8 nonce[TEREDO_NONCE_LEN];
	bool pending, dad, dad_failed = false, wrapped, moved, refused;
	struct teredo_path path;
	unsigned long delay, retry;
	__be32 server;
	int err;
	u8 tries;

	if (!teredo_cfg_server(t) || !netif_running(t->dev) ||
	    teredo_cfg_mode(t) != TEREDO_MODE_CLIENT) {
		teredo_client_unqualify(t, netif_running(t->dev));
		teredo_client_set_state(t, TEREDO_STATE_OFFLINE);
		return;
	}

	/*
	 * ndo_open queued us: wait for the stack's NETDEV_UP.  (ready_wait
	 * is set before the look: a notifier that comes after it kicks.)
	 */
	spin_lock_bh(&c->lock);
	c->ready_wait = true;
	spin_unlock_bh(&c->lock);
	if (unlikely(!teredo_addr_ready(t))) {
		spin_lock_bh(&c->lock);
		delay = min_t(unsigned long,
			      TEREDO_STACK_RETRY << min_t(u8, c->ready_tries, 6),
			      TEREDO_STACK_RETRY_MAX);
		if (c->ready_tries < U8_MAX)
			c->ready_tries++;
		spin_unlock_bh(&c->lock);
		queue_delayed_work(system_power_efficient_wq, &c->work, delay);
		return;
	}
	spin_lock_bh(&c->lock);
	c->ready_wait = false;
	c->ready_tries = 0;
	spin_unlock_bh(&c->lock);
	moved = teredo_client_moved(t);
	if (teredo_client_doze(t))
		return;
	if (moved)
		teredo_client_requalify(t);

	spin_lock_bh(&c->lock);
	pending = c->ra_pending;
	dad = c->dad_wait;
	tries = c->tries;
	/* refused for its NAT: a new round only a refresh interval later */
	refused = !pending && !dad && !tries && !teredo_nat_usable(c->nat) &&
		  time_before(jiffies, c->nat_retry);
	retry = c->nat_retry - jiffies;
	spin_unlock_bh(&c->lock);

	if (refused) {
		queue_delayed_work(system_power_efficient_wq, &c->work, retry);
		return;
	}
	if (pending) {
		if (teredo_client_nat(t))
			return;
		teredo_client_qualified(t);
		dad = true;
	}
	if (dad) {
		err = teredo_client_dad(t);
		if (err >= 0) {
			queue_delayed_work(system_power_efficient_wq, &c->work,
					   err ? TEREDO_STACK_RETRY :
					   teredo_refresh_delay(t));
			return;
		}
		tries = TEREDO_RS_TRIES;	/* give this round up */
		dad_failed = true;
	}

	if (tries >= TEREDO_RS_TRIES) {
		/* this round failed: lose the address, back off, retry */
		if (teredo_client_has_address(c))
			netdev_info(t->dev, "server unreachable: address withdrawn\n");
		teredo_client_unqualify(t, true);
		teredo_client_set_state(t, TEREDO_STATE_QUALIFYING);
		/* a refused address (DAD) loses no server: no failover */
		wrapped = dad_failed || teredo_client_failover(t);
		spin_lock_bh(&c->lock);
		c->tries = 0;
		c->rs_outstanding = false;
		delay = 0;
		if (wrapped) {
			if (c->backoff < 4)
				c->backoff++;
			c->use_secondary = !c->use_secondary;
			delay = min_t(unsigned long,
				      TEREDO_RS_TIMEOUT << c->backoff,
				      TEREDO_BACKOFF_MAX);
		}
		spin_unlock_bh(&c->lock);
		queue_delayed_work(system_power_efficient_wq, &c->work, delay);
		return;
	}

	get_random_bytes(nonce, sizeof(nonce));
	spin_lock_bh(&c->lock);
	memcpy(c->nonce, nonce, sizeof(nonce));
	c->tries++;
	c->rs_outstanding = true;
	server = c->use_secondary ? c->active2 : c->active;
	spin_unlock_bh(&c->lock);
	if (!teredo_client_has_address(c))
		teredo_client_set_state(t, TEREDO_STATE_QUALIFYING);
	/* what a later network change is compared with */
	teredo_path_get(t, server, &path);
	spin_lock_bh(&c->lock);
	c->path = path;
	spin_unlock_bh(&c->lock);
	teredo_client_send_rs(t, server, nonce);
	queue_delayed_work(system_power_efficient_wq, &c->work,
			   TEREDO_RS_TIMEOUT);
}

/* Under RTNL, device up. */
void teredo_client_start(struct teredo_dev *t)
{
	struct teredo_client *c = &t->client;

	ASSERT_RTNL();
	if (teredo_ld_start(t))
		netdev_warn(t->dev, "local discovery: cannot listen on 224.0.0.253:3544\n");
	spin_lock_bh(&c->lock);
	c->tries = 0;
	c->backoff = 0;
	c->ra_pending = false;
	c->rs_outstanding = false;
	c->use_secondary = false;
	c->ready_wait = false;
	c->ready_tries = 0;
	teredo_client_nat_reset(c);
	c->nat = TEREDO_NAT_UNKNOWN;
	c->why = NULL;
	c->local_addr = 0;
	c->local_port = 0;
	c->nat_mapped_addr = 0;
	c->nat_mapped_port = 0;
	c->nat_mapped2_addr = 0;
	c->nat_mapped2_port = 0;
	teredo_client_pick(t, 0);
	c->netchange = false;
	c->nc_on_path = false;
	memset(&c->path, 0, sizeof(c->path));
	c->boot_offset = ktime_mono_to_any(0, TK_OFFS_BOOT);
	c->running = true;
	teredo_rdet_start(t);
	spin_unlock_bh(&c->lock);
	/* route changes in the socket's netns reach a client only */
	if (!c->nc_counted && teredo_cfg(t)->mode == TEREDO_MODE_CLIENT) {
		c->nc_counted = true;
		teredo_netchange_client(t->net, 1);
	}
	teredo_client_kick(t);
}

/*
 * Under RTNL.  Final: nothing queues the work or the interval
 * determination's again, and both are cancelled (the work may be going
 * dormant meanwhile, stopping the determination itself).
 */
void teredo_client_stop(struct teredo_dev *t)
{
	struct teredo_client *c = &t->client;

	ASSERT_RTNL();
	spin_lock_bh(&c->lock);
	c->running = false;
	/* a late RA must not re-arm the work once it is cancelled */
	c->rs_outstanding = false;
	c->ra_pending = false;
	teredo_client_nat_reset(c);
	spin_unlock_bh(&c->lock);
	teredo_rdet_stop(t);
	if (c->nc_counted)
		teredo_netchange_client(t->net, -1);
	c->nc_counted = false;
	/* (queues c->work only while running) */
	cancel_delayed_work_sync(&c->nc_work);
	cancel_delayed_work_sync(&c->work);
	teredo_ld_stop(t);
	teredo_client_unqualify(t, netif_running(t->dev));
	teredo_client_set_state(t, TEREDO_STATE_OFFLINE);
}

/* Softirq: an RA-carrying packet from one of our server's addresses. */
void teredo_client_ra(struct teredo_dev *t, const u8 *ipv6, size_t len,
		      const struct teredo_encap *enc, __be32 saddr, u16 sport)
{
	struct teredo_client *c = &t->client;
	__be32 server = teredo_client_server(t);
	enum teredo_verdict v;
	struct teredo_ra ra;

	if (!enc->has_origin) {
		teredo_stat_inc(t, TEREDO_STAT_DROP_BAD_ORIGIN);
		return;
	}
	/* non-zero: the server refused our authentication (as Miredo reads it) */
	if (enc->confirmation) {
		teredo_stat_inc(t, TEREDO_STAT_DROP_BAD_AUTH);
		return;
	}
	if (!teredo_ipv4_is_global(enc->origin_ip)) {
		teredo_stat_inc(t, TEREDO_STAT_DROP_NONGLOBAL_V4);
		return;
	}
	v = teredo_parse_ra(ipv6, len, ntohl(server), &ra);
	if (v != TEREDO_OK) {
		teredo_stat_inc(t, teredo_verdict_stat(v));
		return;
	}
	/* the RA must answer our RS: to its source, with its nonce */
	if (memcmp(ipv6 + 24, teredo_rs_src, 16)) {
		teredo_stat_inc(t, TEREDO_STAT_DROP_BAD_RA);
		return;
	}
	spin_lock(&c->lock);
	if (!c->running || !c->rs_outstanding ||
	    memcmp(enc->nonce, c->nonce, TEREDO_NONCE_LEN)) {
		spin_unlock(&c->lock);
		teredo_stat_inc(t, TEREDO_STAT_DROP_BAD_NONCE);
		return;
	}
	c->rs_outstanding = false;
	if (c->nat_phase == TEREDO_NAT_PHASE_PROBE) {
		/* the probe's: c->ra_* keeps the RA we qualify with */
		c->nat_answered = true;
		c->nat_mapped2_addr = htonl(enc->origin_ip);
		c->nat_mapped2_port = enc->origin_port;
		mod_delayed_work(system_power_efficient_wq, &c->work, 0);
		spin_unlock(&c->lock);
		teredo_stat_inc(t, TEREDO_STAT_RX_RA);
		return;
	}
	c->ra_pending = true;
	c->ra_at = jiffies;
	memcpy(c->ra_prefix, ra.prefix, 16);
	memcpy(c->ra_router, ipv6 + 8, 16);
	c->ra_mapped_addr = htonl(enc->origin_ip);
	c->ra_mapped_port = enc->origin_port;
	WRITE_ONCE(c->ra_mtu, ra.mtu);
	/* under c->lock: teredo_client_stop() has not cancelled it yet */
	mod_delayed_work(system_power_efficient_wq, &c->work, 0);
	spin_unlock(&c->lock);
	teredo_stat_inc(t, TEREDO_STAT_RX_RA);
}
