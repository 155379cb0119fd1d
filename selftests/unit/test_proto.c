// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of drivers/net/teredo/proto.c, run in userspace with
 * AddressSanitizer and UBSan.  Prints TAP; exits non-zero on failure.
 *
 * Usage: test_proto [BUILD [SRCDIR]]
 *   BUILD: where the tshark case writes its capture and where rs_client
 *          and ra_server are (default /tmp); SRCDIR: where
 *          miredo_interop.sh is (default .).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "proto.h"
#include "tap.h"
#include "pcap.h"

static const u8 example_addr[16] = {	/* 2001:0:4136:e378:8000:63bf:3fff:fdd2 */
	0x20, 0x01, 0x00, 0x00, 0x41, 0x36, 0xe3, 0x78,
	0x80, 0x00, 0x63, 0xbf, 0x3f, 0xff, 0xfd, 0xd2,
};

static const u8 rs_src[16] = {		/* fe80::ffff:ffff:ffff */
	0xfe, 0x80, [10] = 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};

static const u8 router_ll[16] = { 0xfe, 0x80, [15] = 0x01 };
static const u8 native_peer[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x01 };
static const u8 nonce1[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

#define IP4(a, b, c, d) ((u32)(a) << 24 | (u32)(b) << 16 | (u32)(c) << 8 | (d))
#define SERVER IP4(65, 54, 227, 120)

static u32 rng_state = 0x12345678;

static u32 rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* Independent checksum (byte pairs summed without folding tricks). */
static u16 ref_csum(const u8 *ip6, size_t len)
{
	unsigned long sum = 0;
	size_t i, ulen = len - 40;

	for (i = 8; i < 40; i += 2)
		sum += ip6[i] * 256u + ip6[i + 1];
	sum += ulen >> 16;
	sum += ulen & 0xffff;
	sum += 58;
	for (i = 0; i < ulen; i++)
		sum += (i % 2 ? 1u : 256u) * ip6[40 + i];
	while (sum > 0xffff)
		sum = (sum & 0xffff) + (sum >> 16);
	return (u16)~sum;
}

static void prefix_of(u8 out[16], u32 server)
{
	memset(out, 0, 16);
	out[0] = 0x20;
	out[1] = 0x01;
	out[4] = server >> 24;
	out[5] = server >> 16;
	out[6] = server >> 8;
	out[7] = server;
}

static void default_ra(struct teredo_ra_params *p)
{
	memset(p, 0, sizeof(*p));
	memcpy(p->src, router_ll, 16);
	memcpy(p->dst, rs_src, 16);
	prefix_of(p->prefix, SERVER);
	p->router_lifetime = 0;
	p->valid_lifetime = 1800;
	p->preferred_lifetime = 1800;
	p->autonomous = true;
	p->mtu = 1280;
}

static void fix_csum(u8 *ip6, size_t len)
{
	u16 c;

	ip6[42] = 0;
	ip6[43] = 0;
	c = teredo_icmp6_csum(ip6, len);

	ip6[42] = c >> 8;
	ip6[43] = c & 0xff;
}

/* ---- addresses ---- */

static void addr_known_vector(void)
{
	struct teredo_addr ta;
	u8 out[16];

	CHECK(teredo_is_teredo_addr(example_addr));
	CHECK(teredo_addr_decode(example_addr, &ta));
	CHECK_EQ(ta.server, IP4(65, 54, 227, 120));
	CHECK_EQ(ta.flags, TEREDO_FLAG_CONE);
	CHECK_EQ(ta.port, 40000);
	CHECK_EQ(ta.client, IP4(192, 0, 2, 45));
	teredo_addr_encode(out, &ta);
	CHECK(memcmp(out, example_addr, 16) == 0);
	CHECK(teredo_mapping_matches(example_addr, IP4(192, 0, 2, 45), 40000));
}

static void addr_round_trip(void)
{
	struct teredo_addr ta, tb;
	u8 a[16], b[16];
	int i, j;

	for (i = 0; i < 10000; i++) {
		ta.server = rnd();
		ta.flags = (u16)rnd();
		ta.port = (u16)rnd();
		ta.client = rnd();
		teredo_addr_encode(a, &ta);
		CHECK(teredo_addr_decode(a, &tb));
		CHECK(memcmp(&ta, &tb, sizeof(ta)) == 0);
		/* bytes -> struct -> bytes */
		for (j = 4; j < 16; j++)
			a[j] = (u8)rnd();
		CHECK(teredo_addr_decode(a, &tb));
		teredo_addr_encode(b, &tb);
		CHECK(memcmp(a, b, 16) == 0);
		if (tap_case_failed)
			break;
	}
	/* corner values */
	ta.server = 0;
	ta.flags = 0;
	ta.port = 0;
	ta.client = 0;
	teredo_addr_encode(a, &ta);
	CHECK(a[10] == 0xff && a[11] == 0xff && a[12] == 0xff && a[15] == 0xff);
	ta.port = 0xffff;
	ta.client = 0xffffffff;
	teredo_addr_encode(a, &ta);
	CHECK(a[10] == 0 && a[11] == 0 && a[12] == 0 && a[15] == 0);
}

static void addr_not_teredo(void)
{
	struct teredo_addr ta = { 1, 2, 3, 4 };
	u8 a[16];

	memcpy(a, example_addr, 16);
	a[3] = 1;		/* 2001:1:: */
	CHECK(!teredo_is_teredo_addr(a));
	CHECK(!teredo_addr_decode(a, &ta));
	CHECK(!teredo_mapping_matches(a, IP4(192, 0, 2, 45), 40000));
	CHECK(!teredo_is_teredo_addr(native_peer));
	CHECK(!teredo_is_teredo_addr(rs_src));
	a[3] = 0;
	a[0] = 0x30;
	CHECK(!teredo_is_teredo_addr(a));
	memset(a, 0, 16);
	a[0] = 0x20;
	a[1] = 0x01;
	CHECK(teredo_is_teredo_addr(a));	/* 2001:0::, server 0 */
}

static void addr_mapping(void)
{
	CHECK(teredo_mapping_matches(example_addr, IP4(192, 0, 2, 45), 40000));
	CHECK(!teredo_mapping_matches(example_addr, IP4(192, 0, 2, 46), 40000));
	CHECK(!teredo_mapping_matches(example_addr, IP4(192, 0, 2, 45), 40001));
	CHECK(!teredo_mapping_matches(example_addr, IP4(45, 2, 0, 192), 40000));
	CHECK(!teredo_mapping_matches(example_addr, IP4(192, 0, 2, 45), 0x409c));
}

static void ipv4_global_list(void)
{
	static const struct { u32 first, last; } ng[] = {
		{ IP4(0, 0, 0, 0), IP4(0, 255, 255, 255) },
		{ IP4(10, 0, 0, 0), IP4(10, 255, 255, 255) },
		{ IP4(127, 0, 0, 0), IP4(127, 255, 255, 255) },
		{ IP4(169, 254, 0, 0), IP4(169, 254, 255, 255) },
		{ IP4(172, 16, 0, 0), IP4(172, 31, 255, 255) },
		{ IP4(192, 168, 0, 0), IP4(192, 168, 255, 255) },
		{ IP4(192, 88, 99, 0), IP4(192, 88, 99, 255) },
		{ IP4(224, 0, 0, 0), IP4(255, 255, 255, 255) },
	};
	static const u32 global[] = {
		IP4(1, 0, 0, 0), IP4(9, 255, 255, 255), IP4(11, 0, 0, 0),
		IP4(126, 255, 255, 255), IP4(128, 0, 0, 0),
		IP4(169, 253, 255, 255), IP4(169, 255, 0, 0),
		IP4(172, 15, 255, 255), IP4(172, 32, 0, 0),
		IP4(192, 167, 255, 255), IP4(192, 169, 0, 0),
		IP4(192, 88, 98, 255), IP4(192, 88, 100, 0),
		IP4(223, 255, 255, 255),
		/* documentation networks: tests depend on them */
		IP4(192, 0, 2, 0), IP4(192, 0, 2, 45), IP4(192, 0, 2, 255),
		IP4(198, 51, 100, 1), IP4(203, 0, 113, 1),
		IP4(100, 64, 0, 1),	/* not in RFC 4380's list */
		SERVER,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ng); i++) {
		CHECK(!teredo_ipv4_is_global(ng[i].first));
		CHECK(!teredo_ipv4_is_global(ng[i].last));
		CHECK(!teredo_ipv4_is_global(ng[i].first + (ng[i].last - ng[i].first) / 2));
		if (ng[i].first)
			CHECK(teredo_ipv4_is_global(ng[i].first - 1));
		if (ng[i].last != 0xffffffff)
			CHECK(teredo_ipv4_is_global(ng[i].last + 1));
	}
	CHECK(!teredo_ipv4_is_global(IP4(240, 0, 0, 1)));
	CHECK(!teredo_ipv4_is_global(IP4(255, 255, 255, 255)));
	for (i = 0; i < ARRAY_SIZE(global); i++)
		CHECK(teredo_ipv4_is_global(global[i]));
}

