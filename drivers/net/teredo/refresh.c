// SPDX-License-Identifier: GPL-2.0
/*
 * Refresh interval determination (RFC 4380 section 5.2.7), when
 * cfg.refresh_auto is set: how long does our NAT keep a silent UDP
 * mapping?
 *
 * A second UDP socket, the interval determination port, qualifies once
 * (an RS with its own nonce to our server; the RA's origin indication
 * is its own NAT mapping, the "secondary" mapping) and then stays
 * silent.  After T seconds, our primary address sends a bubble through
 * the server to the secondary Teredo address (server, secondary
 * mapping): the server relays it to the secondary mapping, which is
 * still there, and the bubble arrives on the determination port,
 * only if the NAT kept it T seconds.  T starts at TEREDO_RDET_FIRST
 * and grows by half after each success, up to cfg.refresh; after a
 * failure, the largest T that worked is the result (a failure before
 * any success halves T and qualifies the port again).  Until there is
 * a result, the client refreshes its own mapping every TEREDO_RDET_KEEP
 * s (so that it and the bubble's source stay valid); afterwards
 * every 2/3 of the result, randomised within 50-90 % (client.c), so
 * always within the time the NAT was seen to keep a mapping.
 *
 * Context: r->work (process context) drives it; the determination
 * socket's encap_rcv (softirq) records the RA and the bubble under
 * r->lock and kicks the work.  r->running gates every queueing of
 * r->work; it is set only by teredo_rdet_start() under the client's
 * c->lock while the client runs (lock order: c->lock, then r->lock), and
 * cleared by teredo_rdet_stop(), which the client work (going dormant)
 * and teredo_client_stop() may run at the same time.  r->sock is
 * created by the work; whoever takes it with xchg() (the work, or a stop
 * once the work is cancelled) releases it, so it is released once.
 * Receive reads sk_user_data under RCU.
 */

#include <linux/ip.h>
#include <linux/random.h>
#include <linux/udp.h>
#include <net/inet_sock.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/udp_tunnel.h>

#include "client.h"
#include "compat.h"
#include "device.h"
#include "refresh.h"
#include "socket.h"
#include "stats.h"

enum {
	TEREDO_RDET_IDLE,	/* not started (or given up) */
	TEREDO_RDET_QUALIFY,	/* RS sent from the determination port */
	TEREDO_RDET_WAIT,	/* silent for r->trial seconds */
	TEREDO_RDET_TEST,	/* bubble sent, waiting for it */
	TEREDO_RDET_DONE,	/* r->result known */
};

static void teredo_rdet_work(struct work_struct *work);

void teredo_rdet_init(struct teredo_dev *t)
{
	struct teredo_rdet *r = &t->client.rdet;

	spin_lock_init(&r->lock);
	INIT_DELAYED_WORK(&r->work, teredo_rdet_work);
}

u32 teredo_rdet_result(struct teredo_dev *t)
{
	struct teredo_rdet *r = &t->client.rdet;
	u32 v;

	spin_lock_bh(&r->lock);
	v = r->phase == TEREDO_RDET_DONE ? r->result : 0;
	spin_unlock_bh(&r->lock);
	return v;
}

/* The base refresh interval in seconds (before RFC 6081 randomising). */
u32 teredo_rdet_refresh(struct teredo_dev *t)
{
	struct teredo_rdet *r = &t->client.rdet;
	u32 cfg = teredo_cfg_refresh(t);
	u32 base = cfg;
	u8 phase;

	if (!teredo_cfg_refresh_auto(t))
		return cfg;
	spin_lock_bh(&r->lock);
	phase = r->phase;
	/* until known, keep the mapping as if the NAT were impatient */
	if (phase == TEREDO_RDET_DONE)
		base = max_t(u32, 1, r->result * 2 / 3);
	else
		base = TEREDO_RDET_KEEP;
	spin_unlock_bh(&r->lock);
	return min(base, cfg);
}

