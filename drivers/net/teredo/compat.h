/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel API difference the module meets between the kernels it
 * supports (Debian 6.1 and 6.12), detected from the headers: a macro a
 * feature defines, or a probe in Kbuild (TEREDO_HAVE_*), never a
 * version number, since distributions backport.
 */
#ifndef _TEREDO_COMPAT_H
#define _TEREDO_COMPAT_H

#include <linux/netdevice.h>
#include <net/if_inet6.h>

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
 * Inbound socket lookups (inbound.c): udp6_lib_lookup() and
 * inet6_lookup() have the same arguments on 6.1 and 6.12 (6.12 made
 * their struct net const), and both kernels keep each netns's TCP hash
 * table in net->ipv4.tcp_death_row.hashinfo (since 6.1).  The kernel
 * exports udp6_lib_lookup() only for nft's socket expression and
 * TPROXY, which Debian builds (=m) on both.
 */
#if !IS_ENABLED(CONFIG_NF_SOCKET_IPV6) && !IS_ENABLED(CONFIG_NF_TPROXY_IPV6)
#error "teredo needs udp6_lib_lookup(): CONFIG_NF_SOCKET_IPV6 or CONFIG_NF_TPROXY_IPV6"
#endif

struct net;

static inline struct inet_hashinfo *teredo_tcp_hashinfo(struct net *net)
{
	return net->ipv4.tcp_death_row.hashinfo;
}

#endif /* _TEREDO_COMPAT_H */
