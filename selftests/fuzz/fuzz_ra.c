// SPDX-License-Identifier: GPL-2.0
/*
 * teredo_parse_ra().  Input: flags (1 byte; bit 0: store a correct
 * checksum first, so mutations reach the option parser), server IPv4
 * (4 bytes), then the IPv6 packet.  An accepted RA is rebuilt with
 * teredo_build_ra() and must parse to the same result.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct teredo_ra ra, ra2;
	struct teredo_ra_params p;
	enum teredo_verdict v;
	u8 *pkt, out[256];
	size_t len, n;
	u32 server;

	if (size < 5)
		return 0;
	server = fuzz_get32(data + 1);
	len = size - 5;
	pkt = fuzz_dup(data + 5, len);
	if (data[0] & 1)
		fuzz_fix_csum(pkt, len);
	v = teredo_parse_ra(pkt, len, server, &ra);
	INVARIANT(v <= TEREDO_ERR_MULTICAST);
	if (v != TEREDO_OK) {
		free(pkt);
		return 0;
	}
	INVARIANT(len >= 40 + 16 + 32);
	INVARIANT(pkt[7] == 255 && teredo_ipv6_is_linklocal(pkt + 8));
	INVARIANT(pkt[40] == 134 && pkt[41] == 0);
	INVARIANT(teredo_icmp6_csum(pkt, len) == 0);
	INVARIANT(ra.server == server);
	INVARIANT(teredo_is_teredo_addr(ra.prefix));
	INVARIANT(fuzz_get32(ra.prefix + 4) == server);
	INVARIANT(!memcmp(ra.prefix + 8, "\0\0\0\0\0\0\0\0", 8));

	/* rebuild from what was understood: same result */
	memset(&p, 0, sizeof(p));
	memcpy(p.src, pkt + 8, 16);
	memcpy(p.dst, pkt + 24, 16);
	memcpy(p.prefix, ra.prefix, 16);
	p.router_lifetime = ra.router_lifetime;
	p.valid_lifetime = data[0];
	p.preferred_lifetime = data[0] >> 1;
	p.autonomous = data[0] & 2;
	p.mtu = ra.mtu;
	p.route_len = data[0] & 4 ? server & 0xff : 0;
	memcpy(p.route, pkt + 8, 16);
	p.route_lifetime = server;
	n = teredo_build_ra(out, sizeof(out), &p);
	if (p.route_len > 128) {
		INVARIANT(n == 0);
	} else {
		INVARIANT(n >= 40 + 16 + 32);
		INVARIANT(teredo_parse_ra(out, n, server, &ra2) == TEREDO_OK);
		INVARIANT(!memcmp(&ra, &ra2, sizeof(ra)));
		INVARIANT(teredo_build_ra(out, n - 1, &p) == 0);
	}
	free(pkt);
	return 0;
}