/* Softirq: what arrives on the determination port. */
static int teredo_rdet_recv(struct sock *sk, struct sk_buff *skb)
{
	struct teredo_dev *t = rcu_dereference_sk_user_data(sk);
	const struct ipv6hdr *ip6;
	struct teredo_encap enc;
	struct teredo_rdet *r;
	struct in6_addr me;
	size_t total, avail;
	__be32 server, s;
	bool kick = false, have_me;

	if (!t || skb->len < sizeof(struct udphdr))
		goto out;
	r = &t->client.rdet;
	total = skb->len - sizeof(struct udphdr);
	avail = min_t(size_t, total, TEREDO_ENCAP_MAX_LEN + TEREDO_IPV6_HLEN);
	if (!pskb_may_pull(skb, sizeof(struct udphdr) + avail) ||
	    teredo_parse_encap(skb->data + sizeof(struct udphdr), avail, total,
			       &enc) != TEREDO_OK)
		goto out;
	/* only our server speaks to this port, always with an origin */
	server = teredo_client_server(t);
	if (!server || ip_hdr(skb)->saddr != server ||
	    udp_hdr(skb)->source != htons(TEREDO_PORT) || !enc.has_origin ||
	    !teredo_ipv4_is_global(enc.origin_ip))
		goto out;
	ip6 = (const void *)(skb->data + sizeof(struct udphdr) + enc.hdr_len);
	have_me = teredo_client_address(t, &me, &s);

	spin_lock(&r->lock);
	if (r->phase == TEREDO_RDET_QUALIFY && enc.has_auth &&
	    !memcmp(enc.nonce, r->nonce, TEREDO_NONCE_LEN)) {
		r->mapped_addr = htonl(enc.origin_ip);
		r->mapped_port = enc.origin_port;
		r->answered = true;
		kick = r->running;
	} else if (r->phase == TEREDO_RDET_TEST && enc.bubble &&
		   ipv6_addr_equal(&ip6->daddr, &r->addr2) && have_me &&
		   ipv6_addr_equal(&ip6->saddr, &me)) {
		r->answered = true;
		kick = r->running;
	}
	if (kick)
		mod_delayed_work(system_power_efficient_wq, &r->work, 0);
	spin_unlock(&r->lock);
out:
	kfree_skb(skb);
	return 0;
}

static int teredo_rdet_sock_open(struct teredo_dev *t)
{
	struct udp_tunnel_sock_cfg tcfg = {
		.sk_user_data	= t,
		.encap_type	= 1,
		.encap_rcv	= teredo_rdet_recv,
	};
	struct udp_port_cfg ucfg = {
		.family			= AF_INET,
		.use_udp_checksums	= true,
	};
	const struct teredo_config *cfg;
	struct socket *sock;
	u32 mark;
	int err;

	rcu_read_lock();
	cfg = teredo_cfg(t);
	ucfg.local_ip.s_addr = cfg->local;
	ucfg.bind_ifindex = cfg->link;
	mark = cfg->fwmark;
	rcu_read_unlock();
	err = udp_sock_create4(t->net, &ucfg, &sock);
	if (err)
		return err;
	sock->sk->sk_mark = mark;
	inet_sk(sock->sk)->pmtudisc = IP_PMTUDISC_DONT;
	teredo_setup_udp_tunnel_sock(t->net, sock, &tcfg);
	/* only the work sets it; teredo_rdet_sock_close() takes it */
	WRITE_ONCE(t->client.rdet.sock, sock);
	return 0;
}

/* Any process context: exactly one of concurrent callers releases it. */
static void teredo_rdet_sock_close(struct teredo_rdet *r)
{
	struct socket *sock = xchg(&r->sock, NULL);

	if (sock)
		teredo_udp_tunnel_sock_release(sock);	/* waits for receivers */
}

