// SPDX-License-Identifier: GPL-2.0
/*
 * Least exposure, inbound: what a client device delivers to the host.
 *
 * With "inbound authorized" (the default) a decapsulated packet reaches
 * the IPv6 stack only if, as the stack itself would look it up, it is
 * for a socket whose mark is authorized (teredo_mark_allowed(), the
 * marks "teredo-nl exec" and SO_MARK give):
 *
 *  - TCP and UDP: the socket the packet would be delivered to (an
 *    established or connected one first, else a listener or a bound
 *    socket), its sk_mark; a connection being set up carries its
 *    listener's mark (ir_mark), a TIME_WAIT one its socket's (tw_mark);
 *  - ICMPv6 echo replies: to an echo request an authorized socket sent
 *    to that address with that identifier in the last TEREDO_ECHO_TIME
 *    (noted on transmit, teredo_inbound_note_tx());
 *  - ICMPv6 errors: about a packet of an authorized flow (TCP, UDP or
 *    echo request as above) that we sent from the address they come to;
 *  - non-first fragments: they reach only the reassembly queue, bounded
 *    by net.ipv6.ip6frag_high_thresh, and are never delivered without
 *    their first fragment, which is checked as above.
 *
 * Everything else is dropped and counted (drop_inbound_unauthorized):
 * packets for no socket (the stack would answer a TCP RST or an ICMPv6
 * port unreachable: that answer would show the host is there), for an
 * unmarked socket, echo requests to the host (the kernel, not a socket,
 * would answer them), other ICMPv6 and every other protocol.  The
 * device's own protocol traffic (RA, bubbles, echo test replies) never
 * gets here: receive.c consumes it.
 *
 * "inbound open" delivers everything valid, leaving the filtering to
 * the firewall (tools/nft/teredo.nft).  Relays and servers forward
 * traffic that is not for the host; they are not filtered here.
 *
 * The lookups take no lock but RCU and allocate nothing: the headers
 * are copied to the stack where they are not linear.
 */

#include <linux/icmpv6.h>
#include <linux/ipv6.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/inet6_hashtables.h>
#include <net/inet_timewait_sock.h>
#include <net/ipv6.h>
#include <net/request_sock.h>
#include <net/udp.h>

#include "compat.h"
#include "device.h"
#include "exposure.h"
#include "inbound.h"

void teredo_inbound_init(struct teredo_dev *t)
{
	struct teredo_echo_table *in = &t->exp.echoes;

	spin_lock_init(&in->lock);
	get_random_bytes(&in->key, sizeof(in->key));
}

static struct teredo_echo_slot *teredo_echo_slot(struct teredo_echo_table *in,
						 const struct in6_addr *addr,
						 __be16 id)
{
	struct {
		struct in6_addr addr;
		__be16 id;
		__be16 pad;
	} k = { .addr = *addr, .id = id };

	return &in->slot[siphash(&k, sizeof(k), &in->key) % TEREDO_ECHO_SLOTS];
}

/* An echo request to @addr with identifier @id in the last while? */
static bool teredo_echo_sent(struct teredo_dev *t, const struct in6_addr *addr,
			     __be16 id)
{
	struct teredo_echo_table *in = &t->exp.echoes;
	struct teredo_echo_slot *s = teredo_echo_slot(in, addr, id);
	bool ok;

	spin_lock_bh(&in->lock);
	ok = s->sent && s->id == id && ipv6_addr_equal(&s->addr, addr) &&
	     time_before(jiffies, s->sent + TEREDO_ECHO_TIME);
	spin_unlock_bh(&in->lock);
	return ok;
}

/*
 * Transmit, an authorized packet (skb->data: its IPv6 header): note an
 * echo request, whose reply may come in.
 */
void teredo_inbound_note_tx(struct teredo_dev *t, struct sk_buff *skb)
{
	struct teredo_echo_table *in = &t->exp.echoes;
	const struct icmp6hdr *ih;
	const struct ipv6hdr *ip6;
	struct teredo_echo_slot *s;
	struct ipv6hdr _ip6;
	struct icmp6hdr _ih;

	ip6 = skb_header_pointer(skb, 0, sizeof(_ip6), &_ip6);
	if (!ip6 || ip6->nexthdr != IPPROTO_ICMPV6)
		return;
	ih = skb_header_pointer(skb, sizeof(*ip6), sizeof(_ih), &_ih);
	if (!ih || ih->icmp6_type != ICMPV6_ECHO_REQUEST)
		return;
	s = teredo_echo_slot(in, &ip6->daddr, ih->icmp6_identifier);
	spin_lock_bh(&in->lock);
	s->addr = ip6->daddr;
	s->id = ih->icmp6_identifier;
	s->sent = jiffies ?: 1;
	spin_unlock_bh(&in->lock);
}

/* Under rcu_read_lock(): the mark of a socket the lookups return. */
static u32 teredo_sk_mark(const struct sock *sk)
{
	if (sk_fullsock(sk))
		return READ_ONCE(sk->sk_mark);
	if (sk->sk_state == TCP_NEW_SYN_RECV)
		return inet_rsk(inet_reqsk(sk))->ir_mark;
	return inet_twsk(sk)->tw_mark;		/* TCP_TIME_WAIT */
}

