// SPDX-License-Identifier: GPL-2.0
/*
 * Receive (RFC 4380 section 5.2.3), from the UDP socket's encap_rcv in
 * softirq context.  Every packet is either delivered, consumed as
 * protocol traffic (RA, bubble, echo test answer) or dropped and
 * counted under exactly one reason.
 */

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ip_tunnels.h>
#include <net/ipv6.h>
#include <net/udp_tunnel.h>

#include "client.h"
#include "device.h"
#include "discovery.h"
#include "hairpin.h"
#include "inbound.h"
#include "peer.h"
#include "peertable.h"
#include "receive.h"
#include "relay.h"
#include "send.h"
#include "server.h"
#include "socket.h"
#include "stats.h"

int teredo_rx_drop(struct teredo_dev *t, struct sk_buff *skb,
		   enum teredo_stat why)
{
	teredo_stat_inc(t, why);
	DEV_STATS_INC(t->dev, rx_dropped);
	kfree_skb(skb);
	return 0;
}

/* The server's answer to our RS: the whole packet is needed, linear. */
static int teredo_rx_ra(struct teredo_dev *t, struct sk_buff *skb,
			struct teredo_rx *rx)
{
	if (!pskb_may_pull(skb, skb->len))
		return teredo_rx_drop(t, skb, TEREDO_STAT_DROP_MALFORMED);
	teredo_client_ra(t, teredo_rx_ipv6(skb, rx), rx->enc.ipv6_len,
			 &rx->enc, rx->saddr, rx->sport);
	consume_skb(skb);
	return 0;
}

/*
 * A bubble our server relays from a peer (origin indication): answer
 * with a direct bubble to the origin, which opens our NAT to the peer.
 */
static int teredo_rx_indirect_bubble(struct teredo_dev *t, struct sk_buff *skb,
				     struct teredo_rx *rx)
{
	const struct ipv6hdr *ip6 = (const void *)teredo_rx_ipv6(skb, rx);
	__be32 addr = htonl(rx->enc.origin_ip);
	u16 port = rx->enc.origin_port;
	struct teredo_peer *p;

	if (!teredo_ipv4_is_global(rx->enc.origin_ip))
		return teredo_rx_drop(t, skb, TEREDO_STAT_DROP_NONGLOBAL_V4);
	if (!ipv6_addr_equal(&ip6->daddr, &rx->me))
		return teredo_rx_drop(t, skb, TEREDO_STAT_DROP_NOT_FOR_US);
	/* a relay's bubble has a native source: only Teredo ones embed it */
	if (teredo_is_teredo_addr(ip6->saddr.s6_addr) &&
	    !teredo_mapping_matches(ip6->saddr.s6_addr, rx->enc.origin_ip,
				    rx->enc.origin_port))
		return teredo_rx_drop(t, skb, TEREDO_STAT_DROP_MAPPING);
	teredo_stat_inc(t, TEREDO_STAT_RX_BUBBLES);
	if (!teredo_answer_allowed(t, &ip6->saddr)) {
		teredo_stat_inc(t, TEREDO_STAT_DROP_RATELIMIT);
		consume_skb(skb);
		return 0;
	}
	/* a local peer (section 5.2.8) is answered on the LAN */
	p = teredo_peer_lookup(t, &ip6->saddr);
	if (p) {
		spin_lock_bh(&p->lock);
		if (p->local) {
			addr = p->local_addr;
			port = p->local_port;
		}
		spin_unlock_bh(&p->lock);
		teredo_peer_put(p);
	}
	teredo_send_bubble(t, &rx->me, &ip6->saddr, addr, port);
	/* RFC 6081 section 8: a client behind our NAT lists where it is */
	teredo_hp_indirect(t, rx, &ip6->saddr);
	consume_skb(skb);
	return 0;
}

/*
 * From a non-global IPv4 source: only a local peer (section 5.2.8),
 * from the very address and port it was found at, or a bubble, which
 * is how a client that saw our discovery bubble answers it: the sender
 * becomes a local peer at that address if discovery.c's rules allow
 * (from our LAN, soon after our discovery bubble, and not for a peer
 * trusted elsewhere); a refused claim is counted apart.
 */
