/* SPDX-License-Identifier: GPL-2.0 */
/* Minimal TAP output for the userspace unit tests. */
#ifndef _TEREDO_TAP_H
#define _TEREDO_TAP_H

#include <stdio.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int tap_n, tap_failed, tap_case_failed;

/* One check inside a case: reports the first failing line. */
#define CHECK(cond) do {						\
	if (!(cond)) {							\
		printf("#   %s:%d: CHECK(%s) failed\n",			\
		       __FILE__, __LINE__, #cond);			\
		tap_case_failed++;					\
	}								\
} while (0)

#define CHECK_EQ(a, b) do {						\
	unsigned long long _a = (a), _b = (b);				\
	if (_a != _b) {							\
		printf("#   %s:%d: %s == %s: 0x%llx != 0x%llx\n",	\
		       __FILE__, __LINE__, #a, #b, _a, _b);		\
		tap_case_failed++;					\
	}								\
} while (0)

static inline void tap_begin_case(void)
{
	tap_case_failed = 0;
}

static inline void tap_end_case(const char *name)
{
	tap_n++;
	if (tap_case_failed) {
		tap_failed++;
		printf("not ok %d %s\n", tap_n, name);
	} else {
		printf("ok %d %s\n", tap_n, name);
	}
	fflush(stdout);
}

static inline void tap_skip_case(const char *name, const char *why)
{
	tap_n++;
	printf("ok %d %s # SKIP %s\n", tap_n, name, why);
	fflush(stdout);
}

#define RUN(fn) do { tap_begin_case(); fn(); tap_end_case(#fn); } while (0)

#endif
