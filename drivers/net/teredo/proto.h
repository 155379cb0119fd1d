/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Teredo wire format: pure functions, no kernel dependencies.
 *
 * Everything here works on byte buffers the caller owns and has made
 * linear; nothing allocates, sleeps or touches global state.  The same
 * file compiles in the kernel module and in userspace (unit tests and
 * fuzzers under selftests/).  IPv4 addresses and ports are host-order
 * integers here; IPv6 addresses are 16-byte arrays.
 */
#ifndef _TEREDO_PROTO_H
#define _TEREDO_PROTO_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <linux/types.h>
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
#endif

#define TEREDO_PREFIX32		0x20010000u	/* 2001:0000::/32 */
#define TEREDO_PORT		3544
#define TEREDO_MTU		1280
#define TEREDO_NONCE_LEN	8
#define TEREDO_IPV6_HLEN	40
#define TEREDO_ORIGIN_LEN	8
#define TEREDO_AUTH_MIN_LEN	13	/* 4 + nonce 8 + confirmation 1 */
#define TEREDO_AUTH_MAX_LEN	(TEREDO_AUTH_MIN_LEN + 255 + 255)
/* Longest encapsulation header before the IPv6 header. */
#define TEREDO_ENCAP_MAX_LEN	(TEREDO_AUTH_MAX_LEN + TEREDO_ORIGIN_LEN)
/* RFC 5991: random bits of the flags field ("CRAAAAUG AAAAAAAA"). */
#define TEREDO_FLAGS_RANDOM_MASK 0x3cffu
#define TEREDO_FLAG_CONE	0x8000u

/* Why a packet is refused; each maps to one drop counter. */
enum teredo_verdict {
	TEREDO_OK = 0,
	TEREDO_ERR_MALFORMED,	/* truncated, not IPv6, bad encapsulation */
	TEREDO_ERR_BAD_LENGTH,	/* IPv6 payload length != what UDP carries */
	TEREDO_ERR_BAD_AUTH,	/* authentication header lengths/contents */
	TEREDO_ERR_BAD_ORIGIN,	/* origin indication malformed or misplaced */
	TEREDO_ERR_BAD_NONCE,	/* nonce does not match */
	TEREDO_ERR_BAD_RA,	/* not an acceptable router advertisement */
	TEREDO_ERR_NOT_SERVER,	/* RA prefix does not name our server */
	TEREDO_ERR_NONGLOBAL,	/* non-global IPv4 (RFC 4380 list) */
	TEREDO_ERR_MAPPING,	/* Teredo source does not match outer IPv4:port */
	TEREDO_ERR_LINKLOCAL,	/* link-local where not allowed */
	TEREDO_ERR_MULTICAST,	/* multicast where not allowed */
	TEREDO_ERR_LOOP,	/* from one of our own addresses */
	TEREDO_ERR_NOT_ICMP,	/* server: neither a bubble nor ICMPv6 */
	TEREDO_ERR_BAD_SOURCE,	/* source address not acceptable here */
	TEREDO_ERR_NONGLOBAL6,	/* destination not global unicast IPv6 */
	TEREDO_ERR_BAD_RS,	/* not an acceptable router solicitation */
	TEREDO_ERR_NOT_FOR_US,	/* destination not served by us */
	TEREDO_ERR_TOO_BIG,	/* server: longer than it forwards */
	TEREDO_ERR_BAD_TRAILER,	/* RFC 6081 trailer area malformed */
};

/* A decoded Teredo address 2001:0:SERVER:FLAGS:~PORT:~CLIENT. */
struct teredo_addr {
	u32 server;	/* server IPv4 */
	u16 flags;
	u16 port;	/* mapped port, de-obfuscated */
	u32 client;	/* mapped IPv4, de-obfuscated */
};

/* What precedes the IPv6 packet in a UDP payload. */
struct teredo_encap {
	bool has_auth;
	u8 id_len;
	u8 au_len;
	u8 nonce[TEREDO_NONCE_LEN];
	u8 confirmation;
	bool has_origin;
	u32 origin_ip;		/* de-obfuscated */
	u16 origin_port;	/* de-obfuscated */
	size_t hdr_len;		/* bytes before the IPv6 header */
	size_t ipv6_len;	/* bytes of IPv6 packet: 40 + payload length */
	size_t trailer_len;	/* bytes after it: total - hdr_len - ipv6_len */
	bool bubble;		/* IPv6 payload length 0, next header 59 */
};

