/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Teredo client (client.c): qualification, refresh, the address,
 * NAT detection and network changes.
 */
#ifndef _TEREDO_CLIENT_H
#define _TEREDO_CLIENT_H

#include <linux/in6.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include "proto.h"
#include "refresh.h"
#include "socket.h"

struct net;
struct teredo_dev;

#define TEREDO_RS_TIMEOUT		(4 * HZ)	/* section 5.2.1 */
#define TEREDO_RS_TRIES			3
/*
 * The stack's readiness (IF_READY) and DAD of a new address are awaited
 * on events (addr.c, netchange.c); should an event not come (IPv6
 * turned off and on by sysctl), the work looks again this often, and
 * gives the address up after TEREDO_DAD_TIMEOUT.
 */
#define TEREDO_STACK_RETRY		HZ
#define TEREDO_STACK_RETRY_MAX		(64 * HZ)
#define TEREDO_DAD_TIMEOUT		(5 * HZ)
#define TEREDO_BACKOFF_MAX		(60 * HZ)
/* Lifetimes of what the synthesised RA installs, refreshed each time. */
#define TEREDO_RA_MIN_LIFETIME		60
/*
 * Network changes (netchange.c): the events of one burst (an address
 * replaced, a route moved, a link bounced) are looked at once, this
 * long after the first; a CLOCK_BOOTTIME lead on CLOCK_MONOTONIC grown
 * by more than TEREDO_RESUME_MIN between two runs of the client work
 * is a resume from suspend.
 */
#define TEREDO_NETCHANGE_DELAY		(HZ / 2)
#define TEREDO_RESUME_MIN		NSEC_PER_SEC

/*
 * What the datapath needs of a qualified client, published whole under
 * RCU (teredo_client.id) so that no packet takes the client's lock:
 * NULL while the client has no usable address.
 */
struct teredo_client_id {
	struct in6_addr address;
	__be32 server;			/* the server the address names */
	struct rcu_head rcu;
};

struct teredo_client {
	spinlock_t lock;		/* everything below */
	u8 state;			/* enum teredo_state */
	u8 tries;			/* RS sent in this round */
	u8 backoff;			/* rounds failed in a row */
	bool use_secondary;
	/*
	 * The candidate server in use (cfg.servers[cand]) and its secondary
	 * address: written under c->lock, read locklessly by receive.
	 */
	u8 cand;
	__be32 active;
	__be32 active2;
	bool rs_outstanding;
	u8 nonce[TEREDO_NONCE_LEN];
	/* last valid RA, handed from receive to the work */
	bool ra_pending;
	u8 ra_prefix[16];
	u8 ra_router[16];
	__be32 ra_mapped_addr;
	u16 ra_mapped_port;
	u32 ra_mtu;			/* its MTU option, 0: none */
	unsigned long ra_at;		/* jiffies it came: the NAT's
					 * mapping was last renewed then
					 */
	/*
	 * The work waits for the stack: its IF_READY (ready_wait, with
	 * ready_tries looks so far), or an address installed and waiting
	 * for the stack's DAD to finish (dad_wait); the events that end
	 * the wait kick the work only while it waits.
	 */
	bool ready_wait;
	u8 ready_tries;
	bool dad_wait;
	bool dad_new;			/* announce it once usable */
	unsigned long dad_start;
	unsigned long dad_ra;		/* our RA last given to the stack */
	/*
	 * The qualified address (also the one dad_wait is for) is usable
	 * while id, its datapath view, is published: teredo_client_has_address().
	 */
	struct teredo_client_id __rcu *id;
	/*
	 * Dormant (idle): the address is on the stack, deprecated, with its
	 * routes, but not in use; waking requalifies and keeps it if the
	 * mapping is unchanged.
	 */
	bool parked;
	struct in6_addr address;
	u8 router[16];
	__be32 server;			/* server the address names */
	__be32 mapped_addr;
	u16 mapped_port;
	u16 flags;
	unsigned long next_refresh;
	/*
	 * NAT detection (client.c): the first RA of a qualification gives
	 * nat_mapped (and our local address and port); one RS then goes to
	 * the server's other address (nat_phase PROBE, with its own nonce),
	 * whose RA gives nat_mapped2 and leaves ra_* (the first RA, the one
	 * we qualify with) alone.  nat is the result, why the state's
	 * reason when it keeps us from qualifying (a static string).
	 */
	u8 nat;				/* enum teredo_nat */
	u8 nat_phase;			/* TEREDO_NAT_PHASE_* */
	bool nat_answered;		/* the probe's RA came */
	unsigned long nat_sent;		/* jiffies the probe left */
	unsigned long nat_retry;	/* no new round before (refused) */
	__be32 nat_to;			/* where the probe went */
	__be32 local_addr;		/* ours towards the server */
	u16 local_port;
	__be32 nat_mapped_addr;
	u16 nat_mapped_port;
	__be32 nat_mapped2_addr;
	u16 nat_mapped2_port;
	const char *why;
	/* started and not stopped: work may be queued (client.c) */
	bool running;
	struct delayed_work work;
	/*
	 * Network changes (netchange.c): the notifiers note an event and
	 * queue nc_work, which after TEREDO_NETCHANGE_DELAY sets netchange
	 * and kicks the work; the work compares the route to the server
	 * with path, the route of the last RS.
	 */
	struct teredo_path path;
	bool nc_on_path;		/* an event on path's device (or link) */
	bool nc_counted;		/* in teredo_netchange_client() (RTNL) */
	bool netchange;			/* the burst is over: look */
	ktime_t boot_offset;		/* BOOTTIME - MONOTONIC, last run */
	struct delayed_work nc_work;
	struct teredo_rdet rdet;
};

static inline bool teredo_client_has_address(const struct teredo_client *c)
{
	return rcu_access_pointer(c->id);
}

void teredo_client_init(struct teredo_dev *t);
void teredo_client_start(struct teredo_dev *t);
void teredo_client_stop(struct teredo_dev *t);
void teredo_client_kick(struct teredo_dev *t);
void teredo_client_stack_ready(struct teredo_dev *t);
void teredo_client_route6(struct teredo_dev *t);
void teredo_client_ra(struct teredo_dev *t, const u8 *ipv6, size_t len,
		      const struct teredo_encap *enc, __be32 saddr,
		      u16 sport);
bool teredo_client_address(struct teredo_dev *t, struct in6_addr *addr,
			   __be32 *server);
bool teredo_client_local(struct teredo_dev *t, __be32 *addr, u16 *port);
__be32 teredo_server2(const struct teredo_dev *t);
__be32 teredo_client_server(const struct teredo_dev *t);
void teredo_client_servers(const struct teredo_dev *t, __be32 *server,
			   __be32 *server2);
void teredo_client_netchange(struct teredo_dev *t, struct net *net,
			     int ifindex);

#endif /* _TEREDO_CLIENT_H */
