// SPDX-License-Identifier: GPL-2.0
/*
 * teredo_server_check(), teredo_relay_check(), teredo_parse_rs() and
 * teredo_build_ra_reply().  Input: flags (1 byte; bit 0: store a
 * correct ICMPv6 checksum first), outer source IPv4 (4) and port (2),
 * server IPv4 (4), then the IPv6 packet.  What a check accepts must
 * satisfy the rule it was accepted by.
 */
#include "fuzz.h"

static bool ll(const u8 *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

static void check_server(const u8 *pkt, size_t len, u32 saddr, u16 sport,
			 u32 server)
{
	enum teredo_server_action act = TEREDO_SERVER_TO_IPV6;
	struct teredo_ra_reply r;
	struct teredo_encap e;
	struct teredo_addr ta;
	struct teredo_ra ra;
	enum teredo_verdict v;
	u8 out[TEREDO_RA_REPLY_MAX];
	size_t n;

	v = teredo_server_check(pkt, len, saddr, sport, server, server + 1,
				&act);
	INVARIANT(v <= TEREDO_ERR_TOO_BIG);
	if (v != TEREDO_OK)
		return;
	INVARIANT(len >= 40);
	INVARIANT(teredo_ipv4_is_global(saddr));
	INVARIANT(saddr != server && saddr != server + 1);
	switch (act) {
	case TEREDO_SERVER_RS:
		INVARIANT(teredo_parse_rs(pkt, len) == TEREDO_OK);
		INVARIANT(ll(pkt + 8));
		memset(&r, 0, sizeof(r));
		r.server = server;
		memcpy(r.client, pkt + 8, 16);
		r.has_nonce = sport & 1;
		r.origin_ip = saddr;
		r.origin_port = sport;
		n = teredo_build_ra_reply(out, sizeof(out), &r);
		INVARIANT(n > 0);
		INVARIANT(teredo_parse_encap(out, n, n, &e) == TEREDO_OK);
		INVARIANT(e.has_origin && e.origin_ip == saddr &&
			  e.origin_port == sport && e.has_auth == r.has_nonce);
		INVARIANT(teredo_parse_ra(out + e.hdr_len, e.ipv6_len, server,
					  &ra) == TEREDO_OK);
		break;
	case TEREDO_SERVER_TO_CLIENT:
		/* forwarded: a bubble or a short ICMPv6 (no reflector) */
		INVARIANT(len <= TEREDO_SERVER_FWD_MAX);
		INVARIANT(teredo_addr_decode(pkt + 24, &ta));
		INVARIANT(ta.server == server);
		INVARIANT(teredo_ipv4_is_global(ta.client));
		INVARIANT(!ll(pkt + 8) || (!pkt[4] && !pkt[5] && pkt[6] == 59));
		break;
	case TEREDO_SERVER_TO_IPV6:
		INVARIANT(len <= TEREDO_SERVER_FWD_MAX);
		INVARIANT(teredo_ipv6_is_global(pkt + 24));
		INVARIANT(!teredo_is_teredo_addr(pkt + 24));
		INVARIANT(teredo_mapping_matches(pkt + 8, saddr, sport));
		INVARIANT(pkt[6] == 58);
		break;
	default:
		INVARIANT(0);
	}
}

static void check_relay(const u8 *pkt, size_t len, u32 saddr, u16 sport)
{
	enum teredo_verdict v = teredo_relay_check(pkt, len, saddr, sport);

	INVARIANT(v <= TEREDO_ERR_NOT_FOR_US);
	if (v != TEREDO_OK)
		return;
	INVARIANT(teredo_ipv4_is_global(saddr));
	INVARIANT(teredo_mapping_matches(pkt + 8, saddr, sport));
	if (!pkt[4] && !pkt[5] && pkt[6] == 59)	/* a bubble */
		return;
	INVARIANT(teredo_ipv6_is_global(pkt + 24));
	INVARIANT(!teredo_is_teredo_addr(pkt + 24));
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	u32 saddr, server;
	size_t len;
	u16 sport;
	u8 *pkt;

	if (size < 11)
		return 0;
	saddr = fuzz_get32(data + 1);
	sport = (u16)(data[5] << 8 | data[6]);
	server = fuzz_get32(data + 7);
	len = size - 11;
	pkt = fuzz_dup(data + 11, len);
	if (data[0] & 1)
		fuzz_fix_csum(pkt, len);
	check_server(pkt, len, saddr, sport, server);
	check_relay(pkt, len, saddr, sport);
	(void)teredo_parse_rs(pkt, len);
	free(pkt);
	return 0;
}
