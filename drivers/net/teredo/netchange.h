/* SPDX-License-Identifier: GPL-2.0 */
/* Network change notifiers (netchange.c). */
#ifndef _TEREDO_NETCHANGE_H
#define _TEREDO_NETCHANGE_H

struct net;

int teredo_netchange_init(void);
void teredo_netchange_exit(void);
void teredo_netchange_client(struct net *net, int delta);
void teredo_netchange_device(struct net *net, int delta);

#endif /* _TEREDO_NETCHANGE_H */
