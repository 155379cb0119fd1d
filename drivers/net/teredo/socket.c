// SPDX-License-Identifier: GPL-2.0
/*
 * The device's kernel UDP socket: creation through the udp_tunnel
 * helpers (receive goes to teredo_udp_encap_recv) and the transmit
 * helper every sender uses.  Outer packets never carry DF (RFC 4380
 * section 5.1.1) and carry the configured fwmark.
 */

#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/dst_cache.h>
#include <net/inet_sock.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/route.h>
#include <net/udp.h>
#include <net/udp_tunnel.h>

#include "client.h"
#include "compat.h"
#include "device.h"
#include "proto.h"
#include "receive.h"
#include "socket.h"

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
 * @fl4: the flow of @sock's packets to @daddr:@dport.  The socket was
 * bound to cfg.link with cfg.fwmark as its mark (teredo_socket_bind()),
 * and is bound again when they change: the flow is the socket's own, and
 * no packet reads the settings for it.
 */
static void teredo_udp_flow(struct socket *sock, __be32 daddr, u16 dport,
			    struct flowi4 *fl4)
{
	memset(fl4, 0, sizeof(*fl4));
	fl4->flowi4_oif = READ_ONCE(sock->sk->sk_bound_dev_if);
	fl4->flowi4_mark = READ_ONCE(sock->sk->sk_mark);
	fl4->saddr = inet_sk(sock->sk)->inet_saddr;	/* bound address */
	fl4->flowi4_proto = IPPROTO_UDP;
	fl4->daddr = daddr;
	fl4->fl4_dport = htons(dport);
	fl4->fl4_sport = inet_sk(sock->sk)->inet_sport;
}

/*
 * The route from the primary socket (@secondary: a server's second one)
 * to @daddr:@dport, and @fl4 filled; never one through the device itself.
 * rcu_read_lock_bh held.
 */
static struct rtable *teredo_udp_route(struct teredo_dev *t,
				       struct socket *sock, bool secondary,
				       __be32 daddr, u16 dport,
				       struct flowi4 *fl4)
{
	struct rtable *rt;

	teredo_udp_flow(sock, daddr, dport, fl4);
	rt = teredo_route(t, fl4, !secondary && !ipv4_is_multicast(daddr));
	if (!IS_ERR(rt) && rt->dst.dev == t->dev) {
		ip_rt_put(rt);
		return ERR_PTR(-ELOOP);
	}
	return rt;
}

/*
 * Process context: where the primary socket's packets to @daddr:3544
 * leave now (a fresh lookup, not the route cache): lower device, source
 * and next hop, all 0 without a route.  The client compares two of
 * these to tell whether the network under it changed.
 */
void teredo_path_get(struct teredo_dev *t, __be32 daddr,
		     struct teredo_path *p)
{
	struct socket *sock;
	struct flowi4 fl4;
	struct rtable *rt;

	memset(p, 0, sizeof(*p));
	p->daddr = daddr;
	rcu_read_lock();
	sock = rcu_dereference(t->sock);
	if (!sock) {
		rcu_read_unlock();
		return;
	}
	teredo_udp_flow(sock, daddr, TEREDO_PORT, &fl4);
	rt = ip_route_output_key(t->net, &fl4);
	rcu_read_unlock();
	if (IS_ERR(rt))
		return;
	if (rt->dst.dev != t->dev) {
		p->ifindex = rt->dst.dev->ifindex;
		p->saddr = fl4.saddr;
		if (rt->rt_gw_family == AF_INET)
			p->gw = rt->rt_gw4;
	}
	ip_rt_put(rt);
}

/* Any context: the UDP port of the primary socket, 0 without one. */
u16 teredo_udp_local_port(struct teredo_dev *t)
{
	struct socket *sock;
	u16 port = 0;

	rcu_read_lock();
	sock = rcu_dereference(t->sock);
	if (sock)
		port = ntohs(inet_sk(sock->sk)->inet_sport);
	rcu_read_unlock();
	return port;
}

/*
 * Sends @skb, an IPv6 packet with any Teredo headers, to @daddr:@dport,
 * from the secondary address of a server if @secondary, else from the
 * device's (primary) socket.  BH disabled (the route cache is per CPU).
 */
static int teredo_udp_send_from(struct teredo_dev *t, bool secondary,
				struct sk_buff *skb, __be32 daddr, u16 dport)
{
	struct net_device *dev = t->dev;
	struct socket *sock;
	struct flowi4 fl4;
	struct rtable *rt;
	int err;

