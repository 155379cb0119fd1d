// SPDX-License-Identifier: GPL-2.0
/*
 * Transmit (RFC 4380 section 5.2.4): an IPv6 packet from the stack goes
 *  - to a Teredo peer: directly to its mapping if trusted, else it
 *    waits in the peer's queue while a direct and an indirect bubble
 *    (through the peer's server) open the way (section 5.2.6 limits);
 *  - to a native peer: to the relay learnt by an ICMPv6 echo test
 *    through our server (section 5.2.9), queued until then.
 * While packets wait, the client tries again every TEREDO_SEEK_INTERVAL
 * within the same limits; when they are spent, the peer is given up and
 * what is sent to it is refused with an ICMPv6 address unreachable, so
 * that ping says so and a TCP connect fails with EHOSTUNREACH at once
 * instead of timing out.
 */

#include <linux/icmpv6.h>
#include <linux/ipv6.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include <net/ipv6.h>

#include "client.h"
#include "compat.h"
#include "device.h"
#include "exposure.h"
#include "hairpin.h"
#include "peer.h"
#include "peertable.h"
#include "relay.h"
#include "send.h"
#include "socket.h"
#include "stats.h"

/* One datagram: the device's tx_packets/tx_bytes are iptunnel_xmit()'s. */
static void teredo_send_datagram(struct teredo_dev *t, struct sk_buff *skb,
				 __be32 addr, u16 port)
{
	if (teredo_udp_send(t, skb, addr, port)) {
		teredo_stat_inc(t, TEREDO_STAT_DROP_TX_ERROR);
		DEV_STATS_INC(t->dev, tx_errors);
		return;
	}
	teredo_stat_inc(t, TEREDO_STAT_TX_PACKETS);
}

/*
 * Sends @skb to @addr:@port.  A GSO super-packet (the device advertises
 * NETIF_F_GSO_SOFTWARE) is cut here, once the per-flow decisions were
 * made for all of it, into IPv6 packets of the path MTU with their
 * inner checksums resolved: a plain UDP socket, Miredo's, may receive
 * them, over a veth that would carry a CHECKSUM_PARTIAL skb through.
 * TCP is cut by teredo_udp_send_tso(), anything else by the kernel's GSO.
 * They leave as UDP GSO trains (teredo_udp_send_train(): one skb, one
 * datagram per packet once cut before the wire), never as a UDP tunnel
 * GSO packet, which a plain socket would receive whole; what no train
 * takes leaves alone.
 */
static void teredo_send_to(struct teredo_dev *t, struct sk_buff *skb,
			   __be32 addr, u16 port)
{
	struct teredo_tso_sent st;
	struct sk_buff *segs;
	unsigned int n;

	if (!skb_is_gso(skb)) {
		teredo_send_datagram(t, skb, addr, port);
		return;
	}
	/* TCP: cut straight into trains, no skb per segment */
	if (teredo_udp_send_tso(t, skb, addr, port, &st)) {
		teredo_stat_add(t, TEREDO_STAT_TX_PACKETS, st.datagrams);
		teredo_stat_add(t, TEREDO_STAT_TX_TRAINS, st.trains);
		if (st.dropped)
			teredo_stat_add(t, TEREDO_STAT_DROP_TX_ERROR,
					st.dropped);
		return;
	}
	/* SG: the segments share the pages; the checksums are computed */
	segs = skb_gso_segment(skb, NETIF_F_SG);
	if (IS_ERR_OR_NULL(segs)) {
		teredo_xmit_drop(t, skb, TEREDO_STAT_DROP_TX_ERROR);
		return;
	}
	consume_skb(skb);
	while (segs) {
		n = segs->next ? teredo_udp_send_train(t, &segs, addr, port) : 0;
		if (n) {
			teredo_stat_add(t, TEREDO_STAT_TX_PACKETS, n);
			teredo_stat_inc(t, TEREDO_STAT_TX_TRAINS);
			continue;
		}
		skb = segs;
		segs = segs->next;
		skb_mark_not_on_list(skb);
		teredo_send_datagram(t, skb, addr, port);
	}
}

/*
 * p->lock held: where a packet to @p goes now; stamps the send (once a
 * tick: a busy peer's line is not dirtied by every packet).
 */
static void __teredo_peer_tx_mapping(struct teredo_peer *p, __be32 *addr,
				     u16 *port)
{
	unsigned long now = jiffies;

	lockdep_assert_held(&p->lock);
	*addr = p->mapped_addr;
	*port = p->mapped_port;
	if (p->last_tx != now)
		p->last_tx = now;
}

static void teredo_send_one(struct teredo_dev *t, struct teredo_peer *p,
			    struct sk_buff *skb)
{
	__be32 addr;
	u16 port;

