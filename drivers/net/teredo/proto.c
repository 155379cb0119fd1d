// SPDX-License-Identifier: GPL-2.0
/*
 * Teredo wire format (RFC 4380, RFC 5991): pure functions.
 *
 * Every multi-byte field is read and written one byte at a time in
 * network order, so nothing here depends on the host byte order or on
 * the alignment of the caller's buffer.  Every read is preceded by a
 * length check against what the caller said is there.
 */
#include "proto.h"

#define IPV6_NEXTHDR_TCP	6
#define IPV6_NEXTHDR_ICMPV6	58
#define IPV6_NEXTHDR_NONE	59
#define ICMPV6_ECHO_REQUEST	128
#define ICMPV6_ECHO_REPLY	129
#define ICMPV6_ROUTER_SOLICIT	133
#define ICMPV6_ROUTER_ADVERT	134
#define ND_OPT_PREFIX_INFO	3
#define ND_OPT_MTU		5
#define ND_OPT_ROUTE_INFO	24
#define ND_PIO_LEN		32
#define ND_PIO_FLAG_AUTO	0x40
#define ND_MTU_LEN		8
#define RS_LEN			8	/* ICMPv6 header + reserved, no option */
#define RA_LEN			16	/* ICMPv6 header + RA fixed part */
#define ECHO_LEN		(8 + TEREDO_NONCE_LEN)
#define ECHO_HOP_LIMIT		128
#define ND_HOP_LIMIT		255