static int teredo_rx_from_local(struct teredo_dev *t, struct sk_buff *skb,
				struct teredo_rx *rx,
				const struct in6_addr *src)
{
	struct teredo_peer *p;
	bool ok = false;
	int hp;

	p = teredo_peer_lookup(t, src);
	if (p) {
		spin_lock_bh(&p->lock);
		ok = p->local && p->local_addr == rx->saddr &&
		     p->local_port == rx->sport;
		spin_unlock_bh(&p->lock);
	}
	/* RFC 6081 section 8: its bubble lists the source it came from */
	if (!ok) {
		hp = teredo_hp_claim(t, rx, p, src);
		if (hp < 0) {
			teredo_peer_put(p);
			return teredo_rx_drop(t, skb, TEREDO_STAT_DROP_HAIRPIN);
		}
		ok = hp > 0;
	}
	if (!ok && rx->enc.bubble && rx->cfg->local_discovery &&
	    teredo_ld_same_nat(t, src)) {
		if (!teredo_ld_answer_allowed(t, skb)) {
			teredo_peer_put(p);
			return teredo_rx_drop(t, skb,
					      TEREDO_STAT_DROP_LOCAL_DISCOVERY);
		}
		p = teredo_ld_take(t, p, src, skb, rx->saddr, rx->sport);
		if (!p)
			return 0;	/* dropped, counted */
		ok = true;
	}
	if (!ok) {
		teredo_peer_put(p);
		return teredo_rx_drop(t, skb, TEREDO_STAT_DROP_NONGLOBAL_V4);
	}
	teredo_peer_mark_trusted(p, rx->saddr, rx->sport);
	teredo_peer_put(p);
	return 1;
}

/* Source is a Teredo address: its embedded mapping must be the sender. */
static int teredo_rx_from_teredo(struct teredo_dev *t, struct sk_buff *skb,
				 struct teredo_rx *rx,
				 const struct in6_addr *src)
{
	struct teredo_addr ta;
	struct teredo_peer *p;

	if (rx->local)
		return teredo_rx_from_local(t, skb, rx, src);

	teredo_addr_decode(src->s6_addr, &ta);
	if (!teredo_ipv4_is_global(ta.client) ||
	    !teredo_ipv4_is_global(ta.server))
		return teredo_rx_drop(t, skb, TEREDO_STAT_DROP_NONGLOBAL_V4);
	if (!teredo_mapping_matches(src->s6_addr, ntohl(rx->saddr), rx->sport))
		return teredo_rx_drop(t, skb, TEREDO_STAT_DROP_MAPPING);
	p = teredo_peer_create(t, src, false);
	if (IS_ERR(p))
		return teredo_rx_drop(t, skb, PTR_ERR(p) == -ENOSPC ?
				      TEREDO_STAT_DROP_PEERS_FULL :
				      TEREDO_STAT_DROP_MALFORMED);
	teredo_peer_mark_trusted(p, rx->saddr, rx->sport);
	teredo_peer_put(p);
	return 1;
}

/* What a queued received packet needs to be delivered later. */
struct teredo_rx_cb {
	u16 hdr_len;		/* Teredo headers after the UDP header */
};

static struct teredo_rx_cb *teredo_rx_cb(struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct teredo_rx_cb) > sizeof(skb->cb));
	return (struct teredo_rx_cb *)skb->cb;
}