/* Process context: an RS from the determination port to our server. */
static void teredo_rdet_send_rs(struct teredo_dev *t, const u8 *nonce)
{
	static const u8 rs_src[16] = {
		0xfe, 0x80, 0, 0, 0, 0, 0, 0,
		0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
	};
	u8 buf[TEREDO_AUTH_MIN_LEN + TEREDO_IPV6_HLEN + 16];
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(TEREDO_PORT),
		.sin_addr.s_addr = teredo_client_server(t),
	};
	struct msghdr msg = {
		.msg_name = &sin,
		.msg_namelen = sizeof(sin),
		.msg_flags = MSG_DONTWAIT,
	};
	struct kvec iov = { .iov_base = buf };
	size_t a, n;

	a = teredo_build_auth(buf, sizeof(buf), nonce);
	n = a ? teredo_build_rs(buf + a, sizeof(buf) - a, rs_src) : 0;
	if (!n)
		return;
	iov.iov_len = a + n;
	if (kernel_sendmsg(t->client.rdet.sock, &msg, &iov, 1, a + n) > 0)
		teredo_stat_inc(t, TEREDO_STAT_TX_RS);
}

/* Process context: our primary address -> the secondary one, via the server. */
static void teredo_rdet_send_bubble(struct teredo_dev *t)
{
	struct teredo_rdet *r = &t->client.rdet;
	struct teredo_addr ta;
	struct in6_addr me;
	u8 buf[TEREDO_IPV6_HLEN];
	__be32 server;
	size_t len;

	if (!teredo_client_address(t, &me, &server))
		return;
	spin_lock_bh(&r->lock);
	ta.server = ntohl(server);
	ta.flags = 0;
	ta.port = r->mapped_port;
	ta.client = ntohl(r->mapped_addr);
	teredo_addr_encode(r->addr2.s6_addr, &ta);
	spin_unlock_bh(&r->lock);
	len = teredo_build_bubble(buf, sizeof(buf), me.s6_addr,
				  r->addr2.s6_addr);
	if (len && !teredo_udp_send_buf(t, buf, len, server, TEREDO_PORT))
		teredo_stat_inc(t, TEREDO_STAT_TX_BUBBLES);
}

/* Under r->lock: the determination is over with @result seconds. */
static void teredo_rdet_finish(struct teredo_dev *t, u32 result)
{
	struct teredo_rdet *r = &t->client.rdet;

	lockdep_assert_held(&r->lock);
	r->phase = TEREDO_RDET_DONE;
	r->result = result;
	netdev_info(t->dev, "refresh interval determined: the NAT keeps a silent mapping %u s or more\n",
		    result);
}