	rcu_read_lock_bh();
	sock = secondary ? rcu_dereference_bh(t->sock2) :
			   rcu_dereference_bh(t->sock);
	if (!sock) {
		err = -ENOTCONN;
		goto drop;
	}
	rt = teredo_udp_route(t, sock, secondary, daddr, dport, &fl4);
	if (IS_ERR(rt)) {
		err = PTR_ERR(rt);
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
				   ip4_dst_hoplimit(&rt->dst), fl4.fl4_sport,
				   htons(dport));
	rcu_read_unlock_bh();
	return 0;
drop:
	rcu_read_unlock_bh();
	kfree_skb(skb);
	return err;
}

/*
 * How many datagrams of @len bytes of UDP payload one train through
 * @lower may carry: the count a UDP GSO socket may send at once, what
 * the lower device accepts to segment or offload (gso_max_segs, and
 * gso_max_size for the whole frame), an IPv4 total length.  Beyond,
 * the core would cut the train in software anyway (gso_features_check).
 */
static unsigned int teredo_train_max(const struct net_device *lower,
				     unsigned int len)
{
	unsigned int size, segs;

	size = min_t(unsigned int, READ_ONCE(lower->gso_max_size),
		     IP_MAX_MTU + 1);
	/* the frame: link header, IPv4, UDP; strictly below gso_max_size */
	size -= min_t(unsigned int, size, LL_RESERVED_SPACE(lower) +
		      sizeof(struct iphdr) + sizeof(struct udphdr) + 1);
	segs = min_t(unsigned int, UDP_MAX_SEGMENTS,
		     READ_ONCE(lower->gso_max_segs));
	return min(segs, size / len);
}

/* Where the next byte goes in a train's pages. */
struct teredo_train_pos {
	unsigned int frag;		/* index in its frags */
	unsigned int off;		/* offset in that frag */
};

/* The bytes from @pos on, in @train's frag @pos->frag; NULL past its end. */
static u8 *teredo_train_at(struct sk_buff *train,
			   const struct teredo_train_pos *pos,
			   unsigned int *room)
{
	const skb_frag_t *frag;

	if (WARN_ON_ONCE(pos->frag >= skb_shinfo(train)->nr_frags))
		return NULL;
	frag = &skb_shinfo(train)->frags[pos->frag];
	*room = skb_frag_size(frag) - pos->off;
	return skb_frag_address(frag) + pos->off;
}

/* Moves @pos on by @n bytes, across as many frags as they span. */
static void teredo_train_advance(const struct sk_buff *train,
				 struct teredo_train_pos *pos,
				 unsigned int n)
{
	const struct skb_shared_info *sh = skb_shinfo(train);

	pos->off += n;
	while (pos->frag < sh->nr_frags &&
	       pos->off >= skb_frag_size(&sh->frags[pos->frag])) {
		pos->off -= skb_frag_size(&sh->frags[pos->frag]);
		pos->frag++;
	}
}

/* Copies @len bytes of @buf into @train at @pos, which moves on. */
static int teredo_train_put_buf(struct sk_buff *train,
				struct teredo_train_pos *pos,
				const u8 *buf, unsigned int len)
{
	unsigned int room, chunk;
	u8 *to;

	for (; len; len -= chunk, buf += chunk) {
		to = teredo_train_at(train, pos, &room);
		if (!to)
			return -EINVAL;
		chunk = min(len, room);
		memcpy(to, buf, chunk);
		teredo_train_advance(train, pos, chunk);
	}
	return 0;
}

/*
 * Copies @len bytes of @src from @off on into @train at @pos, which moves
 * on; with @csum, adds their sum to it, summed in the same pass.
 */
static int teredo_train_put_skb(struct sk_buff *train,
				struct teredo_train_pos *pos,
				const struct sk_buff *src, int off,
				unsigned int len, __wsum *csum)
{
	unsigned int done, room, chunk;
	u8 *to;

	for (done = 0; done < len; done += chunk) {
		to = teredo_train_at(train, pos, &room);
		if (!to)
			return -EINVAL;
		chunk = min(len - done, room);
		if (csum)
			*csum = csum_block_add(*csum,
					       skb_copy_and_csum_bits(src,
								      off + done, to, chunk),
					       done);
		else if (skb_copy_bits(src, off + done, to, chunk))
			return -EFAULT;
		teredo_train_advance(train, pos, chunk);
	}
	return 0;
}

/*
 * Copies the @n packets from @seg on back to back into the paged data
 * of @train (already as long as all of them), each packet's checksum
 * resolved first.
 */
