// SPDX-License-Identifier: GPL-2.0
/*
 * teredo_parse_encap() on a whole UDP payload, then on every partial
 * view the kernel may hand it: same answer when the view is the
 * documented minimum, never a read past the view.  The same bytes as
 * the IPv6 packet a TCP segment is cut from (teredo_tso_hdr_len(),
 * teredo_tso_hdr()).
 */
#include "fuzz.h"

static void check_ok(const u8 *buf, size_t total, const struct teredo_encap *e)
{
	u8 tmp[TEREDO_AUTH_MIN_LEN];
	size_t off = 0;

	INVARIANT(e->hdr_len + e->ipv6_len + e->trailer_len == total);
	INVARIANT(e->hdr_len <= TEREDO_ENCAP_MAX_LEN);
	INVARIANT(e->ipv6_len >= TEREDO_IPV6_HLEN);
	INVARIANT(e->ipv6_len <= TEREDO_IPV6_HLEN + 0xffff);
	INVARIANT((buf[e->hdr_len] >> 4) == 6);
	INVARIANT(!e->bubble || e->ipv6_len == TEREDO_IPV6_HLEN);
	INVARIANT(e->hdr_len == (e->has_auth ? TEREDO_AUTH_MIN_LEN +
				 e->id_len + e->au_len : 0) +
		  (e->has_origin ? TEREDO_ORIGIN_LEN : 0));
	if (e->has_auth) {
		INVARIANT(buf[0] == 0 && buf[1] == 1);
		/* re-encoding the nonce gives the same bytes */
		if (!e->id_len && !e->au_len) {
			INVARIANT(teredo_build_auth(tmp, sizeof(tmp), e->nonce) ==
				  TEREDO_AUTH_MIN_LEN);
			INVARIANT(!memcmp(tmp, buf, TEREDO_AUTH_MIN_LEN - 1));
		}
		off = TEREDO_AUTH_MIN_LEN + e->id_len + e->au_len;
	}
	if (e->has_origin) {
		INVARIANT(teredo_build_origin(tmp, sizeof(tmp), e->origin_ip,
					      e->origin_port) == 8);
		INVARIANT(!memcmp(tmp, buf + off, TEREDO_ORIGIN_LEN));
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	const size_t min_view = TEREDO_ENCAP_MAX_LEN + TEREDO_IPV6_HLEN;
	struct teredo_encap e, p;
	enum teredo_verdict v, pv;
	size_t avail;
	u8 *buf;

	buf = fuzz_dup(data, size);
	v = teredo_parse_encap(buf, size, size, &e);
	INVARIANT(v <= TEREDO_ERR_MULTICAST);
	if (v == TEREDO_OK) {
		struct teredo_trailers tr;

		check_ok(buf, size, &e);
		/* the trailer area the kernel hands on, exactly */
		v = teredo_parse_trailers(buf + e.hdr_len + e.ipv6_len,
					  e.trailer_len, &tr);
		INVARIANT(v == TEREDO_OK || v == TEREDO_ERR_BAD_TRAILER);
		v = TEREDO_OK;
	}
	free(buf);

	/* the documented minimal view gives the full answer */
	avail = size < min_view ? size : min_view;
	buf = fuzz_dup(data, avail);
	pv = teredo_parse_encap(buf, avail, size, &p);
	INVARIANT(pv == v);
	if (v == TEREDO_OK)
		INVARIANT(!memcmp(&p, &e, sizeof(e)));
	free(buf);

	/* a shorter view (length from the data) must stay in bounds */
	if (size >= 2) {
		avail = (data[0] << 8 | data[1]) % size;
		buf = fuzz_dup(data, avail);
		pv = teredo_parse_encap(buf, avail, size, &p);
		if (pv == TEREDO_OK)
			INVARIANT(v == TEREDO_OK && p.hdr_len == e.hdr_len);
		free(buf);
	}

	/* as a TCP super-packet's headers: bounded, and cut as documented */
	buf = fuzz_dup(data, size);
	avail = teredo_tso_hdr_len(buf, size);
	INVARIANT(!avail || (avail >= TEREDO_IPV6_HLEN + TEREDO_TCP_HLEN_MIN &&
			     avail <= TEREDO_TSO_HDR_MAX && avail <= size));
	if (avail) {
		u8 out[TEREDO_TSO_HDR_MAX];
		u16 plen = (u16)(size * 7);

		teredo_tso_hdr(out, buf, avail, (u32)size * 1208, plen,
			       size & 1, size & 2);
		INVARIANT((out[4] << 8 | out[5]) ==
			  (u16)(avail - TEREDO_IPV6_HLEN + plen));
		INVARIANT(!out[TEREDO_IPV6_HLEN + 16] &&
			  !out[TEREDO_IPV6_HLEN + 17]);
		INVARIANT(!memcmp(out + 6, buf + 6, 38));
	}
	free(buf);
	return 0;
}
