// SPDX-License-Identifier: GPL-2.0
/*
 * teredo-gen: Teredo packets from many spoofed sources, for the scale and
 * flood tests.  Source number i (OFFSET <= i < OFFSET + COUNT) is the
 * IPv4 11.0.0.0 + i (global by RFC 4380's list) with UDP port PORT, and
 * its inner IPv6 source is the Teredo address that embeds exactly that
 * mapping (server SERVER, flags 0), so each packet is valid and makes
 * the receiver create one peer.
 *
 *   teredo-gen -d IPV4:PORT -m TEREDO_ADDR [-o OFFSET] [-n COUNT]
 *              [-r ROUNDS] [-p PORT] [-s SERVER] [-k bubble|echo] [-1]
 *              [-L BYTES] [-R PPS] [-E IPV4:PORT [-M MAC]]
 *   teredo-gen -l [-1] [-o OFFSET] [-n COUNT] [-p PORT] [-s SERVER]
 *
 * -1: one real source for all (11.0.0.0 + OFFSET : PORT), the Teredo
 * addresses differing in their server field instead (11.0.0.0 + i): the
 * embedded mapping still matches, so each makes a peer.
 *
 * -L: the echo request's ICMPv6 message is BYTES long (default 16, at
 * most 1240: a 1280-byte IPv6 packet).
 *
 * -R: at most PPS packets per second (default: as fast as it can).
 *
 * -E: from outside a guest: each packet goes as one Ethernet frame (to
 * MAC, default 52:54:00:7e:2e:d0, from 02:00:00:00:00:01) in one UDP
 * datagram to IPV4:PORT, where QEMU's "-netdev socket,udp=" backend
 * takes it and hands it to the guest's NIC.  No privilege is needed.
 *
 * -l prints the source Teredo addresses (one per line, as the kernel's
 * %pI6c prints them) instead of sending.  Sends through a raw socket
 * (IP_HDRINCL) in batches with sendmmsg(); needs CAP_NET_RAW.
 * Prints "sent N packets in S s (R pps)" on stderr.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH		256
#define SRC_BASE	0x0b000000u	/* 11.0.0.0 */
#define IP6_HLEN	40
#define ICMP_MAX	1240
#define ETH_HLEN	14
#define PKT_MAX		(ETH_HLEN + 20 + 8 + IP6_HLEN + ICMP_MAX)

struct opts {
	struct sockaddr_in dst;
	struct in6_addr me;
	uint32_t offset, count, rounds;
	uint32_t icmp_len;
	uint32_t pps;
	struct sockaddr_in eth_to;	/* -E: frames to QEMU's socket backend */
	uint8_t mac[6];
	int eth;
	uint16_t port;
	uint32_t server;	/* host order */
	int echo;
	int list;
	int one;
};

static uint32_t src_ip(const struct opts *o, uint32_t i)
{
	return SRC_BASE + (o->one ? o->offset : i);
}

static uint32_t src_server(const struct opts *o, uint32_t i)
{
	return o->one ? SRC_BASE + i : o->server;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: teredo-gen -d IPV4:PORT -m TEREDO_ADDR [-o OFFSET] [-n COUNT]\n"
		"                  [-r ROUNDS] [-p PORT] [-s SERVER] [-k bubble|echo] [-1]\n"
		"                  [-L BYTES] [-R PPS] [-E IPV4:PORT [-M MAC]]\n"
		"       teredo-gen -l [-1] [-o OFFSET] [-n COUNT] [-p PORT] [-s SERVER]\n");
	exit(2);
}

static void teredo_src(const struct opts *o, uint32_t i, uint8_t a[16])
{
	uint32_t ip = src_ip(o, i), server = src_server(o, i);
	uint16_t port = o->port;
	int k;

	a[0] = 0x20;
	a[1] = 0x01;
	a[2] = 0;
	a[3] = 0;
	for (k = 0; k < 4; k++)
		a[4 + k] = server >> (24 - 8 * k);
	a[8] = 0;
	a[9] = 0;
	a[10] = (port ^ 0xffff) >> 8;
	a[11] = (port ^ 0xffff) & 0xff;
	for (k = 0; k < 4; k++)
		a[12 + k] = (ip >> (24 - 8 * k)) ^ 0xff;
}

