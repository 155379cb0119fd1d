/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private state of a teredo device, shared by the files of the device
 * core (device.c, socket.c, client.c, addr.c, peer*.c, send.c,
 * receive.c, stats.c).  netlink.c sees only teredo.h.
 *
 * Lifetime: struct teredo_dev is the netdev_priv() of its net_device
 * and lives exactly as long as it.  ndo_open creates the UDP socket and
 * starts the client; ndo_stop stops the client and releases the socket
 * after synchronize_net(), so the data path, which reads t->sock under
 * RCU, never sees a released socket.
 *
 * Locks, outermost first (each function that needs one asserts it):
 *   RTNL            configuration, open/stop, holds, local discovery's
 *                   socket (ASSERT_RTNL);
 *   pt->lock        the peer table's membership (peertable.c);
 *   p->lock         one peer's fields, taken under pt->lock only by the
 *                   GC's idle test;
 *   c->lock, then r->lock   the client and its interval determination.
 * Leaves, never held while taking another: pt->answers.lock,
 * pt->events.lock, t->rl.lock (server.c), teredo_holds_lock (exposure.c).
 */
#ifndef _TEREDO_DEVICE_H
#define _TEREDO_DEVICE_H

#include <linux/ip.h>
#include <linux/netdevice.h>
#include <linux/udp.h>
#include <linux/workqueue.h>
#include <linux/spinlock.h>
#include <linux/rhashtable-types.h>
#include <linux/siphash.h>
#include <linux/kref.h>
#include <linux/xarray.h>
#include <net/dst_cache.h>
#include <net/gro_cells.h>
#include <net/ip.h>
#include <net/sock.h>

#include "teredo.h"
#include "proto.h"

/* Defaults (RFC 4380 section 5.2.5; Miredo's peer limit is larger). */
#define TEREDO_DEFAULT_REFRESH		30
#define TEREDO_DEFAULT_MAX_PEERS	65536
#define TEREDO_DEFAULT_DORMANT		300
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
/* Metric of the last-resort default route (native routes win). */
#define TEREDO_DEFRTR_METRIC		4096
/* Lifetimes of what the synthesised RA installs, refreshed each time. */
#define TEREDO_RA_MIN_LIFETIME		60
/* Peer queue bounds (section 5.4.1 asks for a limit). */
#define TEREDO_PEER_QUEUE_MAX		8
#define TEREDO_DEV_QUEUE_MAX		1024
/*
 * Received packets parked until an echo test confirms their relay
 * (section 5.2.3; anyone can send them, from any native source): at most
 * TEREDO_PEER_QUEUE_MAX per peer and TEREDO_RX_PARK_BYTES of memory
 * (skb->truesize) per device, a budget of their own: they never take
 * the room of what we send (TEREDO_DEV_QUEUE_MAX packets).
 */
#define TEREDO_RX_PARK_BYTES		(256 * 1024)
/* A peer is trusted for 30 s after its last receive (section 5.2). */
#define TEREDO_TRUST_TIME		(30 * HZ)
#define TEREDO_PEER_IDLE		(60 * HZ)
#define TEREDO_GC_INTERVAL		(10 * HZ)
/* Section 5.2.6: bubbles at least 2 s apart, at most 4 per 300 s. */
/*
 * While packets wait for a peer, a client tries again every
 * TEREDO_SEEK_INTERVAL (bubbles, or echo tests for a native peer, within
 * the limits above), looking at TEREDO_SEEK_BATCH waiting peers a time;
 * TEREDO_BUBBLE_GAP after the last try the window allows, the peer is
 * given up: its packets are refused with an ICMPv6 address unreachable.
 */
#define TEREDO_SEEK_INTERVAL		HZ
#define TEREDO_SEEK_BATCH		64
#define TEREDO_BUBBLE_GAP		(2 * HZ)
#define TEREDO_BUBBLE_WINDOW		(300 * HZ)
#define TEREDO_BUBBLE_MAX		4
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
/*
 * Local discovery (section 5.2.8): a unicast bubble from the LAN makes
 * its sender a local peer only within this time of our last discovery
 * bubble (it answers that bubble).
 */