/* RCU held; @cfg: the packet's settings. */
void teredo_rx_deliver(struct teredo_dev *t, const struct teredo_config *cfg,
		       struct sk_buff *skb, unsigned int hdr_len)
{
	struct net_device *dev = t->dev;
	unsigned int len;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "teredo: receive without RCU");
	if (iptunnel_pull_header(skb, sizeof(struct udphdr) + hdr_len,
				 htons(ETH_P_IPV6),
				 !net_eq(t->net, dev_net(dev)))) {
		teredo_rx_drop(t, skb, TEREDO_STAT_DROP_MALFORMED);
		return;
	}
	/* least exposure: only for authorized sockets (inbound.c) */
	if (!teredo_inbound_allowed(t, cfg, skb)) {
		teredo_rx_drop(t, skb, TEREDO_STAT_DROP_INBOUND_UNAUTHORIZED);
		return;
	}
	skb_reset_mac_header(skb);
	skb_reset_network_header(skb);
	skb->dev = dev;
	skb->pkt_type = PACKET_HOST;
	/*
	 * iptunnel_pull_header() dropped the outer offload state (a GSO
	 * UDP-tunnel skb from a veth is now a plain IPv6 GSO skb) and kept
	 * a CHECKSUM_COMPLETE sum valid for what is left: the outer UDP
	 * checksum, verified by the UDP layer, made one.  A CHECKSUM_PARTIAL
	 * skb (sent on this host) still needs its inner checksum if it
	 * starts in the inner packet; if it was the outer one, the inner
	 * packet is checked as received.  An UNNECESSARY verdict was about
	 * the outer header only.
	 */
	switch (skb->ip_summed) {
	case CHECKSUM_COMPLETE:
		break;
	case CHECKSUM_PARTIAL:
		if (skb_checksum_start(skb) >= skb->data)
			break;
		fallthrough;
	default:
		skb->ip_summed = CHECKSUM_NONE;
	}
	skb->mark = cfg->rxmark;
	len = skb->len;
	if (gro_cells_receive(&t->gro_cells, skb) == NET_RX_SUCCESS) {
		teredo_stat_inc(t, TEREDO_STAT_RX_PACKETS);
		dev_sw_netstats_rx_add(dev, len);
	}
}

/*
 * @p is now trusted through a relay: deliver what it sent before, if
 * it came through that same relay (its outer headers are still there).
 */
static void teredo_rx_flush_queue(struct teredo_dev *t,
				  const struct teredo_rx *rx,
				  struct teredo_peer *p)
{
	struct sk_buff *skb;
	__be32 addr;
	u16 port;

	spin_lock_bh(&p->lock);
	addr = p->mapped_addr;
	port = p->mapped_port;
	spin_unlock_bh(&p->lock);
	while ((skb = skb_dequeue(&p->rxq))) {
		teredo_peertable_rx_uncharge(&t->peers, skb->truesize);
		if (ip_hdr(skb)->saddr != addr ||
		    ntohs(udp_hdr(skb)->source) != port) {
			teredo_rx_drop(t, skb, TEREDO_STAT_DROP_UNKNOWN_PEER);
			continue;
		}
		teredo_rx_deliver(t, rx->cfg, skb, teredo_rx_cb(skb)->hdr_len);
	}
}

/*
 * Has @p been confirmed to come through @rx's outer source?  Every packet
 * from a native peer asks, so without the peer's lock (the fields change
 * under it, rarely): a packet racing a change is taken as if it came
 * just before it.  Such a packet answers whatever we sent to @p, as an
 * echo reply would: a peer whose trust had lapsed while packets to it
 * waited (and echo tests went out) is heard again, its unanswered tries
 * are forgotten and what waits for it is sent (the fast path of
 * teredo_peer_mark_trusted() when nothing waits).
 */
static bool teredo_rx_relay_known(struct teredo_peer *p,
				  const struct teredo_rx *rx)
{
	if (!READ_ONCE(p->relay) || !READ_ONCE(p->trusted) ||
	    READ_ONCE(p->mapped_addr) != rx->saddr ||
	    READ_ONCE(p->mapped_port) != rx->sport)
		return false;
	teredo_peer_mark_trusted(p, rx->saddr, rx->sport);
	return true;
}

/*
 * Section 5.2.3: a packet from a native peer through a relay we do not
 * know for it yet waits (bounded) while an echo test through our server
 * finds out which relay serves that peer; the answer delivers it.
 */