	spin_lock_bh(&p->lock);
	__teredo_peer_tx_mapping(p, &addr, &port);
	spin_unlock_bh(&p->lock);
	teredo_send_to(t, skb, addr, port);
}

/* Sends what waited for @p to become trusted. */
void teredo_peer_send_queue(struct teredo_dev *t, struct teredo_peer *p)
{
	struct sk_buff *skb;

	/*
	 * Called for every packet a trusted peer sends us: most often there
	 * is nothing.  An skb queued meanwhile is sent by its enqueuer, which
	 * checks under p->lock whether @p became usable after queueing it.
	 */
	if (likely(skb_queue_empty_lockless(&p->queue)))
		return;
	while ((skb = skb_dequeue(&p->queue))) {
		teredo_peertable_tx_uncharge(&t->peers);
		teredo_send_one(t, p, skb);
	}
	teredo_peertable_unpark(t, p);
}

/*
 * A bubble from @src to @dst, sent to @addr:@port; to a client behind our
 * NAT, with our Alternate Address trailer if hairpinning is on.  True if
 * it was sent (counted in tx_bubbles).
 */
bool teredo_send_bubble(struct teredo_dev *t, const struct in6_addr *src,
			const struct in6_addr *dst, __be32 addr, u16 port)
{
	u8 buf[TEREDO_IPV6_HLEN + TEREDO_HP_TRAILER_LEN];
	size_t len;

	len = teredo_build_bubble(buf, sizeof(buf), src->s6_addr, dst->s6_addr);
	if (len)
		len += teredo_hp_trailer(t, src, dst, buf + len,
					 sizeof(buf) - len);
	if (!len || teredo_udp_send_buf(t, buf, len, addr, port))
		return false;
	teredo_stat_inc(t, TEREDO_STAT_TX_BUBBLES);
	return true;
}

/*
 * The nonce of echo test number @seq to @p: a keyed hash of the peer
 * and the number, so the nonces of the tests still awaiting a reply
 * need no room in the peer, and no one without the key can tell them.
 */
void teredo_echo_nonce(const struct teredo_dev *t, const struct teredo_peer *p,
		       u32 seq, u8 nonce[TEREDO_NONCE_LEN])
{
	u64 a[2], h;

	BUILD_BUG_ON(sizeof(h) != TEREDO_NONCE_LEN);
	memcpy(a, &p->addr, sizeof(a));
	h = siphash_3u64(a[0], a[1], seq, &t->peers.echo_key);
	memcpy(nonce, &h, sizeof(h));
}

/*
 * Section 5.2.9: an echo test to native peer @p through our server.
 * Each test has its own nonce; a reply to any of the last
 * TEREDO_ECHO_LIVE tests counts (receive.c), so a relay slower than the
 * tests' pace (TEREDO_BUBBLE_GAP) still answers one of them.
 */
void teredo_send_echo(struct teredo_dev *t, struct teredo_peer *p,
		      const struct in6_addr *src, __be32 server)
{
	u8 buf[TEREDO_IPV6_HLEN + 8 + TEREDO_NONCE_LEN];
	u8 nonce[TEREDO_NONCE_LEN];
	size_t len;
	u32 seq;

	spin_lock_bh(&p->lock);
	seq = p->echo_next++;
	spin_unlock_bh(&p->lock);
	teredo_echo_nonce(t, p, seq, nonce);
	len = teredo_build_echo(buf, sizeof(buf), src->s6_addr,
				p->addr.s6_addr, t->echo_id, 0, nonce);
	if (len && !teredo_udp_send_buf(t, buf, len, server, TEREDO_PORT))
		teredo_stat_inc(t, TEREDO_STAT_TX_ECHO);
}

/* Trusted, and heard from within TEREDO_TRUST_TIME (p->lock held). */
static bool __teredo_peer_usable(struct teredo_peer *p)
{
	lockdep_assert_held(&p->lock);
	return READ_ONCE(p->trusted) &&
	       time_before(jiffies, READ_ONCE(p->last_rx) + TEREDO_TRUST_TIME);
}

/*
 * Given up (p->lock held): not usable, every bubble (or echo test) of
 * the current window sent, the last TEREDO_BUBBLE_GAP ago, without an
 * answer.  Until the window ends; then the next packet tries again.
 */
static bool __teredo_peer_given_up(struct teredo_peer *p)
{
	u32 now = (u32)jiffies;

	lockdep_assert_held(&p->lock);
	return !__teredo_peer_usable(p) &&
	       p->window_bubbles >= TEREDO_BUBBLE_MAX &&
	       time_after32(now, p->last_bubble + TEREDO_BUBBLE_GAP) &&
	       time_before32(now, p->bubble_window + TEREDO_BUBBLE_WINDOW);
}