#define TEREDO_LD_ANSWER_TIME		(10 * HZ)
/* Authorized packets waiting for a dormant device to wake up. */
#define TEREDO_WAKE_QUEUE_MAX		32
/*
 * A dormant device's deprecated address and routes: their lifetime, and
 * how often (locally, nothing on the wire) they are given again.
 */
#define TEREDO_PARK_LIFETIME		9000
#define TEREDO_PARK_REFRESH		(3600 * HZ)
/*
 * Network changes (netchange.c): the events of one burst (an address
 * replaced, a route moved, a link bounced) are looked at once, this
 * long after the first; a CLOCK_BOOTTIME lead on CLOCK_MONOTONIC grown
 * by more than TEREDO_RESUME_MIN between two runs of the client work
 * is a resume from suspend.
 */
#define TEREDO_NETCHANGE_DELAY		(HZ / 2)
#define TEREDO_RESUME_MIN		NSEC_PER_SEC

struct teredo_pcpu_stats {
	u64 cnt[__TEREDO_STAT_MAX];
	struct u64_stats_sync syncp;
};

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
	u8 nonce[TEREDO_NONCE_LEN];	/* echo test (native peers) */
	struct sk_buff_head queue;	/* packets awaiting trust */
	/* received from a native peer through a relay not yet confirmed */
	struct sk_buff_head rxq;
};

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
};

/* Section 5.2.7 refresh interval determination (refresh.c). */
#define TEREDO_RDET_FIRST		8	/* s, first silence tried */
#define TEREDO_RDET_MIN			2	/* s, the least result */
#define TEREDO_RDET_KEEP		4	/* s, our refresh meanwhile */
#define TEREDO_RDET_REPLY		(2 * HZ)	/* bubble's way back */

/*
 * Lock order: c->lock, then r->lock (teredo_rdet_start()).  r->sock is
 * the work's; a stop takes it with xchg() once the work is cancelled.
 */
struct teredo_rdet {
	spinlock_t lock;		/* everything but sock and work */
	bool running;			/* the client runs: may queue work */
	u8 phase;			/* TEREDO_RDET_*, refresh.c */
	u8 tries;			/* RS sent in this round */
	bool answered;			/* RA or bubble seen in this phase */
	bool failed;			/* a silence was too long */
	u8 nonce[TEREDO_NONCE_LEN];
	__be32 mapped_addr;		/* the secondary mapping */
	u16 mapped_port;
	struct in6_addr addr2;		/* the secondary Teredo address */
	u32 trial;			/* s of silence being tried */
	u32 good;			/* longest silence that worked */
	u32 result;			/* s, when phase is DONE */
	struct socket *sock;		/* the determination port (work) */
	struct delayed_work work;
};

/* Where the packets to one destination leave (teredo_path_get()). */
struct teredo_path {
	__be32 daddr;			/* the destination, 0: none looked up */
	__be32 saddr;			/* source the route gives */
	__be32 gw;			/* IPv4 next hop, 0: on link */
	int ifindex;			/* lower device, 0: no route */
};

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
	/* local discovery (discovery.c): socket under RTNL, work reads */
	struct socket *ld_sock;
	int ld_ifindex;			/* where ld_sock joined the group, 0:
					 * none (read in softirq)
					 */
	unsigned long ld_next;		/* next discovery bubble */
	unsigned long ld_sent;		/* last one (read in softirq) */
};

static inline bool teredo_client_has_address(const struct teredo_client *c)
{
	return rcu_access_pointer(c->id);
}

/*
 * The settings, published whole: RTNL writers build a new copy and
 * swap the pointer (teredo_cfg_publish), readers see one consistent
 * copy under RCU and never a half-written marks array.
 */
struct teredo_cfg_rcu {
	struct rcu_head rcu;
	struct teredo_config c;
};

/*
 * Server: what it sends is limited (RFC 4380 section 5.3 asks that it
 * cannot be used as an amplifier, and a forged source chooses where a
 * forwarded packet goes) by three sets of token buckets (GCRA, proto.c):
 *  - per outer IPv4 source (what an RS makes us send goes there): a
 *    fixed table of buckets hashed by source; sources that collide
 *    share a bucket, which only makes the limit stricter;
 *  - per destination mapping (the client IPv4:port a Teredo destination
 *    embeds, where a forwarded packet goes whoever sent it): two
 *    buckets of a larger table per mapping (teredo_gcra2), so that a
 *    mapping under attack cannot starve one sharing a bucket with it;
 *  - per device: everything the server sends.
 * A packet is charged destination first, then source, then device.
 */