static int teredo_train_fill(struct sk_buff *train, struct sk_buff *seg,
			     unsigned int n)
{
	struct teredo_train_pos pos = {};
	int err;

	for (; n; n--, seg = seg->next) {
		if (seg->ip_summed == CHECKSUM_PARTIAL &&
		    skb_checksum_help(seg))
			return -EINVAL;
		err = teredo_train_put_skb(train, &pos, seg, 0, seg->len, NULL);
		if (err)
			return err;
	}
	return 0;
}

/* A train of @total bytes of UDP payload in pages, room for the headers. */
static struct sk_buff *teredo_train_alloc(const struct net_device *lower,
					  unsigned int total)
{
	struct sk_buff *train;
	int err;

	train = alloc_skb_with_frags(LL_RESERVED_SPACE(lower) +
				     sizeof(struct iphdr) +
				     sizeof(struct udphdr), total,
				     PAGE_ALLOC_COSTLY_ORDER, &err,
				     GFP_ATOMIC | __GFP_NOWARN);
	if (!train)
		return NULL;
	skb_reserve(train, skb_tailroom(train));
	train->data_len = total;
	train->len = total;
	return train;
}

/*
 * Sends @train, @n datagrams of @len bytes of UDP payload (the last no
 * longer) filled in, to @daddr:@dport along @rt (its reference is the
 * train's): pushes the UDP and IPv4 headers and, for more than one,
 * makes it UDP GSO.  To the stack it is plain UDP from our socket, as a
 * UDP_SEGMENT socket sends it: the lower device (USO) or the core's
 * software GSO cuts it into one datagram per packet before any wire, a
 * NAT or a bridge forwards it whole, and a socket without UDP_GRO
 * (Miredo's, our own) receives it cut by udp_rcv_segment().  The device's
 * TX counts datagrams (iptunnel_xmit() would count a train as one); one
 * the IPv4 output path drops counts in tx_dropped.  BH disabled, under
 * rcu_read_lock_bh() (@sock).
 */
static void teredo_train_xmit(struct teredo_dev *t, struct socket *sock,
			      struct rtable *rt, const struct flowi4 *fl4,
			      struct sk_buff *train, unsigned int n,
			      unsigned int len, u16 dport)
{
	struct net_device *dev = t->dev;
	unsigned int total = train->len;
	struct udphdr *uh;
	struct iphdr *iph;
	int err;

	train->dev = dev;
	train->mark = fl4->flowi4_mark;
	train->protocol = htons(ETH_P_IP);
	uh = skb_push(train, sizeof(*uh));
	skb_reset_transport_header(train);
	uh->source = fl4->fl4_sport;
	uh->dest = htons(dport);
	uh->len = htons(train->len);
	/*
	 * The outer checksum is left to whoever cuts the train, from the
	 * UDP header on (__udp_gso_segment() wants csum_start there), over
	 * the pseudo-header of the whole length, which it adjusts to each
	 * datagram's; a datagram alone is summed by the lower device, or
	 * the core for it.
	 */
	uh->check = ~udp_v4_check(train->len, fl4->saddr, fl4->daddr, 0);
	train->ip_summed = CHECKSUM_PARTIAL;
	train->csum_start = skb_transport_header(train) - train->head;
	train->csum_offset = offsetof(struct udphdr, check);
	if (n > 1) {
		skb_shinfo(train)->gso_size = len;
		skb_shinfo(train)->gso_type = SKB_GSO_UDP_L4;
		skb_shinfo(train)->gso_segs = n;
	}

	skb_dst_set(train, &rt->dst);
	memset(IPCB(train), 0, sizeof(*IPCB(train)));
	iph = skb_push(train, sizeof(*iph));
	skb_reset_network_header(train);
	iph->version = 4;
	iph->ihl = sizeof(*iph) >> 2;
	iph->tos = 0;
	iph->frag_off = 0;		/* never DF (RFC 4380 5.1.1) */
	iph->ttl = ip4_dst_hoplimit(&rt->dst);
	iph->protocol = IPPROTO_UDP;
	iph->saddr = fl4->saddr;
	iph->daddr = fl4->daddr;
	/* one IPv4 ID per datagram: the segmentation numbers them on */
	__ip_select_ident(t->net, iph, n);
	err = ip_local_out(t->net, sock->sk, train);
	if (likely(!net_xmit_eval(err)))
		dev_sw_netstats_tx_add(dev, n, total);
	else
		DEV_STATS_ADD(dev, tx_dropped, n);
}

