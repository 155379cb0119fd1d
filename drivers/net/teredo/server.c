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
 * It forwards only bubbles and ICMPv6 of at most TEREDO_SERVER_FWD_MAX
 * bytes; what it sends is limited per source, per destination mapping
 * and per device (token buckets, server.h); only the RA is larger than
 * the packet that caused it.
 */

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/ipv6.h>

#include "client.h"
#include "device.h"
#include "receive.h"
#include "server.h"
#include "socket.h"
#include "stats.h"

void teredo_server_init(struct teredo_dev *t)
{
	spin_lock_init(&t->rl.lock);
	/* zeroed buckets (netdev_priv) are full */
	get_random_bytes(&t->rl.key, sizeof(t->rl.key));
}

static bool teredo_rl_src(struct teredo_ratelimit *rl, u64 now, __be32 src)
{
	u32 h = siphash_1u32((__force u32)src, &rl->key);

	return teredo_gcra(&rl->src[h % TEREDO_RL_SLOTS], now,
			   NSEC_PER_SEC / TEREDO_RL_RATE, TEREDO_RL_BURST);
}

/*
 * rl->lock held: the two buckets of rl->dest that the halves of @h name,
 * at @rate a second up to @burst (a target uses the fuller one).
 */
static bool teredo_rl_pair(struct teredo_ratelimit *rl, u64 h, u64 now,
			   u32 rate, u32 burst)
{
	lockdep_assert_held(&rl->lock);
	return teredo_gcra2(&rl->dest[(u32)h % TEREDO_RL_DEST_SLOTS],
			    &rl->dest[(u32)(h >> 32) % TEREDO_RL_DEST_SLOTS],
			    now, NSEC_PER_SEC / rate, burst);
}

static bool teredo_rl_dest(struct teredo_ratelimit *rl, u64 now,
			   u32 addr, u16 port)
{
	return teredo_rl_pair(rl, siphash_2u32(addr, port, &rl->key), now,
			      TEREDO_RL_DEST_RATE, TEREDO_RL_DEST_BURST);
}

/*
 * Relay (server.h): may we send one more pair of bubbles towards the
 * client IPv4 @client (host order)?  Counts a refusal.
 */
bool teredo_relay_bubble_allowed(struct teredo_dev *t, u32 client)
{
	struct teredo_ratelimit *rl = &t->rl;
	bool ok;

	spin_lock_bh(&rl->lock);
	ok = teredo_rl_pair(rl, siphash_1u32(client, &rl->key), ktime_get_ns(),
			    TEREDO_RELAY_BUBBLE_RATE, TEREDO_RELAY_BUBBLE_BURST);
	spin_unlock_bh(&rl->lock);
	if (!ok)
		teredo_stat_inc(t, TEREDO_STAT_BUBBLES_LIMITED);
	return ok;
}

/*
 * Softirq: may the server send one more packet because of @src (and, if
 * @ta, to the client mapping @ta names)?  If not, *@why is the counter of
 * the limit that refused it.
 */
static bool teredo_server_allow(struct teredo_dev *t, __be32 src,
				const struct teredo_addr *ta,
				enum teredo_stat *why)
{
	struct teredo_ratelimit *rl = &t->rl;
	u64 now = ktime_get_ns();
	bool ok = false;

	spin_lock(&rl->lock);
	if (ta && !teredo_rl_dest(rl, now, ta->client, ta->port))
		*why = TEREDO_STAT_DROP_RATELIMIT_DEST;
	else if (!teredo_rl_src(rl, now, src))
		*why = TEREDO_STAT_DROP_RATELIMIT;
	else if (!teredo_gcra(&rl->dev, now, NSEC_PER_SEC / TEREDO_RL_DEV_RATE,
			      TEREDO_RL_DEV_BURST))
		*why = TEREDO_STAT_DROP_RATELIMIT_DEV;
	else
		ok = true;
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

/*
 * RFC 6081: a bubble's trailers go on with it (the Alternate Address
 * trailer of an indirect bubble is how the Hairpinning Extension works,
 * hairpin.c): the known ones, rebuilt from what was parsed, after the
 * IPv6 packet (skb->data: it, linear).  Unknown ones stay behind.
 */
static int teredo_server_trailers(struct sk_buff *skb,
				  const struct teredo_trailers *tr)
{
	u8 area[TEREDO_TRAILERS_MAX_LEN];
	int need;
	size_t n;

	n = teredo_build_trailers(area, sizeof(area), tr);
	if (!n)
		return 0;
	need = (int)n - skb_tailroom(skb);
	if ((need > 0 || skb_cloned(skb)) &&
	    pskb_expand_head(skb, 0, max(need, 0), GFP_ATOMIC))
		return -ENOMEM;
	skb_put_data(skb, area, n);
	return 0;
}

/* To the mapping of our client, with the sender as origin indication. */
static int teredo_server_to_client(struct teredo_dev *t, struct sk_buff *skb,
				   struct teredo_rx *rx,
				   const struct teredo_addr *ta)
{
	u8 *origin;

	__skb_pull(skb, sizeof(struct udphdr) + rx->enc.hdr_len);
	/* a checksum left to complete would land in our origin indication */
	skb->ip_summed = CHECKSUM_NONE;
	if (rx->enc.bubble && rx->tr.present &&
	    teredo_server_trailers(skb, &rx->tr))
		return teredo_rx_drop(t, skb, TEREDO_STAT_DROP_TX_ERROR);
	if (skb_cow_head(skb, TEREDO_HEADROOM + TEREDO_ORIGIN_LEN))
		return teredo_rx_drop(t, skb, TEREDO_STAT_DROP_TX_ERROR);
	origin = skb_push(skb, TEREDO_ORIGIN_LEN);
	teredo_build_origin(origin, TEREDO_ORIGIN_LEN, ntohl(rx->saddr),
			    rx->sport);
	skb_dst_drop(skb);
	/* counted on the teredo device by iptunnel_xmit(), not skb->dev's */
	if (teredo_udp_send(t, skb, htonl(ta->client), ta->port)) {
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
	struct teredo_addr ta;
	enum teredo_stat why;
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
	if (act == TEREDO_SERVER_TO_CLIENT)
		teredo_addr_decode(teredo_rx_ipv6(skb, rx) + 24, &ta);
	if (!teredo_server_allow(t, rx->saddr,
				 act == TEREDO_SERVER_TO_CLIENT ? &ta : NULL,
				 &why))
		return teredo_rx_drop(t, skb, why);

	switch (act) {
	case TEREDO_SERVER_RS:
		secondary = ip_hdr(skb)->daddr == server2;
		if (teredo_rs_cone(teredo_rx_ipv6(skb, rx)))
			secondary = !secondary;
		return teredo_server_ra(t, skb, rx, secondary);
	case TEREDO_SERVER_TO_CLIENT:
		return teredo_server_to_client(t, skb, rx, &ta);
	case TEREDO_SERVER_TO_IPV6:
		teredo_rx_deliver(t, rx->cfg, skb, rx->enc.hdr_len);
		return 0;
	}
	return teredo_rx_drop(t, skb, TEREDO_STAT_DROP_MALFORMED);
}
