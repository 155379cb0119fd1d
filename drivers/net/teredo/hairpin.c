// SPDX-License-Identifier: GPL-2.0
/*
 * The Hairpinning Extension (RFC 6081 section 8), with cfg.hairpinning
 * (off by default: it tells peers behind our NAT our LAN address).  Two
 * clients behind one NAT that does not hairpin (what one sends to the
 * other's mapping ends at the NAT) reach each other at their addresses
 * on the NAT's inside, wherever there they are: local discovery
 * (discovery.c) needs them on one link.
 *
 *  - A bubble we send to a peer behind our NAT (its Teredo address
 *    embeds our outside IPv4) carries an Alternate Address trailer with
 *    our local address and port, the source our server saw before the
 *    NAT (teredo_hp_trailer()); our server relays it with the indirect
 *    bubble (server.c).
 *  - An indirect bubble from such a peer, its mapping vouched for by our
 *    server (origin indication), whose trailer lists a private address
 *    makes it a local peer there, not trusted before it answers from
 *    there, and gets a direct bubble there (teredo_hp_indirect()).
 *  - A direct bubble from a private source, from a peer behind our NAT
 *    that we are trying to reach (bubbles unanswered) or that is local
 *    at that very address, whose trailer lists that very source, makes
 *    it a local peer there, trusted (teredo_hp_claim()).
 *
 * Limits: only private addresses (RFC 1918, RFC 6598) are ever tried,
 * one per indirect bubble, under the per-peer bubble limit (section
 * 5.2.6) and the answer limiter; a peer trusted at another address is
 * never moved (as with local discovery, nothing but the trailer backs a
 * claim).  A refused claim is counted in drop_hairpin, each bubble to an
 * alternate address in hairpin_bubbles.
 */

#include <linux/err.h>
#include <linux/ipv6.h>
#include <linux/string.h>
#include <net/ipv6.h>

#include "client.h"
#include "device.h"
#include "hairpin.h"
#include "peer.h"
#include "peertable.h"
#include "receive.h"
#include "send.h"
#include "stats.h"

/* Is @peer, not us, a client behind our NAT (our outside IPv4)? */
static bool teredo_hp_same_nat(const struct in6_addr *me,
			       const struct in6_addr *peer)
{
	struct teredo_addr mine, theirs;

	return teredo_addr_decode(me->s6_addr, &mine) &&
	       teredo_addr_decode(peer->s6_addr, &theirs) &&
	       theirs.client == mine.client && !ipv6_addr_equal(peer, me);
}

static bool teredo_hp_enabled(struct teredo_dev *t)
{
	bool v;

	rcu_read_lock();
	v = teredo_cfg(t)->hairpinning;
	rcu_read_unlock();
	return v;
}

/*
 * The trailer a bubble from @me to @peer carries: our Alternate Address
 * trailer if hairpinning is on, @peer is behind our NAT and our local
 * address is a private one.  Returns its length in @buf, 0 for none.
 */
size_t teredo_hp_trailer(struct teredo_dev *t, const struct in6_addr *me,
			 const struct in6_addr *peer, u8 *buf, size_t cap)
{
	struct teredo_trailers tr;
	__be32 local;
	u16 lport;

	if (!teredo_hp_enabled(t) || !teredo_hp_same_nat(me, peer) ||
	    !teredo_client_local(t, &local, &lport) ||
	    !teredo_ipv4_is_private(ntohl(local)))
		return 0;
	memset(&tr, 0, sizeof(tr));
	tr.present = 1u << TEREDO_TRAILER_ALT_ADDR;
	tr.n_alt = 1;
	tr.alt[0].ip = ntohl(local);
	tr.alt[0].port = lport;
	return teredo_build_trailers(buf, cap, &tr);
}

/*
 * p->lock held: may @p become local at @addr:@port?  Not if it is
 * trusted at another address; then it stays there.
 */
static bool __teredo_hp_take(struct teredo_peer *p, __be32 addr, u16 port)
{
	lockdep_assert_held(&p->lock);
	if (p->trusted &&
	    !(p->local && p->local_addr == addr && p->local_port == port))
		return false;
	p->local = true;
	p->local_addr = addr;
	p->local_port = port;
	return true;
}

/*
 * Softirq, RCU held: an indirect bubble from @src (answered already by
 * receive.c) with an Alternate Address trailer.  If @src is behind our
 * NAT, its first private alternate address that is not ours is where it
 * may be on our side: @src becomes a local peer there, not trusted
 * before a packet comes from there, and gets a direct bubble there.
 */
void teredo_hp_indirect(struct teredo_dev *t, const struct teredo_rx *rx,
			const struct in6_addr *src)
{
	__be32 local = 0, addr = 0;
	u16 lport = 0, port = 0;
	struct teredo_peer *p;
	unsigned int i;
	bool ok;

	if (!rx->cfg->hairpinning ||
	    !teredo_trailer_has(&rx->tr, TEREDO_TRAILER_ALT_ADDR) ||
	    !teredo_hp_same_nat(&rx->me, src))
		return;
	teredo_client_local(t, &local, &lport);
	for (i = 0; i < rx->tr.n_alt; i++) {
		const struct teredo_alt_addr *a = &rx->tr.alt[i];

		if (!teredo_ipv4_is_private(a->ip) || !a->port ||
		    (htonl(a->ip) == local && a->port == lport))
			continue;
		addr = htonl(a->ip);
		port = a->port;
		break;
	}
	if (!addr)
		return;
	p = teredo_peer_create(t, src, false);
	if (IS_ERR(p)) {
		if (PTR_ERR(p) == -ENOSPC)
			teredo_stat_inc(t, TEREDO_STAT_DROP_PEERS_FULL);
		return;
	}
	spin_lock_bh(&p->lock);
	ok = __teredo_hp_take(p, addr, port);
	spin_unlock_bh(&p->lock);
	if (!ok) {
		teredo_stat_inc(t, TEREDO_STAT_DROP_HAIRPIN);
	} else if (teredo_peer_bubble_allowed(p) &&
		   teredo_send_bubble(t, &rx->me, src, addr, port)) {
		teredo_stat_inc(t, TEREDO_STAT_HAIRPIN_BUBBLES);
	}
	teredo_peer_put(p);
}

/*
 * Softirq, RCU held: a bubble from the non-global source of @rx, claiming
 * to come from @src, of which @p (NULL: none) is our peer entry.  Returns
 * 0 if it is no hairpinning claim (hairpinning off, not a private source,
 * not a client behind our NAT, or its Alternate Address trailer does not
 * list that source), 1 if @p is now local at that source (the caller
 * trusts it), -1 if the claim is refused (the caller drops it, counted in
 * drop_hairpin): no such peer, one we are not trying to reach, or one
 * trusted elsewhere.
 */
int teredo_hp_claim(struct teredo_dev *t, const struct teredo_rx *rx,
		    struct teredo_peer *p, const struct in6_addr *src)
{
	bool ok;

	if (!rx->cfg->hairpinning || !rx->enc.bubble ||
	    !teredo_ipv4_is_private(ntohl(rx->saddr)) ||
	    !teredo_trailers_list(&rx->tr, ntohl(rx->saddr), rx->sport) ||
	    !teredo_hp_same_nat(&rx->me, src))
		return 0;
	ok = false;
	if (p) {
		spin_lock_bh(&p->lock);
		/* we are seeking it: bubbles of ours went unanswered */
		if (p->window_bubbles || p->local)
			ok = __teredo_hp_take(p, rx->saddr, rx->sport);
		spin_unlock_bh(&p->lock);
	}
	return ok ? 1 : -1;
}