/*
 * Sends the packets at the head of the list @segs (IPv6 packets with
 * their checksums complete, all of one size but the last) to
 * @daddr:@dport as one UDP GSO train: one skb of type SKB_GSO_UDP_L4
 * whose UDP payload is the packets back to back, gso_size the size of
 * one (teredo_train_xmit()).
 *
 * Returns how many packets it took off the list (sent, or dropped by the
 * IPv4 output path: counted in the device's tx_dropped), each counted
 * once in the device's TX; 0 if no train could be made (fewer than two
 * fit, no route, no memory): the caller sends the head alone.
 */
unsigned int teredo_udp_send_train(struct teredo_dev *t,
				   struct sk_buff **segs, __be32 daddr,
				   u16 dport)
{
	struct sk_buff *seg, *next, *train = NULL, *first = *segs;
	unsigned int i, n, max, len = first->len, total;
	struct socket *sock;
	struct flowi4 fl4;
	struct rtable *rt;

	rcu_read_lock_bh();
	sock = rcu_dereference_bh(t->sock);
	if (!sock || ipv4_is_multicast(daddr))
		goto out;
	rt = teredo_udp_route(t, sock, false, daddr, dport, &fl4);
	if (IS_ERR(rt))
		goto out;
	/* all of the first's length, the last of the train no longer */
	max = teredo_train_max(rt->dst.dev, len);
	total = len;
	for (n = 1, seg = first->next; seg && n < max; seg = seg->next) {
		if (seg->len > len)
			break;
		n++;
		total += seg->len;
		if (seg->len < len)
			break;
	}
	if (n < 2)
		goto out_rt;
	train = teredo_train_alloc(rt->dst.dev, total);
	if (!train || teredo_train_fill(train, first, n))
		goto out_rt;
	train->priority = first->priority;

	/* the n packets are in the train: off the list */
	for (seg = first, i = 0; i < n; i++, seg = next) {
		next = seg->next;
		skb_mark_not_on_list(seg);
		consume_skb(seg);
	}
	*segs = seg;
	teredo_train_xmit(t, sock, rt, &fl4, train, n, len, dport);
	rcu_read_unlock_bh();
	return n;

out_rt:
	consume_skb(train);	/* NULL, or unfilled: the packets go alone */
	ip_rt_put(rt);
out:
	rcu_read_unlock_bh();
	return 0;
}

/* A TCP/IPv6 GSO super-packet being cut into trains. */
struct teredo_tso {
	struct sk_buff *skb;
	u8 hdr[TEREDO_TSO_HDR_MAX];	/* its IPv6 and TCP headers */
	unsigned int hlen;		/* their length */
	unsigned int mss;		/* payload bytes per segment */
	unsigned int plen;		/* payload bytes in all */
	unsigned int segs;		/* segments in all */
};

/*
 * Segment @i of @tso (headers and payload, its TCP checksum computed in
 * the pass that copies the payload) into @train at @pos.
 */
static int teredo_tso_put(struct sk_buff *train, struct teredo_train_pos *pos,
			  const struct teredo_tso *tso, unsigned int i)
{
	const struct in6_addr *saddr = (const struct in6_addr *)(tso->hdr + 8);
	const struct in6_addr *daddr = (const struct in6_addr *)(tso->hdr + 24);
	unsigned int thlen = tso->hlen - TEREDO_IPV6_HLEN;
	unsigned int off = i * tso->mss;
	unsigned int plen = min(tso->mss, tso->plen - off);
	struct teredo_train_pos hpos = *pos;
	u8 hdr[TEREDO_TSO_HDR_MAX];
	__wsum csum = 0;
	__sum16 check;
	int err;

	teredo_tso_hdr(hdr, tso->hdr, tso->hlen, off, plen, i == 0,
		       i == tso->segs - 1);
	/* the payload first (past the headers' room), summed while copied */
	teredo_train_advance(train, pos, tso->hlen);
	err = teredo_train_put_skb(train, pos, tso->skb, tso->hlen + off, plen,
				   &csum);
	if (err)
		return err;
	csum = csum_add(csum_partial(hdr + TEREDO_IPV6_HLEN, thlen, 0), csum);
	check = csum_ipv6_magic(saddr, daddr, thlen + plen, IPPROTO_TCP, csum);
	memcpy(hdr + TEREDO_IPV6_HLEN + offsetof(struct tcphdr, check), &check,
	       sizeof(check));
	return teredo_train_put_buf(train, &hpos, hdr, tso->hlen);
}

