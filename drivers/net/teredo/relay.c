// SPDX-License-Identifier: GPL-2.0
/*
 * The relay role (RFC 4380 section 5.4): "mode relay", a UDP socket on
 * cfg.local:cfg.port (0: any port, like a client), and the host routes
 * 2001::/32 into the device and forwards IPv6 as a router.
 *
 * From a client (UDP): accepted only if the IPv6 source is a Teredo
 * address embedding the outer IPv4 source and port, to a global native
 * IPv6 destination (section 5.4.2, teredo_relay_check() in proto.c);
 * the client becomes a trusted peer (what waited for it is sent) and
 * the packet goes to the IPv6 stack, bubbles excepted.
 * To a client (device xmit): only from a global IPv6 source; directly
 * if the client is trusted and recent, else queued (bounded, peer.c)
 * while a direct bubble and an indirect one through the client's
 * server (the only way through its NAT) ask it to answer, within the
 * section 5.2.6 limits and a limit per target IPv4 (a native host
 * choosing destinations must not aim our bubbles at an address:
 * teredo_relay_bubble_allowed()).  The peer table and its lifetimes are the
 * client's (peertable.c, peer.c).
 */

#include <linux/ipv6.h>
#include <net/ipv6.h>

#include "device.h"
#include "peer.h"
#include "peertable.h"
#include "receive.h"
#include "relay.h"
#include "send.h"
#include "server.h"
#include "stats.h"

int teredo_relay_rx(struct teredo_dev *t, struct sk_buff *skb,
		    struct teredo_rx *rx)
{
	const struct ipv6hdr *ip6;
	enum teredo_verdict v;
	struct teredo_peer *p;
	struct in6_addr src;

	if (rx->enc.has_auth)
		return teredo_rx_drop(t, skb, TEREDO_STAT_DROP_BAD_AUTH);
	if (rx->enc.has_origin)
		return teredo_rx_drop(t, skb, TEREDO_STAT_DROP_BAD_ORIGIN);
	/* the IPv6 header is in the linear part (teredo_rx pulled it) */
	v = teredo_relay_check(teredo_rx_ipv6(skb, rx), rx->enc.ipv6_len,
			       ntohl(rx->saddr), rx->sport);
	if (v != TEREDO_OK)
		return teredo_rx_drop(t, skb, teredo_verdict_stat(v));
	ip6 = (const void *)teredo_rx_ipv6(skb, rx);
	src = ip6->saddr;
	p = teredo_peer_create(t, &src, false);
	if (IS_ERR(p))
		return teredo_rx_drop(t, skb, PTR_ERR(p) == -ENOSPC ?
				      TEREDO_STAT_DROP_PEERS_FULL :
				      TEREDO_STAT_DROP_MALFORMED);
	teredo_peer_mark_trusted(p, rx->saddr, rx->sport);
	teredo_peer_put(p);
	if (rx->enc.bubble) {
		teredo_stat_inc(t, TEREDO_STAT_RX_BUBBLES);
		consume_skb(skb);
		return 0;
	}
	teredo_rx_deliver(t, rx->cfg, skb, rx->enc.hdr_len);
	return 0;
}

netdev_tx_t teredo_relay_xmit(struct teredo_dev *t, struct sk_buff *skb)
{
	struct in6_addr src = ipv6_hdr(skb)->saddr;
	struct in6_addr dst = ipv6_hdr(skb)->daddr;
	struct teredo_peer *p;
	struct teredo_addr ta;

	/* never speak for a non-global source (section 5.4) */
	if (!teredo_ipv6_is_global(src.s6_addr)) {
		teredo_xmit_drop(t, skb, TEREDO_STAT_DROP_NONGLOBAL_V6);
		return NETDEV_TX_OK;
	}
	if (teredo_is_teredo_addr(src.s6_addr)) {
		teredo_xmit_drop(t, skb, TEREDO_STAT_DROP_BAD_SOURCE);
		return NETDEV_TX_OK;
	}
	if (!teredo_addr_decode(dst.s6_addr, &ta)) {
		teredo_xmit_drop(t, skb, TEREDO_STAT_DROP_NO_ROUTE);
		return NETDEV_TX_OK;
	}
	if (!teredo_ipv4_is_global(ta.client) ||
	    !teredo_ipv4_is_global(ta.server)) {
		teredo_xmit_drop(t, skb, TEREDO_STAT_DROP_NONGLOBAL_V4);
		return NETDEV_TX_OK;
	}

	p = teredo_xmit_peer(t, skb, &dst);
	if (!p)
		return NETDEV_TX_OK;
	spin_lock_bh(&p->lock);
	if (!p->trusted) {
		WRITE_ONCE(p->mapped_addr, htonl(ta.client));
		WRITE_ONCE(p->mapped_port, ta.port);
	}
	spin_unlock_bh(&p->lock);

	teredo_xmit_park(t, p, skb);
	if (teredo_peer_bubble_allowed(p) &&
	    teredo_relay_bubble_allowed(t, ta.client)) {
		teredo_send_bubble(t, &src, &dst, htonl(ta.client), ta.port);
		teredo_send_bubble(t, &src, &dst, htonl(ta.server),
				   TEREDO_PORT);
	}
	teredo_peer_put(p);
	return NETDEV_TX_OK;
}