/* Where a same-NAT peer's alternate address may be (hairpinning) */
static void ipv4_private(void)
{
	static const struct { u32 first, last; } priv[] = {
		{ IP4(10, 0, 0, 0), IP4(10, 255, 255, 255) },
		{ IP4(100, 64, 0, 0), IP4(100, 127, 255, 255) },
		{ IP4(172, 16, 0, 0), IP4(172, 31, 255, 255) },
		{ IP4(192, 168, 0, 0), IP4(192, 168, 255, 255) },
	};
	static const u32 other[] = {
		IP4(0, 0, 0, 0), IP4(127, 0, 0, 1), IP4(169, 254, 1, 1),
		IP4(224, 0, 0, 253), IP4(255, 255, 255, 255),
		IP4(192, 0, 2, 1), IP4(198, 51, 100, 1), SERVER,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(priv); i++) {
		CHECK(teredo_ipv4_is_private(priv[i].first));
		CHECK(teredo_ipv4_is_private(priv[i].last));
		CHECK(!teredo_ipv4_is_private(priv[i].first - 1));
		CHECK(!teredo_ipv4_is_private(priv[i].last + 1));
	}
	for (i = 0; i < ARRAY_SIZE(other); i++)
		CHECK(!teredo_ipv4_is_private(other[i]));
}

static void ipv6_scopes(void)
{
	u8 a[16] = { 0xfe, 0x80 };

	CHECK(teredo_ipv6_is_linklocal(a));
	a[1] = 0xbf;
	CHECK(teredo_ipv6_is_linklocal(a));	/* fe80::/10 */
	a[1] = 0xc0;
	CHECK(!teredo_ipv6_is_linklocal(a));	/* site-local */
	a[0] = 0xff;
	a[1] = 0x02;
	CHECK(teredo_ipv6_is_multicast(a));
	CHECK(!teredo_ipv6_is_linklocal(a));
	CHECK(teredo_ipv6_is_linklocal(rs_src));
	CHECK(!teredo_ipv6_is_multicast(rs_src));
	CHECK(!teredo_ipv6_is_linklocal(example_addr));
	CHECK(!teredo_ipv6_is_multicast(example_addr));
}

static void flags_random(void)
{
	u32 i;

	CHECK_EQ(teredo_flags_from_random(0xffff), 0x3cff);
	CHECK_EQ(teredo_flags_from_random(0), 0);
	CHECK_EQ(teredo_flags_from_random(0x8000), 0);	/* cone never set */
	for (i = 0; i < 0x10000; i++) {
		u16 f = teredo_flags_from_random((u16)i);

		if (f & 0xc300) {	/* C, R, U, G must stay 0 */
			CHECK(0);
			break;
		}
	}
}

/* ---- encapsulation ---- */

static size_t mk_packet(u8 *buf, bool auth, u8 id_len, u8 au_len,
			bool origin, size_t ipv6_payload)
{
	size_t off = 0, i;

	if (auth) {
		buf[0] = 0;
		buf[1] = 1;
		buf[2] = id_len;
		buf[3] = au_len;
		for (i = 0; i < (size_t)id_len + au_len; i++)
			buf[4 + i] = 0xaa;
		memcpy(buf + 4 + id_len + au_len, nonce1, 8);
		buf[12 + id_len + au_len] = 0x5a;	/* confirmation */
		off = 13 + id_len + au_len;
	}
	if (origin)
		off += teredo_build_origin(buf + off, 8, IP4(192, 0, 2, 45),
					   40000);
	if (ipv6_payload == 0) {
		off += teredo_build_bubble(buf + off, 40, example_addr,
					   native_peer);
	} else {
		teredo_build_bubble(buf + off, 40, example_addr, native_peer);
		buf[off + 4] = ipv6_payload >> 8;
		buf[off + 5] = ipv6_payload & 0xff;
		buf[off + 6] = 17;
		memset(buf + off + 40, 0x11, ipv6_payload);
		off += 40 + ipv6_payload;
	}
	return off;
}

static u8 big[70000];

static void encap_valid(void)
{
	struct teredo_encap e;
	size_t n;

	n = mk_packet(big, false, 0, 0, false, 0);
	CHECK_EQ(teredo_parse_encap(big, n, n, &e), TEREDO_OK);
	CHECK(!e.has_auth && !e.has_origin && e.bubble);
	CHECK_EQ(e.hdr_len, 0);
	CHECK_EQ(e.ipv6_len, 40);

	n = mk_packet(big, false, 0, 0, false, 100);
	CHECK_EQ(teredo_parse_encap(big, n, n, &e), TEREDO_OK);
	CHECK(!e.bubble);
	CHECK_EQ(e.ipv6_len, 140);

	n = mk_packet(big, true, 0, 0, false, 0);
	CHECK_EQ(teredo_parse_encap(big, n, n, &e), TEREDO_OK);
	CHECK(e.has_auth && !e.has_origin && e.bubble);
	CHECK_EQ(e.hdr_len, 13);
	CHECK(memcmp(e.nonce, nonce1, 8) == 0);
	CHECK_EQ(e.confirmation, 0x5a);

	n = mk_packet(big, false, 0, 0, true, 8);
	CHECK_EQ(teredo_parse_encap(big, n, n, &e), TEREDO_OK);
	CHECK(!e.has_auth && e.has_origin && !e.bubble);
	CHECK_EQ(e.origin_ip, IP4(192, 0, 2, 45));
	CHECK_EQ(e.origin_port, 40000);
	CHECK_EQ(e.hdr_len, 8);
	CHECK_EQ(e.ipv6_len, 48);

	n = mk_packet(big, true, 3, 20, true, 0);
	CHECK_EQ(teredo_parse_encap(big, n, n, &e), TEREDO_OK);
	CHECK(e.has_auth && e.has_origin && e.bubble);
	CHECK_EQ(e.id_len, 3);
	CHECK_EQ(e.au_len, 20);
	CHECK(memcmp(e.nonce, nonce1, 8) == 0);
	CHECK_EQ(e.hdr_len, 13 + 23 + 8);
	CHECK_EQ(e.hdr_len + e.ipv6_len, n);
	CHECK_EQ(e.origin_port, 40000);

	/* maximum lengths of every field */
	n = mk_packet(big, true, 255, 255, true, 0xffff);
	CHECK_EQ(teredo_parse_encap(big, n, n, &e), TEREDO_OK);
	CHECK_EQ(e.hdr_len, TEREDO_ENCAP_MAX_LEN);
	CHECK_EQ(e.ipv6_len, 40 + 0xffff);
	CHECK_EQ(e.id_len, 255);
	CHECK_EQ(e.au_len, 255);
	CHECK(memcmp(e.nonce, nonce1, 8) == 0);
	/* the documented partial view is enough */
	CHECK_EQ(teredo_parse_encap(big, TEREDO_ENCAP_MAX_LEN + 40, n, &e),
		 TEREDO_OK);
	CHECK_EQ(e.ipv6_len, 40 + 0xffff);
	CHECK_EQ(teredo_parse_encap(big, n + 100, n, &e), TEREDO_OK);
}