static u16 get16(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

static u32 get32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

static void put16(u8 *p, u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(u8 *p, u32 v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

bool teredo_is_teredo_addr(const u8 addr[16])
{
	return get32(addr) == TEREDO_PREFIX32;
}

void teredo_addr_encode(u8 out[16], const struct teredo_addr *ta)
{
	put32(out, TEREDO_PREFIX32);
	put32(out + 4, ta->server);
	put16(out + 8, ta->flags);
	put16(out + 10, (u16)~ta->port);
	put32(out + 12, ~ta->client);
}

bool teredo_addr_decode(const u8 addr[16], struct teredo_addr *ta)
{
	if (!teredo_is_teredo_addr(addr))
		return false;
	ta->server = get32(addr + 4);
	ta->flags = get16(addr + 8);
	ta->port = (u16)~get16(addr + 10);
	ta->client = ~get32(addr + 12);
	return true;
}

/*
 * RFC 4380 sections 5.3.1 and 5.4.1 ask for a "global unicast" IPv4
 * address and list what is not one.  The list predates RFC 6890; we take
 * it as written and add 240.0.0.0/4, which has never been assignable as
 * unicast (RFC 1112 "reserved for future use") and contains the limited
 * broadcast address.  Shared address space (100.64/10) and the
 * documentation networks are left global, as in RFC 4380 and Miredo.
 */
static bool in_net(u32 ip, u32 net, unsigned int bits)
{
	return (ip ^ net) >> (32 - bits) == 0;
}

bool teredo_ipv4_is_global(u32 ip)
{
	return !(in_net(ip, 0x00000000, 8) ||	/* 0/8 "this network" */
		 in_net(ip, 0x0a000000, 8) ||	/* 10/8 private */
		 in_net(ip, 0x7f000000, 8) ||	/* 127/8 loopback */
		 in_net(ip, 0xa9fe0000, 16) ||	/* 169.254/16 link-local */
		 in_net(ip, 0xac100000, 12) ||	/* 172.16/12 private */
		 in_net(ip, 0xc0a80000, 16) ||	/* 192.168/16 private */
		 in_net(ip, 0xc0586300, 24) ||	/* 192.88.99/24 6to4 relays */
		 in_net(ip, 0xe0000000, 4) ||	/* 224/4 multicast */
		 in_net(ip, 0xf0000000, 4));	/* 240/4, 255.255.255.255 */
}

bool teredo_ipv4_is_private(u32 ip)
{
	return in_net(ip, 0x0a000000, 8) ||	/* 10/8 */
	       in_net(ip, 0x64400000, 10) ||	/* 100.64/10 shared (CGN) */
	       in_net(ip, 0xac100000, 12) ||	/* 172.16/12 */
	       in_net(ip, 0xc0a80000, 16);	/* 192.168/16 */
}

bool teredo_ipv6_is_linklocal(const u8 addr[16])
{
	return addr[0] == 0xfe && (addr[1] & 0xc0) == 0x80;
}

bool teredo_ipv6_is_multicast(const u8 addr[16])
{
	return addr[0] == 0xff;
}

u16 teredo_flags_from_random(u16 random)
{
	return random & TEREDO_FLAGS_RANDOM_MASK;
}

bool teredo_mapping_matches(const u8 src[16], u32 ip, u16 port)
{
	struct teredo_addr ta;

	if (!teredo_addr_decode(src, &ta))
		return false;
	return ta.client == ip && ta.port == port;
}

/*
 * The header at @p has @avail bytes in the buffer and @left bytes in the
 * payload.  Too short for the payload: the header is bad.  Too short only
 * for the buffer: the caller did not give enough, call it malformed.
 */
static enum teredo_verdict need(size_t len, size_t avail, size_t left,
				enum teredo_verdict bad)
{
	if (left < len)
		return bad;
	if (avail < len)
		return TEREDO_ERR_MALFORMED;
	return TEREDO_OK;
}

static enum teredo_verdict parse_auth(const u8 *p, size_t avail, size_t left,
				      struct teredo_encap *out)
{
	enum teredo_verdict v;
	size_t len;

	v = need(4, avail, left, TEREDO_ERR_BAD_AUTH);
	if (v != TEREDO_OK)
		return v;
	len = TEREDO_AUTH_MIN_LEN + p[2] + p[3];
	v = need(len, avail, left, TEREDO_ERR_BAD_AUTH);
	if (v != TEREDO_OK)
		return v;
	out->has_auth = true;
	out->id_len = p[2];
	out->au_len = p[3];
	memcpy(out->nonce, p + 4 + p[2] + p[3], TEREDO_NONCE_LEN);
	out->confirmation = p[len - 1];
	out->hdr_len += len;
	return TEREDO_OK;
}

static enum teredo_verdict parse_origin(const u8 *p, size_t avail,
					size_t left, struct teredo_encap *out)
{
	enum teredo_verdict v;

	v = need(TEREDO_ORIGIN_LEN, avail, left, TEREDO_ERR_BAD_ORIGIN);
	if (v != TEREDO_OK)
		return v;
	out->has_origin = true;
	out->origin_port = (u16)~get16(p + 2);
	out->origin_ip = ~get32(p + 4);
	out->hdr_len += TEREDO_ORIGIN_LEN;
	return TEREDO_OK;
}

/*
 * A payload starts with 0x6? (IPv6), 00 01 (authentication) or 00 00
 * (origin indication); authentication comes first when both are there.
 */
enum teredo_verdict teredo_parse_encap(const u8 *buf, size_t avail,
				       size_t total, struct teredo_encap *out)
{
	enum teredo_verdict v;
	const u8 *ip6;

	memset(out, 0, sizeof(*out));
	if (avail > total)
		avail = total;

	for (;;) {
		const u8 *p = buf + out->hdr_len;
		size_t a = avail - out->hdr_len;
		size_t left = total - out->hdr_len;

		if (a < 2 || p[0] != 0)
			break;
		if (p[1] == 1) {
			if (out->has_auth)
				return TEREDO_ERR_BAD_AUTH;
			if (out->has_origin)
				return TEREDO_ERR_BAD_ORIGIN;
			v = parse_auth(p, a, left, out);
		} else if (p[1] == 0) {
			if (out->has_origin)
				return TEREDO_ERR_BAD_ORIGIN;
			v = parse_origin(p, a, left, out);
		} else {
			return TEREDO_ERR_MALFORMED;
		}
		if (v != TEREDO_OK)
			return v;
	}

	if (avail - out->hdr_len < TEREDO_IPV6_HLEN)
		return TEREDO_ERR_MALFORMED;
	ip6 = buf + out->hdr_len;
	if (ip6[0] >> 4 != 6)
		return TEREDO_ERR_MALFORMED;
	/* RFC 6081 section 3: trailers may follow the IPv6 packet */
	out->ipv6_len = (size_t)get16(ip6 + 4) + TEREDO_IPV6_HLEN;
	if (out->ipv6_len > total - out->hdr_len)
		return TEREDO_ERR_BAD_LENGTH;
	out->trailer_len = total - out->hdr_len - out->ipv6_len;
	out->bubble = get16(ip6 + 4) == 0 && ip6[6] == IPV6_NEXTHDR_NONE;
	return TEREDO_OK;
}

/* Is @len a length trailer @type may have?  Unknown types: any. */
static bool trailer_len_ok(u8 type, size_t len)
{
	switch (type) {
	case TEREDO_TRAILER_NONCE:
		return len == TEREDO_TRAILER_NONCE_LEN;
	case TEREDO_TRAILER_ND_OPTION:
		return len == 4;
	case TEREDO_TRAILER_RANDOM_PORT:
		return len == 2;
	case TEREDO_TRAILER_ALT_ADDR:
		/* reserved (2), then 1 to 4 address (4) + port (2) */
		return len >= 8 && (len - 2) % 6 == 0 &&
		       (len - 2) / 6 <= TEREDO_TRAILER_ALT_MAX;
	}
	return true;
}

static void trailer_take(u8 type, const u8 *v, size_t len,
			 struct teredo_trailers *out)
{
	size_t i;

	switch (type) {
	case TEREDO_TRAILER_NONCE:
		memcpy(out->nonce, v, TEREDO_TRAILER_NONCE_LEN);
		break;
	case TEREDO_TRAILER_ND_OPTION:
		out->nd_type = v[0];	/* then 3 bytes reserved */
		break;
	case TEREDO_TRAILER_RANDOM_PORT:
		out->random_port = get16(v);
		break;
	case TEREDO_TRAILER_ALT_ADDR:
		out->n_alt = (len - 2) / 6;
		for (i = 0; i < out->n_alt; i++) {
			out->alt[i].ip = get32(v + 2 + 6 * i);
			out->alt[i].port = get16(v + 6 + 6 * i);
		}
		break;
	}
}

enum teredo_verdict teredo_parse_trailers(const u8 *buf, size_t len,
					  struct teredo_trailers *out)
{
	size_t off = 0;

	memset(out, 0, sizeof(*out));
	while (off < len) {
		u8 type, vlen;

		if (len - off < 2)
			return TEREDO_ERR_BAD_TRAILER;	/* truncated */
		type = buf[off];
		vlen = buf[off + 1];
		if (vlen > len - off - 2)
			return TEREDO_ERR_BAD_TRAILER;	/* overruns */
		if (!trailer_len_ok(type, vlen))
			return TEREDO_ERR_BAD_TRAILER;
		switch (type) {
		case TEREDO_TRAILER_NONCE:
		case TEREDO_TRAILER_ALT_ADDR:
		case TEREDO_TRAILER_ND_OPTION:
		case TEREDO_TRAILER_RANDOM_PORT:
			if (teredo_trailer_has(out, type))
				return TEREDO_ERR_BAD_TRAILER;
			out->present |= 1u << type;
			trailer_take(type, buf + off + 2, vlen, out);
			break;
		default:
			out->unknown++;
		}
		off += 2 + (size_t)vlen;
	}
	return TEREDO_OK;
}

bool teredo_trailers_list(const struct teredo_trailers *tr, u32 ip, u16 port)
{
	unsigned int i;

	if (!teredo_trailer_has(tr, TEREDO_TRAILER_ALT_ADDR))
		return false;
	for (i = 0; i < tr->n_alt && i < TEREDO_TRAILER_ALT_MAX; i++)
		if (tr->alt[i].ip == ip && tr->alt[i].port == port)
			return true;
	return false;
}

size_t teredo_build_trailers(u8 *buf, size_t cap,
			     const struct teredo_trailers *tr)
{
	unsigned int n_alt = tr->n_alt;
	size_t off = 0, need = 0;
	unsigned int i;

	if (teredo_trailer_has(tr, TEREDO_TRAILER_ALT_ADDR) &&
	    (!n_alt || n_alt > TEREDO_TRAILER_ALT_MAX))
		return 0;
	if (teredo_trailer_has(tr, TEREDO_TRAILER_NONCE))
		need += 2 + TEREDO_TRAILER_NONCE_LEN;
	if (teredo_trailer_has(tr, TEREDO_TRAILER_ALT_ADDR))
		need += 2 + 2 + 6 * (size_t)n_alt;
	if (teredo_trailer_has(tr, TEREDO_TRAILER_ND_OPTION))
		need += 2 + 4;
	if (teredo_trailer_has(tr, TEREDO_TRAILER_RANDOM_PORT))
		need += 2 + 2;
	if (!need || need > cap)
		return 0;
	if (teredo_trailer_has(tr, TEREDO_TRAILER_NONCE)) {
		buf[off++] = TEREDO_TRAILER_NONCE;
		buf[off++] = TEREDO_TRAILER_NONCE_LEN;
		memcpy(buf + off, tr->nonce, TEREDO_TRAILER_NONCE_LEN);
		off += TEREDO_TRAILER_NONCE_LEN;
	}
	if (teredo_trailer_has(tr, TEREDO_TRAILER_ALT_ADDR)) {
		buf[off++] = TEREDO_TRAILER_ALT_ADDR;
		buf[off++] = (u8)(2 + 6 * n_alt);
		buf[off++] = 0;		/* reserved */
		buf[off++] = 0;
		for (i = 0; i < n_alt; i++) {
			put32(buf + off, tr->alt[i].ip);
			put16(buf + off + 4, tr->alt[i].port);
			off += 6;
		}
	}
	if (teredo_trailer_has(tr, TEREDO_TRAILER_ND_OPTION)) {
		buf[off++] = TEREDO_TRAILER_ND_OPTION;
		buf[off++] = 4;
		buf[off++] = tr->nd_type;
		memset(buf + off, 0, 3);	/* reserved */
		off += 3;
	}
	if (teredo_trailer_has(tr, TEREDO_TRAILER_RANDOM_PORT)) {
		buf[off++] = TEREDO_TRAILER_RANDOM_PORT;
		buf[off++] = 2;
		put16(buf + off, tr->random_port);
		off += 2;
	}
	return off;
}

size_t teredo_build_origin(u8 *buf, size_t cap, u32 ip, u16 port)
{
	if (cap < TEREDO_ORIGIN_LEN)
		return 0;
	buf[0] = 0;
	buf[1] = 0;
	put16(buf + 2, (u16)~port);
	put32(buf + 4, ~ip);
	return TEREDO_ORIGIN_LEN;
}

/* No client identifier, no authentication value, confirmation 0. */
size_t teredo_build_auth(u8 *buf, size_t cap, const u8 nonce[TEREDO_NONCE_LEN])
{
	if (cap < TEREDO_AUTH_MIN_LEN)
		return 0;
	buf[0] = 0;
	buf[1] = 1;
	buf[2] = 0;
	buf[3] = 0;
	memcpy(buf + 4, nonce, TEREDO_NONCE_LEN);
	buf[4 + TEREDO_NONCE_LEN] = 0;
	return TEREDO_AUTH_MIN_LEN;
}

static void put_ipv6_hdr(u8 *buf, u16 plen, u8 nexthdr, u8 hop_limit,
			 const u8 src[16], const u8 dst[16])
{
	buf[0] = 0x60;
	buf[1] = 0;
	buf[2] = 0;
	buf[3] = 0;
	put16(buf + 4, plen);
	buf[6] = nexthdr;
	buf[7] = hop_limit;
	memcpy(buf + 8, src, 16);
	memcpy(buf + 24, dst, 16);
}

static u64 csum_add(u64 sum, const u8 *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	if (len & 1)
		sum += (u32)p[len - 1] << 8;
	return sum;
}

/*
 * One's complement sum over the pseudo-header and the ICMPv6 message,
 * checksum field included: a correct packet gives 0, and a packet whose
 * checksum field is 0 gives the value to store there.  The upper-layer
 * length is @len - 40, not the header's payload length field.
 */
u16 teredo_icmp6_csum(const u8 *ipv6, size_t len)
{
	size_t ulen;
	u64 sum;

	if (len < TEREDO_IPV6_HLEN)
		return 0xffff;	/* never the result of a real sum */
	ulen = len - TEREDO_IPV6_HLEN;
	sum = csum_add(0, ipv6 + 8, 32);
	sum += (u64)ulen + IPV6_NEXTHDR_ICMPV6;	/* folded below */
	sum = csum_add(sum, ipv6 + TEREDO_IPV6_HLEN, ulen);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (u16)~sum;
}

static void set_icmp6_csum(u8 *ipv6, size_t len)
{
	ipv6[TEREDO_IPV6_HLEN + 2] = 0;
	ipv6[TEREDO_IPV6_HLEN + 3] = 0;
	put16(ipv6 + TEREDO_IPV6_HLEN + 2, teredo_icmp6_csum(ipv6, len));
}

size_t teredo_build_bubble(u8 *buf, size_t cap, const u8 src[16],
			   const u8 dst[16])
{
	if (cap < TEREDO_IPV6_HLEN)
		return 0;
	put_ipv6_hdr(buf, 0, IPV6_NEXTHDR_NONE, ND_HOP_LIMIT, src, dst);
	return TEREDO_IPV6_HLEN;
}

static const u8 all_routers[16] = { 0xff, 0x02, [15] = 0x02 };

size_t teredo_build_rs(u8 *buf, size_t cap, const u8 src[16])
{
	const size_t len = TEREDO_IPV6_HLEN + RS_LEN;
	u8 *icmp = buf + TEREDO_IPV6_HLEN;

	if (cap < len)
		return 0;
	put_ipv6_hdr(buf, RS_LEN, IPV6_NEXTHDR_ICMPV6, ND_HOP_LIMIT, src,
		     all_routers);
	icmp[0] = ICMPV6_ROUTER_SOLICIT;
	icmp[1] = 0;
	put32(icmp + 4, 0);
	set_icmp6_csum(buf, len);
	return len;
}

/* RFC 4191 section 2.3: 8, 16 or 24 bytes depending on the prefix length. */
static size_t route_opt_len(u8 plen)
{
	if (plen == 0)
		return 8;
	if (plen <= 64)
		return 16;
	return 24;
}

static void put_route_opt(u8 *opt, const struct teredo_ra_params *p)
{
	size_t olen = route_opt_len(p->route_len);
	size_t full = p->route_len / 8;
	size_t i;

	memset(opt, 0, olen);
	opt[0] = ND_OPT_ROUTE_INFO;
	opt[1] = olen / 8;
	opt[2] = p->route_len;
	opt[3] = 0;	/* medium preference */
	put32(opt + 4, p->route_lifetime);
	for (i = 0; i < full; i++)
		opt[8 + i] = p->route[i];
	if (p->route_len % 8)
		opt[8 + full] = p->route[full] & (0xff << (8 - p->route_len % 8));
}

/*
 * The prefix option carries L=0: other clients of the same server are
 * not on-link (they are reached through bubbles and their own mapping),
 * and an on-link /64 would make the stack send neighbour solicitations
 * into the tunnel.  A=1 alone is what lets SLAAC form the address.
 */
size_t teredo_build_ra(u8 *buf, size_t cap, const struct teredo_ra_params *p)
{
	size_t rlen = p->route_len ? route_opt_len(p->route_len) : 0;
	size_t mlen = p->mtu ? ND_MTU_LEN : 0;
	size_t ulen = RA_LEN + ND_PIO_LEN + mlen + rlen;
	size_t len = TEREDO_IPV6_HLEN + ulen;
	u8 *icmp = buf + TEREDO_IPV6_HLEN;
	u8 *opt;

	if (p->route_len > 128 || cap < len)
		return 0;
	put_ipv6_hdr(buf, (u16)ulen, IPV6_NEXTHDR_ICMPV6, ND_HOP_LIMIT,
		     p->src, p->dst);
	memset(icmp, 0, ulen);
	icmp[0] = ICMPV6_ROUTER_ADVERT;
	/* icmp[4] cur hop limit 0 (unspecified), icmp[5] no M/O flags */
	put16(icmp + 6, p->router_lifetime);
	/* reachable time and retransmission timer left unspecified */

	opt = icmp + RA_LEN;
	opt[0] = ND_OPT_PREFIX_INFO;
	opt[1] = ND_PIO_LEN / 8;
	opt[2] = 64;
	opt[3] = p->autonomous ? ND_PIO_FLAG_AUTO : 0;
	put32(opt + 4, p->valid_lifetime);
	put32(opt + 8, p->preferred_lifetime);
	memcpy(opt + 16, p->prefix, 8);	/* bits past /64 stay zero */
	opt += ND_PIO_LEN;

	if (mlen) {
		opt[0] = ND_OPT_MTU;
		opt[1] = 1;
		put32(opt + 4, p->mtu);
		opt += ND_MTU_LEN;
	}
	if (rlen)
		put_route_opt(opt, p);

	set_icmp6_csum(buf, len);
	return len;
}

/*
 * Common checks of an IPv6 packet carrying exactly one ICMPv6 message:
 * version, payload length equal to what is there, no extension header,
 * a complete ICMPv6 header of at least @min bytes and a good checksum.
 */
static bool icmp6_packet_ok(const u8 *ipv6, size_t len, size_t min)
{
	if (len < TEREDO_IPV6_HLEN + min || len > TEREDO_IPV6_HLEN + 0xffff)
		return false;
	if (ipv6[0] >> 4 != 6 ||
	    (size_t)get16(ipv6 + 4) != len - TEREDO_IPV6_HLEN)
		return false;
	if (ipv6[6] != IPV6_NEXTHDR_ICMPV6)
		return false;
	return teredo_icmp6_csum(ipv6, len) == 0;
}

static enum teredo_verdict parse_pio(const u8 *opt, u32 server,
				     struct teredo_ra *out)
{
	if (opt[1] != ND_PIO_LEN / 8 || opt[2] != 64)
		return TEREDO_ERR_BAD_RA;
	if (!teredo_is_teredo_addr(opt + 16))
		return TEREDO_ERR_BAD_RA;
	if (get32(opt + 20) != server)
		return TEREDO_ERR_NOT_SERVER;
	memset(out->prefix, 0, sizeof(out->prefix));
	memcpy(out->prefix, opt + 16, 8);
	out->server = server;
	return TEREDO_OK;
}

enum teredo_verdict teredo_parse_ra(const u8 *ipv6, size_t len, u32 server,
				    struct teredo_ra *out)
{
	const u8 *icmp = ipv6 + TEREDO_IPV6_HLEN;
	unsigned int prefixes = 0, mtus = 0;
	enum teredo_verdict v;
	size_t off, olen;

	memset(out, 0, sizeof(*out));
	if (len < TEREDO_IPV6_HLEN || ipv6[0] >> 4 != 6)
		return TEREDO_ERR_MALFORMED;
	if (!icmp6_packet_ok(ipv6, len, RA_LEN))
		return TEREDO_ERR_BAD_RA;
	if (ipv6[7] != ND_HOP_LIMIT || !teredo_ipv6_is_linklocal(ipv6 + 8))
		return TEREDO_ERR_BAD_RA;
	if (icmp[0] != ICMPV6_ROUTER_ADVERT || icmp[1] != 0)
		return TEREDO_ERR_BAD_RA;
	out->router_lifetime = get16(icmp + 6);

	for (off = RA_LEN; off < len - TEREDO_IPV6_HLEN; off += olen) {
		const u8 *opt = icmp + off;

		if (len - TEREDO_IPV6_HLEN - off < 2)
			return TEREDO_ERR_BAD_RA;
		olen = (size_t)opt[1] * 8;
		if (olen == 0 || olen > len - TEREDO_IPV6_HLEN - off)
			return TEREDO_ERR_BAD_RA;
		if (opt[0] == ND_OPT_PREFIX_INFO) {
			if (++prefixes > 1)
				return TEREDO_ERR_BAD_RA;
			v = parse_pio(opt, server, out);
			if (v != TEREDO_OK)
				return v;
		} else if (opt[0] == ND_OPT_MTU) {
			if (olen != ND_MTU_LEN || ++mtus > 1)
				return TEREDO_ERR_BAD_RA;
			out->mtu = get32(opt + 4);
		}
	}
	if (prefixes != 1)
		return TEREDO_ERR_BAD_RA;
	return TEREDO_OK;
}

size_t teredo_build_echo(u8 *buf, size_t cap, const u8 src[16],
			 const u8 dst[16], u16 id, u16 seq,
			 const u8 nonce[TEREDO_NONCE_LEN])
{
	const size_t len = TEREDO_IPV6_HLEN + ECHO_LEN;
	u8 *icmp = buf + TEREDO_IPV6_HLEN;

	if (cap < len)
		return 0;
	put_ipv6_hdr(buf, ECHO_LEN, IPV6_NEXTHDR_ICMPV6, ECHO_HOP_LIMIT, src,
		     dst);
	icmp[0] = ICMPV6_ECHO_REQUEST;
	icmp[1] = 0;
	put16(icmp + 4, id);
	put16(icmp + 6, seq);
	memcpy(icmp + 8, nonce, TEREDO_NONCE_LEN);
	set_icmp6_csum(buf, len);
	return len;
}

/*
 * MALFORMED: not a well-formed ICMPv6 echo reply carrying exactly the
 * 8-byte nonce.  BAD_NONCE: a good reply, but not from @peer or not
 * carrying our nonce.
 */
enum teredo_verdict teredo_parse_echo_reply(const u8 *ipv6, size_t len,
					    const u8 peer[16],
					    const u8 nonce[TEREDO_NONCE_LEN])
{
	const u8 *icmp = ipv6 + TEREDO_IPV6_HLEN;

	if (len != TEREDO_IPV6_HLEN + ECHO_LEN ||
	    !icmp6_packet_ok(ipv6, len, ECHO_LEN))
		return TEREDO_ERR_MALFORMED;
	if (icmp[0] != ICMPV6_ECHO_REPLY || icmp[1] != 0)
		return TEREDO_ERR_MALFORMED;
	if (memcmp(ipv6 + 8, peer, 16) != 0 ||
	    memcmp(icmp + 8, nonce, TEREDO_NONCE_LEN) != 0)
		return TEREDO_ERR_BAD_NONCE;
	return TEREDO_OK;
}

/* Server and relay roles (RFC 4380 sections 5.3 and 5.4). */

bool teredo_ipv6_is_global(const u8 addr[16])
{
	return (addr[0] & 0xe0) == 0x20;
}

static bool ipv6_is_bubble(const u8 *ipv6)
{
	return get16(ipv6 + 4) == 0 && ipv6[6] == IPV6_NEXTHDR_NONE;
}

enum teredo_verdict teredo_parse_rs(const u8 *ipv6, size_t len)
{
	const u8 *icmp = ipv6 + TEREDO_IPV6_HLEN;

	if (!icmp6_packet_ok(ipv6, len, RS_LEN))
		return TEREDO_ERR_BAD_RS;
	if (ipv6[7] != ND_HOP_LIMIT || !teredo_ipv6_is_linklocal(ipv6 + 8) ||
	    memcmp(ipv6 + 24, all_routers, 16) != 0)
		return TEREDO_ERR_BAD_RS;
	if (icmp[0] != ICMPV6_ROUTER_SOLICIT || icmp[1] != 0)
		return TEREDO_ERR_BAD_RS;
	return TEREDO_OK;
}

bool teredo_rs_cone(const u8 *ipv6)
{
	return ipv6[8 + 8] & 0x80;
}

/* Rules 4 to 7 of section 5.3.1: is the source acceptable? */
static enum teredo_verdict server_check_source(const u8 *ipv6, size_t len,
					       u32 saddr, u16 sport,
					       u32 server,
					       enum teredo_server_action *act)
{
	const u8 *src = ipv6 + 8, *dst = ipv6 + 24;
	struct teredo_addr ta;

	if (teredo_ipv6_is_linklocal(src) && !ipv6_is_bubble(ipv6)) {
		/* rule 4: router solicitations to ff02::2, nothing else */
		if (memcmp(dst, all_routers, 16) != 0 ||
		    len < TEREDO_IPV6_HLEN + 1 ||
		    ipv6[TEREDO_IPV6_HLEN] != ICMPV6_ROUTER_SOLICIT)
			return TEREDO_ERR_BAD_SOURCE;
		*act = TEREDO_SERVER_RS;
		return teredo_parse_rs(ipv6, len);
	}
	if (teredo_addr_decode(src, &ta)) {
		/* rule 5: the embedded mapping is the sender */
		if (!teredo_ipv4_is_global(ta.server))
			return TEREDO_ERR_NONGLOBAL;
		if (ta.client != saddr || ta.port != sport)
			return TEREDO_ERR_MAPPING;
		return TEREDO_OK;
	}
	/*
	 * Rule 6: any other source, only towards one of our clients.  A
	 * link-local one only in a bubble: Miredo's relays and clients
	 * send their indirect bubbles from their link-local address.
	 */
	if ((!teredo_ipv6_is_global(src) && !teredo_ipv6_is_linklocal(src)) ||
	    !teredo_addr_decode(dst, &ta) || ta.server != server)
		return TEREDO_ERR_BAD_SOURCE;
	return TEREDO_OK;
}

enum teredo_verdict teredo_server_check(const u8 *ipv6, size_t len,
					u32 saddr, u16 sport, u32 server,
					u32 server2,
					enum teredo_server_action *act)
{
	const u8 *dst = ipv6 + 24;
	enum teredo_verdict v;
	struct teredo_addr ta;

	if (len < TEREDO_IPV6_HLEN || ipv6[0] >> 4 != 6)
		return TEREDO_ERR_MALFORMED;
	if (!teredo_ipv4_is_global(saddr))		/* rule 3 */
		return TEREDO_ERR_NONGLOBAL;
	if (saddr == server || saddr == server2)	/* a loop */
		return TEREDO_ERR_LOOP;
	if (!ipv6_is_bubble(ipv6) && ipv6[6] != IPV6_NEXTHDR_ICMPV6)
		return TEREDO_ERR_NOT_ICMP;		/* rule 2 */
	*act = TEREDO_SERVER_TO_IPV6;
	v = server_check_source(ipv6, len, saddr, sport, server, act);
	if (v != TEREDO_OK || *act == TEREDO_SERVER_RS)
		return v;
	/* what the server forwards: short, whatever the direction */
	if (len > TEREDO_SERVER_FWD_MAX)
		return TEREDO_ERR_TOO_BIG;

	if (teredo_addr_decode(dst, &ta)) {
		/* to a client of ours, never through another server */
		if (ta.server != server)
			return TEREDO_ERR_NOT_FOR_US;
		if (!teredo_ipv4_is_global(ta.client))
			return TEREDO_ERR_NONGLOBAL;
		*act = TEREDO_SERVER_TO_CLIENT;
		return TEREDO_OK;
	}
	/* a bubble is for Teredo nodes only */
	if (ipv6_is_bubble(ipv6))
		return TEREDO_ERR_NOT_FOR_US;
	if (!teredo_ipv6_is_global(dst))
		return TEREDO_ERR_NONGLOBAL6;
	return TEREDO_OK;
}

bool teredo_gcra(u64 *tat, u64 now, u64 interval, u32 burst)
{
	u64 t = *tat > now ? *tat : now;

	/* already owed more than the burst allows? */
	if (t - now > (u64)(burst ? burst - 1 : 0) * interval)
		return false;
	*tat = t + interval;
	return true;
}

bool teredo_gcra2(u64 *a, u64 *b, u64 now, u64 interval, u32 burst)
{
	return teredo_gcra(*a <= *b ? a : b, now, interval, burst);
}

/* fe80::8000:f227:bec9:1c81 (the cone bit: a server) */
const u8 teredo_server_ll[16] = {
	0xfe, 0x80, [8] = 0x80, 0x00, 0xf2, 0x27, 0xbe, 0xc9, 0x1c, 0x81,
};

size_t teredo_build_ra_reply(u8 *buf, size_t cap,
			     const struct teredo_ra_reply *r)
{
	struct teredo_ra_params p;
	size_t n = 0, m;

	memset(&p, 0, sizeof(p));
	memcpy(p.src, teredo_server_ll, 16);
	memcpy(p.dst, r->client, 16);
	put32(p.prefix, TEREDO_PREFIX32);
	put32(p.prefix + 4, r->server);
	p.valid_lifetime = 86400;
	p.preferred_lifetime = 86400;
	p.autonomous = true;
	p.mtu = TEREDO_MTU;

	if (r->has_nonce) {
		n = teredo_build_auth(buf, cap, r->nonce);
		if (!n)
			return 0;
	}
	m = teredo_build_origin(buf + n, cap - n, r->origin_ip, r->origin_port);
	if (!m)
		return 0;
	n += m;
	m = teredo_build_ra(buf + n, cap - n, &p);
	if (!m)
		return 0;
	return n + m;
}

enum teredo_verdict teredo_relay_check(const u8 *ipv6, size_t len,
				       u32 saddr, u16 sport)
{
	const u8 *dst = ipv6 + 24;
	struct teredo_addr ta;

	if (len < TEREDO_IPV6_HLEN || ipv6[0] >> 4 != 6)
		return TEREDO_ERR_MALFORMED;
	if (!teredo_ipv4_is_global(saddr))
		return TEREDO_ERR_NONGLOBAL;
	if (!teredo_addr_decode(ipv6 + 8, &ta))
		return TEREDO_ERR_BAD_SOURCE;
	if (!teredo_ipv4_is_global(ta.server))
		return TEREDO_ERR_NONGLOBAL;
	if (ta.client != saddr || ta.port != sport)
		return TEREDO_ERR_MAPPING;
	if (ipv6_is_bubble(ipv6))
		return TEREDO_OK;
	if (teredo_is_teredo_addr(dst))
		return TEREDO_ERR_NOT_FOR_US;
	if (!teredo_ipv6_is_global(dst))
		return TEREDO_ERR_NONGLOBAL6;
	return TEREDO_OK;
}

/* byte 13 of the TCP header without them */
#define TH_NOT_FIN_PSH	0xf6u
#define TH_NOT_CWR	0x7fu

size_t teredo_tso_hdr_len(const u8 *pkt, size_t avail)
{
	size_t thlen;

	if (avail < TEREDO_IPV6_HLEN + TEREDO_TCP_HLEN_MIN ||
	    pkt[0] >> 4 != 6 || pkt[6] != IPV6_NEXTHDR_TCP)
		return 0;
	thlen = (size_t)(pkt[TEREDO_IPV6_HLEN + 12] >> 4) * 4;
	if (thlen < TEREDO_TCP_HLEN_MIN || avail < TEREDO_IPV6_HLEN + thlen)
		return 0;
	return TEREDO_IPV6_HLEN + thlen;
}

void teredo_tso_hdr(u8 *out, const u8 *tmpl, size_t hlen, u32 seq_off,
		    u16 plen, bool first, bool last)
{
	u8 *th = out + TEREDO_IPV6_HLEN;

	memcpy(out, tmpl, hlen);
	put16(out + 4, (u16)(hlen - TEREDO_IPV6_HLEN + plen));
	put32(th + 4, get32(th + 4) + seq_off);
	if (!last)
		th[13] &= TH_NOT_FIN_PSH;
	if (!first)
		th[13] &= TH_NOT_CWR;
	put16(th + 16, 0);
}