static int teredo_rx_wait_echo(struct teredo_dev *t, struct sk_buff *skb,
			       struct teredo_rx *rx, struct teredo_peer *p)
{
	/*
	 * Parked for up to a peer's lifetime: keep no reference to the lower
	 * device (it may go away meanwhile; ours outlives the peer table),
	 * its route or its conntrack entry; memory is counted by truesize.
	 */
	skb_dst_drop(skb);
	nf_reset_ct(skb);
	skb->dev = t->dev;
	teredo_rx_cb(skb)->hdr_len = rx->enc.hdr_len;
	if (!teredo_peer_rx_enqueue(p, skb))
		return teredo_rx_drop(t, skb, TEREDO_STAT_DROP_RX_PARKED);
	if (teredo_rx_relay_known(p, rx))	/* confirmed meanwhile */
		teredo_rx_flush_queue(t, rx, p);
	else if (teredo_peer_bubble_allowed(p))
		teredo_send_echo(t, p, &rx->me, rx->server);
	return 0;
}

/*
 * Is @skb the reply to one of @p's last TEREDO_ECHO_LIVE echo tests
 * that no reply retired yet?  Then it retires that test and the older
 * ones: a copy of this reply, replayed from elsewhere later, must not
 * move the peer.
 */
static bool teredo_rx_echo_reply(struct teredo_dev *t, struct sk_buff *skb,
				 struct teredo_rx *rx, struct teredo_peer *p)
{
	u8 nonce[TEREDO_NONCE_LEN];
	enum teredo_verdict v;
	u32 next, floor, seq;
	const u8 *ipv6;
	bool ok = false;
	int i;

	if (!pskb_may_pull(skb, skb->len))
		return false;
	ipv6 = teredo_rx_ipv6(skb, rx);
	spin_lock_bh(&p->lock);
	next = p->echo_next;
	floor = p->echo_floor;
	spin_unlock_bh(&p->lock);
	for (i = 1; i <= TEREDO_ECHO_LIVE; i++) {
		seq = next - i;
		if ((s32)(seq - floor) < 0)
			return false;
		teredo_echo_nonce(t, p, seq, nonce);
		v = teredo_parse_echo_reply(ipv6, rx->enc.ipv6_len,
					    p->addr.s6_addr, nonce);
		if (v == TEREDO_OK)
			break;
		if (v != TEREDO_ERR_BAD_NONCE)	/* not an echo reply */
			return false;
	}
	if (i > TEREDO_ECHO_LIVE)
		return false;
	spin_lock_bh(&p->lock);
	if ((s32)(seq - p->echo_floor) >= 0) {
		p->echo_floor = seq + 1;
		ok = true;
	}
	spin_unlock_bh(&p->lock);
	return ok;
}

/*
 * Native source: only through the relay learnt for it, or the echo
 * reply that teaches us that relay (section 5.2.9).  Packets through
 * another relay wait for an echo test; the server is not a relay.
 */
static int teredo_rx_from_native(struct teredo_dev *t, struct sk_buff *skb,
				 struct teredo_rx *rx,
				 const struct in6_addr *src)
{
	struct teredo_peer *p;
	bool echo, relay;
	int ret;

	if (rx->local)		/* local peers are Teredo clients */
		return teredo_rx_drop(t, skb, TEREDO_STAT_DROP_NONGLOBAL_V4);

	if (rx->from_server || rx->enc.bubble) {
		p = teredo_peer_lookup(t, src);
		if (!p)
			return teredo_rx_drop(t, skb,
					      TEREDO_STAT_DROP_UNKNOWN_PEER);
	} else {
		p = teredo_peer_create(t, src, false);
		if (IS_ERR(p))
			return teredo_rx_drop(t, skb, PTR_ERR(p) == -ENOSPC ?
					      TEREDO_STAT_DROP_PEERS_FULL :
					      TEREDO_STAT_DROP_UNKNOWN_PEER);
	}
	if (likely(teredo_rx_relay_known(p, rx))) {
		teredo_peer_put(p);
		return 1;
	}
	spin_lock_bh(&p->lock);
	if (!p->trusted && !rx->from_server && !rx->enc.bubble)
		WRITE_ONCE(p->relay, true);
	relay = p->relay;
	spin_unlock_bh(&p->lock);
	echo = relay && teredo_rx_echo_reply(t, skb, rx, p);
	if (echo) {
		teredo_peer_mark_trusted(p, rx->saddr, rx->sport);
		teredo_rx_flush_queue(t, rx, p);
		teredo_peer_put(p);
		consume_skb(skb);	/* our own probe's answer */
		return 0;
	}
	if (!relay || rx->from_server || rx->enc.bubble)
		ret = teredo_rx_drop(t, skb, TEREDO_STAT_DROP_UNKNOWN_PEER);
	else
		ret = teredo_rx_wait_echo(t, skb, rx, p);
	teredo_peer_put(p);
	return ret;
}

