/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device's kernel UDP sockets (socket.c): open and close, and the
 * transmit helpers every sender uses.
 */
#ifndef _TEREDO_SOCKET_H
#define _TEREDO_SOCKET_H

#include <linux/ip.h>
#include <linux/netdevice.h>
#include <linux/types.h>
#include <linux/udp.h>

struct sk_buff;
struct teredo_dev;

/* Headroom ndo_start_xmit asks for. */
#define TEREDO_HEADROOM (LL_MAX_HEADER + sizeof(struct iphdr) + \
			 sizeof(struct udphdr))

/* Where the packets to one destination leave (teredo_path_get()). */
struct teredo_path {
	__be32 daddr;			/* the destination, 0: none looked up */
	__be32 saddr;			/* source the route gives */
	__be32 gw;			/* IPv4 next hop, 0: on link */
	int ifindex;			/* lower device, 0: no route */
};

/* The destination of the route a CPU's slot of dst_cache holds. */
struct teredo_route_key {
	__be32 daddr;
	__be16 dport;
};

/*
 * Most segments teredo_udp_send_tso() cuts from one super-packet (a
 * 64 KiB one of 1208-byte payloads has 55); a larger count takes the
 * kernel's GSO.
 */
#define TEREDO_TSO_SEGS_MAX	256

/* What teredo_udp_send_tso() did with a super-packet. */
struct teredo_tso_sent {
	unsigned int datagrams;		/* sent (or lost in IPv4 output) */
	unsigned int trains;		/* UDP GSO trains among them */
	unsigned int dropped;		/* segments lost before leaving */
};

int teredo_socket_open(struct teredo_dev *t);
void teredo_socket_close(struct teredo_dev *t);
int teredo_udp_send(struct teredo_dev *t, struct sk_buff *skb,
		    __be32 daddr, u16 dport);
int teredo_udp_send_buf(struct teredo_dev *t, const u8 *buf, size_t len,
			__be32 daddr, u16 dport);
unsigned int teredo_udp_send_train(struct teredo_dev *t,
				   struct sk_buff **segs, __be32 daddr,
				   u16 dport);
bool teredo_udp_send_tso(struct teredo_dev *t, struct sk_buff *skb,
			 __be32 daddr, u16 dport, struct teredo_tso_sent *st);
int teredo_udp_send_buf_from(struct teredo_dev *t, bool secondary,
			     const u8 *buf, size_t len, __be32 daddr,
			     u16 dport);
void teredo_path_get(struct teredo_dev *t, __be32 daddr,
		     struct teredo_path *p);
u16 teredo_udp_local_port(struct teredo_dev *t);

#endif /* _TEREDO_SOCKET_H */