static uint16_t csum_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return ~s & 0xffff;
}

static uint32_t csum_add(uint32_t s, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += p[i] << 8 | p[i + 1];
	if (n & 1)
		s += p[n - 1] << 8;
	return s;
}

/* Builds source i's packet (outer IPv4 + UDP + IPv6); returns its length. */
static size_t build_ip(const struct opts *o, uint32_t i, uint8_t *pkt)
{
	size_t plen = o->echo ? o->icmp_len : 0, len = 20 + 8 + IP6_HLEN + plen;
	struct iphdr *ip = (struct iphdr *)pkt;
	uint8_t *udp = pkt + 20, *ip6 = pkt + 28;
	uint32_t s;

	memset(pkt, 0, len);
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->tot_len = htons(len);
	ip->saddr = htonl(src_ip(o, i));
	ip->daddr = o->dst.sin_addr.s_addr;
	/* the raw socket fills it in; a frame from outside must carry it */
	s = csum_fold(csum_add(0, pkt, 20));
	pkt[10] = s >> 8;
	pkt[11] = s & 0xff;
	udp[0] = o->port >> 8;
	udp[1] = o->port & 0xff;
	memcpy(udp + 2, &o->dst.sin_port, 2);
	udp[4] = (len - 20) >> 8;
	udp[5] = (len - 20) & 0xff;
	/* UDP checksum 0: none (IPv4) */
	ip6[0] = 0x60;
	ip6[4] = plen >> 8;
	ip6[5] = plen & 0xff;
	ip6[6] = o->echo ? 58 : 59;
	ip6[7] = 64;
	teredo_src(o, i, ip6 + 8);
	memcpy(ip6 + 24, &o->me, 16);
	if (o->echo) {
		uint8_t *icmp = ip6 + IP6_HLEN;

		icmp[0] = 128;			/* echo request */
		icmp[4] = i >> 8;		/* identifier */
		icmp[5] = i & 0xff;
		icmp[7] = 1;			/* sequence */
		memcpy(icmp + 8, "teredo-g", 8);
		s = csum_add(0, ip6 + 8, 32);
		s += plen + 58;
		s = csum_add(s, icmp, plen);
		s = csum_fold(s);
		icmp[2] = s >> 8;
		icmp[3] = s & 0xff;
	}
	return len;
}

/* build_ip(), in an Ethernet frame with -E. */
static size_t build(const struct opts *o, uint32_t i, uint8_t *pkt)
{
	static const uint8_t src_mac[6] = { 2, 0, 0, 0, 0, 1 };

	if (!o->eth)
		return build_ip(o, i, pkt);
	memcpy(pkt, o->mac, 6);
	memcpy(pkt + 6, src_mac, 6);
	pkt[12] = 0x08;
	pkt[13] = 0x00;
	return ETH_HLEN + build_ip(o, i, pkt + ETH_HLEN);
}

static double now(void);

/* -R: sleeps until SENT packets are due at PPS since T0. */
static void pace(const struct opts *o, uint64_t sent, double t0)
{
	double due;

	if (!o->pps)
		return;
	due = t0 + (double)sent / o->pps - now();
	if (due > 0)
		usleep(due * 1e6);
}

static int parse_mac(const char *arg, uint8_t mac[6])
{
	unsigned int b[6];
	int k;

	if (sscanf(arg, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4],
		   &b[5]) != 6)
		return -1;
	for (k = 0; k < 6; k++) {
		if (b[k] > 0xff)
			return -1;
		mac[k] = b[k];
	}
	return 0;
}

