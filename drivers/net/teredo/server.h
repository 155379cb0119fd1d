/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The server role (server.c, RFC 4380 section 5.3), and the limits on
 * what a server and a relay send.
 */
#ifndef _TEREDO_SERVER_H
#define _TEREDO_SERVER_H

#include <linux/siphash.h>
#include <linux/spinlock.h>
#include <linux/types.h>

struct sk_buff;
struct teredo_dev;
struct teredo_rx;

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

void teredo_server_init(struct teredo_dev *t);
int teredo_server_rx(struct teredo_dev *t, struct sk_buff *skb,
		     struct teredo_rx *rx);
bool teredo_relay_bubble_allowed(struct teredo_dev *t, u32 client);

#endif /* _TEREDO_SERVER_H */
