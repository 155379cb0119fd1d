// SPDX-License-Identifier: GPL-2.0
/*
 * The device's kernel UDP socket: creation through the udp_tunnel
 * helpers (receive goes to teredo_udp_encap_recv) and the transmit
 * helper every sender uses.  Outer packets never carry DF (RFC 4380
 * section 5.1.1) and carry the configured fwmark.
 */

#include <linux/ip.h>
#include <linux/udp.h>
#include <net/dst_cache.h>
#include <net/inet_sock.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/udp_tunnel.h>

#include "compat.h"
#include "device.h"

static int teredo_socket_bind(struct teredo_dev *t, __be32 addr, u16 port,
			      struct socket __rcu **slot)
{
	struct udp_tunnel_sock_cfg tcfg = {
		.sk_user_data	= t,
		.encap_type	= 1,
		.encap_rcv	= teredo_udp_encap_recv,
	};
	struct udp_port_cfg cfg = {
		.family			= AF_INET,
		.local_ip.s_addr	= addr,
		.local_udp_port		= htons(port),
		.bind_ifindex		= teredo_cfg(t)->link,
		.use_udp_checksums	= true,
	};
	struct socket *sock;
	int err;

	err = udp_sock_create4(t->net, &cfg, &sock);
	if (err)
		return err;
	sock->sk->sk_mark = teredo_cfg(t)->fwmark;
	inet_sk(sock->sk)->pmtudisc = IP_PMTUDISC_DONT;
	teredo_setup_udp_tunnel_sock(t->net, sock, &tcfg);
	rcu_assign_pointer(*slot, sock);
	return 0;
}

/*
 * A client or a relay binds cfg.local:cfg.port; a server binds port
 * 3544 on its two addresses, cfg.server and cfg.server2 (default
 * server + 1), which must be local.
 */
int teredo_socket_open(struct teredo_dev *t)
{
	const struct teredo_config *cfg = teredo_cfg(t);
	int err;

	ASSERT_RTNL();
	/* a new bound address, link or fwmark: the cached route is stale */
	dst_cache_reset(&t->dst_cache);
	if (cfg->mode != TEREDO_MODE_SERVER)
		return teredo_socket_bind(t, cfg->local, cfg->port, &t->sock);
	err = teredo_socket_bind(t, cfg->server, TEREDO_PORT, &t->sock);
	if (err)
		return err;
	err = teredo_socket_bind(t, teredo_server2(t), TEREDO_PORT, &t->sock2);
	if (err)
		teredo_socket_close(t);
	return err;
}

void teredo_socket_close(struct teredo_dev *t)
{
	struct socket *sock = rtnl_dereference(t->sock);
	struct socket *sock2 = rtnl_dereference(t->sock2);

	if (!sock && !sock2)
		return;
	RCU_INIT_POINTER(t->sock, NULL);
	RCU_INIT_POINTER(t->sock2, NULL);
	synchronize_net();
	if (sock)
		teredo_udp_tunnel_sock_release(sock);
	if (sock2)
		teredo_udp_tunnel_sock_release(sock2);
}

/*
 * The route of the primary socket to @daddr:@dport, from the device's
 * dst_cache when the last packet sent on this CPU went to the same
 * destination (a client sends almost everything to one relay or peer).
 * The cache is reset whenever the socket is (re)bound, which is also
 * when its link, fwmark or address change; routing changes invalidate
 * the cached route itself (dst_check).  Multicast (local discovery) and
 * the secondary socket of a server always look up.
 */
static struct rtable *teredo_route(struct teredo_dev *t, struct flowi4 *fl4,
				   bool cache)
{
	struct teredo_route_key *key = NULL;
	struct rtable *rt;

	if (cache) {
		key = this_cpu_ptr(t->route_key);
		if (key->daddr == fl4->daddr && key->dport == fl4->fl4_dport) {
			rt = dst_cache_get_ip4(&t->dst_cache, &fl4->saddr);
			if (rt)
				return rt;
		}
	}
	rt = ip_route_output_key(t->net, fl4);
	if (key && !IS_ERR(rt)) {
		dst_cache_set_ip4(&t->dst_cache, &rt->dst, fl4->saddr);
		key->daddr = fl4->daddr;
		key->dport = fl4->fl4_dport;
	}
	return rt;
}

