/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Transmit (send.c): the device's ndo_start_xmit, the peers' queues of
 * packets waiting for trust, and the bubbles and echo tests that seek it.
 */
#ifndef _TEREDO_SEND_H
#define _TEREDO_SEND_H

#include <linux/in6.h>
#include <linux/netdevice.h>
#include <linux/types.h>
#include <uapi/linux/teredo.h>

#include "proto.h"

struct sk_buff;
struct teredo_dev;
struct teredo_peer;
struct work_struct;

/*
 * While packets wait for a peer, a client tries again every
 * TEREDO_SEEK_INTERVAL (bubbles, or echo tests for a native peer, within
 * the limits of section 5.2.6, TEREDO_BUBBLE_*), looking at
 * TEREDO_SEEK_BATCH waiting peers a time; TEREDO_BUBBLE_GAP after the
 * last try the window allows, the peer is given up: its packets are
 * refused with an ICMPv6 address unreachable.
 */
#define TEREDO_SEEK_INTERVAL		HZ
#define TEREDO_SEEK_BATCH		64

netdev_tx_t teredo_xmit(struct sk_buff *skb, struct net_device *dev);
void teredo_xmit_unreach(struct teredo_dev *t, struct sk_buff *skb,
			 enum teredo_stat why);
void teredo_seek_work(struct work_struct *work);
void teredo_seek_start(struct teredo_dev *t);
void teredo_xmit_drop(struct teredo_dev *t, struct sk_buff *skb,
		      enum teredo_stat why);
bool teredo_send_bubble(struct teredo_dev *t, const struct in6_addr *src,
			const struct in6_addr *dst, __be32 addr, u16 port);
void teredo_peer_send_queue(struct teredo_dev *t, struct teredo_peer *p);
bool teredo_peer_usable(struct teredo_peer *p);
void teredo_echo_nonce(const struct teredo_dev *t, const struct teredo_peer *p,
		       u32 seq, u8 nonce[TEREDO_NONCE_LEN]);
struct teredo_peer *teredo_xmit_peer(struct teredo_dev *t, struct sk_buff *skb,
				     const struct in6_addr *dst);
void teredo_xmit_park(struct teredo_dev *t, struct teredo_peer *p,
		      struct sk_buff *skb);
void teredo_send_echo(struct teredo_dev *t, struct teredo_peer *p,
		      const struct in6_addr *src, __be32 server);

#endif /* _TEREDO_SEND_H */
