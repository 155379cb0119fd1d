// SPDX-License-Identifier: GPL-2.0
/*
 * Addresses and mapping: teredo_addr_decode() / _encode() round trips,
 * teredo_mapping_matches() agrees with the decoded fields, the address
 * predicates never disagree with their definition.  Input: address (16),
 * IPv4 (4), port (2), random (2); then, if present, bytes for the
 * builders (RS, bubble, origin, auth) into exact-size buffers.
 */
#include "fuzz.h"

static void builders(const u8 *addr, const u8 *rest, size_t n)
{
	size_t cap = n ? rest[0] : 0, len;
	u8 *buf = malloc(cap ? cap : 1);
	struct teredo_encap e;

	if (!buf)
		abort();
	len = teredo_build_rs(buf, cap, addr);
	INVARIANT(len == (cap >= 48 ? 48 : 0));
	if (len)
		INVARIANT(teredo_icmp6_csum(buf, len) == 0);
	len = teredo_build_bubble(buf, cap, addr, addr);
	INVARIANT(len == (cap >= 40 ? 40 : 0));
	if (len) {
		INVARIANT(teredo_parse_encap(buf, len, len, &e) == TEREDO_OK);
		INVARIANT(e.bubble && e.hdr_len == 0);
	}
	INVARIANT(teredo_build_origin(buf, cap, 1, 2) == (cap >= 8 ? 8 : 0));
	INVARIANT(teredo_build_auth(buf, cap, addr) == (cap >= 13 ? 13 : 0));
	free(buf);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct teredo_addr ta, tb;
	u8 addr[16], out[16];
	u16 port, rnd, f;
	u32 ip;
	bool ok;

	if (size < 24)
		return 0;
	memcpy(addr, data, 16);
	ip = fuzz_get32(data + 16);
	port = (u16)(data[20] << 8 | data[21]);
	rnd = (u16)(data[22] << 8 | data[23]);

	ok = teredo_addr_decode(addr, &ta);
	INVARIANT(ok == teredo_is_teredo_addr(addr));
	INVARIANT(ok == (addr[0] == 0x20 && addr[1] == 0x01 && !addr[2] &&
			 !addr[3]));
	if (ok) {
		teredo_addr_encode(out, &ta);
		INVARIANT(!memcmp(out, addr, 16));
		INVARIANT(teredo_mapping_matches(addr, ta.client, ta.port));
		INVARIANT(teredo_mapping_matches(addr, ip, port) ==
			  (ip == ta.client && port == ta.port));
		INVARIANT(!teredo_ipv6_is_linklocal(addr));
		INVARIANT(!teredo_ipv6_is_multicast(addr));
	} else {
		INVARIANT(!teredo_mapping_matches(addr, ip, port));
	}

	/* struct -> bytes -> struct */
	ta.server = ip;
	ta.flags = rnd;
	ta.port = port;
	ta.client = ~ip;
	teredo_addr_encode(out, &ta);
	INVARIANT(teredo_addr_decode(out, &tb));
	INVARIANT(!memcmp(&ta, &tb, sizeof(ta)));
	INVARIANT(teredo_mapping_matches(out, ~ip, port));

	f = teredo_flags_from_random(rnd);
	INVARIANT(!(f & ~TEREDO_FLAGS_RANDOM_MASK) && !(f & TEREDO_FLAG_CONE));
	INVARIANT(teredo_ipv6_is_multicast(addr) == (addr[0] == 0xff));
	INVARIANT(teredo_ipv6_is_linklocal(addr) ==
		  (addr[0] == 0xfe && (addr[1] & 0xc0) == 0x80));
	/* the list's documented members */
	if ((ip >> 24) == 10 || (ip >> 24) == 127 || (ip >> 24) == 0 ||
	    (ip >> 28) >= 14 || (ip >> 16) == 0xc0a8 || (ip >> 16) == 0xa9fe ||
	    (ip >> 20) == 0xac1 || (ip >> 8) == 0xc05863)
		INVARIANT(!teredo_ipv4_is_global(ip));
	else
		INVARIANT(teredo_ipv4_is_global(ip));

	builders(addr, data + 24, size - 24);
	return 0;
}