static void encap_invalid(void)
{
	struct teredo_encap e;
	size_t n, cut;

	CHECK_EQ(teredo_parse_encap(big, 0, 0, &e), TEREDO_ERR_MALFORMED);
	big[0] = 0x60;
	CHECK_EQ(teredo_parse_encap(big, 1, 1, &e), TEREDO_ERR_MALFORMED);

	/* every truncation of a full packet is refused, never read past */
	n = mk_packet(big, true, 4, 7, true, 16);
	for (cut = 0; cut < n; cut++) {
		u8 *copy = malloc(cut ? cut : 1);
		enum teredo_verdict v;

		memcpy(copy, big, cut);
		v = teredo_parse_encap(copy, cut, cut, &e);
		free(copy);
		if (v == TEREDO_OK) {
			printf("#   truncated to %zu accepted\n", cut);
			CHECK(0);
		}
	}
	/* truncations inside each header say which header */
	n = mk_packet(big, true, 4, 7, true, 16);
	CHECK_EQ(teredo_parse_encap(big, 3, 3, &e), TEREDO_ERR_BAD_AUTH);
	CHECK_EQ(teredo_parse_encap(big, 23, 23, &e), TEREDO_ERR_BAD_AUTH);
	CHECK_EQ(teredo_parse_encap(big, 24, 24, &e), TEREDO_ERR_MALFORMED);
	CHECK_EQ(teredo_parse_encap(big, 30, 30, &e), TEREDO_ERR_BAD_ORIGIN);
	CHECK_EQ(teredo_parse_encap(big, 31, 31, &e), TEREDO_ERR_BAD_ORIGIN);
	CHECK_EQ(teredo_parse_encap(big, 32, 32, &e), TEREDO_ERR_MALFORMED);
	CHECK_EQ(teredo_parse_encap(big, 71, 71, &e), TEREDO_ERR_MALFORMED);
	/* the caller gave too few bytes: malformed, not a header error */
	CHECK_EQ(teredo_parse_encap(big, 10, n, &e), TEREDO_ERR_MALFORMED);
	CHECK_EQ(teredo_parse_encap(big, 28, n, &e), TEREDO_ERR_MALFORMED);
	CHECK_EQ(teredo_parse_encap(big, 60, n, &e), TEREDO_ERR_MALFORMED);

	/* auth lengths pointing past the end */
	n = mk_packet(big, true, 0, 0, false, 0);
	big[2] = 255;
	CHECK_EQ(teredo_parse_encap(big, n, n, &e), TEREDO_ERR_BAD_AUTH);
	big[2] = 0;
	big[3] = 41;	/* one byte past the end */
	CHECK_EQ(teredo_parse_encap(big, n, n, &e), TEREDO_ERR_BAD_AUTH);
	big[3] = 40;	/* swallows the IPv6 header: nothing left */
	CHECK_EQ(teredo_parse_encap(big, n, n, &e), TEREDO_ERR_MALFORMED);
	big[3] = 27;	/* swallows all but 13 bytes */
	CHECK(teredo_parse_encap(big, n, n, &e) != TEREDO_OK);

	/*
	 * IPv6 longer than the datagram: bad length; shorter: the rest is
	 * a trailer area (RFC 6081), left to teredo_parse_trailers()
	 */
	n = mk_packet(big, false, 0, 0, true, 20);
	CHECK_EQ(teredo_parse_encap(big, n, n + 1, &e), TEREDO_OK);
	CHECK_EQ(e.ipv6_len, 60);
	CHECK_EQ(e.trailer_len, 1);
	CHECK_EQ(teredo_parse_encap(big, n - 1, n - 1, &e),
		 TEREDO_ERR_BAD_LENGTH);
	big[8 + 5] = 21;
	CHECK_EQ(teredo_parse_encap(big, n, n, &e), TEREDO_ERR_BAD_LENGTH);
	big[8 + 5] = 19;
	CHECK_EQ(teredo_parse_encap(big, n, n, &e), TEREDO_OK);
	CHECK_EQ(e.ipv6_len, 59);
	CHECK_EQ(e.trailer_len, 1);
	big[8 + 5] = 20;
	CHECK_EQ(teredo_parse_encap(big, n, n, &e), TEREDO_OK);
	CHECK_EQ(e.trailer_len, 0);

	/* not IPv6 */
	big[8] = 0x45;
	CHECK_EQ(teredo_parse_encap(big, n, n, &e), TEREDO_ERR_MALFORMED);
	big[8] = 0x00;
	big[9] = 0x02;
	CHECK_EQ(teredo_parse_encap(big, n, n, &e), TEREDO_ERR_MALFORMED);

	/* order and repetition */
	n = teredo_build_origin(big, 8, IP4(192, 0, 2, 45), 40000);
	n += teredo_build_auth(big + n, 13, nonce1);
	n += teredo_build_bubble(big + n, 40, example_addr, native_peer);
	CHECK_EQ(teredo_parse_encap(big, n, n, &e), TEREDO_ERR_BAD_ORIGIN);
	n = teredo_build_auth(big, 13, nonce1);
	n += teredo_build_auth(big + n, 13, nonce1);
	n += teredo_build_bubble(big + n, 40, example_addr, native_peer);
	CHECK_EQ(teredo_parse_encap(big, n, n, &e), TEREDO_ERR_BAD_AUTH);
	n = teredo_build_origin(big, 8, 1, 2);
	n += teredo_build_origin(big + n, 8, 1, 2);
	n += teredo_build_bubble(big + n, 40, example_addr, native_peer);
	CHECK_EQ(teredo_parse_encap(big, n, n, &e), TEREDO_ERR_BAD_ORIGIN);
	/* headers only, no IPv6 */
	n = teredo_build_auth(big, 13, nonce1);
	n += teredo_build_origin(big + n, 8, 1, 2);
	CHECK_EQ(teredo_parse_encap(big, n, n, &e), TEREDO_ERR_MALFORMED);
}

static void encap_builders(void)
{
	u8 b[64];

	CHECK_EQ(teredo_build_origin(b, 7, 1, 2), 0);
	CHECK_EQ(teredo_build_origin(b, 8, IP4(192, 0, 2, 45), 40000), 8);
	CHECK(memcmp(b, "\x00\x00\x63\xbf\x3f\xff\xfd\xd2", 8) == 0);
	CHECK_EQ(teredo_build_auth(b, 12, nonce1), 0);
	CHECK_EQ(teredo_build_auth(b, 13, nonce1), 13);
	CHECK(memcmp(b, "\x00\x01\x00\x00\x01\x02\x03\x04\x05\x06\x07\x08\x00",
		     13) == 0);
	CHECK_EQ(teredo_build_bubble(b, 39, example_addr, native_peer), 0);
	CHECK_EQ(teredo_build_bubble(b, 40, example_addr, native_peer), 40);
	CHECK(b[0] == 0x60 && b[4] == 0 && b[5] == 0 && b[6] == 59);
	CHECK(memcmp(b + 8, example_addr, 16) == 0);
	CHECK(memcmp(b + 24, native_peer, 16) == 0);
}

/* ---- ICMPv6 ---- */

static void csum_vectors(void)
{
	u8 b[128];
	size_t n, i;

	/* values computed independently (Python) */
	n = teredo_build_rs(b, sizeof(b), rs_src);
	CHECK_EQ(n, 48);
	CHECK_EQ(b[42] << 8 | b[43], 0x7d37);
	n = teredo_build_echo(b, sizeof(b), example_addr, native_peer, 0x1234,
			      1, nonce1);
	CHECK_EQ(n, 56);
	CHECK_EQ(b[42] << 8 | b[43], 0xc96f);
	CHECK_EQ(teredo_icmp6_csum(b, n), 0);
	b[50] ^= 1;
	CHECK(teredo_icmp6_csum(b, n) != 0);
	CHECK_EQ(teredo_icmp6_csum(b, 39), 0xffff);
	/* against the reference on random packets, odd lengths included */
	for (i = 0; i < 2000; i++) {
		size_t len = 40 + rnd() % 88, j;

		for (j = 0; j < len; j++)
			b[j] = (u8)rnd();
		CHECK_EQ(teredo_icmp6_csum(b, len), ref_csum(b, len));
		if (tap_case_failed)
			break;
	}
	/* a large one */
	for (i = 0; i < 40 + 0xffff; i++)
		big[i] = (u8)rnd();
	CHECK_EQ(teredo_icmp6_csum(big, 40 + 0xffff),
		 ref_csum(big, 40 + 0xffff));
}

static void rs_build(void)
{
	u8 b[48];

	CHECK_EQ(teredo_build_rs(b, 47, rs_src), 0);
	CHECK_EQ(teredo_build_rs(b, 48, rs_src), 48);
	CHECK(b[0] == 0x60 && b[4] == 0 && b[5] == 8 && b[6] == 58);
	CHECK_EQ(b[7], 255);
	CHECK(memcmp(b + 8, rs_src, 16) == 0);
	CHECK(b[24] == 0xff && b[25] == 0x02 && b[39] == 0x02);
	CHECK(b[40] == 133 && b[41] == 0);
	CHECK(b[44] == 0 && b[45] == 0 && b[46] == 0 && b[47] == 0);
	CHECK_EQ(teredo_icmp6_csum(b, 48), 0);
}

static void ra_round_trip(void)
{
	struct teredo_ra_params p;
	struct teredo_ra ra;
	u8 b[256], pfx[16];
	size_t n;

	default_ra(&p);
	p.router_lifetime = 0x1234;
	n = teredo_build_ra(b, sizeof(b), &p);
	CHECK_EQ(n, 40 + 16 + 32 + 8);
	CHECK_EQ(b[7], 255);
	CHECK_EQ(b[40], 134);
	CHECK_EQ(teredo_icmp6_csum(b, n), 0);
	CHECK_EQ(teredo_parse_ra(b, n, SERVER, &ra), TEREDO_OK);
	prefix_of(pfx, SERVER);
	CHECK(memcmp(ra.prefix, pfx, 16) == 0);
	CHECK_EQ(ra.server, SERVER);
	CHECK_EQ(ra.router_lifetime, 0x1234);
	CHECK_EQ(ra.mtu, 1280);
	/* prefix option: /64, L=0, A=1 */
	CHECK(b[56] == 3 && b[57] == 4 && b[58] == 64 && b[59] == 0x40);
	CHECK(b[60] == 0 && b[61] == 0 && b[62] == 0x07 && b[63] == 0x08);
	p.autonomous = false;
	n = teredo_build_ra(b, sizeof(b), &p);
	CHECK_EQ(b[59], 0);

	/* no MTU option */
	p.mtu = 0;
	n = teredo_build_ra(b, sizeof(b), &p);
	CHECK_EQ(n, 40 + 16 + 32);
	CHECK_EQ(teredo_parse_ra(b, n, SERVER, &ra), TEREDO_OK);
	CHECK_EQ(ra.mtu, 0);
	CHECK_EQ(teredo_build_ra(b, n - 1, &p), 0);

	/* route information option, each size */
	p.route_len = 0;
	CHECK_EQ(teredo_build_ra(b, sizeof(b), &p), 88);
	memset(p.route, 0xff, 16);
	p.route_lifetime = 600;
	p.route_len = 32;
	n = teredo_build_ra(b, sizeof(b), &p);
	CHECK_EQ(n, 88 + 16);
	CHECK(b[88] == 24 && b[89] == 2 && b[90] == 32 && b[91] == 0);
	CHECK(b[94] == 0x02 && b[95] == 0x58);
	CHECK(b[96] == 0xff && b[99] == 0xff && b[100] == 0 && b[103] == 0);
	CHECK_EQ(teredo_parse_ra(b, n, SERVER, &ra), TEREDO_OK);
	p.route_len = 65;
	n = teredo_build_ra(b, sizeof(b), &p);
	CHECK_EQ(n, 88 + 24);
	CHECK(b[89] == 3 && b[104] == 0x80 && b[105] == 0);
	CHECK_EQ(teredo_parse_ra(b, n, SERVER, &ra), TEREDO_OK);
	p.route_len = 128;
	n = teredo_build_ra(b, sizeof(b), &p);
	CHECK_EQ(n, 88 + 24);
	CHECK(b[111] == 0xff);
	CHECK_EQ(teredo_build_ra(b, n - 1, &p), 0);
	p.route_len = 129;
	CHECK_EQ(teredo_build_ra(b, sizeof(b), &p), 0);
	/* everything at once */
	p.route_len = 64;
	p.mtu = 1400;
	n = teredo_build_ra(b, sizeof(b), &p);
	CHECK_EQ(n, 40 + 16 + 32 + 8 + 16);
	CHECK_EQ(teredo_parse_ra(b, n, SERVER, &ra), TEREDO_OK);
	CHECK_EQ(ra.mtu, 1400);
}

