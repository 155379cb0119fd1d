// SPDX-License-Identifier: GPL-2.0
/*
 * Local client discovery (RFC 4380 section 5.2.8), when
 * cfg.local_discovery is set (off by default, as Windows and the RFC
 * allow): Teredo clients behind the same NAT, which may not hairpin,
 * find each other on their LAN.
 *
 * A qualified client sends a discovery bubble (source: its Teredo
 * address) to the Teredo IPv4 discovery address 224.0.0.253:3544 with
 * TTL 1, from its own UDP port, when it qualifies and every 200-300 s.
 * A second socket, bound to port 3544 and member of that group,
 * receives the others': the sender, if its address names our server
 * and our NAT's outside IPv4, becomes a local peer, reachable at the
 * bubble's IPv4 source and port; a direct bubble answers it there.
 * A local peer is trusted, as any peer, once a packet from it arrives
 * directly from that local address (receive.c); packets to it, and
 * answers to its indirect bubbles, then go to that address.
 *
 * Nothing authenticates a claim "this Teredo address is at that LAN
 * address": a claim is taken only from our LAN and never moves a peer
 * trusted elsewhere.  The discovery socket takes only datagrams sent to
 * the group, on the interface it joined on, from an address inside one
 * of that interface's subnets; a unicast bubble to our Teredo port from
 * a non-global source (receive.c) makes its sender local only as the
 * answer to our own discovery bubble: from our LAN, within
 * TEREDO_LD_ANSWER_TIME of it.  A peer trusted at another address (its
 * public mapping, another LAN address) stays there (teredo_ld_claim).
 * Every refused claim is dropped and counted (drop_local_discovery).
 *
 * The socket is created, joined to the group, left and released under
 * RTNL with the client.  Leaving first matters: releasing a member
 * socket takes RTNL itself.  It leaves by the ifindex the join chose,
 * which works even when that device is already gone (netns teardown),
 * where a leave by route lookup would fail.  Its receive runs in softirq and reads
 * sk_user_data under RCU.
 */

#include <linux/igmp.h>
#include <linux/in.h>
#include <linux/inetdevice.h>
#include <linux/ip.h>
#include <linux/random.h>
#include <linux/udp.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <net/udp_tunnel.h>

#include "client.h"
#include "compat.h"
#include "device.h"
#include "discovery.h"
#include "peer.h"
#include "peertable.h"
#include "receive.h"
#include "socket.h"
#include "stats.h"

#define TEREDO_DISCOVERY_GROUP	0xe00000fd	/* 224.0.0.253 */

/*
 * May @peer, heard from on our LAN, be a local peer?  Only a client of
 * our server behind our own NAT (the same outside IPv4 in its address):
 * a LAN host cannot pass itself off as a client anywhere else.
 */
bool teredo_ld_same_nat(struct teredo_dev *t, const struct in6_addr *peer)
{
	struct teredo_addr mine, theirs;
	struct in6_addr me;
	__be32 server;

	return teredo_client_address(t, &me, &server) &&
	       teredo_addr_decode(me.s6_addr, &mine) &&
	       teredo_addr_decode(peer->s6_addr, &theirs) &&
	       theirs.client == mine.client && theirs.server == mine.server &&
	       !ipv6_addr_equal(peer, &me);
}

/*
 * Softirq: did @skb come from our LAN, that is on the interface the
 * discovery socket joined the group on, from an address inside one of
 * that interface's IPv4 subnets?  Anything else (a spoofed non-global
 * source from beyond the NAT, a host behind another router) is not a
 * client of our LAN, whatever address of our NAT it claims.
 */
static bool teredo_ld_from_lan(struct teredo_dev *t, struct sk_buff *skb)
{
	int ifindex = READ_ONCE(t->ld.ifindex);
	__be32 saddr = ip_hdr(skb)->saddr;
	const struct in_ifaddr *ifa;
	struct in_device *in_dev;
	struct net_device *dev;
	bool ok = false;

	if (!ifindex ||
	    (inet_iif(skb) != ifindex && inet_sdif(skb) != ifindex) ||
	    ipv4_is_multicast(saddr) || ipv4_is_zeronet(saddr) ||
	    ipv4_is_lbcast(saddr) || ipv4_is_loopback(saddr))
		return false;
	rcu_read_lock();
	dev = dev_get_by_index_rcu(t->net, ifindex);
	in_dev = dev ? __in_dev_get_rcu(dev) : NULL;
	if (in_dev) {
		in_dev_for_each_ifa_rcu(ifa, in_dev) {
			if (inet_ifa_match(saddr, ifa)) {
				ok = true;
				break;
			}
		}
	}
	rcu_read_unlock();
	return ok;
}

/*
 * Softirq: may @skb, a unicast bubble from a non-global source claiming
 * an address of our NAT (receive.c), make its sender a local peer?  Only
 * as the answer to our own discovery bubble: within
 * TEREDO_LD_ANSWER_TIME of it, and from our LAN.
 */
bool teredo_ld_answer_allowed(struct teredo_dev *t, struct sk_buff *skb)
{
	unsigned long sent = READ_ONCE(t->ld.sent);

	return time_in_range(jiffies, sent, sent + TEREDO_LD_ANSWER_TIME) &&
	       teredo_ld_from_lan(t, skb);
}