/*
 * RFC 6081 section 3: what follows the IPv6 packet in the UDP payload is
 * a trailer area.  It is parsed into @tr, where the extensions read it,
 * then cut off the skb (whose data starts at the UDP header): what is
 * delivered or forwarded is the IPv6 packet alone.  A trailer of an
 * extension we do not implement changes nothing else; the RFC's node
 * without that extension ignores it and handles the packet as RFC 4380
 * says (a Nonce or Neighbor Discovery Option trailer on a bubble leaves
 * an ordinary bubble).
 */
enum teredo_verdict teredo_rx_trailers(struct sk_buff *skb,
				       const struct teredo_encap *enc,
				       struct teredo_trailers *tr)
{
	size_t off = sizeof(struct udphdr) + enc->hdr_len + enc->ipv6_len;
	enum teredo_verdict v;

	memset(tr, 0, sizeof(*tr));
	if (!enc->trailer_len)
		return TEREDO_OK;
	if (skb->len != off + enc->trailer_len || !pskb_may_pull(skb, skb->len))
		return TEREDO_ERR_MALFORMED;
	v = teredo_parse_trailers(skb->data + off, enc->trailer_len, tr);
	if (v != TEREDO_OK)
		return v;
	/* keeps a CHECKSUM_COMPLETE sum right for what is left */
	if (pskb_trim_rcsum(skb, off))
		return TEREDO_ERR_MALFORMED;
	return TEREDO_OK;
}