static void ra_invalid(void)
{
	struct teredo_ra_params p;
	struct teredo_ra ra;
	u8 b[256], c[256];
	size_t n, cut;

	default_ra(&p);
	n = teredo_build_ra(b, sizeof(b), &p);
	CHECK_EQ(teredo_parse_ra(b, n, SERVER, &ra), TEREDO_OK);
	CHECK_EQ(teredo_parse_ra(b, n, SERVER + 1, &ra), TEREDO_ERR_NOT_SERVER);

#define MUTATE(stmt, verdict) do {					\
	memcpy(c, b, n);						\
	stmt;								\
	fix_csum(c, n);							\
	CHECK_EQ(teredo_parse_ra(c, n, SERVER, &ra), verdict);		\
} while (0)
	MUTATE(c[7] = 254, TEREDO_ERR_BAD_RA);			/* hop limit */
	MUTATE(c[8] = 0x20, TEREDO_ERR_BAD_RA);			/* global src */
	MUTATE(c[41] = 1, TEREDO_ERR_BAD_RA);			/* code */
	MUTATE(c[40] = 133, TEREDO_ERR_BAD_RA);			/* type */
	MUTATE(c[6] = 59, TEREDO_ERR_BAD_RA);			/* not ICMPv6 */
	MUTATE(c[58] = 48, TEREDO_ERR_BAD_RA);			/* /48 */
	MUTATE(c[57] = 5, TEREDO_ERR_BAD_RA);			/* PIO length */
	MUTATE(c[75] = 1, TEREDO_ERR_BAD_RA);			/* 2001:1:: */
	MUTATE(c[76] ^= 1, TEREDO_ERR_NOT_SERVER);		/* server */
	MUTATE(c[56] = 30, TEREDO_ERR_BAD_RA);			/* no PIO */
	MUTATE(c[89] = 0, TEREDO_ERR_BAD_RA);			/* MTU len 0 */
	MUTATE(c[89] = 2, TEREDO_ERR_BAD_RA);			/* past end */
	MUTATE(c[57] = 0, TEREDO_ERR_BAD_RA);			/* PIO len 0 */
	MUTATE(c[80] = 0x99, TEREDO_OK);		/* bits past /64 ignored */
	MUTATE(c[88] = 30, TEREDO_OK);			/* unknown option */
	/* PIO duplicated instead of the MTU option */
	memcpy(c, b, n);
	memcpy(c + 88, c + 56, 32);
	c[5] = 16 + 64;
	fix_csum(c, 40 + 16 + 64);
	CHECK_EQ(teredo_parse_ra(c, 40 + 16 + 64, SERVER, &ra),
		 TEREDO_ERR_BAD_RA);
	/* two MTU options */
	memcpy(c, b, n);
	memcpy(c + 96, c + 88, 8);
	c[5] += 8;
	fix_csum(c, n + 8);
	CHECK_EQ(teredo_parse_ra(c, n + 8, SERVER, &ra), TEREDO_ERR_BAD_RA);
	/* bad checksum */
	memcpy(c, b, n);
	c[43] ^= 0x10;
	CHECK_EQ(teredo_parse_ra(c, n, SERVER, &ra), TEREDO_ERR_BAD_RA);
	/* IPv6 payload length vs buffer */
	CHECK(teredo_parse_ra(b, n - 1, SERVER, &ra) != TEREDO_OK);
	memcpy(c, b, n);
	c[n] = 0;
	CHECK(teredo_parse_ra(c, n + 1, SERVER, &ra) != TEREDO_OK);
	/* every truncation, payload length adjusted so only options break */
	for (cut = 0; cut < n; cut++) {
		enum teredo_verdict v;
		u8 *t = malloc(cut ? cut : 1);

		memcpy(t, b, cut);
		if (cut >= 40) {
			t[4] = (cut - 40) >> 8;
			t[5] = (cut - 40) & 0xff;
			if (cut >= 44)
				fix_csum(t, cut);
		}
		v = teredo_parse_ra(t, cut, SERVER, &ra);
		free(t);
		if (v == TEREDO_OK && cut != 40 + 16 + 32) {
			printf("#   truncated RA %zu accepted\n", cut);
			CHECK(0);
		}
	}
	CHECK_EQ(teredo_parse_ra(b, 39, SERVER, &ra), TEREDO_ERR_MALFORMED);
	MUTATE(c[0] = 0x40, TEREDO_ERR_MALFORMED);
#undef MUTATE
}

static void echo_round_trip(void)
{
	u8 b[64], r[64];
	size_t n;
	u8 other[8];

	CHECK_EQ(teredo_build_echo(b, 55, example_addr, native_peer, 1, 2,
				   nonce1), 0);
	n = teredo_build_echo(b, sizeof(b), example_addr, native_peer, 0xabcd,
			      0x0102, nonce1);
	CHECK_EQ(n, 56);
	CHECK(b[0] == 0x60 && b[5] == 16 && b[6] == 58);
	CHECK(b[40] == 128 && b[41] == 0);
	CHECK(b[44] == 0xab && b[45] == 0xcd && b[46] == 1 && b[47] == 2);
	CHECK(memcmp(b + 48, nonce1, 8) == 0);
	CHECK_EQ(teredo_icmp6_csum(b, n), 0);
	/* the request itself is not a reply */
	CHECK_EQ(teredo_parse_echo_reply(b, n, example_addr, nonce1),
		 TEREDO_ERR_MALFORMED);

	/* the peer's reply: addresses swapped, type 129 */
	memcpy(r, b, n);
	memcpy(r + 8, native_peer, 16);
	memcpy(r + 24, example_addr, 16);
	r[40] = 129;
	fix_csum(r, n);
	CHECK_EQ(teredo_parse_echo_reply(r, n, native_peer, nonce1), TEREDO_OK);
	memcpy(other, nonce1, 8);
	other[7] ^= 0x80;
	CHECK_EQ(teredo_parse_echo_reply(r, n, native_peer, other),
		 TEREDO_ERR_BAD_NONCE);
	CHECK_EQ(teredo_parse_echo_reply(r, n, example_addr, nonce1),
		 TEREDO_ERR_BAD_NONCE);
	CHECK_EQ(teredo_parse_echo_reply(r, n - 1, native_peer, nonce1),
		 TEREDO_ERR_MALFORMED);
	CHECK_EQ(teredo_parse_echo_reply(r, 39, native_peer, nonce1),
		 TEREDO_ERR_MALFORMED);
	r[41] = 1;
	fix_csum(r, n);
	CHECK_EQ(teredo_parse_echo_reply(r, n, native_peer, nonce1),
		 TEREDO_ERR_MALFORMED);
	r[41] = 0;
	fix_csum(r, n);
	r[43] ^= 1;
	CHECK_EQ(teredo_parse_echo_reply(r, n, native_peer, nonce1),
		 TEREDO_ERR_MALFORMED);
}

/* ---- interop: tshark decodes what we build ---- */

static int run_tshark(const char *pcap, const char *out)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd),
		 "tshark -n -r '%s' -V -o ip.check_checksum:TRUE > '%s' 2>&1",
		 pcap, out);
	return system(cmd);
}

static bool file_has(const char *file, const char *what)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "grep -q -F -e '%s' '%s'", what, file);
	return system(cmd) == 0;
}

static int count_in(const char *file, const char *what)
{
	char cmd[2048], line[32];
	FILE *f;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "grep -c -e '%s' '%s'", what, file);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	if (fgets(line, sizeof(line), f))
		n = atoi(line);
	pclose(f);
	return n;
}

static const char *pcap_dir = "/tmp";
static const char *script_dir = ".";

/* 0 pass, 4 skip, else fail: the exit codes of the helper scripts */
static void script_case(const char *name, const char *script,
			const char *mode)
{
	char cmd[2048];
	int rc;

	snprintf(cmd, sizeof(cmd), "'%s/%s' %s '%s'", script_dir, script,
		 mode, pcap_dir);
	fflush(stdout);
	rc = system(cmd);
	rc = WIFEXITED(rc) ? WEXITSTATUS(rc) : 1;
	if (rc == 4) {
		tap_skip_case(name, "see above");
		return;
	}
	tap_begin_case();
	CHECK_EQ(rc, 0);
	tap_end_case(name);
}