/*
 * A local claim of @p from @addr:@port (found on our LAN, and that
 * rules allowed): makes @p a local peer there, unless @p is trusted at
 * another address (its public mapping, or another LAN address).  A
 * peer trusted elsewhere is never moved by a claim: anyone on the LAN
 * can make one, for any address of our NAT, and the RFC has nothing
 * that proves it (no nonce, no server); the peer stays where it
 * answered us, until it is forgotten (TEREDO_PEER_IDLE).  False: refused.
 */
static bool teredo_ld_claim(struct teredo_peer *p, __be32 addr, u16 port)
{
	bool ok;

	spin_lock_bh(&p->lock);
	ok = !p->trusted || (p->local && p->local_addr == addr);
	if (ok) {
		p->local = true;
		p->local_addr = addr;
		p->local_port = port;
	}
	spin_unlock_bh(&p->lock);
	return ok;
}

/*
 * Softirq: a claim of @addr from @saddr:@sport that the rules allowed so
 * far.  @p, or a new peer if @p is NULL, becomes local there
 * (teredo_ld_claim()).  Returns the peer, with the caller's reference
 * (@p's, passed on), or NULL with @skb dropped and counted and @p's
 * reference dropped.
 */
struct teredo_peer *teredo_ld_take(struct teredo_dev *t, struct teredo_peer *p,
				   const struct in6_addr *addr,
				   struct sk_buff *skb, __be32 saddr, u16 sport)
{
	if (!p) {
		p = teredo_peer_create(t, addr, false);
		if (IS_ERR(p)) {
			teredo_rx_drop(t, skb, PTR_ERR(p) == -ENOSPC ?
				       TEREDO_STAT_DROP_PEERS_FULL :
				       TEREDO_STAT_DROP_MALFORMED);
			return NULL;
		}
	}
	if (!teredo_ld_claim(p, saddr, sport)) {
		teredo_peer_put(p);
		teredo_rx_drop(t, skb, TEREDO_STAT_DROP_LOCAL_DISCOVERY);
		return NULL;
	}
	return p;
}

static void teredo_ld_reply(struct teredo_dev *t, struct teredo_peer *p,
			    __be32 addr, u16 port)
{
	struct in6_addr me;
	__be32 server;
	u8 buf[TEREDO_IPV6_HLEN];
	size_t len;

	if (!teredo_client_address(t, &me, &server) ||
	    !teredo_peer_bubble_allowed(p))
		return;
	len = teredo_build_bubble(buf, sizeof(buf), me.s6_addr,
				  p->addr.s6_addr);
	if (len && !teredo_udp_send_buf(t, buf, len, addr, port))
		teredo_stat_inc(t, TEREDO_STAT_TX_BUBBLES);
}

/*
 * Softirq: a discovery bubble from a client on our LAN (or our own,
 * looped back).  Only a bubble sent to the group, from our LAN, naming
 * a client of our server behind our NAT is one; anything else that
 * reaches port 3544 is dropped and counted.
 */
static int teredo_ld_recv(struct sock *sk, struct sk_buff *skb)
{
	struct teredo_dev *t = rcu_dereference_sk_user_data(sk);
	struct teredo_trailers tr;
	const struct ipv6hdr *ip6;
	struct teredo_encap enc;
	enum teredo_verdict v;
	struct teredo_peer *p;
	size_t total, avail;
	struct in6_addr me;
	__be32 saddr, server;
	u16 sport;

	if (!t) {
		kfree_skb(skb);
		return 0;
	}
	/* a unicast datagram to port 3544 is no discovery bubble */
	if (ip_hdr(skb)->daddr != htonl(TEREDO_DISCOVERY_GROUP))
		return teredo_rx_drop(t, skb, TEREDO_STAT_DROP_LOCAL_DISCOVERY);
	if (skb->len < sizeof(struct udphdr))
		return teredo_rx_drop(t, skb, TEREDO_STAT_DROP_MALFORMED);
	total = skb->len - sizeof(struct udphdr);
	avail = min_t(size_t, total, TEREDO_ENCAP_MAX_LEN + TEREDO_IPV6_HLEN);
	if (!pskb_may_pull(skb, sizeof(struct udphdr) + avail))
		return teredo_rx_drop(t, skb, TEREDO_STAT_DROP_MALFORMED);
	v = teredo_parse_encap(skb->data + sizeof(struct udphdr), avail, total,
			       &enc);
	if (v == TEREDO_OK)
		v = teredo_rx_trailers(skb, &enc, &tr);
	if (v != TEREDO_OK)
		return teredo_rx_drop(t, skb, teredo_verdict_stat(v));
	if (enc.has_auth || enc.has_origin || !enc.bubble)
		return teredo_rx_drop(t, skb, TEREDO_STAT_DROP_LOCAL_DISCOVERY);
	if (!teredo_client_address(t, &me, &server))
		return teredo_rx_drop(t, skb, TEREDO_STAT_DROP_NOT_QUALIFIED);
	ip6 = (const void *)(skb->data + sizeof(struct udphdr) + enc.hdr_len);
	if (ipv6_addr_equal(&ip6->saddr, &me)) {
		consume_skb(skb);	/* ours, looped back */
		return 0;
	}
	saddr = ip_hdr(skb)->saddr;
	sport = ntohs(udp_hdr(skb)->source);
	/* from our LAN, a client of our server behind our NAT */
	if (!teredo_ld_from_lan(t, skb) ||
	    !teredo_is_teredo_addr(ip6->saddr.s6_addr) ||
	    !teredo_ld_same_nat(t, &ip6->saddr))
		return teredo_rx_drop(t, skb, TEREDO_STAT_DROP_LOCAL_DISCOVERY);
	p = teredo_ld_take(t, NULL, &ip6->saddr, skb, saddr, sport);
	if (!p)
		return 0;	/* dropped, counted */
	teredo_stat_inc(t, TEREDO_STAT_RX_BUBBLES);
	teredo_ld_reply(t, p, saddr, sport);
	teredo_peer_put(p);
	consume_skb(skb);
	return 0;
}