static int teredo_rx(struct teredo_dev *t, struct sk_buff *skb)
{
	size_t total, avail;
	const struct ipv6hdr *ip6;
	enum teredo_verdict v;
	struct in6_addr src;
	struct teredo_rx rx;
	__be32 server2;
	int ret;

	if (skb->len < sizeof(struct udphdr))
		return teredo_rx_drop(t, skb, TEREDO_STAT_DROP_MALFORMED);
	total = skb->len - sizeof(struct udphdr);
	avail = min_t(size_t, total, TEREDO_ENCAP_MAX_LEN + TEREDO_IPV6_HLEN);
	if (!pskb_may_pull(skb, sizeof(struct udphdr) + avail))
		return teredo_rx_drop(t, skb, TEREDO_STAT_DROP_MALFORMED);
	memset(&rx, 0, sizeof(rx));
	rx.saddr = ip_hdr(skb)->saddr;
	rx.sport = ntohs(udp_hdr(skb)->source);
	v = teredo_parse_encap(skb->data + sizeof(struct udphdr), avail, total,
			       &rx.enc);
	if (likely(v == TEREDO_OK))
		v = teredo_rx_trailers(skb, &rx.enc, &rx.tr);
	if (unlikely(v != TEREDO_OK))
		return teredo_rx_drop(t, skb, teredo_verdict_stat(v));
	rx.cfg = teredo_cfg(t);
	switch (rx.cfg->mode) {
	case TEREDO_MODE_SERVER:
		return teredo_server_rx(t, skb, &rx);
	case TEREDO_MODE_RELAY:
		return teredo_relay_rx(t, skb, &rx);
	}

	/* the candidate server in use, both its addresses */
	teredo_client_servers(t, &rx.server, &server2);
	rx.from_server = rx.server && rx.sport == TEREDO_PORT &&
			 (rx.saddr == rx.server || rx.saddr == server2);

	if (rx.enc.has_auth) {
		if (!rx.from_server)
			return teredo_rx_drop(t, skb,
					      TEREDO_STAT_DROP_NOT_SERVER);
		return teredo_rx_ra(t, skb, &rx);
	}
	if (!teredo_ipv4_is_global(ntohl(rx.saddr))) {
		/*
		 * only a local peer (section 5.2.8, RFC 6081 section 8)
		 * may, checked below
		 */
		if ((!rx.cfg->local_discovery && !rx.cfg->hairpinning) ||
		    rx.enc.has_origin)
			return teredo_rx_drop(t, skb,
					      TEREDO_STAT_DROP_NONGLOBAL_V4);
		rx.local = true;
	}
	/* dormant: invisible, whatever comes (the NAT mapping lapses) */
	if (READ_ONCE(t->client.state) == TEREDO_STATE_DORMANT)
		return teredo_rx_drop(t, skb, TEREDO_STAT_DROP_DORMANT);
	if (!teredo_client_address(t, &rx.me, &rx.server))
		return teredo_rx_drop(t, skb, TEREDO_STAT_DROP_NOT_QUALIFIED);
	if (rx.enc.has_origin) {
		if (!rx.from_server)
			return teredo_rx_drop(t, skb,
					      TEREDO_STAT_DROP_BAD_ORIGIN);
		if (rx.enc.bubble)
			return teredo_rx_indirect_bubble(t, skb, &rx);
	}

	ip6 = (const void *)teredo_rx_ipv6(skb, &rx);
	src = ip6->saddr;
	if (ipv6_addr_is_multicast(&ip6->daddr) ||
	    ipv6_addr_is_multicast(&src))
		return teredo_rx_drop(t, skb, TEREDO_STAT_DROP_MULTICAST);
	if (ipv6_addr_type(&src) & IPV6_ADDR_LINKLOCAL ||
	    ipv6_addr_type(&ip6->daddr) & IPV6_ADDR_LINKLOCAL)
		return teredo_rx_drop(t, skb, TEREDO_STAT_DROP_LINKLOCAL);
	if (ipv6_addr_equal(&src, &rx.me))
		return teredo_rx_drop(t, skb, TEREDO_STAT_DROP_LOOP);
	if (!ipv6_addr_equal(&ip6->daddr, &rx.me))
		return teredo_rx_drop(t, skb, TEREDO_STAT_DROP_NOT_FOR_US);

	if (teredo_is_teredo_addr(src.s6_addr))
		ret = teredo_rx_from_teredo(t, skb, &rx, &src);
	else
		ret = teredo_rx_from_native(t, skb, &rx, &src);
	if (ret <= 0)
		return 0;
	if (rx.enc.bubble) {
		teredo_stat_inc(t, TEREDO_STAT_RX_BUBBLES);
		consume_skb(skb);
		return 0;
	}
	teredo_rx_deliver(t, rx.cfg, skb, rx.enc.hdr_len);
	return 0;
}

int teredo_udp_encap_recv(struct sock *sk, struct sk_buff *skb)
{
	struct teredo_dev *t = rcu_dereference_sk_user_data(sk);

	if (unlikely(!t)) {
		kfree_skb(skb);
		return 0;
	}
	/*
	 * A datagram the UDP layer cut from a train on its way in (our
	 * socket has no UDP_GRO) had its checksum computed over its data,
	 * and comes as CHECKSUM_NONE marked valid: its sum is known without
	 * reading it again, as the UDP layer knows it of a datagram it
	 * checked itself (and converts before it gets here).  As
	 * CHECKSUM_COMPLETE it lasts through decapsulation, and GRO checks
	 * the inner TCP checksum with it instead of summing the packet.
	 */
	if (udp_hdr(skb)->check)
		skb_checksum_try_convert(skb, IPPROTO_UDP, inet_compute_pseudo);
	return teredo_rx(t, skb);
}