static void tshark_decodes(void)
{
	u32 client = IP4(192, 0, 2, 45), server = SERVER;
	u16 cport = 40000;
	struct teredo_ra_params p;
	char pcap[512], txt[512];
	u8 pl[512];
	size_t n;
	struct pcap_w w;
	u8 nonce2[8] = { 9, 8, 7, 6, 5, 4, 3, 2 };

	snprintf(pcap, sizeof(pcap), "%s/teredo-unit.pcap", pcap_dir);
	snprintf(txt, sizeof(txt), "%s/teredo-unit.txt", pcap_dir);
	CHECK(pcap_open(&w, pcap) == 0);
	if (tap_case_failed)
		return;

	/* 1: RS with authentication, client -> server */
	n = teredo_build_auth(pl, sizeof(pl), nonce1);
	n += teredo_build_rs(pl + n, sizeof(pl) - n, rs_src);
	pcap_udp4(&w, client, cport, server, TEREDO_PORT, pl, n);
	/* 2: RA with auth + origin, server -> client */
	default_ra(&p);
	p.route_len = 32;
	p.route[0] = 0x20;
	p.route[1] = 0x01;
	p.route_lifetime = 600;
	n = teredo_build_auth(pl, sizeof(pl), nonce1);
	n += teredo_build_origin(pl + n, sizeof(pl) - n, client, cport);
	n += teredo_build_ra(pl + n, sizeof(pl) - n, &p);
	pcap_udp4(&w, server, TEREDO_PORT, client, cport, pl, n);
	/* 3: direct bubble */
	n = teredo_build_bubble(pl, sizeof(pl), example_addr, native_peer);
	pcap_udp4(&w, client, cport, IP4(198, 51, 100, 7), 3544, pl, n);
	/* 4: bubble relayed by the server with origin indication */
	n = teredo_build_origin(pl, sizeof(pl), IP4(203, 0, 113, 9), 1234);
	n += teredo_build_bubble(pl + n, sizeof(pl) - n, native_peer,
				 example_addr);
	pcap_udp4(&w, server, TEREDO_PORT, client, cport, pl, n);
	/* 5: echo test through the server */
	n = teredo_build_echo(pl, sizeof(pl), example_addr, native_peer, 7, 1,
			      nonce2);
	pcap_udp4(&w, client, cport, server, TEREDO_PORT, pl, n);
	/* 6: auth with client id and authentication value */
	n = 4 + 5 + 20;
	memset(pl, 0x41, n);
	pl[0] = 0;
	pl[1] = 1;
	pl[2] = 5;
	pl[3] = 20;
	memcpy(pl + n, nonce1, 8);
	pl[n + 8] = 0;
	n += 9;
	n += teredo_build_rs(pl + n, sizeof(pl) - n, rs_src);
	pcap_udp4(&w, client, cport, server, TEREDO_PORT, pl, n);
	CHECK(pcap_close(&w) == 0);

	CHECK(run_tshark(pcap, txt) == 0);
	CHECK(!file_has(txt, "Malformed"));
	CHECK(!file_has(txt, "Expert Info (Error"));
	CHECK(!file_has(txt, "Checksum Status: Bad"));
	CHECK(!file_has(txt, "checksum status: Bad"));
	CHECK(!file_has(txt, "[incorrect"));
	CHECK_EQ(count_in(txt, "^Teredo IPv6 over UDP tunneling"), 6);
	CHECK_EQ(count_in(txt, "Teredo Authentication header"), 3);
	CHECK_EQ(count_in(txt, "Teredo Origin Indication header"), 2);
	CHECK_EQ(count_in(txt, "Type: Router Solicitation (133)"), 2);
	CHECK_EQ(count_in(txt, "Type: Router Advertisement (134)"), 1);
	CHECK_EQ(count_in(txt, "Type: Echo (ping) request (128)"), 1);
	CHECK_EQ(count_in(txt, "ICMPv6 Option (Prefix information"), 1);
	CHECK_EQ(count_in(txt, "ICMPv6 Option (MTU"), 1);
	CHECK_EQ(count_in(txt, "ICMPv6 Option (Route Information"), 1);
	CHECK_EQ(count_in(txt, "Checksum Status: Good"), 4);
	CHECK(file_has(txt, "Prefix: 2001:0:4136:e378::"));
	CHECK(file_has(txt, "Origin UDP port: 40000"));
	CHECK(file_has(txt, "Origin IPv4 address: 192.0.2.45"));
	CHECK(file_has(txt, "[Source Teredo Server IPv4: 65.54.227.120]"));
	CHECK(file_has(txt, "[Source Teredo Port: 40000]"));
	CHECK(file_has(txt, "[Source Teredo Client IPv4: 192.0.2.45]"));
	CHECK(file_has(txt, "[Destination Teredo Client IPv4: 192.0.2.45]"));
	CHECK(file_has(txt, "On-link flag(L): Not set"));
	CHECK(file_has(txt, "Autonomous address-configuration flag(A): Set"));
	if (tap_case_failed)
		printf("#   see %s\n", txt);
}

/* Server and relay roles. */

#define SERVER2 (SERVER + 1)
#define CLIENT_IP IP4(192, 0, 2, 45)
#define CLIENT_PORT 40000

static void teredo_of(u8 out[16], u32 server, u32 ip, u16 port)
{
	struct teredo_addr ta = { .server = server, .port = port,
				  .client = ip };

	teredo_addr_encode(out, &ta);
}

static void rs_parse(void)
{
	u8 b[48];

	teredo_build_rs(b, sizeof(b), rs_src);
	CHECK_EQ(teredo_parse_rs(b, 48), TEREDO_OK);
	CHECK(!teredo_rs_cone(b));
	CHECK_EQ(teredo_parse_rs(b, 47), TEREDO_ERR_BAD_RS);
	b[7] = 64;				/* hop limit */
	CHECK_EQ(teredo_parse_rs(b, 48), TEREDO_ERR_BAD_RS);
	teredo_build_rs(b, sizeof(b), native_peer);	/* not link-local */
	CHECK_EQ(teredo_parse_rs(b, 48), TEREDO_ERR_BAD_RS);
	teredo_build_rs(b, sizeof(b), rs_src);
	b[39] = 1;				/* ff02::1 */
	fix_csum(b, 48);
	CHECK_EQ(teredo_parse_rs(b, 48), TEREDO_ERR_BAD_RS);
	teredo_build_rs(b, sizeof(b), rs_src);
	b[47] ^= 1;				/* checksum */
	CHECK_EQ(teredo_parse_rs(b, 48), TEREDO_ERR_BAD_RS);
	teredo_build_rs(b, sizeof(b), rs_src);
	b[40] = 128;				/* not an RS */
	fix_csum(b, 48);
	CHECK_EQ(teredo_parse_rs(b, 48), TEREDO_ERR_BAD_RS);
	teredo_build_rs(b, sizeof(b), rs_src);
	b[16] = 0x80;				/* cone bit */
	CHECK(teredo_rs_cone(b));
}

static void ra_reply(void)
{
	struct teredo_ra_reply r;
	struct teredo_encap e;
	struct teredo_ra ra;
	u8 b[TEREDO_RA_REPLY_MAX], pfx[16];
	size_t n;

	memset(&r, 0, sizeof(r));
	r.server = SERVER;
	memcpy(r.client, rs_src, 16);
	r.has_nonce = true;
	memcpy(r.nonce, nonce1, 8);
	r.origin_ip = CLIENT_IP;
	r.origin_port = CLIENT_PORT;
	n = teredo_build_ra_reply(b, sizeof(b), &r);
	CHECK_EQ(n, TEREDO_RA_REPLY_MAX);
	CHECK_EQ(teredo_parse_encap(b, n, n, &e), TEREDO_OK);
	CHECK(e.has_auth && e.has_origin);
	CHECK(!memcmp(e.nonce, nonce1, 8));
	CHECK_EQ(e.origin_ip, CLIENT_IP);
	CHECK_EQ(e.origin_port, CLIENT_PORT);
	CHECK_EQ(teredo_parse_ra(b + e.hdr_len, e.ipv6_len, SERVER, &ra),
		 TEREDO_OK);
	prefix_of(pfx, SERVER);
	CHECK(!memcmp(ra.prefix, pfx, 16));
	CHECK(!memcmp(b + e.hdr_len + 24, rs_src, 16));	/* to the RS source */
	CHECK_EQ(ra.mtu, TEREDO_MTU);
	CHECK_EQ(teredo_parse_ra(b + e.hdr_len, e.ipv6_len, SERVER2, &ra),
		 TEREDO_ERR_NOT_SERVER);
	CHECK_EQ(teredo_build_ra_reply(b, n - 1, &r), 0);
	r.has_nonce = false;				/* RS without auth */
	n = teredo_build_ra_reply(b, sizeof(b), &r);
	CHECK_EQ(n, TEREDO_RA_REPLY_MAX - TEREDO_AUTH_MIN_LEN);
	CHECK_EQ(teredo_parse_encap(b, n, n, &e), TEREDO_OK);
	CHECK(!e.has_auth && e.has_origin);
}

