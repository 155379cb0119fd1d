// SPDX-License-Identifier: GPL-2.0
/*
 * Per-reason counters: per-cpu, summed on read, shown by "ethtool -S"
 * and in TEREDO_A_STATS.
 */

#include <linux/ethtool.h>
#include <linux/percpu.h>
#include <linux/u64_stats_sync.h>

#include "device.h"
#include "names.h"
#include "stats.h"

int teredo_stats_init(struct teredo_dev *t)
{
	int cpu;

	t->stats = alloc_percpu(struct teredo_pcpu_stats);
	if (!t->stats)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(t->stats, cpu)->syncp);
	return 0;
}

void teredo_stats_free(struct teredo_dev *t)
{
	free_percpu(t->stats);
	t->stats = NULL;
}

/* Any context. */
void teredo_stat_add(struct teredo_dev *t, enum teredo_stat s, u64 n)
{
	struct teredo_pcpu_stats *st;
	unsigned long flags;

	st = get_cpu_ptr(t->stats);
	flags = u64_stats_update_begin_irqsave(&st->syncp);
	st->cnt[s] += n;
	u64_stats_update_end_irqrestore(&st->syncp, flags);
	put_cpu_ptr(t->stats);
}

void teredo_stat_inc(struct teredo_dev *t, enum teredo_stat s)
{
	teredo_stat_add(t, s, 1);
}

void teredo_stats_read(struct teredo_dev *t, u64 *out)
{
	unsigned int start, i;
	int cpu;

	memset(out, 0, sizeof(u64) * __TEREDO_STAT_MAX);
	for_each_possible_cpu(cpu) {
		const struct teredo_pcpu_stats *st = per_cpu_ptr(t->stats, cpu);
		u64 tmp[__TEREDO_STAT_MAX];

		do {
			start = u64_stats_fetch_begin(&st->syncp);
			memcpy(tmp, st->cnt, sizeof(tmp));
		} while (u64_stats_fetch_retry(&st->syncp, start));
		for (i = 0; i < __TEREDO_STAT_MAX; i++)
			out[i] += tmp[i];
	}
}

enum teredo_stat teredo_verdict_stat(enum teredo_verdict v)
{
	switch (v) {
	case TEREDO_ERR_BAD_LENGTH:
		return TEREDO_STAT_DROP_BAD_LENGTH;
	case TEREDO_ERR_BAD_AUTH:
		return TEREDO_STAT_DROP_BAD_AUTH;
	case TEREDO_ERR_BAD_ORIGIN:
		return TEREDO_STAT_DROP_BAD_ORIGIN;
	case TEREDO_ERR_BAD_NONCE:
		return TEREDO_STAT_DROP_BAD_NONCE;
	case TEREDO_ERR_BAD_RA:
		return TEREDO_STAT_DROP_BAD_RA;
	case TEREDO_ERR_NOT_SERVER:
		return TEREDO_STAT_DROP_NOT_SERVER;
	case TEREDO_ERR_NONGLOBAL:
		return TEREDO_STAT_DROP_NONGLOBAL_V4;
	case TEREDO_ERR_MAPPING:
		return TEREDO_STAT_DROP_MAPPING;
	case TEREDO_ERR_LINKLOCAL:
		return TEREDO_STAT_DROP_LINKLOCAL;
	case TEREDO_ERR_MULTICAST:
		return TEREDO_STAT_DROP_MULTICAST;
	case TEREDO_ERR_LOOP:
		return TEREDO_STAT_DROP_LOOP;
	case TEREDO_ERR_NOT_ICMP:
		return TEREDO_STAT_DROP_NOT_ICMP;
	case TEREDO_ERR_BAD_SOURCE:
		return TEREDO_STAT_DROP_BAD_SOURCE;
	case TEREDO_ERR_NONGLOBAL6:
		return TEREDO_STAT_DROP_NONGLOBAL_V6;
	case TEREDO_ERR_BAD_RS:
		return TEREDO_STAT_DROP_BAD_RS;
	case TEREDO_ERR_NOT_FOR_US:
		return TEREDO_STAT_DROP_NOT_FOR_US;
	case TEREDO_ERR_TOO_BIG:
		return TEREDO_STAT_DROP_TOO_BIG;
	case TEREDO_ERR_BAD_TRAILER:
		return TEREDO_STAT_DROP_BAD_TRAILER;
	case TEREDO_OK:
	case TEREDO_ERR_MALFORMED:
	default:
		return TEREDO_STAT_DROP_MALFORMED;
	}
}

static void teredo_get_drvinfo(struct net_device *dev,
			       struct ethtool_drvinfo *info)
{
	strscpy(info->driver, "teredo", sizeof(info->driver));
}

static int teredo_get_sset_count(struct net_device *dev, int sset)
{
	return sset == ETH_SS_STATS ? __TEREDO_STAT_MAX : -EOPNOTSUPP;
}

static void teredo_get_strings(struct net_device *dev, u32 sset, u8 *buf)
{
	unsigned int i;

	if (sset != ETH_SS_STATS)
		return;
	for (i = 0; i < __TEREDO_STAT_MAX; i++)
		strscpy_pad((char *)buf + i * ETH_GSTRING_LEN,
			    teredo_stat_name(i), ETH_GSTRING_LEN);
}

static void teredo_get_ethtool_stats(struct net_device *dev,
				     struct ethtool_stats *stats, u64 *data)
{
	teredo_stats_read(teredo_priv(dev), data);
}

const struct ethtool_ops teredo_ethtool_ops = {
	.get_drvinfo		= teredo_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_sset_count		= teredo_get_sset_count,
	.get_strings		= teredo_get_strings,
	.get_ethtool_stats	= teredo_get_ethtool_stats,
};
