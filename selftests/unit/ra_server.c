// SPDX-License-Identifier: GPL-2.0
/*
 * Interop helper: a minimal Teredo server answering router
 * solicitations with what proto.c builds (auth echoing the nonce,
 * origin indication, RA), so that a real client (Miredo's "miredo" in
 * the tests) can qualify against our RA.
 *
 * Usage: ra_server PRIMARY_IPV4 SECONDARY_IPV4 SECONDS
 * Listens on both addresses, port 3544, for SECONDS; prints one line per
 * RS answered ("rs: ADDR:PORT -> SERVER verdict V"); exits 0 if at least
 * one valid RS was answered.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "proto.h"

static const u8 router_ll[16] = {	/* fe80::8000:f227:bec9:1c81 */
	0xfe, 0x80, [8] = 0x80, 0x00, 0xf2, 0x27, 0xbe, 0xc9, 0x1c, 0x81,
};

static int answer(int fd, u32 primary, const u8 *in, size_t len,
		  const struct sockaddr_in *from)
{
	struct teredo_ra_params p;
	struct teredo_encap e;
	enum teredo_verdict v;
	const u8 *ip6;
	u8 out[256];
	size_t n;

	v = teredo_parse_encap(in, len, len, &e);
	printf("rs: %s:%u verdict %d", inet_ntoa(from->sin_addr),
	       ntohs(from->sin_port), v);
	ip6 = in + e.hdr_len;
	if (v != TEREDO_OK || !e.has_auth || e.ipv6_len < 48 ||
	    ip6[6] != 58 || ip6[40] != 133 ||
	    teredo_icmp6_csum(ip6, e.ipv6_len) != 0) {
		printf(" not an RS\n");
		return 0;
	}
	printf(" RS from %s\n", ip6[8] == 0xfe ? "link-local" : "other");

	memset(&p, 0, sizeof(p));
	memcpy(p.src, router_ll, 16);
	memcpy(p.dst, ip6 + 8, 16);
	p.prefix[0] = 0x20;
	p.prefix[1] = 0x01;
	p.prefix[4] = primary >> 24;
	p.prefix[5] = (primary >> 16) & 0xff;
	p.prefix[6] = (primary >> 8) & 0xff;
	p.prefix[7] = primary & 0xff;
	p.valid_lifetime = 86400;
	p.preferred_lifetime = 86400;
	p.autonomous = true;
	p.mtu = TEREDO_MTU;

	n = teredo_build_auth(out, sizeof(out), e.nonce);
	n += teredo_build_origin(out + n, sizeof(out) - n,
				 ntohl(from->sin_addr.s_addr),
				 ntohs(from->sin_port));
	n += teredo_build_ra(out + n, sizeof(out) - n, &p);
	if (sendto(fd, out, n, 0, (const struct sockaddr *)from,
		   sizeof(*from)) != (ssize_t)n) {
		perror("sendto");
		return 0;
	}
	return 1;
}

int main(int argc, char **argv)
{
	struct pollfd pfd[2];
	struct in_addr a[2];
	int i, answered = 0;
	time_t end;

	if (argc != 4 || inet_pton(AF_INET, argv[1], &a[0]) != 1 ||
	    inet_pton(AF_INET, argv[2], &a[1]) != 1) {
		fprintf(stderr, "usage: ra_server PRIMARY SECONDARY SECONDS\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < 2; i++) {
		struct sockaddr_in sa = { .sin_family = AF_INET,
					  .sin_port = htons(TEREDO_PORT),
					  .sin_addr = a[i] };

		pfd[i].fd = socket(AF_INET, SOCK_DGRAM, 0);
		pfd[i].events = POLLIN;
		if (pfd[i].fd < 0 ||
		    bind(pfd[i].fd, (struct sockaddr *)&sa, sizeof(sa))) {
			fprintf(stderr, "ra_server: %s: %s\n", argv[1 + i],
				strerror(errno));
			return 1;
		}
	}
	end = time(NULL) + atoi(argv[3]);
	while (time(NULL) < end) {
		if (poll(pfd, 2, 200) <= 0)
			continue;
		for (i = 0; i < 2; i++) {
			struct sockaddr_in from;
			socklen_t sl = sizeof(from);
			u8 in[2048];
			ssize_t r;

			if (!(pfd[i].revents & POLLIN))
				continue;
			r = recvfrom(pfd[i].fd, in, sizeof(in), 0,
				     (struct sockaddr *)&from, &sl);
			if (r > 0)
				answered += answer(pfd[i].fd, ntohl(a[0].s_addr),
						   in, (size_t)r, &from);
		}
	}
	return answered ? 0 : 1;
}