/*
 * Whether @skb is a TCP/IPv6 super-packet teredo_udp_send_tso() cuts:
 * TCP right after the IPv6 header, no GSO type but TCP's, a segment of
 * the size of @tso->hdr plus gso_size, more than one of them and not too
 * many.  @tso gets a copy of the headers; @skb is not changed.
 */
static bool teredo_tso_init(struct teredo_tso *tso, struct sk_buff *skb)
{
	const struct skb_shared_info *sh = skb_shinfo(skb);
	unsigned int len;

	if (skb->protocol != htons(ETH_P_IPV6) ||
	    !(sh->gso_type & SKB_GSO_TCPV6) ||
	    (sh->gso_type & ~(SKB_GSO_TCPV6 | SKB_GSO_TCP_ECN | SKB_GSO_DODGY)))
		return false;
	/* a copy: pulling into a clone's linear part would copy its head */
	len = min_t(unsigned int, skb->len, TEREDO_TSO_HDR_MAX);
	if (skb_copy_bits(skb, 0, tso->hdr, len))
		return false;
	tso->hlen = teredo_tso_hdr_len(tso->hdr, len);
	if (!tso->hlen)
		return false;
	tso->skb = skb;
	tso->mss = sh->gso_size;
	tso->plen = skb->len - tso->hlen;
	if (!tso->mss || tso->plen <= tso->mss)
		return false;
	tso->segs = DIV_ROUND_UP(tso->plen, tso->mss);
	return tso->segs <= TEREDO_TSO_SEGS_MAX;
}

/*
 * Sends the TCP/IPv6 GSO super-packet @skb to @daddr:@dport as UDP GSO
 * trains (teredo_train_xmit()) whose segments are cut straight into
 * them: no skb per segment, and each segment's payload copied and summed
 * in one pass.  The segments are what the kernel's TSO would make
 * (teredo_tso_hdr()), so the wire is the same as through
 * skb_gso_segment() and teredo_udp_send_train().
 *
 * Returns false, @skb untouched, if it is not such a super-packet or no
 * train can start (no route, fewer than two fit, no memory): the caller
 * cuts it the kernel's way.  Else @skb is consumed; @st says how many
 * datagrams left (each counted once in the device's TX, as
 * teredo_udp_send_train() does), in how many trains, and how many were
 * lost when a later train could not be made.
 */
bool teredo_udp_send_tso(struct teredo_dev *t, struct sk_buff *skb,
			 __be32 daddr, u16 dport, struct teredo_tso_sent *st)
{
	unsigned int i, j, n, max, total, len, end;
	struct teredo_train_pos pos;
	struct sk_buff *train;
	struct teredo_tso tso;
	struct socket *sock;
	struct flowi4 fl4;
	struct rtable *rt;

	memset(st, 0, sizeof(*st));
	if (ipv4_is_multicast(daddr) || !teredo_tso_init(&tso, skb))
		return false;
	len = tso.hlen + tso.mss;
	for (i = 0; i < tso.segs; i += n) {
		rcu_read_lock_bh();
		sock = rcu_dereference_bh(t->sock);
		if (!sock)
			goto fail;
		rt = teredo_udp_route(t, sock, false, daddr, dport, &fl4);
		if (IS_ERR(rt))
			goto fail;
		max = teredo_train_max(rt->dst.dev, len);
		if (max < 2)
			goto fail_rt;
		n = min(max, tso.segs - i);
		end = min(tso.plen, (i + n) * tso.mss);
		total = n * tso.hlen + end - i * tso.mss;
		train = teredo_train_alloc(rt->dst.dev, total);
		if (!train)
			goto fail_rt;
		memset(&pos, 0, sizeof(pos));
		for (j = i; j < i + n; j++) {
			if (teredo_tso_put(train, &pos, &tso, j)) {
				kfree_skb(train);
				goto fail_rt;
			}
		}
		train->priority = skb->priority;
		teredo_train_xmit(t, sock, rt, &fl4, train, n, len, dport);
		rcu_read_unlock_bh();
		st->datagrams += n;
		st->trains += n > 1;
	}
	consume_skb(skb);
	return true;

fail_rt:
	ip_rt_put(rt);
fail:
	rcu_read_unlock_bh();
	if (!i)
		return false;
	/* a later train could not be made: the rest is lost */
	st->dropped = tso.segs - i;
	DEV_STATS_ADD(t->dev, tx_dropped, st->dropped);
	kfree_skb(skb);
	return true;
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