#define TEREDO_RL_SLOTS			256
#define TEREDO_RL_BURST			20	/* packets */
#define TEREDO_RL_RATE			10	/* packets per second */
#define TEREDO_RL_DEST_SLOTS		1024
#define TEREDO_RL_DEST_BURST		10	/* per bucket; a mapping: x2 */
#define TEREDO_RL_DEST_RATE		5
#define TEREDO_RL_DEV_BURST		500
#define TEREDO_RL_DEV_RATE		2000
/*
 * Relay: the bubbles it sends towards a client (directly and through the
 * client's server) are limited per target, the client IPv4 the Teredo
 * destination embeds, whatever the port: two buckets of rl.dest (a device
 * has one role) of 8 bubble pairs, 2 per second each.  Keyed on the
 * embedded IPv4, not on the outer destination: that would let the
 * indirect bubbles through the server reflect, or starve every client of
 * a busy server.
 */
#define TEREDO_RELAY_BUBBLE_BURST	8
#define TEREDO_RELAY_BUBBLE_RATE	2

struct teredo_ratelimit {
	spinlock_t lock;		/* the buckets */
	siphash_key_t key;
	u64 dev;			/* GCRA arrival times, ns */
	u64 src[TEREDO_RL_SLOTS];
	u64 dest[TEREDO_RL_DEST_SLOTS];	/* relay: per target */
};

/* exposure.c */
/*
 * Inbound (inbound.c): the echo requests an authorized socket sent,
 * whose replies may come in, one slot per (destination, identifier)
 * by keyed hash, a newcomer taking its slot's place.
 */
#define TEREDO_ECHO_SLOTS		64
#define TEREDO_ECHO_TIME		(30 * HZ)

struct teredo_echo_slot {
	struct in6_addr addr;		/* destination of the request */
	__be16 id;			/* its identifier */
	unsigned long sent;		/* jiffies, 0: empty */
};

struct teredo_echo_table {
	spinlock_t lock;		/* the slots */
	siphash_key_t key;
	struct teredo_echo_slot slot[TEREDO_ECHO_SLOTS];
};

struct teredo_exposure {
	unsigned long last_auth;	/* jiffies: last authorized packet */
	bool used;			/* an authorized packet or a hold
					 * since the device came up
					 */
	struct teredo_echo_table echoes;
	u32 holds;			/* written under teredo_holds_lock */
	u8 reason;			/* enum teredo_dormant_reason, last seen */
	struct sk_buff_head queue;	/* authorized, waiting for the wake */
	struct delayed_work work;	/* evaluates the reason */
};

/* The destination of the route a CPU's slot of dst_cache holds. */
struct teredo_route_key {
	__be32 daddr;
	__be16 dport;
};

