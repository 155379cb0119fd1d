/* SPDX-License-Identifier: GPL-2.0 */
/* The relay role (relay.c, RFC 4380 section 5.4). */
#ifndef _TEREDO_RELAY_H
#define _TEREDO_RELAY_H

#include <linux/netdevice.h>

struct sk_buff;
struct teredo_dev;
struct teredo_rx;

int teredo_relay_rx(struct teredo_dev *t, struct sk_buff *skb,
		    struct teredo_rx *rx);
netdev_tx_t teredo_relay_xmit(struct teredo_dev *t, struct sk_buff *skb);

#endif /* _TEREDO_RELAY_H */