/*
 * RFC 6081 section 3: trailers follow the IPv6 packet in the UDP payload,
 * each one type byte, one length byte (of the value that follows) and
 * the value.  What we know of them; an unknown type is skipped.
 */
#define TEREDO_TRAILER_NONCE		0x01	/* length 4: the nonce */
#define TEREDO_TRAILER_ALT_ADDR		0x03	/* 2 + 6 per address */
#define TEREDO_TRAILER_ND_OPTION	0x04	/* length 4: type + 3 */
#define TEREDO_TRAILER_RANDOM_PORT	0x05	/* length 2: a port */
#define TEREDO_TRAILER_NONCE_LEN	4
#define TEREDO_TRAILER_ALT_MAX		4	/* addresses in one trailer */
/* Neighbor Discovery Option trailer, DiscoveryType */
#define TEREDO_ND_SOLICITATION		0
#define TEREDO_ND_ADVERTISEMENT		1

struct teredo_alt_addr {
	u32 ip;
	u16 port;
};

struct teredo_trailers {
	unsigned int present;	/* BIT(TEREDO_TRAILER_*) of those seen */
	unsigned int unknown;	/* trailers of unknown type skipped */
	u8 nonce[TEREDO_TRAILER_NONCE_LEN];
	u8 nd_type;		/* TEREDO_ND_* */
	u16 random_port;
	u8 n_alt;
	struct teredo_alt_addr alt[TEREDO_TRAILER_ALT_MAX];
};

static inline bool teredo_trailer_has(const struct teredo_trailers *tr,
				      unsigned int type)
{
	return tr->present & (1u << type);
}

/* Result of parsing a router advertisement from a Teredo server. */
struct teredo_ra {
	u8 prefix[16];		/* 2001:0:SERVER::/64 */
	u32 server;		/* server IPv4 taken from the prefix */
	u16 router_lifetime;
	u32 mtu;		/* 0 if no MTU option */
};

/* Addresses. */
bool teredo_is_teredo_addr(const u8 addr[16]);
void teredo_addr_encode(u8 out[16], const struct teredo_addr *ta);
bool teredo_addr_decode(const u8 addr[16], struct teredo_addr *ta);
bool teredo_ipv4_is_global(u32 ip);	/* RFC 4380 section 5.3.1 list */
/* RFC 1918 and RFC 6598: where a host behind a NAT may be on its LAN */
bool teredo_ipv4_is_private(u32 ip);
bool teredo_ipv6_is_linklocal(const u8 addr[16]);
bool teredo_ipv6_is_multicast(const u8 addr[16]);
u16 teredo_flags_from_random(u16 random);	/* RFC 5991: cone 0 */
/* Section 5.4.2: embedded mapping matches the outer source. */
bool teredo_mapping_matches(const u8 src[16], u32 ip, u16 port);

/*
 * Parse the encapsulation of a UDP payload of @total bytes, of which the
 * first @avail are in @buf (avail >= min(total, TEREDO_ENCAP_MAX_LEN +
 * TEREDO_IPV6_HLEN) gives a complete answer).  Checks the IPv6 version
 * and that the IPv6 packet fits in what UDP carries; what follows it
 * (trailer_len bytes) is the trailer area, for teredo_parse_trailers().
 */
enum teredo_verdict teredo_parse_encap(const u8 *buf, size_t avail,
				       size_t total, struct teredo_encap *out);

/*
 * The trailer area, @len bytes at @buf (RFC 6081 section 3): TEREDO_OK
 * with what it holds in @out, or TEREDO_ERR_BAD_TRAILER if a trailer is
 * truncated, overruns the area, has a length its type does not allow,
 * or a known type comes twice.
 */
enum teredo_verdict teredo_parse_trailers(const u8 *buf, size_t len,
					  struct teredo_trailers *out);
/* Does @tr hold an Alternate Address trailer listing @ip:@port? */
bool teredo_trailers_list(const struct teredo_trailers *tr, u32 ip, u16 port);

/* The longest area teredo_build_trailers() writes: each known one once. */
#define TEREDO_TRAILERS_MAX_LEN	(2 + TEREDO_TRAILER_NONCE_LEN +		\
				 2 + 2 + 6 * TEREDO_TRAILER_ALT_MAX +	\
				 2 + 4 + 2 + 2)

