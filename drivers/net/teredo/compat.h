/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel API difference the module meets between the kernels it
 * supports (Debian 6.1 and 6.12, mainline 7.2), detected from the
 * headers: a macro a feature defines, or a probe in Kbuild
 * (TEREDO_HAVE_*), never a version number, since distributions backport.
 */
#ifndef _TEREDO_COMPAT_H
#define _TEREDO_COMPAT_H

#include <linux/netdevice.h>
#include <linux/net.h>
#include <linux/in.h>
#include <net/if_inet6.h>
#include <net/inet6_hashtables.h>
#include <net/net_namespace.h>
#include <net/rtnetlink.h>
#include <net/udp_tunnel.h>

/* 6.4 moved skb_gso_segment() from linux/netdevice.h to net/gso.h. */
#ifdef TEREDO_HAVE_NET_GSO_H
#include <net/gso.h>
#endif

/* 6.12 replaced the NETIF_F_LLTX feature bit with dev->lltx. */
static inline void teredo_set_lltx(struct net_device *dev)
{
#ifdef NETIF_F_LLTX
	dev->features |= NETIF_F_LLTX;
#else
	dev->lltx = true;
#endif
}

/*
 * Since 6.9 (and only where the devconf knob exists) an RA may shorten
 * the valid lifetime of an autoconfigured address below two hours.
 * Returns true if the stack will honour a zero valid lifetime itself.
 */
static inline bool teredo_idev_honor_pio_life(struct inet6_dev *idev)
{
#ifdef TEREDO_HAVE_RA_HONOR_PIO_LIFE
	WRITE_ONCE(idev->cnf.ra_honor_pio_life, 1);
	return true;
#else
	return false;
#endif
}

/*
 * Inbound socket lookups (inbound.c): udp6_lib_lookup() has the same
 * arguments on every kernel supported (6.12 made its struct net const).
 * The kernel exports it only for nft's socket expression and TPROXY,
 * which Debian builds (=m) and our test kernels build in.
 */
#if !IS_ENABLED(CONFIG_NF_SOCKET_IPV6) && !IS_ENABLED(CONFIG_NF_TPROXY_IPV6)
#error "teredo needs udp6_lib_lookup(): CONFIG_NF_SOCKET_IPV6 or CONFIG_NF_TPROXY_IPV6"
#endif

/*
 * The established or listening TCP socket for an inbound segment.  On
 * 6.1 and 6.12 inet6_lookup() takes the hash table, each netns's being in
 * net->ipv4.tcp_death_row.hashinfo; newer kernels (7.2) find it
 * themselves.
 */
static inline struct sock *
teredo_inet6_lookup_tcp(struct net *net, const struct in6_addr *saddr,
			__be16 sport, const struct in6_addr *daddr,
			__be16 dport, int dif)
{
#ifdef TEREDO_HAVE_INET6_LOOKUP_HASHINFO
	return inet6_lookup(net, net->ipv4.tcp_death_row.hashinfo, NULL, 0,
			    saddr, sport, daddr, dport, dif);
#else
	return inet6_lookup(net, NULL, 0, saddr, sport, daddr, dport, dif);
#endif
}

/* Newer kernels' (7.2) kernel_bind() takes a struct sockaddr_unsized. */
static inline int teredo_kernel_bind4(struct socket *sock,
				      struct sockaddr_in *sin)
{
#ifdef TEREDO_HAVE_SOCKADDR_UNSIZED
	return kernel_bind(sock, (struct sockaddr_unsized *)sin, sizeof(*sin));
#else
	return kernel_bind(sock, (struct sockaddr *)sin, sizeof(*sin));
#endif
}

/*
 * setup_udp_tunnel_sock() and udp_tunnel_sock_release() take the struct
 * sock on newer kernels (7.2), the struct socket on 6.1 and 6.12.
 */
