/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private state of a teredo device (struct teredo_dev, netdev_priv()),
 * and device.c's interface.  Each part of the device is its file's and
 * is declared in that file's header (client.h, peertable.h, server.h,
 * exposure.h, ...); this one embeds them.  netlink.c and config.c see
 * only teredo.h.
 *
 * Lifetime: struct teredo_dev is the netdev_priv() of its net_device
 * and lives exactly as long as it.  ndo_open creates the UDP socket and
 * starts the client; ndo_stop first releases the socket after
 * synchronize_net() (no RA can queue the client work again), so the
 * data path, which reads t->sock under RCU, never sees a released
 * socket, then stops the client.
 *
 * Locks, outermost first (each function that needs one asserts it):
 *   RTNL            configuration, open/stop, holds, local discovery's
 *                   socket (ASSERT_RTNL);
 *   pt->lock        the peer table's membership (peertable.c);
 *   p->lock         one peer's fields, taken under pt->lock only by the
 *                   GC's idle test;
 *   c->lock, then r->lock   the client and its interval determination.
 * Leaves, never held while taking another: pt->answers.lock,
 * pt->events.lock, t->rl.lock (server.c), t->exp.echoes.lock
 * (inbound.c), teredo_holds_lock (exposure.c), and the locks of the
 * skb queues (p->queue and p->rxq, taken under pt->lock or p->lock;
 * t->exp.queue).
 */
#ifndef _TEREDO_DEVICE_H
#define _TEREDO_DEVICE_H

#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/netdevice.h>
#include <linux/rcupdate.h>
#include <linux/rtnetlink.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <net/dst_cache.h>
#include <net/gro_cells.h>

#include "teredo.h"
#include "client.h"
#include "discovery.h"
#include "exposure.h"
#include "peertable.h"
#include "server.h"

struct socket;
struct teredo_pcpu_stats;
struct teredo_route_key;

/* Defaults (RFC 4380 section 5.2.5; Miredo's peer limit is larger). */
#define TEREDO_DEFAULT_REFRESH		30
#define TEREDO_DEFAULT_MAX_PEERS	65536
#define TEREDO_DEFAULT_DORMANT		300
/* The peer table's GC runs this often while it has peers. */
#define TEREDO_GC_INTERVAL		(10 * HZ)

/*
 * The settings, published whole: RTNL writers build a new copy and
 * swap the pointer (teredo_cfg_publish), readers see one consistent
 * copy under RCU and never a half-written marks array.
 */
struct teredo_cfg_rcu {
	struct rcu_head rcu;
	struct teredo_config c;
};

struct teredo_dev {
	struct net_device *dev;
	struct net *net;		/* netns of the UDP socket */
	struct list_head list;		/* teredo_devices, under RTNL */
	struct teredo_cfg_rcu __rcu *cfg;	/* see teredo_cfg() */
	struct socket __rcu *sock;
	struct socket __rcu *sock2;	/* server: on its second address */
	struct teredo_ratelimit rl;	/* server */
	struct gro_cells gro_cells;
	struct teredo_pcpu_stats __percpu *stats;
	struct dst_cache dst_cache;	/* primary socket's route, socket.c */
	struct teredo_route_key __percpu *route_key;	/* what it goes to */
	struct teredo_client client;
	struct teredo_ld ld;		/* the client's local discovery */
	struct teredo_peertable peers;
	struct teredo_exposure exp;
	struct delayed_work gc_work;
	struct delayed_work seek_work;	/* send.c: parked peers */
	u16 echo_id;
};

static inline struct teredo_dev *teredo_priv(const struct net_device *dev)
{
	return netdev_priv(dev);
}

/* The published settings: under rcu_read_lock() or RTNL. */
static inline const struct teredo_config *teredo_cfg(const struct teredo_dev *t)
{
	return &rcu_dereference_rtnl(t->cfg)->c;
}

/* Single settings for the control path, from any context. */
static inline __be32 teredo_cfg_server(const struct teredo_dev *t)
{
	__be32 v;

	rcu_read_lock();
	v = teredo_cfg(t)->server;
	rcu_read_unlock();
	return v;
}

static inline u8 teredo_cfg_mode(const struct teredo_dev *t)
{
	u8 v;

	rcu_read_lock();
	v = teredo_cfg(t)->mode;
	rcu_read_unlock();
	return v;
}

static inline u32 teredo_cfg_refresh(const struct teredo_dev *t)
{
	u32 v;

	rcu_read_lock();
	v = teredo_cfg(t)->refresh;
	rcu_read_unlock();
	return v;
}

static inline bool teredo_cfg_local_discovery(const struct teredo_dev *t)
{
	bool v;

	rcu_read_lock();
	v = teredo_cfg(t)->local_discovery;
	rcu_read_unlock();
	return v;
}

static inline bool teredo_cfg_refresh_auto(const struct teredo_dev *t)
{
	bool v;

	rcu_read_lock();
	v = teredo_cfg(t)->refresh_auto;
	rcu_read_unlock();
	return v;
}

int teredo_device_init(void);
void teredo_device_exit(void);
void teredo_devices_netchange(struct net *net, int ifindex);
void teredo_devices_exposure(struct net *net);
void teredo_devices_route6(struct net *net);
void teredo_gc_arm(struct teredo_dev *t);

#endif /* _TEREDO_DEVICE_H */