/* Builders return the number of bytes written, 0 if @cap is too small. */
size_t teredo_build_origin(u8 *buf, size_t cap, u32 ip, u16 port);
size_t teredo_build_auth(u8 *buf, size_t cap, const u8 nonce[TEREDO_NONCE_LEN]);
size_t teredo_build_bubble(u8 *buf, size_t cap, const u8 src[16],
			   const u8 dst[16]);
/*
 * A trailer area holding the trailers of known type @tr has (as parsed:
 * unknown ones are not kept), in type order; 0 for none or no room.
 */
size_t teredo_build_trailers(u8 *buf, size_t cap,
			     const struct teredo_trailers *tr);
/* RS from fe80::ffff:ffff:ffff (no cone bit) to ff02::2, ICMPv6 checksum. */
size_t teredo_build_rs(u8 *buf, size_t cap, const u8 src[16]);

struct teredo_ra_params {
	u8 src[16];		/* router link-local */
	u8 dst[16];
	u8 prefix[16];		/* /64 prefix to advertise */
	u16 router_lifetime;	/* seconds, 0 = not a default router */
	u32 valid_lifetime;	/* prefix lifetimes, seconds */
	u32 preferred_lifetime;
	bool autonomous;	/* PIO A flag */
	u32 mtu;		/* 0: no MTU option */
	/* RFC 4191 route information option, 0 length = none */
	u8 route[16];
	u8 route_len;
	u32 route_lifetime;
};

size_t teredo_build_ra(u8 *buf, size_t cap, const struct teredo_ra_params *p);

/*
 * Validate an IPv6 packet as a Teredo server's RA (RFC 4380 5.2.1):
 * ICMPv6 type 134 code 0, hop limit 255, link-local source, good
 * checksum, exactly one Teredo prefix option naming @server.
 */
enum teredo_verdict teredo_parse_ra(const u8 *ipv6, size_t len, u32 server,
				    struct teredo_ra *out);

/* ICMPv6 echo request/reply carrying an 8-byte nonce (section 5.2.9). */
size_t teredo_build_echo(u8 *buf, size_t cap, const u8 src[16],
			 const u8 dst[16], u16 id, u16 seq,
			 const u8 nonce[TEREDO_NONCE_LEN]);
/*
 * 0 (TEREDO_OK) if @ipv6 is an echo reply from @peer with our nonce;
 * TEREDO_ERR_MALFORMED if it is not a valid echo reply carrying exactly
 * 8 bytes of data, TEREDO_ERR_BAD_NONCE if it is from another source or
 * carries another nonce.
 */
enum teredo_verdict teredo_parse_echo_reply(const u8 *ipv6, size_t len,
					    const u8 peer[16],
					    const u8 nonce[TEREDO_NONCE_LEN]);

/*
 * ICMPv6 checksum over an IPv6 packet whose upper layer is ICMPv6, with
 * the upper-layer length taken as @len - 40.  The checksum field is
 * summed too: 0 means a packet's checksum is correct; with the field
 * zeroed, the result is the value to store there (big-endian).
 */
u16 teredo_icmp6_csum(const u8 *ipv6, size_t len);

/*
 * Server and relay roles (RFC 4380 sections 5.3 and 5.4).  @ipv6 is the
 * whole IPv6 packet (@len bytes, already checked by teredo_parse_encap),
 * @saddr/@sport its outer IPv4 source.
 */

/* Global unicast IPv6: 2000::/3 (RFC 4291), Teredo included. */
bool teredo_ipv6_is_global(const u8 addr[16]);

/*
 * A router solicitation a server answers (section 5.3.1 rule 4): ICMPv6
 * type 133 code 0, hop limit 255, good checksum, from a link-local
 * source to ff02::2.  TEREDO_ERR_BAD_RS otherwise.
 */
enum teredo_verdict teredo_parse_rs(const u8 *ipv6, size_t len);
/* The RS source has the cone bit: answer from the other address. */
bool teredo_rs_cone(const u8 *ipv6);

enum teredo_server_action {
	/* answer with teredo_build_ra_reply() */
	TEREDO_SERVER_RS,
	/* to the destination's mapping, origin indication of the source */
	TEREDO_SERVER_TO_CLIENT,
	/* over native IPv6 */
	TEREDO_SERVER_TO_IPV6,
};

