// SPDX-License-Identifier: GPL-2.0
/*
 * teredo_parse_trailers() on an RFC 6081 trailer area: never a read past
 * it, and an area it accepts is exactly a chain of type-length-value
 * trailers whose known types it decoded as they are on the wire; and
 * teredo_build_trailers() (what a server forwards) rebuilds the known
 * ones into an area that parses to the same trailers, unknown ones gone.
 */
#include "fuzz.h"

static void check_ok(const u8 *buf, size_t len,
		     const struct teredo_trailers *tr)
{
	unsigned int known = 0, unknown = 0, i;
	size_t off = 0;

	while (off < len) {
		const u8 *v = buf + off + 2;
		u8 type = buf[off], vlen;

		INVARIANT(len - off >= 2);
		vlen = buf[off + 1];
		INVARIANT(vlen <= len - off - 2);
		switch (type) {
		case TEREDO_TRAILER_NONCE:
			INVARIANT(vlen == TEREDO_TRAILER_NONCE_LEN);
			INVARIANT(!memcmp(tr->nonce, v, vlen));
			known++;
			break;
		case TEREDO_TRAILER_ND_OPTION:
			INVARIANT(vlen == 4 && tr->nd_type == v[0]);
			known++;
			break;
		case TEREDO_TRAILER_RANDOM_PORT:
			INVARIANT(vlen == 2 &&
				  tr->random_port == (v[0] << 8 | v[1]));
			known++;
			break;
		case TEREDO_TRAILER_ALT_ADDR:
			INVARIANT(tr->n_alt >= 1 &&
				  tr->n_alt <= TEREDO_TRAILER_ALT_MAX);
			INVARIANT(vlen == 2 + 6 * tr->n_alt);
			for (i = 0; i < tr->n_alt; i++) {
				INVARIANT(tr->alt[i].ip ==
					  fuzz_get32(v + 2 + 6 * i));
				INVARIANT(tr->alt[i].port ==
					  (v[6 + 6 * i] << 8 | v[7 + 6 * i]));
			}
			known++;
			break;
		default:
			unknown++;
		}
		INVARIANT(type > 31 || teredo_trailer_has(tr, type) ==
			  (type == TEREDO_TRAILER_NONCE ||
			   type == TEREDO_TRAILER_ND_OPTION ||
			   type == TEREDO_TRAILER_RANDOM_PORT ||
			   type == TEREDO_TRAILER_ALT_ADDR));
		off += 2 + (size_t)vlen;
	}
	INVARIANT(off == len);
	INVARIANT(unknown == tr->unknown);
	INVARIANT(known == (unsigned int)__builtin_popcount(tr->present));
}

static void check_rebuild(const struct teredo_trailers *tr)
{
	u8 area[TEREDO_TRAILERS_MAX_LEN];
	struct teredo_trailers back;
	size_t n;

	n = teredo_build_trailers(area, sizeof(area), tr);
	INVARIANT(n <= sizeof(area));
	INVARIANT(!n == !tr->present);
	if (!n)
		return;
	INVARIANT(teredo_parse_trailers(area, n, &back) == TEREDO_OK);
	INVARIANT(back.present == tr->present && !back.unknown);
	INVARIANT(!memcmp(back.nonce, tr->nonce, sizeof(back.nonce)) ||
		  !teredo_trailer_has(tr, TEREDO_TRAILER_NONCE));
	INVARIANT(back.nd_type == tr->nd_type &&
		  back.random_port == tr->random_port &&
		  back.n_alt == tr->n_alt &&
		  !memcmp(back.alt, tr->alt, sizeof(back.alt[0]) * back.n_alt));
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct teredo_trailers tr;
	enum teredo_verdict v;
	u8 *buf;

	buf = fuzz_dup(data, size);
	v = teredo_parse_trailers(buf, size, &tr);
	INVARIANT(v == TEREDO_OK || v == TEREDO_ERR_BAD_TRAILER);
	if (v == TEREDO_OK) {
		check_ok(buf, size, &tr);
		check_rebuild(&tr);
	}
	free(buf);
	return 0;
}
