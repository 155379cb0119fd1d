/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Receive (receive.c): the UDP socket's encap_rcv, and what the roles'
 * receive paths (server.c, relay.c, discovery.c) share.
 */
#ifndef _TEREDO_RECEIVE_H
#define _TEREDO_RECEIVE_H

#include <linux/in6.h>
#include <linux/skbuff.h>
#include <linux/types.h>
#include <linux/udp.h>
#include <uapi/linux/teredo.h>

#include "proto.h"

struct sock;
struct teredo_config;
struct teredo_dev;

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

#endif /* _TEREDO_RECEIVE_H */