/*
 * Section 5.3.1: every check a server applies to a packet from the
 * outside, in order; @server and @server2 are its own two addresses,
 * the prefix it serves being 2001:0:@server::/64.  TEREDO_OK with the
 * action to take, or the reason to drop.
 */
enum teredo_verdict teredo_server_check(const u8 *ipv6, size_t len,
					u32 saddr, u16 sport, u32 server,
					u32 server2,
					enum teredo_server_action *act);
/*
 * The longest IPv6 packet (header included) a server forwards, to a
 * client or to native IPv6: what section 5.3 needs it to carry are
 * bubbles (40 bytes) and echo tests (56 bytes ours, under 100 for
 * Miredo's and Windows'), so that whoever forges a source gets no more
 * out of the server than a short packet (TEREDO_ERR_TOO_BIG).
 */
#define TEREDO_SERVER_FWD_MAX	128

/*
 * Rate limiting: the generic cell rate algorithm, one 64-bit "theoretical
 * arrival time" per bucket (0: a full bucket).  @now and @interval (the
 * time one packet costs) in any unit, @now never 0 in practice; up to
 * @burst packets at once.  True, and the packet counted, if it may go.
 */
bool teredo_gcra(u64 *tat, u64 now, u64 interval, u32 burst);
/*
 * The same over two buckets a key hashes to (two choices): the packet is
 * charged to the less used one, so that a key is refused only when both
 * are spent: a key sharing one bucket with a flooded key still gets
 * through, and a flooded key gets at most twice the rate.
 */
bool teredo_gcra2(u64 *a, u64 *b, u64 now, u64 interval, u32 burst);

/* What a server answers to a router solicitation (section 5.3.2). */
struct teredo_ra_reply {
	u32 server;			/* prefix 2001:0:server::/64 */
	u8 client[16];			/* the RS source: the RA destination */
	bool has_nonce;			/* the RS had an authentication header */
	u8 nonce[TEREDO_NONCE_LEN];
	u32 origin_ip;			/* the RS outer source */
	u16 origin_port;
};

/* Link-local source of a server's RA. */
extern const u8 teredo_server_ll[16];
/* Longest answer: authentication, origin indication, RA. */
#define TEREDO_RA_REPLY_MAX	(TEREDO_AUTH_MIN_LEN + TEREDO_ORIGIN_LEN + \
				 TEREDO_IPV6_HLEN + 16 + 32 + 8)
/* Authentication (if the RS had one), origin indication and the RA. */
size_t teredo_build_ra_reply(u8 *buf, size_t cap,
			     const struct teredo_ra_reply *r);

/*
 * Section 5.4.2: a relay accepts from the outside only a packet whose
 * source is a Teredo address embedding the outer source, to a global
 * native IPv6 destination (bubbles: any destination, they are only
 * consumed).
 */
enum teredo_verdict teredo_relay_check(const u8 *ipv6, size_t len,
				       u32 saddr, u16 sport);

/*
 * TCP segmentation done by hand (socket.c builds each segment of a
 * TCP/IPv6 GSO super-packet straight into a UDP GSO train): the headers
 * of one segment, from the super-packet's.  Only an IPv6 header followed
 * directly by TCP is cut here; anything else takes the kernel's GSO.
 */
#define TEREDO_TCP_HLEN_MIN	20
#define TEREDO_TCP_HLEN_MAX	60
#define TEREDO_TSO_HDR_MAX	(TEREDO_IPV6_HLEN + TEREDO_TCP_HLEN_MAX)
/*
 * The IPv6 and TCP headers' length at the start of @pkt (@avail bytes),
 * 0 if it is not IPv6 with a TCP header next, whole within @avail.
 */
size_t teredo_tso_hdr_len(const u8 *pkt, size_t avail);
/*
 * @out (@hlen bytes) = the headers of the segment that carries @plen
 * payload bytes from @seq_off on, cut from a super-packet whose headers
 * are @tmpl (@hlen bytes, teredo_tso_hdr_len()): the IPv6 payload length
 * its own, the sequence number advanced, FIN and PSH on the @last
 * segment only, CWR on the @first only (as the kernel's TSO does), the
 * TCP checksum 0 (the caller sums the segment).
 */
void teredo_tso_hdr(u8 *out, const u8 *tmpl, size_t hlen, u32 seq_off,
		    u16 plen, bool first, bool last);

#endif /* _TEREDO_PROTO_H */