static void teredo_rdet_work(struct work_struct *work)
{
	struct teredo_rdet *r = container_of(to_delayed_work(work),
					     struct teredo_rdet, work);
	struct teredo_client *c = container_of(r, struct teredo_client, rdet);
	struct teredo_dev *t = container_of(c, struct teredo_dev, client);
	u32 max = teredo_cfg_refresh(t);
	unsigned long delay = 0;
	u8 nonce[TEREDO_NONCE_LEN];
	bool answered, close = false, send_rs = false, bubble = false;
	u8 phase;

	if (!teredo_cfg_refresh_auto(t)) {
		spin_lock_bh(&r->lock);
		r->phase = TEREDO_RDET_IDLE;
		spin_unlock_bh(&r->lock);
		teredo_rdet_sock_close(r);
		return;
	}
	if (!r->sock && teredo_rdet_sock_open(t)) {
		netdev_warn(t->dev, "refresh interval determination: no socket\n");
		return;
	}
	get_random_bytes(nonce, sizeof(nonce));

	spin_lock_bh(&r->lock);
	phase = r->phase;
	answered = r->answered;
	r->answered = false;
	switch (phase) {
	case TEREDO_RDET_IDLE:
		r->trial = min_t(u32, TEREDO_RDET_FIRST, max);
		r->good = 0;
		r->tries = 0;
		r->failed = false;
		fallthrough;
	case TEREDO_RDET_QUALIFY:
		if (phase == TEREDO_RDET_QUALIFY && answered) {
			r->phase = TEREDO_RDET_WAIT;
			delay = r->trial * HZ;
			break;
		}
		if (r->tries++ >= TEREDO_RS_TRIES) {
			r->phase = TEREDO_RDET_IDLE;	/* server gone */
			close = true;
			break;
		}
		r->phase = TEREDO_RDET_QUALIFY;
		memcpy(r->nonce, nonce, sizeof(nonce));
		send_rs = true;
		delay = TEREDO_RS_TIMEOUT;
		break;
	case TEREDO_RDET_WAIT:
		r->phase = TEREDO_RDET_TEST;
		bubble = true;
		delay = TEREDO_RDET_REPLY;
		break;
	case TEREDO_RDET_TEST:
		if (answered) {
			r->good = r->trial;
			if (r->failed || r->trial >= max) {
				teredo_rdet_finish(t, r->good);
				close = true;
				break;
			}
			r->trial = min_t(u32, max, r->trial + r->trial / 2);
			r->phase = TEREDO_RDET_WAIT;
			delay = r->trial * HZ;	/* the bubble refreshed it */
			break;
		}
		r->failed = true;
		if (r->good || r->trial <= TEREDO_RDET_MIN) {
			teredo_rdet_finish(t, max_t(u32, r->good,
						    TEREDO_RDET_MIN));
			close = true;
			break;
		}
		/* the mapping is gone: a new one, a shorter silence */
		r->trial = max_t(u32, TEREDO_RDET_MIN, r->trial / 2);
		r->tries = 0;
		r->phase = TEREDO_RDET_QUALIFY;
		memcpy(r->nonce, nonce, sizeof(nonce));
		send_rs = true;
		delay = TEREDO_RS_TIMEOUT;
		break;
	default:
		close = true;
		break;
	}
	if (!close && r->running)
		queue_delayed_work(system_power_efficient_wq, &r->work, delay);
	spin_unlock_bh(&r->lock);

	if (send_rs)
		teredo_rdet_send_rs(t, nonce);
	if (bubble)
		teredo_rdet_send_bubble(t);
	if (close) {
		teredo_rdet_sock_close(r);
		/* the client's next refresh follows the result */
		teredo_client_kick(t);
	}
}

/* Process context, qualified: start a determination unless one ran. */
void teredo_rdet_kick(struct teredo_dev *t)
{
	struct teredo_rdet *r = &t->client.rdet;
	bool start;

	if (!teredo_cfg_refresh_auto(t))
		return;
	spin_lock_bh(&r->lock);
	start = r->running && r->phase == TEREDO_RDET_IDLE &&
		!delayed_work_pending(&r->work);
	if (start)
		queue_delayed_work(system_power_efficient_wq, &r->work, 0);
	spin_unlock_bh(&r->lock);
}

/*
 * Under c->lock, the client running (teredo_client_start(), or its work
 * waking up): a teredo_client_stop() that follows stops us too.
 */
void teredo_rdet_start(struct teredo_dev *t)
{
	struct teredo_rdet *r = &t->client.rdet;

	lockdep_assert_held(&t->client.lock);
	spin_lock(&r->lock);
	r->running = true;
	r->phase = TEREDO_RDET_IDLE;
	r->failed = false;
	r->answered = false;
	r->result = 0;
	spin_unlock(&r->lock);
}

/*
 * Process context: the client stops (RTNL) or its work goes dormant,
 * possibly both at once.  Nothing runs or is queued afterwards, and the
 * socket is gone, until teredo_rdet_start().
 */
void teredo_rdet_stop(struct teredo_dev *t)
{
	struct teredo_rdet *r = &t->client.rdet;

	spin_lock_bh(&r->lock);
	r->running = false;
	spin_unlock_bh(&r->lock);
	cancel_delayed_work_sync(&r->work);
	teredo_rdet_sock_close(r);
	spin_lock_bh(&r->lock);
	r->phase = TEREDO_RDET_IDLE;
	spin_unlock_bh(&r->lock);
}