static enum teredo_verdict srv(const u8 *b, size_t n, u32 ip, u16 port,
			       enum teredo_server_action *act)
{
	return teredo_server_check(b, n, ip, port, SERVER, SERVER2, act);
}

static void server_rules(void)
{
	enum teredo_server_action act;
	u8 b[64], cli[16], other[16], peer[16], foreign[16];
	static const u8 ula[16] = { 0xfd, 0x00, [15] = 1 };
	size_t n;

	teredo_of(cli, SERVER, CLIENT_IP, CLIENT_PORT);
	teredo_of(other, SERVER, IP4(203, 0, 113, 7), 5555);
	teredo_of(foreign, IP4(198, 51, 100, 99), IP4(203, 0, 113, 7), 5555);
	teredo_of(peer, SERVER, IP4(10, 1, 2, 3), 5555);

	/* rule 4: RS from link-local to ff02::2 */
	n = teredo_build_rs(b, sizeof(b), rs_src);
	CHECK_EQ(srv(b, n, CLIENT_IP, CLIENT_PORT, &act), TEREDO_OK);
	CHECK_EQ(act, TEREDO_SERVER_RS);
	b[7] = 1;
	CHECK_EQ(srv(b, n, CLIENT_IP, CLIENT_PORT, &act), TEREDO_ERR_BAD_RS);
	/* rule 3: outer source global; and not ourselves */
	n = teredo_build_rs(b, sizeof(b), rs_src);
	CHECK_EQ(srv(b, n, IP4(10, 0, 0, 1), 1, &act), TEREDO_ERR_NONGLOBAL);
	CHECK_EQ(srv(b, n, SERVER2, TEREDO_PORT, &act), TEREDO_ERR_LOOP);
	/* rule 2: only bubbles and ICMPv6 */
	n = teredo_build_echo(b, sizeof(b), cli, native_peer, 1, 1, nonce1);
	b[6] = 17;
	CHECK_EQ(srv(b, n, CLIENT_IP, CLIENT_PORT, &act), TEREDO_ERR_NOT_ICMP);
	/* rule 5: a client's echo test to a native host */
	n = teredo_build_echo(b, sizeof(b), cli, native_peer, 1, 1, nonce1);
	CHECK_EQ(srv(b, n, CLIENT_IP, CLIENT_PORT, &act), TEREDO_OK);
	CHECK_EQ(act, TEREDO_SERVER_TO_IPV6);
	CHECK_EQ(srv(b, n, CLIENT_IP, CLIENT_PORT + 1, &act),
		 TEREDO_ERR_MAPPING);
	/* never to a non-global IPv6 destination */
	n = teredo_build_echo(b, sizeof(b), cli, ula, 1, 1, nonce1);
	CHECK_EQ(srv(b, n, CLIENT_IP, CLIENT_PORT, &act),
		 TEREDO_ERR_NONGLOBAL6);
	/* an indirect bubble from a client to another client of ours */
	n = teredo_build_bubble(b, sizeof(b), cli, other);
	CHECK_EQ(srv(b, n, CLIENT_IP, CLIENT_PORT, &act), TEREDO_OK);
	CHECK_EQ(act, TEREDO_SERVER_TO_CLIENT);
	n = teredo_build_bubble(b, sizeof(b), cli, foreign);
	CHECK_EQ(srv(b, n, CLIENT_IP, CLIENT_PORT, &act),
		 TEREDO_ERR_NOT_FOR_US);
	n = teredo_build_bubble(b, sizeof(b), cli, peer);
	CHECK_EQ(srv(b, n, CLIENT_IP, CLIENT_PORT, &act),
		 TEREDO_ERR_NONGLOBAL);
	n = teredo_build_bubble(b, sizeof(b), cli, native_peer);
	CHECK_EQ(srv(b, n, CLIENT_IP, CLIENT_PORT, &act),
		 TEREDO_ERR_NOT_FOR_US);
	/* rule 6: a relay's bubble (native source) to a client of ours */
	n = teredo_build_bubble(b, sizeof(b), native_peer, cli);
	CHECK_EQ(srv(b, n, IP4(192, 0, 2, 130), 999, &act), TEREDO_OK);
	CHECK_EQ(act, TEREDO_SERVER_TO_CLIENT);
	/* Miredo's indirect bubbles come from link-local addresses */
	n = teredo_build_bubble(b, sizeof(b), rs_src, cli);
	CHECK_EQ(srv(b, n, IP4(192, 0, 2, 130), 999, &act), TEREDO_OK);
	CHECK_EQ(act, TEREDO_SERVER_TO_CLIENT);
	n = teredo_build_bubble(b, sizeof(b), rs_src, foreign);
	CHECK_EQ(srv(b, n, IP4(192, 0, 2, 130), 999, &act),
		 TEREDO_ERR_BAD_SOURCE);
	/* rule 7: anything else */
	n = teredo_build_bubble(b, sizeof(b), native_peer, foreign);
	CHECK_EQ(srv(b, n, IP4(192, 0, 2, 130), 999, &act),
		 TEREDO_ERR_BAD_SOURCE);
	n = teredo_build_echo(b, sizeof(b), native_peer, native_peer, 1, 1,
			      nonce1);
	CHECK_EQ(srv(b, n, IP4(192, 0, 2, 130), 999, &act),
		 TEREDO_ERR_BAD_SOURCE);
	n = teredo_build_echo(b, sizeof(b), ula, cli, 1, 1, nonce1);
	CHECK_EQ(srv(b, n, IP4(192, 0, 2, 130), 999, &act),
		 TEREDO_ERR_BAD_SOURCE);
	n = teredo_build_echo(b, sizeof(b), rs_src, cli, 1, 1, nonce1);
	CHECK_EQ(srv(b, n, CLIENT_IP, CLIENT_PORT, &act),
		 TEREDO_ERR_BAD_SOURCE);
	CHECK_EQ(srv(b, 39, CLIENT_IP, CLIENT_PORT, &act),
		 TEREDO_ERR_MALFORMED);
}

static void relay_rules(void)
{
	u8 b[64], cli[16], peer[16], other[16];
	static const u8 ll_dst[16] = { 0xfe, 0x80, [15] = 1 };
	size_t n;

	teredo_of(cli, SERVER, CLIENT_IP, CLIENT_PORT);
	teredo_of(other, SERVER, IP4(203, 0, 113, 7), 5555);
	teredo_of(peer, IP4(192, 168, 0, 1), CLIENT_IP, CLIENT_PORT);

	n = teredo_build_echo(b, sizeof(b), cli, native_peer, 1, 1, nonce1);
	CHECK_EQ(teredo_relay_check(b, n, CLIENT_IP, CLIENT_PORT), TEREDO_OK);
	CHECK_EQ(teredo_relay_check(b, n, CLIENT_IP, CLIENT_PORT + 1),
		 TEREDO_ERR_MAPPING);
	CHECK_EQ(teredo_relay_check(b, n, IP4(203, 0, 113, 7), CLIENT_PORT),
		 TEREDO_ERR_MAPPING);
	CHECK_EQ(teredo_relay_check(b, n, IP4(127, 0, 0, 1), CLIENT_PORT),
		 TEREDO_ERR_NONGLOBAL);
	n = teredo_build_echo(b, sizeof(b), peer, native_peer, 1, 1, nonce1);
	CHECK_EQ(teredo_relay_check(b, n, CLIENT_IP, CLIENT_PORT),
		 TEREDO_ERR_NONGLOBAL);
	n = teredo_build_echo(b, sizeof(b), native_peer, native_peer, 1, 1,
			      nonce1);
	CHECK_EQ(teredo_relay_check(b, n, CLIENT_IP, CLIENT_PORT),
		 TEREDO_ERR_BAD_SOURCE);
	n = teredo_build_echo(b, sizeof(b), cli, other, 1, 1, nonce1);
	CHECK_EQ(teredo_relay_check(b, n, CLIENT_IP, CLIENT_PORT),
		 TEREDO_ERR_NOT_FOR_US);
	n = teredo_build_echo(b, sizeof(b), cli, ll_dst, 1, 1, nonce1);
	CHECK_EQ(teredo_relay_check(b, n, CLIENT_IP, CLIENT_PORT),
		 TEREDO_ERR_NONGLOBAL6);
	/* a bubble answering ours: consumed whatever its destination */
	n = teredo_build_bubble(b, sizeof(b), cli, native_peer);
	CHECK_EQ(teredo_relay_check(b, n, CLIENT_IP, CLIENT_PORT), TEREDO_OK);
	CHECK_EQ(teredo_relay_check(b, 39, CLIENT_IP, CLIENT_PORT),
		 TEREDO_ERR_MALFORMED);
	CHECK(teredo_ipv6_is_global(native_peer));
	CHECK(teredo_ipv6_is_global(cli));
	CHECK(!teredo_ipv6_is_global(ll_dst));
	CHECK(!teredo_ipv6_is_global(rs_src));
}

/* An ICMPv6 packet of @len bytes from @src to @dst (checksum not needed). */
static size_t icmp_of_len(u8 *b, size_t len, const u8 src[16],
			  const u8 dst[16])
{
	memset(b, 0, len);
	b[0] = 0x60;
	b[4] = (len - 40) >> 8;
	b[5] = (len - 40) & 0xff;
	b[6] = 58;
	b[7] = 64;
	memcpy(b + 8, src, 16);
	memcpy(b + 24, dst, 16);
	b[40] = 129;		/* echo reply */
	return len;
}

