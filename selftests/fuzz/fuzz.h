/* SPDX-License-Identifier: GPL-2.0 */
/* Shared helpers of the proto.c fuzzers. */
#ifndef _TEREDO_FUZZ_H
#define _TEREDO_FUZZ_H

#include <stdio.h>
#include <stdlib.h>
#include "proto.h"

/* An invariant broke: report it and crash so libFuzzer keeps the input. */
#define INVARIANT(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "invariant failed: %s (%s:%d)\n",	\
			#cond, __FILE__, __LINE__);			\
		abort();						\
	}								\
} while (0)

/* An exact-size heap copy, so that ASan sees any read past @len. */
static inline u8 *fuzz_dup(const u8 *data, size_t len)
{
	u8 *p = malloc(len ? len : 1);

	if (!p)
		abort();
	if (len)
		memcpy(p, data, len);
	return p;
}

static inline u32 fuzz_get32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

/* Store a correct ICMPv6 checksum if there is room for one. */
static inline void fuzz_fix_csum(u8 *ip6, size_t len)
{
	u16 c;

	if (len < 44)
		return;
	ip6[42] = 0;
	ip6[43] = 0;
	c = teredo_icmp6_csum(ip6, len);
	ip6[42] = c >> 8;
	ip6[43] = c & 0xff;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

#endif
