// SPDX-License-Identifier: GPL-2.0
/*
 * Interop helper: qualify against a real Teredo server (Miredo's
 * miredo-server in the tests) with the RS that proto.c builds, and
 * check its answer with proto.c's parsers.
 *
 * Usage: rs_client LOCAL_IPV4 SERVER_IPV4
 * Prints one "key: value" line per fact, exits 0 if a valid RA came back
 * (nonce, origin indication naming our address and port, prefix naming
 * the server), 1 otherwise.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proto.h"

static const u8 rs_src[16] = {		/* fe80::ffff:ffff:ffff */
	0xfe, 0x80, [10] = 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};

static int fail(const char *what)
{
	printf("error: %s\n", what);
	return 1;
}

int main(int argc, char **argv)
{
	struct sockaddr_in local = { .sin_family = AF_INET };
	struct sockaddr_in srv = { .sin_family = AF_INET };
	struct sockaddr_in from;
	socklen_t slen = sizeof(local);
	u8 nonce[8], out[128], in[2048];
	struct teredo_encap e;
	struct teredo_ra ra;
	enum teredo_verdict v;
	char pfx[INET6_ADDRSTRLEN];
	int fd, tries, i;
	ssize_t r;
	size_t n;

	if (argc != 3 || inet_pton(AF_INET, argv[1], &local.sin_addr) != 1 ||
	    inet_pton(AF_INET, argv[2], &srv.sin_addr) != 1) {
		fprintf(stderr, "usage: rs_client LOCAL_IPV4 SERVER_IPV4\n");
		return 2;
	}
	srv.sin_port = htons(TEREDO_PORT);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&local, sizeof(local)) ||
	    getsockname(fd, (struct sockaddr *)&local, &slen))
		return fail(strerror(errno));
	srand((unsigned int)getpid());
	for (i = 0; i < 8; i++)
		nonce[i] = (u8)rand();

	n = teredo_build_auth(out, sizeof(out), nonce);
	n += teredo_build_rs(out + n, sizeof(out) - n, rs_src);
	for (tries = 0; tries < 3; tries++) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (sendto(fd, out, n, 0, (struct sockaddr *)&srv,
			   sizeof(srv)) != (ssize_t)n)
			return fail(strerror(errno));
		if (poll(&pfd, 1, 2000) == 1)
			break;
	}
	if (tries == 3)
		return fail("no answer from the server");
	slen = sizeof(from);
	r = recvfrom(fd, in, sizeof(in), 0, (struct sockaddr *)&from, &slen);
	if (r < 0)
		return fail(strerror(errno));
	printf("answer_from: %s:%u\n", inet_ntoa(from.sin_addr),
	       ntohs(from.sin_port));
	printf("answer_len: %zd\n", r);

	v = teredo_parse_encap(in, (size_t)r, (size_t)r, &e);
	printf("encap_verdict: %d\n", v);
	if (v != TEREDO_OK)
		return fail("encapsulation refused");
	printf("auth: %d\nnonce_match: %d\n", e.has_auth,
	       e.has_auth && !memcmp(e.nonce, nonce, 8));
	printf("origin: %d\n", e.has_origin);
	if (e.has_origin) {
		struct in_addr o = { htonl(e.origin_ip) };

		printf("origin_addr: %s:%u\n", inet_ntoa(o), e.origin_port);
	}
	v = teredo_parse_ra(in + e.hdr_len, e.ipv6_len,
			    ntohl(srv.sin_addr.s_addr), &ra);
	printf("ra_verdict: %d\n", v);
	if (v != TEREDO_OK)
		return fail("RA refused");
	inet_ntop(AF_INET6, ra.prefix, pfx, sizeof(pfx));
	printf("ra_prefix: %s/64\nra_mtu: %u\nra_router_lifetime: %u\n", pfx,
	       ra.mtu, ra.router_lifetime);
	printf("ra_dst_is_rs_src: %d\n",
	       !memcmp(in + e.hdr_len + 24, rs_src, 16));
	if (!e.has_auth || memcmp(e.nonce, nonce, 8))
		return fail("nonce not echoed");
	if (!e.has_origin || e.origin_ip != ntohl(local.sin_addr.s_addr) ||
	    e.origin_port != ntohs(local.sin_port))
		return fail("origin indication does not name us");
	return 0;
}