/*
 * Sends @skb, an IPv6 packet with any Teredo headers, to @daddr:@dport,
 * from the secondary address of a server if @secondary, else from the
 * device's (primary) socket.  BH disabled (the route cache is per CPU).
 */
int teredo_udp_send_from(struct teredo_dev *t, bool secondary,
			 struct sk_buff *skb, __be32 daddr, u16 dport)
{
	const struct teredo_config *cfg;
	struct net_device *dev = t->dev;
	struct socket *sock;
	struct flowi4 fl4;
	struct rtable *rt;
	__be16 sport;
	int err;

	rcu_read_lock_bh();
	sock = secondary ? rcu_dereference_bh(t->sock2) :
			   rcu_dereference_bh(t->sock);
	if (!sock) {
		err = -ENOTCONN;
		goto drop;
	}
	sport = inet_sk(sock->sk)->inet_sport;
	memset(&fl4, 0, sizeof(fl4));
	rcu_read_lock();
	cfg = teredo_cfg(t);
	fl4.flowi4_oif = cfg->link;
	fl4.flowi4_mark = cfg->fwmark;
	rcu_read_unlock();
	fl4.saddr = inet_sk(sock->sk)->inet_saddr;	/* bound address */
	fl4.flowi4_proto = IPPROTO_UDP;
	fl4.daddr = daddr;
	fl4.fl4_dport = htons(dport);
	fl4.fl4_sport = sport;
	rt = teredo_route(t, &fl4, !secondary && !ipv4_is_multicast(daddr));
	if (IS_ERR(rt)) {
		err = PTR_ERR(rt);
		goto drop;
	}
	if (rt->dst.dev == dev) {
		ip_rt_put(rt);
		err = -ELOOP;
		goto drop;
	}
	err = skb_cow_head(skb, LL_RESERVED_SPACE(rt->dst.dev) +
			   sizeof(struct iphdr) + sizeof(struct udphdr));
	if (err) {
		ip_rt_put(rt);
		goto drop;
	}
	skb_scrub_packet(skb, !net_eq(t->net, dev_net(dev)));
	/*
	 * Whatever the skb was (from the stack, received on a lower device
	 * by a server, or built here), it leaves through the teredo device:
	 * iptunnel_xmit() counts it, once, in this device's tstats, with the
	 * UDP payload's length.  A lower device's per-CPU statistics are not
	 * tstats (lo's are 16-byte lstats; most NICs have none).
	 */
	skb->dev = dev;
	skb_reset_inner_network_header(skb);
	skb->mark = fl4.flowi4_mark;
	/*
	 * The inner checksum is always resolved here: the outer UDP one is
	 * then left to the lower device (udp_set_csum), which resolves it
	 * or hands it to whoever reads it on this host as already checked.
	 */
	if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb)) {
		ip_rt_put(rt);
		err = -EINVAL;
		goto drop;
	}
	skb->ip_summed = CHECKSUM_NONE;
	/* the only multicast sent: local discovery, TTL 1 (RFC 4380 5.2.8) */
	teredo_udp_tunnel_xmit_skb(rt, sock->sk, skb, fl4.saddr, daddr,
				   ipv4_is_multicast(daddr) ? 1 :
				   ip4_dst_hoplimit(&rt->dst), sport,
				   htons(dport));
	rcu_read_unlock_bh();
	return 0;
drop:
	rcu_read_unlock_bh();
	kfree_skb(skb);
	return err;
}

int teredo_udp_send(struct teredo_dev *t, struct sk_buff *skb,
		    __be32 daddr, u16 dport)
{
	return teredo_udp_send_from(t, false, skb, daddr, dport);
}

int teredo_udp_send_buf_from(struct teredo_dev *t, bool secondary,
			     const u8 *buf, size_t len, __be32 daddr,
			     u16 dport)
{
	struct sk_buff *skb;

	skb = alloc_skb(TEREDO_HEADROOM + len, GFP_ATOMIC);
	if (!skb)
		return -ENOMEM;
	skb_reserve(skb, TEREDO_HEADROOM);
	skb_put_data(skb, buf, len);
	return teredo_udp_send_from(t, secondary, skb, daddr, dport);
}

int teredo_udp_send_buf(struct teredo_dev *t, const u8 *buf, size_t len,
			__be32 daddr, u16 dport)
{
	return teredo_udp_send_buf_from(t, false, buf, len, daddr, dport);
}