/* The server forwards ICMPv6 of at most TEREDO_SERVER_FWD_MAX bytes. */
static void server_size_bound(void)
{
	enum teredo_server_action act;
	u8 b[1280], cli[16], other[16];

	teredo_of(cli, SERVER, CLIENT_IP, CLIENT_PORT);
	teredo_of(other, SERVER, IP4(203, 0, 113, 7), 5555);
	icmp_of_len(b, TEREDO_SERVER_FWD_MAX, cli, other);
	CHECK_EQ(srv(b, TEREDO_SERVER_FWD_MAX, CLIENT_IP, CLIENT_PORT, &act),
		 TEREDO_OK);
	CHECK_EQ(act, TEREDO_SERVER_TO_CLIENT);
	icmp_of_len(b, TEREDO_SERVER_FWD_MAX + 1, cli, other);
	CHECK_EQ(srv(b, TEREDO_SERVER_FWD_MAX + 1, CLIENT_IP, CLIENT_PORT,
		     &act), TEREDO_ERR_TOO_BIG);
	icmp_of_len(b, 1200, cli, native_peer);
	CHECK_EQ(srv(b, 1200, CLIENT_IP, CLIENT_PORT, &act),
		 TEREDO_ERR_TOO_BIG);
	/* the RS is judged by its own rules */
	CHECK_EQ(srv(b, teredo_build_rs(b, sizeof(b), rs_src), CLIENT_IP,
		     CLIENT_PORT, &act), TEREDO_OK);
	CHECK_EQ(act, TEREDO_SERVER_RS);
}

/* Token buckets (GCRA): burst, then the rate; two choices. */
static void gcra_limits(void)
{
	u64 tat = 0, a = 0, b = 0, now = 1000000;
	int i, n;

	for (n = 0, i = 0; i < 100; i++)
		n += teredo_gcra(&tat, now, 100, 20);
	CHECK_EQ(n, 20);			/* the burst */
	now += 1000;				/* 10 intervals later */
	for (n = 0, i = 0; i < 100; i++)
		n += teredo_gcra(&tat, now, 100, 20);
	CHECK_EQ(n, 10);			/* the refill, no more */
	now += 1000000;				/* long idle: full again */
	for (n = 0, i = 0; i < 100; i++)
		n += teredo_gcra(&tat, now, 100, 20);
	CHECK_EQ(n, 20);
	/* one packet per interval always passes, even from empty */
	now += 100;
	for (n = 0, i = 0; i < 100; i++, now += 100)
		n += teredo_gcra(&tat, now, 100, 20);
	CHECK_EQ(n, 100);
	/* burst 1 */
	tat = 0;
	CHECK(teredo_gcra(&tat, now, 100, 1));
	CHECK(!teredo_gcra(&tat, now + 99, 100, 1));
	CHECK(teredo_gcra(&tat, now + 100, 100, 1));
	/* two choices: a flooded key gets both buckets, at most 2 bursts */
	for (n = 0, i = 0; i < 100; i++)
		n += teredo_gcra2(&a, &b, now, 100, 10);
	CHECK_EQ(n, 20);
	/* a key sharing bucket b with it, whose other bucket is fresh */
	tat = 0;
	CHECK(teredo_gcra2(&tat, &b, now, 100, 10));
	CHECK(tat != 0);
}

/* RFC 6081 section 3: a bubble followed by every trailer we know. */
static void trailers_valid(void)
{
	static const u8 area[] = {
		0x05, 2, 0x9c, 0x41,				/* random port */
		0x00, 0,					/* unknown */
		0x04, 4, 1, 0, 0, 0,				/* ND option */
		0x03, 14, 0, 0, 192, 168, 1, 2, 0x0d, 0xd8,	/* alternate */
		10, 0, 0, 2, 0x9c, 0x40,
		0xff, 3, 1, 2, 3,				/* unknown */
		0x01, 4, 0xde, 0xad, 0xbe, 0xef,		/* nonce */
	};
	struct teredo_trailers tr;
	struct teredo_encap e;
	u8 buf[128];
	size_t n;

	n = teredo_build_origin(buf, 8, IP4(192, 0, 2, 45), 40000);
	n += teredo_build_bubble(buf + n, 40, example_addr, native_peer);
	memcpy(buf + n, area, sizeof(area));
	CHECK_EQ(teredo_parse_encap(buf, n + sizeof(area), n + sizeof(area),
				    &e), TEREDO_OK);
	CHECK(e.bubble && e.has_origin);
	CHECK_EQ(e.hdr_len, 8);
	CHECK_EQ(e.ipv6_len, 40);
	CHECK_EQ(e.trailer_len, sizeof(area));
	CHECK_EQ(teredo_parse_trailers(buf + n, e.trailer_len, &tr), TEREDO_OK);
	CHECK(teredo_trailer_has(&tr, TEREDO_TRAILER_NONCE));
	CHECK(!memcmp(tr.nonce, "\xde\xad\xbe\xef", 4));
	CHECK(teredo_trailer_has(&tr, TEREDO_TRAILER_ALT_ADDR));
	CHECK_EQ(tr.n_alt, 2);
	CHECK_EQ(tr.alt[0].ip, IP4(192, 168, 1, 2));
	CHECK_EQ(tr.alt[0].port, 3544);
	CHECK_EQ(tr.alt[1].ip, IP4(10, 0, 0, 2));
	CHECK_EQ(tr.alt[1].port, 40000);
	CHECK(teredo_trailer_has(&tr, TEREDO_TRAILER_ND_OPTION));
	CHECK_EQ(tr.nd_type, TEREDO_ND_ADVERTISEMENT);
	CHECK(teredo_trailer_has(&tr, TEREDO_TRAILER_RANDOM_PORT));
	CHECK_EQ(tr.random_port, 40001);
	CHECK_EQ(tr.unknown, 2);

	/* none at all; one alone; the largest alternate address list */
	CHECK_EQ(teredo_parse_trailers(buf + n, 0, &tr), TEREDO_OK);
	CHECK_EQ(tr.present, 0);
	CHECK_EQ(teredo_parse_trailers(area, 4, &tr), TEREDO_OK);
	CHECK_EQ(tr.present, 1u << TEREDO_TRAILER_RANDOM_PORT);
	memset(buf, 0x21, 28);
	buf[0] = TEREDO_TRAILER_ALT_ADDR;
	buf[1] = 26;
	CHECK_EQ(teredo_parse_trailers(buf, 28, &tr), TEREDO_OK);
	CHECK_EQ(tr.n_alt, 4);
	CHECK_EQ(tr.alt[3].ip, 0x21212121);
}

static void trailers_invalid(void)
{
	static const u8 nonce_tr[] = { 0x01, 4, 1, 2, 3, 4 };
	struct teredo_trailers tr;
	u8 buf[64];
	size_t i;

	/* truncated: a lone type byte, a value cut short */
	CHECK_EQ(teredo_parse_trailers(nonce_tr, 1, &tr),
		 TEREDO_ERR_BAD_TRAILER);
	for (i = 2; i < sizeof(nonce_tr); i++)
		CHECK_EQ(teredo_parse_trailers(nonce_tr, i, &tr),
			 TEREDO_ERR_BAD_TRAILER);
	/* a good trailer, then one byte: the next header is cut */
	memcpy(buf, nonce_tr, 6);
	buf[6] = 0x7f;
	CHECK_EQ(teredo_parse_trailers(buf, 7, &tr), TEREDO_ERR_BAD_TRAILER);
	/* an unknown trailer whose length overruns the area */
	buf[7] = 255;
	CHECK_EQ(teredo_parse_trailers(buf, 8, &tr), TEREDO_ERR_BAD_TRAILER);
	buf[7] = 1;
	CHECK_EQ(teredo_parse_trailers(buf, 8, &tr), TEREDO_ERR_BAD_TRAILER);
	buf[8] = 0;
	CHECK_EQ(teredo_parse_trailers(buf, 9, &tr), TEREDO_OK);
	/* a known type twice */
	memcpy(buf + 6, nonce_tr, 6);
	CHECK_EQ(teredo_parse_trailers(buf, 12, &tr), TEREDO_ERR_BAD_TRAILER);
	/* lengths a known type does not allow */
	memset(buf, 0, sizeof(buf));
	buf[0] = TEREDO_TRAILER_NONCE;
	buf[1] = 3;
	CHECK_EQ(teredo_parse_trailers(buf, 5, &tr), TEREDO_ERR_BAD_TRAILER);
	buf[1] = 8;
	CHECK_EQ(teredo_parse_trailers(buf, 10, &tr), TEREDO_ERR_BAD_TRAILER);
	buf[0] = TEREDO_TRAILER_ND_OPTION;
	buf[1] = 2;
	CHECK_EQ(teredo_parse_trailers(buf, 4, &tr), TEREDO_ERR_BAD_TRAILER);
	buf[0] = TEREDO_TRAILER_RANDOM_PORT;
	buf[1] = 4;
	CHECK_EQ(teredo_parse_trailers(buf, 6, &tr), TEREDO_ERR_BAD_TRAILER);
	buf[0] = TEREDO_TRAILER_ALT_ADDR;
	for (i = 0; i <= 40; i++) {
		buf[1] = i;
		CHECK_EQ(teredo_parse_trailers(buf, 2 + i, &tr),
			 (i == 8 || i == 14 || i == 20 || i == 26) ?
			 TEREDO_OK : TEREDO_ERR_BAD_TRAILER);
	}
}