struct teredo_dev {
	struct net_device *dev;
	struct net *net;		/* netns of the UDP socket */
	struct list_head list;		/* teredo_devices, under RTNL */
	struct teredo_cfg_rcu __rcu *cfg;	/* see teredo_cfg_get() */
	struct socket __rcu *sock;
	struct socket __rcu *sock2;	/* server: on its second address */
	struct teredo_ratelimit rl;	/* server */
	struct gro_cells gro_cells;
	struct teredo_pcpu_stats __percpu *stats;
	struct dst_cache dst_cache;	/* primary socket's route, socket.c */
	struct teredo_route_key __percpu *route_key;	/* what it goes to */
	struct teredo_client client;
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

/* device.c */
int teredo_device_init(void);
void teredo_device_exit(void);
void teredo_devices_netchange(struct net *net, int ifindex);
void teredo_devices_exposure(struct net *net);
void teredo_devices_route6(struct net *net);
void teredo_gc_arm(struct teredo_dev *t);

/* netchange.c: network change notifiers */
int teredo_netchange_init(void);
void teredo_netchange_exit(void);
void teredo_netchange_client(struct net *net, int delta);
void teredo_netchange_device(struct net *net, int delta);

/* stats.c */
int teredo_stats_init(struct teredo_dev *t);
void teredo_stats_free(struct teredo_dev *t);
void teredo_stat_add(struct teredo_dev *t, enum teredo_stat s, u64 n);
void teredo_stat_inc(struct teredo_dev *t, enum teredo_stat s);
void teredo_stats_read(struct teredo_dev *t, u64 *out);
extern const struct ethtool_ops teredo_ethtool_ops;
enum teredo_stat teredo_verdict_stat(enum teredo_verdict v);

/* socket.c */
int teredo_socket_open(struct teredo_dev *t);
void teredo_socket_close(struct teredo_dev *t);
int teredo_udp_send(struct teredo_dev *t, struct sk_buff *skb,
		    __be32 daddr, u16 dport);
int teredo_udp_send_buf(struct teredo_dev *t, const u8 *buf, size_t len,
			__be32 daddr, u16 dport);
int teredo_udp_send_from(struct teredo_dev *t, bool secondary,
			 struct sk_buff *skb, __be32 daddr, u16 dport);
unsigned int teredo_udp_send_train(struct teredo_dev *t,
				   struct sk_buff **segs, __be32 daddr,
				   u16 dport);
int teredo_udp_send_buf_from(struct teredo_dev *t, bool secondary,
			     const u8 *buf, size_t len, __be32 daddr,
			     u16 dport);
void teredo_path_get(struct teredo_dev *t, __be32 daddr,
		     struct teredo_path *p);
u16 teredo_udp_local_port(struct teredo_dev *t);
/* Headroom ndo_start_xmit asks for. */
#define TEREDO_HEADROOM (LL_MAX_HEADER + sizeof(struct iphdr) + \
			 sizeof(struct udphdr))

/* receive.c */
int teredo_udp_encap_recv(struct sock *sk, struct sk_buff *skb);

/* A received packet, its encapsulation parsed, skb->data at the UDP header. */
struct teredo_rx {
	struct teredo_encap enc;
	struct teredo_trailers tr;	/* RFC 6081, cut off the skb */
	__be32 saddr;		/* outer source */
	u16 sport;
	bool from_server;
	bool local;		/* non-global source: a local peer? (5.2.8) */
	struct in6_addr me;
	__be32 server;
	/* read once per packet: the whole receive runs under RCU */
	const struct teredo_config *cfg;
};

static inline const u8 *teredo_rx_ipv6(struct sk_buff *skb,
				       const struct teredo_rx *rx)
{
	return skb->data + sizeof(struct udphdr) + rx->enc.hdr_len;
}

int teredo_rx_drop(struct teredo_dev *t, struct sk_buff *skb,
		   enum teredo_stat why);
enum teredo_verdict teredo_rx_trailers(struct sk_buff *skb,
				       const struct teredo_encap *enc,
				       struct teredo_trailers *tr);
/* Decapsulates @skb and hands it to the IPv6 stack on the device. */
void teredo_rx_deliver(struct teredo_dev *t, const struct teredo_config *cfg,
		       struct sk_buff *skb, unsigned int hdr_len);

/* server.c: the server role (RFC 4380 section 5.3) */
void teredo_server_init(struct teredo_dev *t);
int teredo_server_rx(struct teredo_dev *t, struct sk_buff *skb,
		     struct teredo_rx *rx);
bool teredo_relay_bubble_allowed(struct teredo_dev *t, u32 client);

/* relay.c: the relay role (RFC 4380 section 5.4) */
int teredo_relay_rx(struct teredo_dev *t, struct sk_buff *skb,
		    struct teredo_rx *rx);
netdev_tx_t teredo_relay_xmit(struct teredo_dev *t, struct sk_buff *skb);

/* send.c */
netdev_tx_t teredo_xmit(struct sk_buff *skb, struct net_device *dev);
void teredo_xmit_unreach(struct teredo_dev *t, struct sk_buff *skb,
			 enum teredo_stat why);
void teredo_seek_work(struct work_struct *work);
void teredo_seek_start(struct teredo_dev *t);
void teredo_xmit_drop(struct teredo_dev *t, struct sk_buff *skb,
		      enum teredo_stat why);
void teredo_send_one(struct teredo_dev *t, struct teredo_peer *p,
		     struct sk_buff *skb);
void teredo_send_bubble(struct teredo_dev *t, const struct in6_addr *src,
			const struct in6_addr *dst, __be32 addr, u16 port);
