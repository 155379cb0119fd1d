/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-reason counters (stats.c): per-cpu, summed on read, shown by
 * "ethtool -S" and in TEREDO_A_STATS.
 */
#ifndef _TEREDO_STATS_H
#define _TEREDO_STATS_H

#include <linux/types.h>
#include <linux/u64_stats_sync.h>
#include <uapi/linux/teredo.h>

#include "proto.h"

struct teredo_dev;

struct teredo_pcpu_stats {
	u64 cnt[__TEREDO_STAT_MAX];
	struct u64_stats_sync syncp;
};

int teredo_stats_init(struct teredo_dev *t);
void teredo_stats_free(struct teredo_dev *t);
void teredo_stat_add(struct teredo_dev *t, enum teredo_stat s, u64 n);
void teredo_stat_inc(struct teredo_dev *t, enum teredo_stat s);
void teredo_stats_read(struct teredo_dev *t, u64 *out);
extern const struct ethtool_ops teredo_ethtool_ops;
enum teredo_stat teredo_verdict_stat(enum teredo_verdict v);

#endif /* _TEREDO_STATS_H */