/*
 * What a server forwards and what the hairpinning extension sends: the
 * known trailers built back into an area parse to the same trailers.
 */
static void trailers_build(void)
{
	struct teredo_trailers tr, back;
	u8 buf[TEREDO_TRAILERS_MAX_LEN];
	size_t n;

	memset(&tr, 0, sizeof(tr));
	CHECK_EQ(teredo_build_trailers(buf, sizeof(buf), &tr), 0);
	tr.present = 1u << TEREDO_TRAILER_ALT_ADDR;
	CHECK_EQ(teredo_build_trailers(buf, sizeof(buf), &tr), 0); /* no address */
	tr.n_alt = 1;
	tr.alt[0].ip = IP4(192, 168, 7, 9);
	tr.alt[0].port = 50123;
	n = teredo_build_trailers(buf, sizeof(buf), &tr);
	CHECK_EQ(n, 10);
	CHECK(!memcmp(buf, "\x03\x08\x00\x00\xc0\xa8\x07\x09\xc3\xcb", 10));
	CHECK_EQ(teredo_parse_trailers(buf, n, &back), TEREDO_OK);
	CHECK_EQ(back.present, tr.present);
	CHECK(teredo_trailers_list(&back, IP4(192, 168, 7, 9), 50123));
	CHECK(!teredo_trailers_list(&back, IP4(192, 168, 7, 9), 50124));
	CHECK(!teredo_trailers_list(&back, IP4(192, 168, 7, 8), 50123));
	CHECK_EQ(teredo_build_trailers(buf, 9, &tr), 0);	/* no room */

	/* every known one, the longest list: the largest area */
	tr.present = 1u << TEREDO_TRAILER_NONCE | 1u << TEREDO_TRAILER_ALT_ADDR |
		     1u << TEREDO_TRAILER_ND_OPTION |
		     1u << TEREDO_TRAILER_RANDOM_PORT;
	memcpy(tr.nonce, "\x01\x02\x03\x04", 4);
	tr.n_alt = TEREDO_TRAILER_ALT_MAX;
	tr.alt[3].ip = IP4(10, 1, 2, 3);
	tr.alt[3].port = 1;
	tr.nd_type = TEREDO_ND_SOLICITATION;
	tr.random_port = 40001;
	n = teredo_build_trailers(buf, sizeof(buf), &tr);
	CHECK_EQ(n, TEREDO_TRAILERS_MAX_LEN);
	CHECK_EQ(teredo_parse_trailers(buf, n, &back), TEREDO_OK);
	CHECK_EQ(back.present, tr.present);
	CHECK(!memcmp(back.nonce, tr.nonce, 4));
	CHECK_EQ(back.n_alt, TEREDO_TRAILER_ALT_MAX);
	CHECK(teredo_trailers_list(&back, IP4(10, 1, 2, 3), 1));
	CHECK_EQ(back.nd_type, TEREDO_ND_SOLICITATION);
	CHECK_EQ(back.random_port, 40001);
	CHECK_EQ(back.unknown, 0);
	CHECK_EQ(teredo_build_trailers(buf, n - 1, &tr), 0);
	tr.n_alt = TEREDO_TRAILER_ALT_MAX + 1;			/* not ours */
	CHECK_EQ(teredo_build_trailers(buf, sizeof(buf), &tr), 0);
	tr.present = 0;
	CHECK(!teredo_trailers_list(&tr, IP4(10, 1, 2, 3), 1));
}

/* An IPv6 + TCP header (32 bytes: 12 of options), flags as given. */
static size_t tso_template(u8 *h, u8 flags, u32 seq)
{
	size_t i;

	memset(h, 0, TEREDO_TSO_HDR_MAX);
	h[0] = 0x60;
	h[1] = 0x0a;			/* traffic class, flow label */
	h[6] = 6;			/* TCP */
	h[7] = 64;
	memcpy(h + 8, native_peer, 16);
	memcpy(h + 24, example_addr, 16);
	h[40] = 0x9c;			/* ports 40000 -> 80 */
	h[41] = 0x40;
	h[43] = 80;
	h[44] = seq >> 24;
	h[45] = seq >> 16;
	h[46] = seq >> 8;
	h[47] = seq;
	h[51] = 7;			/* ack 7 */
	h[52] = 8 << 4;			/* 32-byte header */
	h[53] = flags;
	h[54] = 0x01;			/* window */
	h[56] = 0xab;			/* checksum: whatever it was */
	h[57] = 0xcd;
	for (i = 60; i < 72; i++)	/* options */
		h[i] = (u8)i;
	return 72;
}

static void tso_cut(void)
{
	u8 t[TEREDO_TSO_HDR_MAX], o[TEREDO_TSO_HDR_MAX];
	size_t hlen = tso_template(t, 0x80 | 0x10 | 0x08 | 0x01, 0xfffffe00u);

	CHECK(teredo_tso_hdr_len(t, hlen) == 72);
	CHECK(teredo_tso_hdr_len(t, 2000) == 72);

	/* first of three: CWR kept, FIN and PSH cleared, seq as it was */
	teredo_tso_hdr(o, t, hlen, 0, 1208, true, false);
	CHECK(o[4] == 0x04 && o[5] == 0xd8);		/* 32 + 1208 */
	CHECK(o[44] == 0xff && o[45] == 0xff && o[46] == 0xfe && o[47] == 0);
	CHECK(o[53] == (0x80 | 0x10));
	CHECK(o[56] == 0 && o[57] == 0);
	CHECK(memcmp(o, t, 4) == 0 && memcmp(o + 6, t + 6, 38) == 0);
	CHECK(memcmp(o + 48, t + 48, 5) == 0 && memcmp(o + 58, t + 58, 14) == 0);
	/* middle: CWR cleared too; the sequence wraps */
	teredo_tso_hdr(o, t, hlen, 1208, 1208, false, false);
	CHECK(o[44] == 0 && o[45] == 0 && o[46] == 0x02 && o[47] == 0xb8);
	CHECK(o[53] == 0x10);
	/* last: FIN and PSH back, CWR not; its own (shorter) length */
	teredo_tso_hdr(o, t, hlen, 2416, 100, false, true);
	CHECK(o[4] == 0 && o[5] == 132);
	CHECK(o[44] == 0 && o[45] == 0 && o[46] == 0x07 && o[47] == 0x70);
	CHECK(o[53] == (0x10 | 0x08 | 0x01));
	CHECK(o[56] == 0 && o[57] == 0);
	/* the template is not touched */
	CHECK(t[53] == 0x99 && t[56] == 0xab);

	/* what is not IPv6 with TCP next, whole */
	CHECK(teredo_tso_hdr_len(t, 71) == 0);
	CHECK(teredo_tso_hdr_len(t, 59) == 0);
	t[52] = 4 << 4;					/* doff 4 */
	CHECK(teredo_tso_hdr_len(t, hlen) == 0);
	t[52] = 15 << 4;				/* 60 bytes */
	CHECK(teredo_tso_hdr_len(t, hlen) == 0);
	CHECK(teredo_tso_hdr_len(t, 100) == 100);
	t[52] = 5 << 4;
	CHECK(teredo_tso_hdr_len(t, hlen) == 60);
	t[6] = 0;					/* hop-by-hop first */
	CHECK(teredo_tso_hdr_len(t, hlen) == 0);
	t[6] = 6;
	t[0] = 0x45;
	CHECK(teredo_tso_hdr_len(t, hlen) == 0);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		pcap_dir = argv[1];
	if (argc > 2)
		script_dir = argv[2];
	printf("TAP version 13\n");
	RUN(addr_known_vector);
	RUN(addr_round_trip);
	RUN(addr_not_teredo);
	RUN(addr_mapping);
	RUN(ipv4_global_list);
	RUN(ipv4_private);
	RUN(ipv6_scopes);
	RUN(flags_random);
	RUN(encap_valid);
	RUN(encap_invalid);
	RUN(encap_builders);
	RUN(trailers_valid);
	RUN(trailers_invalid);
	RUN(trailers_build);
	RUN(csum_vectors);
	RUN(rs_build);
	RUN(ra_round_trip);
	RUN(ra_invalid);
	RUN(echo_round_trip);
	RUN(rs_parse);
	RUN(ra_reply);
	RUN(server_rules);
	RUN(relay_rules);
	RUN(server_size_bound);
	RUN(gcra_limits);
	RUN(tso_cut);
	if (system("command -v tshark >/dev/null 2>&1") == 0)
		RUN(tshark_decodes);
	else
		tap_skip_case("tshark_decodes", "tshark not installed");
	script_case("miredo_server_accepts_our_rs", "miredo_interop.sh",
		    "server");
	script_case("miredo_client_accepts_our_ra", "miredo_interop.sh",
		    "client");
	script_case("linux_slaac_accepts_our_ra", "linux_ra.sh", "");
	printf("1..%d\n", tap_n);
	printf("# %d passed, %d failed\n", tap_n - tap_failed, tap_failed);
	return tap_failed ? 1 : 0;
}
