/* SPDX-License-Identifier: GPL-2.0 */
/* The Hairpinning Extension (hairpin.c): RFC 6081 section 8. */
#ifndef _TEREDO_HAIRPIN_H
#define _TEREDO_HAIRPIN_H

#include <linux/in6.h>
#include <linux/types.h>

#include "proto.h"

struct teredo_dev;
struct teredo_peer;
struct teredo_rx;

/* Our Alternate Address trailer: one address (2 + 2 reserved + 6). */
#define TEREDO_HP_TRAILER_LEN		10

size_t teredo_hp_trailer(struct teredo_dev *t, const struct in6_addr *me,
			 const struct in6_addr *peer, u8 *buf, size_t cap);
void teredo_hp_indirect(struct teredo_dev *t, const struct teredo_rx *rx,
			const struct in6_addr *src);
int teredo_hp_claim(struct teredo_dev *t, const struct teredo_rx *rx,
		    struct teredo_peer *p, const struct in6_addr *src);

#endif /* _TEREDO_HAIRPIN_H */