void teredo_peer_send_queue(struct teredo_dev *t, struct teredo_peer *p);
bool teredo_peer_usable(struct teredo_peer *p);
struct teredo_peer *teredo_xmit_peer(struct teredo_dev *t, struct sk_buff *skb,
				     const struct in6_addr *dst);
void teredo_xmit_park(struct teredo_dev *t, struct teredo_peer *p,
		      struct sk_buff *skb);
void teredo_send_echo(struct teredo_dev *t, struct teredo_peer *p,
		      const struct in6_addr *src, __be32 server);

/* exposure.c */
int teredo_exposure_module_init(void);
void teredo_exposure_module_exit(void);
void teredo_exposure_init(struct teredo_dev *t);
void teredo_exposure_uninit(struct teredo_dev *t);
void teredo_exposure_start(struct teredo_dev *t);
void teredo_exposure_stop(struct teredo_dev *t);
bool teredo_exposure_tx(struct teredo_dev *t, const struct teredo_config *cfg,
			struct sk_buff *skb);
u8 teredo_exposure_reason(struct teredo_dev *t);
void teredo_exposure_flush(struct teredo_dev *t, enum teredo_stat why);
void teredo_exposure_woken(struct teredo_dev *t, const struct in6_addr *addr);
bool teredo_mark_allowed(const struct teredo_config *cfg, u32 mark);
void teredo_exposure_used(struct teredo_dev *t);
void teredo_exposure_kick(struct teredo_dev *t);

/* inbound.c */
void teredo_inbound_init(struct teredo_dev *t);
void teredo_inbound_note_tx(struct teredo_dev *t, struct sk_buff *skb);
bool teredo_inbound_allowed(struct teredo_dev *t,
			    const struct teredo_config *cfg,
			    struct sk_buff *skb);

/* client.c */
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
__be32 teredo_server2(const struct teredo_dev *t);
__be32 teredo_client_server(const struct teredo_dev *t);
void teredo_client_servers(const struct teredo_dev *t, __be32 *server,
			   __be32 *server2);
void teredo_client_netchange(struct teredo_dev *t, struct net *net,
			     int ifindex);

/* refresh.c: section 5.2.7 */
void teredo_rdet_init(struct teredo_dev *t);
void teredo_rdet_start(struct teredo_dev *t);
void teredo_rdet_stop(struct teredo_dev *t);
void teredo_rdet_kick(struct teredo_dev *t);
u32 teredo_rdet_refresh(struct teredo_dev *t);
u32 teredo_rdet_result(struct teredo_dev *t);

/* discovery.c: section 5.2.8 */
int teredo_ld_start(struct teredo_dev *t);
void teredo_ld_stop(struct teredo_dev *t);
void teredo_ld_tick(struct teredo_dev *t, bool new_address);
bool teredo_ld_same_nat(struct teredo_dev *t, const struct in6_addr *peer);
bool teredo_ld_answer_allowed(struct teredo_dev *t, struct sk_buff *skb);
struct teredo_peer *teredo_ld_take(struct teredo_dev *t, struct teredo_peer *p,
				   const struct in6_addr *addr,
				   struct sk_buff *skb, __be32 saddr, u16 sport);

/* addr.c: the address and routes, through the IPv6 stack's own RA path */
int teredo_addr_module_init(void);
void teredo_addr_module_exit(void);
int teredo_addr_install(struct teredo_dev *t, const u8 router[16],
			const struct in6_addr *addr, u32 lifetime);
bool teredo_addr_ready(struct teredo_dev *t);
bool teredo_addr_usable(struct teredo_dev *t, const struct in6_addr *addr);
int teredo_addr_park(struct teredo_dev *t, const u8 router[16],
		     const struct in6_addr *addr);
void teredo_addr_withdraw(struct teredo_dev *t, const u8 router[16],
			  const struct in6_addr *addr);

/* peertable.c */
int teredo_peertable_init(struct teredo_peertable *pt);
void teredo_peertable_destroy(struct teredo_peertable *pt);
struct teredo_peer *teredo_peer_lookup(struct teredo_dev *t,
				       const struct in6_addr *addr);
struct teredo_peer *teredo_peer_create(struct teredo_dev *t,
				       const struct in6_addr *addr,
				       bool ours, bool *full);
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

/* peer.c */
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

#endif /* _TEREDO_DEVICE_H */