static struct ip_mreqn teredo_ld_mreq(int ifindex)
{
	struct ip_mreqn mreq = {
		.imr_multiaddr.s_addr = htonl(TEREDO_DISCOVERY_GROUP),
		.imr_ifindex = ifindex,
	};

	return mreq;
}

/* Under RTNL, with the client: the discovery socket, if enabled. */
int teredo_ld_start(struct teredo_dev *t)
{
	struct udp_tunnel_sock_cfg tcfg = {
		.sk_user_data	= t,
		.encap_type	= 1,
		.encap_rcv	= teredo_ld_recv,
	};
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(TEREDO_PORT),
	};
	const struct teredo_config *cfg = teredo_cfg(t);
	struct ip_mreqn mreq;
	struct socket *sock;
	int err;

	ASSERT_RTNL();
	if (!cfg->local_discovery || t->ld.sock)
		return 0;
	err = sock_create_kern(t->net, AF_INET, SOCK_DGRAM, IPPROTO_UDP,
			       &sock);
	if (err)
		return err;
	/* every Teredo device of this netns listens on 3544 */
	sock->sk->sk_reuse = SK_CAN_REUSE;
	err = teredo_kernel_bind4(sock, &sin);
	if (err)
		goto fail;
	if (cfg->link) {
		err = sock_bindtoindex(sock->sk, cfg->link, true);
		if (err)
			goto fail;
	}
	mreq = teredo_ld_mreq(cfg->link);
	lock_sock(sock->sk);
	err = ip_mc_join_group(sock->sk, &mreq);
	release_sock(sock->sk);
	if (err)
		goto fail;
	/* the join's choice; no answer is due before our discovery bubble */
	WRITE_ONCE(t->ld.ifindex, mreq.imr_ifindex);
	WRITE_ONCE(t->ld.sent, jiffies - TEREDO_LD_ANSWER_TIME - 1);
	teredo_setup_udp_tunnel_sock(t->net, sock, &tcfg);
	t->ld.sock = sock;
	return 0;
fail:
	sock_release(sock);
	return err;
}

/* Under RTNL, with the client. */
void teredo_ld_stop(struct teredo_dev *t)
{
	struct socket *sock = t->ld.sock;
	struct ip_mreqn mreq;

	ASSERT_RTNL();
	if (!sock)
		return;
	t->ld.sock = NULL;
	mreq = teredo_ld_mreq(t->ld.ifindex);
	WRITE_ONCE(t->ld.ifindex, 0);	/* nothing is from our LAN now */
	lock_sock(sock->sk);
	ip_mc_leave_group(sock->sk, &mreq);
	release_sock(sock->sk);
	if (WARN_ON_ONCE(rcu_access_pointer(inet_sk(sock->sk)->mc_list)))
		return;		/* leak it rather than deadlock on RTNL */
	teredo_udp_tunnel_sock_release(sock);
}

/*
 * Process context (client work), qualified: send a discovery bubble if
 * enabled and due (at qualification, then every 200-300 s).
 */
void teredo_ld_tick(struct teredo_dev *t, bool new_address)
{
	struct teredo_ld *ld = &t->ld;
	struct in6_addr me;
	u8 buf[TEREDO_IPV6_HLEN];
	__be32 server;
	size_t len;

	if (!teredo_cfg_local_discovery(t) || !ld->sock)
		return;
	if (!new_address && time_before(jiffies, ld->next))
		return;
	if (!teredo_client_address(t, &me, &server))
		return;
	ld->next = jiffies + (200 + get_random_u32_below(101)) * HZ;
	/* before it leaves: an answer may come back at once */
	WRITE_ONCE(ld->sent, jiffies);
	len = teredo_build_bubble(buf, sizeof(buf), me.s6_addr,
				  in6addr_linklocal_allnodes.s6_addr);
	if (len && !teredo_udp_send_buf(t, buf, len,
					htonl(TEREDO_DISCOVERY_GROUP),
					TEREDO_PORT))
		teredo_stat_inc(t, TEREDO_STAT_TX_BUBBLES);
}