/*
 * Client: a try to reach @p, if its limits allow one now (section
 * 5.2.6): a direct and an indirect bubble to a Teredo peer, an echo
 * test through our server to a native one.
 */
static void teredo_peer_seek(struct teredo_dev *t, struct teredo_peer *p,
			     const struct in6_addr *me, __be32 server)
{
	struct teredo_addr ta;
	__be32 addr;
	bool native;
	u16 port;

	if (!teredo_peer_bubble_allowed(p))
		return;
	spin_lock_bh(&p->lock);
	addr = p->mapped_addr;
	port = p->mapped_port;
	native = p->relay;
	spin_unlock_bh(&p->lock);
	if (native) {
		teredo_send_echo(t, p, me, server);
	} else if (teredo_addr_decode(p->addr.s6_addr, &ta)) {
		teredo_send_bubble(t, me, &p->addr, addr, port);
		teredo_send_bubble(t, me, &p->addr, htonl(ta.server),
				   TEREDO_PORT);
	}
}

/* Refuses what waits for @p, given up. */
static void teredo_peer_refuse_queue(struct teredo_dev *t,
				     struct teredo_peer *p)
{
	struct sk_buff *skb;

	while ((skb = skb_dequeue(&p->queue))) {
		teredo_peertable_tx_uncharge(&t->peers);
		teredo_xmit_unreach(t, skb, TEREDO_STAT_DROP_UNREACHABLE);
	}
	teredo_peertable_unpark(t, p);
}

/* A client with packets waiting for peers: look at them again soon. */
void teredo_seek_start(struct teredo_dev *t)
{
	if (teredo_cfg_mode(t) == TEREDO_MODE_CLIENT)
		queue_delayed_work(system_power_efficient_wq, &t->seek_work,
				   TEREDO_SEEK_INTERVAL);
}

/*
 * Process context, every TEREDO_SEEK_INTERVAL while packets wait (it
 * runs only then): each waiting peer gets its next try, or is given up.
 */
void teredo_seek_work(struct work_struct *work)
{
	struct teredo_dev *t = container_of(to_delayed_work(work),
					    struct teredo_dev, seek_work);
	struct teredo_peer *batch[TEREDO_SEEK_BATCH];
	struct in6_addr me;
	__be32 server;
	bool qualified;
	int i, n;

	qualified = teredo_client_address(t, &me, &server);
	n = teredo_peertable_parked(t, batch, ARRAY_SIZE(batch));
	for (i = 0; i < n; i++) {
		struct teredo_peer *p = batch[i];
		bool gone;

		spin_lock_bh(&p->lock);
		gone = __teredo_peer_given_up(p);
		spin_unlock_bh(&p->lock);
		if (gone)
			teredo_peer_refuse_queue(t, p);
		else if (qualified)
			teredo_peer_seek(t, p, &me, server);
		teredo_peer_put(p);
	}
	if (n && netif_running(t->dev))
		teredo_seek_start(t);
}

bool teredo_peer_usable(struct teredo_peer *p)
{
	bool ok;

	spin_lock_bh(&p->lock);
	ok = __teredo_peer_usable(p);
	spin_unlock_bh(&p->lock);
	return ok;
}

void teredo_xmit_drop(struct teredo_dev *t, struct sk_buff *skb,
		      enum teredo_stat why)
{
	teredo_stat_inc(t, why);
	DEV_STATS_INC(t->dev, tx_dropped);
	kfree_skb(skb);
}

/*
 * Drops @skb, which cannot be delivered.  A client tells its sender
 * (this host, for what goes out of a client) with an ICMPv6 address
 * unreachable, rate limited as the stack's own errors; a relay, whose
 * senders are others, stays silent (a spray must not make it an ICMP
 * source towards whatever sources it forges).
 */
void teredo_xmit_unreach(struct teredo_dev *t, struct sk_buff *skb,
			 enum teredo_stat why)
{
	if (teredo_cfg_mode(t) == TEREDO_MODE_CLIENT)
		icmpv6_ndo_send(skb, ICMPV6_DEST_UNREACH, ICMPV6_ADDR_UNREACH,
				0);
	teredo_xmit_drop(t, skb, why);
}

/*
 * The peer that @skb goes to, made if new.  If it can be sent to now, @skb
 * is sent and NULL returned; NULL too once @skb was dropped (table full).
 * Otherwise the caller gets a reference and parks @skb with
 * teredo_xmit_park() while trust is sought.
 */