static inline void
teredo_setup_udp_tunnel_sock(struct net *net, struct socket *sock,
			     struct udp_tunnel_sock_cfg *cfg)
{
#ifdef TEREDO_HAVE_UDP_TUNNEL_SETUP_SK
	setup_udp_tunnel_sock(net, sock->sk, cfg);
#else
	setup_udp_tunnel_sock(net, sock, cfg);
#endif
}

static inline void teredo_udp_tunnel_sock_release(struct socket *sock)
{
#ifdef TEREDO_HAVE_UDP_TUNNEL_RELEASE_SK
	udp_tunnel_sock_release(sock->sk);
#else
	udp_tunnel_sock_release(sock);
#endif
}

/*
 * Newer kernels' (7.2) udp_tunnel_xmit_skb() takes the IPCB flags of the
 * outer packet (none here).
 */
static inline void
teredo_udp_tunnel_xmit_skb(struct rtable *rt, struct sock *sk,
			   struct sk_buff *skb, __be32 src, __be32 dst,
			   u8 ttl, __be16 src_port, __be16 dst_port)
{
#ifdef TEREDO_HAVE_UDP_TUNNEL_IPCB_FLAGS
	udp_tunnel_xmit_skb(rt, sk, skb, src, dst, 0, ttl, 0, src_port,
			    dst_port, false, false, 0);
#else
	udp_tunnel_xmit_skb(rt, sk, skb, src, dst, 0, ttl, 0, src_port,
			    dst_port, false, false);
#endif
}

/*
 * Newer kernels (7.2) pack the arguments of rtnl_link_ops.newlink() into
 * struct rtnl_newlink_params.  teredo_compat_newlink() is the callback
 * for either; it calls teredo_newlink() (device.c).
 */
int teredo_newlink(struct net *src_net, struct net_device *dev,
		   struct nlattr *data[], struct netlink_ext_ack *extack);

#ifdef TEREDO_HAVE_RTNL_NEWLINK_PARAMS
static inline int teredo_compat_newlink(struct net_device *dev,
					struct rtnl_newlink_params *params,
					struct netlink_ext_ack *extack)
{
	return teredo_newlink(params->src_net, dev, params->data, extack);
}
#else
static inline int teredo_compat_newlink(struct net *src_net,
					struct net_device *dev,
					struct nlattr *tb[], struct nlattr *data[],
					struct netlink_ext_ack *extack)
{
	return teredo_newlink(src_net, dev, data, extack);
}
#endif

/*
 * 6.1 and 6.12 have pernet_operations.exit_batch_rtnl(net_list, kill),
 * which runs beside the core's own deletion of the devices of the dying
 * netns (their dellink, on the same kill list); newer kernels (7.2)
 * replace it by exit_rtnl(net, kill), run for each dying netns before
 * the core deletes any device.  teredo_compat_exit_rtnl(), set with
 * TEREDO_PERNET_EXIT_RTNL(), is the callback for either; it calls
 * teredo_exit_net_rtnl() (device.c) under RTNL for each dying netns,
 * net_list being the dying netns whose devices the core deletes in the
 * same pass (NULL: none).
 */
void teredo_exit_net_rtnl(struct net *net, struct list_head *net_list,
			  struct list_head *kill);

#ifdef TEREDO_HAVE_PERNET_EXIT_RTNL
static inline void __net_exit teredo_compat_exit_rtnl(struct net *net,
						      struct list_head *kill)
{
	teredo_exit_net_rtnl(net, NULL, kill);
}

#define TEREDO_PERNET_EXIT_RTNL(fn)	.exit_rtnl = (fn)
#else
static inline void __net_exit
teredo_compat_exit_rtnl(struct list_head *net_list, struct list_head *kill)
{
	struct net *net;

	list_for_each_entry(net, net_list, exit_list)
		teredo_exit_net_rtnl(net, net_list, kill);
}

#define TEREDO_PERNET_EXIT_RTNL(fn)	.exit_batch_rtnl = (fn)
#endif

#endif /* _TEREDO_COMPAT_H */