static int parse_dst(const char *arg, struct sockaddr_in *sin)
{
	char buf[64], *colon;

	if (strlen(arg) >= sizeof(buf))
		return -1;
	strcpy(buf, arg);
	colon = strchr(buf, ':');
	if (!colon)
		return -1;
	*colon = 0;
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(atoi(colon + 1));
	return inet_pton(AF_INET, buf, &sin->sin_addr) == 1 ? 0 : -1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int list(const struct opts *o)
{
	char buf[INET6_ADDRSTRLEN];
	uint8_t a[16];
	uint32_t i;

	for (i = 0; i < o->count; i++) {
		teredo_src(o, o->offset + i, a);
		inet_ntop(AF_INET6, a, buf, sizeof(buf));
		puts(buf);
	}
	return 0;
}

static int send_all(const struct opts *o)
{
	static uint8_t pkts[BATCH][PKT_MAX];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	uint64_t total = 0, want = (uint64_t)o->count * o->rounds;
	uint32_t r, i, n, k;
	double t0 = now(), dt;
	int fd, sent;

	if (o->eth)
		fd = socket(AF_INET, SOCK_DGRAM, 0);
	else
		fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0) {
		perror(o->eth ? "teredo-gen: UDP socket" : "teredo-gen: raw socket");
		return 1;
	}
	memset(msgs, 0, sizeof(msgs));
	for (r = 0; r < o->rounds; r++) {
		for (i = 0; i < o->count; i += n) {
			n = o->count - i < BATCH ? o->count - i : BATCH;
			for (k = 0; k < n; k++) {
				iov[k].iov_base = pkts[k];
				iov[k].iov_len = build(o, o->offset + i + k, pkts[k]);
				msgs[k].msg_hdr.msg_name =
					(void *)(o->eth ? &o->eth_to : &o->dst);
				msgs[k].msg_hdr.msg_namelen = sizeof(o->dst);
				msgs[k].msg_hdr.msg_iov = &iov[k];
				msgs[k].msg_hdr.msg_iovlen = 1;
			}
			pace(o, total, t0);
			for (k = 0; k < n; k += sent) {
				sent = sendmmsg(fd, msgs + k, n - k, 0);
				if (sent < 0) {
					if (errno == ENOBUFS || errno == EAGAIN) {
						usleep(1000);
						sent = 0;
						continue;
					}
					perror("teredo-gen: sendmmsg");
					return 1;
				}
				total += sent;
			}
		}
	}
	dt = now() - t0;
	fprintf(stderr, "sent %llu packets in %.1f s (%.0f pps)\n",
		(unsigned long long)total, dt, dt > 0 ? total / dt : 0.0);
	close(fd);
	return total == want ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct opts o = { .count = 1, .rounds = 1, .port = 40000, .icmp_len = 16,
			  .server = 0xc0000201,		/* 192.0.2.1 */
			  .mac = { 0x52, 0x54, 0x00, 0x7e, 0x2e, 0xd0 } };
	int c, have_dst = 0, have_me = 0;
	struct in_addr a;

	while ((c = getopt(argc, argv, "d:m:o:n:r:p:s:k:L:R:E:M:l1h")) != -1) {
		switch (c) {
		case 'd':
			if (parse_dst(optarg, &o.dst))
				usage();
			have_dst = 1;
			break;
		case 'm':
			if (inet_pton(AF_INET6, optarg, &o.me) != 1)
				usage();
			have_me = 1;
			break;
		case 'o':
			o.offset = strtoul(optarg, NULL, 0);
			break;
		case 'n':
			o.count = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			o.rounds = strtoul(optarg, NULL, 0);
			break;
		case 'p':
			o.port = strtoul(optarg, NULL, 0);
			break;
		case 's':
			if (inet_pton(AF_INET, optarg, &a) != 1)
				usage();
			o.server = ntohl(a.s_addr);
			break;
		case 'k':
			if (!strcmp(optarg, "echo"))
				o.echo = 1;
			else if (strcmp(optarg, "bubble"))
				usage();
			break;
		case 'L':
			o.icmp_len = strtoul(optarg, NULL, 0);
			if (o.icmp_len < 16 || o.icmp_len > ICMP_MAX)
				usage();
			break;
		case 'R':
			o.pps = strtoul(optarg, NULL, 0);
			break;
		case 'E':
			if (parse_dst(optarg, &o.eth_to))
				usage();
			o.eth = 1;
			break;
		case 'M':
			if (parse_mac(optarg, o.mac))
				usage();
			break;
		case 'l':
			o.list = 1;
			break;
		case '1':
			o.one = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || o.offset + (uint64_t)o.count > 0x10000000u)
		usage();
	if (o.list)
		return list(&o);
	if (!have_dst || !have_me)
		usage();
	return send_all(&o);
}