/*
 * Under rcu_read_lock(): is the socket a packet from @raddr:@rport to
 * @laddr:@lport would be delivered to authorized?
 */
static bool teredo_inbound_sock(struct teredo_dev *t,
				const struct teredo_config *cfg, u8 proto,
				const struct in6_addr *raddr, __be16 rport,
				const struct in6_addr *laddr, __be16 lport)
{
	struct net *net = dev_net(t->dev);
	int dif = t->dev->ifindex;
	struct sock *sk;
	bool ok;

	switch (proto) {
	case IPPROTO_TCP:
		sk = teredo_inet6_lookup_tcp(net, raddr, rport, laddr, lport,
					     dif);
		break;
	case IPPROTO_UDP:
		sk = udp6_lib_lookup(net, raddr, rport, laddr, lport, dif);
		break;
	default:
		return false;
	}
	if (!sk)
		return false;
	ok = teredo_mark_allowed(cfg, teredo_sk_mark(sk));
	sock_gen_put(sk);
	return ok;
}

/*
 * Under rcu_read_lock(): an ICMPv6 message at @off, to the host at
 * @ip6->daddr.
 */
static bool teredo_inbound_icmp(struct teredo_dev *t,
				const struct teredo_config *cfg,
				struct sk_buff *skb,
				const struct ipv6hdr *ip6, int off)
{
	const struct ipv6hdr *in6;
	const struct icmp6hdr *ih;
	struct ipv6hdr _in6;
	struct icmp6hdr _ih;
	__be16 frag_off;
	__be16 _ports[2];
	const __be16 *ports;
	u8 nexthdr;

	ih = skb_header_pointer(skb, off, sizeof(_ih), &_ih);
	if (!ih)
		return false;
	if (ih->icmp6_type == ICMPV6_ECHO_REPLY)
		return teredo_echo_sent(t, &ip6->saddr, ih->icmp6_identifier);
	/* echo requests, neighbour discovery, MLD...: not for a socket */
	if (ih->icmp6_type & ICMPV6_INFOMSG_MASK)
		return false;
	/* an error: about a packet we sent, quoted after the header */
	off += sizeof(_ih);
	in6 = skb_header_pointer(skb, off, sizeof(_in6), &_in6);
	if (!in6 || !ipv6_addr_equal(&in6->saddr, &ip6->daddr))
		return false;
	nexthdr = in6->nexthdr;
	off = ipv6_skip_exthdr(skb, off + sizeof(_in6), &nexthdr, &frag_off);
	if (off < 0 || (frag_off & htons(~0x7)))
		return false;
	switch (nexthdr) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		ports = skb_header_pointer(skb, off, sizeof(_ports), _ports);
		return ports &&
		       teredo_inbound_sock(t, cfg, nexthdr, &in6->daddr,
					   ports[1], &in6->saddr, ports[0]);
	case IPPROTO_ICMPV6:
		ih = skb_header_pointer(skb, off, sizeof(_ih), &_ih);
		return ih && ih->icmp6_type == ICMPV6_ECHO_REQUEST &&
		       teredo_echo_sent(t, &in6->daddr, ih->icmp6_identifier);
	}
	return false;
}

/*
 * Receive, softirq, RCU held (@cfg: the packet's settings): may @skb
 * (skb->data: its IPv6 header, decapsulated) be delivered?  Marks the
 * device used when it goes to an authorized socket.
 */
bool teredo_inbound_allowed(struct teredo_dev *t,
			    const struct teredo_config *cfg,
			    struct sk_buff *skb)
{
	const struct ipv6hdr *ip6;
	struct ipv6hdr _ip6;
	__be16 _ports[2];
	const __be16 *ports;
	__be16 frag_off;
	bool ok = false;
	u8 nexthdr;
	int off;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "teredo: inbound check without RCU");
	if (cfg->mode != TEREDO_MODE_CLIENT ||
	    cfg->inbound == TEREDO_INBOUND_OPEN)
		return true;
	ip6 = skb_header_pointer(skb, 0, sizeof(_ip6), &_ip6);
	if (!ip6)
		goto out;
	nexthdr = ip6->nexthdr;
	off = ipv6_skip_exthdr(skb, sizeof(_ip6), &nexthdr, &frag_off);
	if (off < 0)
		goto out;
	if (frag_off & htons(~0x7))
		return true;	/* not the first fragment: see above */
	switch (nexthdr) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		ports = skb_header_pointer(skb, off, sizeof(_ports), _ports);
		ok = ports &&
		     teredo_inbound_sock(t, cfg, nexthdr, &ip6->saddr, ports[0],
					 &ip6->daddr, ports[1]);
		break;
	case IPPROTO_ICMPV6:
		ok = teredo_inbound_icmp(t, cfg, skb, ip6, off);
		break;
	}
out:
	if (ok)
		teredo_exposure_used(t);
	return ok;
}