struct teredo_peer *teredo_xmit_peer(struct teredo_dev *t, struct sk_buff *skb,
				     const struct in6_addr *dst)
{
	struct teredo_peer *p;
	__be32 addr = 0;
	bool usable;
	u16 port = 0;

	p = teredo_peer_create(t, dst, true);
	if (IS_ERR(p)) {
		teredo_xmit_unreach(t, skb, PTR_ERR(p) == -ENOSPC ?
				    TEREDO_STAT_DROP_PEERS_FULL :
				    TEREDO_STAT_DROP_TX_ERROR);
		return NULL;
	}
	/* usable: its mapping, read under the same (single) lock */
	spin_lock_bh(&p->lock);
	usable = __teredo_peer_usable(p);
	if (usable)
		__teredo_peer_tx_mapping(p, &addr, &port);
	spin_unlock_bh(&p->lock);
	if (likely(usable)) {
		teredo_peer_put(p);
		teredo_send_to(t, skb, addr, port);
		return NULL;
	}
	return p;
}

/* Queue @skb on @p until it is trusted (bounded: the excess is counted). */
void teredo_xmit_park(struct teredo_dev *t, struct teredo_peer *p,
		      struct sk_buff *skb)
{
	skb_dst_drop(skb);
	/* parked for seconds: do not keep the sender's socket charged */
	skb_orphan(skb);
	if (!teredo_peer_enqueue(p, skb))
		teredo_xmit_unreach(t, skb, TEREDO_STAT_DROP_QUEUE_FULL);
}

/* RCU held: @cfg is the packet's settings, read once. */
static netdev_tx_t __teredo_xmit(struct teredo_dev *t,
				 const struct teredo_config *cfg,
				 struct sk_buff *skb)
{
	struct teredo_peer *p;
	struct teredo_addr ta;
	struct in6_addr me, dst;
	bool teredo, gone;
	__be32 server;

	if (unlikely(skb->protocol != htons(ETH_P_IPV6) ||
		     !pskb_may_pull(skb, sizeof(struct ipv6hdr)) ||
		     ipv6_hdr(skb)->version != 6)) {
		teredo_xmit_drop(t, skb, TEREDO_STAT_DROP_MALFORMED);
		return NETDEV_TX_OK;
	}
	dst = ipv6_hdr(skb)->daddr;
	if (ipv6_addr_is_multicast(&dst) || ipv6_addr_type(&dst) &
	    IPV6_ADDR_LINKLOCAL) {
		/* the stack's own MLD/ND: nothing to carry them to */
		teredo_xmit_drop(t, skb, TEREDO_STAT_DROP_MULTICAST);
		return NETDEV_TX_OK;
	}
	switch (cfg->mode) {
	case TEREDO_MODE_RELAY:
		return teredo_relay_xmit(t, skb);
	case TEREDO_MODE_SERVER:	/* clients reach native hosts via relays */
		teredo_xmit_drop(t, skb, TEREDO_STAT_DROP_NO_ROUTE);
		return NETDEV_TX_OK;
	}
	/* authorized marks, dormant state: exposure.c */
	if (teredo_exposure_tx(t, cfg, skb))
		return NETDEV_TX_OK;
	if (!teredo_client_address(t, &me, &server)) {
		teredo_xmit_unreach(t, skb, TEREDO_STAT_DROP_NOT_QUALIFIED);
		return NETDEV_TX_OK;
	}
	if (ipv6_addr_equal(&dst, &me)) {
		teredo_xmit_drop(t, skb, TEREDO_STAT_DROP_LOOP);
		return NETDEV_TX_OK;
	}
	teredo = teredo_addr_decode(dst.s6_addr, &ta);
	if (teredo && (!teredo_ipv4_is_global(ta.client) ||
		       !teredo_ipv4_is_global(ta.server))) {
		teredo_xmit_drop(t, skb, TEREDO_STAT_DROP_NONGLOBAL_V4);
		return NETDEV_TX_OK;
	}

	p = teredo_xmit_peer(t, skb, &dst);
	if (!p)
		return NETDEV_TX_OK;
	spin_lock_bh(&p->lock);
	if (teredo && !p->trusted) {
		/* a local peer (section 5.2.8) is reached on the LAN */
		WRITE_ONCE(p->mapped_addr,
			   p->local ? p->local_addr : htonl(ta.client));
		WRITE_ONCE(p->mapped_port, p->local ? p->local_port : ta.port);
	}
	WRITE_ONCE(p->relay, !teredo);
	gone = __teredo_peer_given_up(p);
	spin_unlock_bh(&p->lock);

	if (gone) {
		teredo_xmit_unreach(t, skb, TEREDO_STAT_DROP_UNREACHABLE);
		teredo_peer_refuse_queue(t, p);
	} else {
		teredo_xmit_park(t, p, skb);
		teredo_peer_seek(t, p, &me, server);
	}
	teredo_peer_put(p);
	return NETDEV_TX_OK;
}

netdev_tx_t teredo_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct teredo_dev *t = teredo_priv(dev);
	netdev_tx_t ret;

	rcu_read_lock();
	ret = __teredo_xmit(t, teredo_cfg(t), skb);
	rcu_read_unlock();
	return ret;
}
