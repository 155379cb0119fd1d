// SPDX-License-Identifier: GPL-2.0
/*
 * The server role (RFC 4380 section 5.3): "mode server" with cfg.server
 * and cfg.server2 (default server + 1) being two local IPv4 addresses,
 * UDP port 3544 bound on both (socket.c).
 *
 * Stateless per client: every packet is judged on its own by
 * teredo_server_check() (the section 5.3.1 rules, proto.c) and then
 *  - a router solicitation is answered with a router advertisement
 *    naming 2001:0:SERVER::/64, with an origin indication of the RS's
 *    outer source and, if the RS had one, its nonce (section 5.3.2);
 *    from the address it came to, or from the other one if the RS
 *    source has the cone bit;
 *  - a packet to one of our clients (2001:0:SERVER:...) goes to the
 *    mapping its address embeds, with an origin indication of its
 *    sender (indirect bubbles, echo tests' answers);
 *  - a packet from a client to a global native IPv6 destination (echo
 *    tests) is handed to the IPv6 stack on the device, which forwards
 *    it if the host is a router.
 * What it sends because of a source is limited by a per-source token
 * bucket; only the RA is larger than the packet that caused it.
 */

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/ipv6.h>

#include "device.h"

void teredo_server_init(struct teredo_dev *t)
{
	spin_lock_init(&t->rl.lock);
	get_random_bytes(&t->rl.key, sizeof(t->rl.key));
}

/* Softirq: may the server send one more packet because of @src? */
static bool teredo_server_allow(struct teredo_dev *t, __be32 src)
{
	struct teredo_ratelimit *rl = &t->rl;
	struct teredo_rl_slot *s;
	unsigned long now = jiffies;
	unsigned long refill;
	bool ok;

	s = &rl->slot[siphash_1u32((__force u32)src, &rl->key) %
		      TEREDO_RL_SLOTS];
	spin_lock(&rl->lock);
	if (s->addr != src || !s->stamp) {
		s->addr = src;
		s->tokens = TEREDO_RL_BURST;
		s->stamp = now;
	}
	refill = (now - s->stamp) * TEREDO_RL_RATE / HZ;
	if (refill) {
		s->tokens = min_t(unsigned long, TEREDO_RL_BURST,
				  s->tokens + refill);
		s->stamp = now;
	}
	ok = s->tokens > 0;
	if (ok)
		s->tokens--;
	spin_unlock(&rl->lock);
	return ok;
}

static int teredo_server_ra(struct teredo_dev *t, struct sk_buff *skb,
			    struct teredo_rx *rx, bool secondary)
{
	const u8 *ipv6 = teredo_rx_ipv6(skb, rx);
	u8 buf[TEREDO_RA_REPLY_MAX];
	struct teredo_ra_reply r;
	size_t len;

	memset(&r, 0, sizeof(r));
	r.server = ntohl(teredo_cfg_server(t));
	memcpy(r.client, ipv6 + 8, 16);
	r.has_nonce = rx->enc.has_auth;
	memcpy(r.nonce, rx->enc.nonce, TEREDO_NONCE_LEN);
	r.origin_ip = ntohl(rx->saddr);
	r.origin_port = rx->sport;
	consume_skb(skb);
	len = teredo_build_ra_reply(buf, sizeof(buf), &r);
	if (len && !teredo_udp_send_buf_from(t, secondary, buf, len,
					     htonl(r.origin_ip),
					     r.origin_port))
		teredo_stat_inc(t, TEREDO_STAT_TX_RA);
	else
		teredo_stat_inc(t, TEREDO_STAT_DROP_TX_ERROR);
	return 0;
}

/* To the mapping of our client, with the sender as origin indication. */
static int teredo_server_to_client(struct teredo_dev *t, struct sk_buff *skb,
				   struct teredo_rx *rx)
{
	struct teredo_addr ta;
	u8 *origin;

	teredo_addr_decode(teredo_rx_ipv6(skb, rx) + 24, &ta);
	__skb_pull(skb, sizeof(struct udphdr) + rx->enc.hdr_len);
	/* a checksum left to complete would land in our origin indication */
	skb->ip_summed = CHECKSUM_NONE;
	if (skb_cow_head(skb, TEREDO_HEADROOM + TEREDO_ORIGIN_LEN))
		return teredo_rx_drop(t, skb, TEREDO_STAT_DROP_TX_ERROR);
	origin = skb_push(skb, TEREDO_ORIGIN_LEN);
	teredo_build_origin(origin, TEREDO_ORIGIN_LEN, ntohl(rx->saddr),
			    rx->sport);
	skb_dst_drop(skb);
	/* counted on the teredo device by iptunnel_xmit(), not skb->dev's */
	if (teredo_udp_send(t, skb, htonl(ta.client), ta.port)) {
		teredo_stat_inc(t, TEREDO_STAT_DROP_TX_ERROR);
		DEV_STATS_INC(t->dev, tx_errors);
		return 0;
	}
	if (rx->enc.bubble)
		teredo_stat_inc(t, TEREDO_STAT_TX_BUBBLES);
	else
		teredo_stat_inc(t, TEREDO_STAT_TX_PACKETS);
	return 0;
}

int teredo_server_rx(struct teredo_dev *t, struct sk_buff *skb,
		     struct teredo_rx *rx)
{
	__be32 server = teredo_cfg_server(t);
	__be32 server2 = teredo_server2(t);
	enum teredo_server_action act;
	enum teredo_verdict v;
	bool secondary;

	/* clients send no origin indication; only RS carry authentication */
	if (rx->enc.has_origin)
		return teredo_rx_drop(t, skb, TEREDO_STAT_DROP_BAD_ORIGIN);
	if (rx->enc.has_auth && (rx->enc.id_len || rx->enc.au_len))
		return teredo_rx_drop(t, skb, TEREDO_STAT_DROP_BAD_AUTH);
	if (!pskb_may_pull(skb, skb->len))
		return teredo_rx_drop(t, skb, TEREDO_STAT_DROP_MALFORMED);
	v = teredo_server_check(teredo_rx_ipv6(skb, rx), rx->enc.ipv6_len,
				ntohl(rx->saddr), rx->sport, ntohl(server),
				ntohl(server2), &act);
	if (v != TEREDO_OK)
		return teredo_rx_drop(t, skb, teredo_verdict_stat(v));
	if (rx->enc.has_auth && act != TEREDO_SERVER_RS)
		return teredo_rx_drop(t, skb, TEREDO_STAT_DROP_BAD_AUTH);
	if (!teredo_server_allow(t, rx->saddr))
		return teredo_rx_drop(t, skb, TEREDO_STAT_DROP_RATELIMIT);

	switch (act) {
	case TEREDO_SERVER_RS:
		secondary = ip_hdr(skb)->daddr == server2;
		if (teredo_rs_cone(teredo_rx_ipv6(skb, rx)))
			secondary = !secondary;
		return teredo_server_ra(t, skb, rx, secondary);
	case TEREDO_SERVER_TO_CLIENT:
		return teredo_server_to_client(t, skb, rx);
	case TEREDO_SERVER_TO_IPV6:
		teredo_rx_deliver(t, skb, rx->enc.hdr_len);
		return 0;
	}
	return teredo_rx_drop(t, skb, TEREDO_STAT_DROP_MALFORMED);
}
