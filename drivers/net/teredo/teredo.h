/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interface of the teredo module between the device core
 * (device.c, client.c, peer*.c, ...) and the generic netlink family
 * (netlink.c).  netlink.c only uses what is declared here.
 */
#ifndef _TEREDO_H
#define _TEREDO_H

#include <linux/netdevice.h>
#include <linux/in6.h>
#include <net/netlink.h>
#include <uapi/linux/teredo.h>

struct teredo_mark {
	u32 mark;
	u32 mask;
};

struct teredo_prefix {
	__be32 addr;
	u8 len;
};

/* Everything an administrator can set.  Changed only under RTNL. */
struct teredo_config {
	u8 mode;		/* enum teredo_mode */
	__be32 server;		/* 0: none configured; = servers[0] */
	u8 n_servers;		/* candidates, 0 iff server is 0 */
	__be32 servers[TEREDO_MAX_SERVERS];	/* client: tried in order */
	__be32 server2;		/* 0: server + 1 */
	u16 port;		/* local UDP port, 0: random */
	u32 fwmark;		/* mark of outer packets */
	__be32 local;		/* bind address, 0: any */
	u32 link;		/* bind ifindex, 0: any */
	u32 refresh;		/* seconds (with refresh_auto: at most) */
	u8 refresh_auto;	/* section 5.2.7 interval determination */
	u8 local_discovery;	/* section 5.2.8 */
	u8 hairpinning;		/* RFC 6081 section 8 */
	u32 rxmark;		/* mark of decapsulated packets */
	u8 policy;		/* enum teredo_policy */
	u32 dormant_timeout;	/* seconds */
	u32 max_peers;
	u8 n_marks;
	struct teredo_mark marks[TEREDO_MAX_ALLOWED_MARKS];
	u8 n_managed;
	struct teredo_prefix managed[TEREDO_MAX_MANAGED];
	u8 inbound;		/* enum teredo_inbound (client) */
};

/* A consistent snapshot for "show". */
struct teredo_status {
	u8 state;		/* enum teredo_state */
	bool has_address;
	struct in6_addr address;
	__be32 mapped_addr;
	u16 mapped_port;
	u32 peer_count;
	u32 refresh_determined;	/* seconds, 0: not known */
	u8 dormant_reason;	/* enum teredo_dormant_reason */
	u32 holds;
	__be32 server_in_use;	/* 0: none */
	u8 nat;			/* enum teredo_nat */
	__be32 local_addr;	/* 0: not known */
	u16 local_port;
	__be32 nat_mapped_addr;
	u16 nat_mapped_port;
	__be32 nat_mapped2_addr;
	u16 nat_mapped2_port;
	const char *state_reason;	/* static, NULL: none */
	u64 stats[__TEREDO_STAT_MAX];
};

struct teredo_peer_info {
	u64 id;			/* walk cursor: resume at id + 1 */
	struct in6_addr addr;
	__be32 mapped_addr;
	u16 mapped_port;
	bool trusted;
	bool relay;
	u32 last_rx_ms;
	u32 last_tx_ms;
	u32 bubbles;
	u32 queued;
};

/* Provided by the device core. */
bool netif_is_teredo(const struct net_device *dev);
void teredo_get_config(struct net_device *dev, struct teredo_config *cfg);
/* Under RTNL; all or nothing; an error carries an extack message. */
int teredo_set_config(struct net_device *dev, const struct teredo_config *cfg,
		      struct netlink_ext_ack *extack);
void teredo_get_status(struct net_device *dev, struct teredo_status *st);
void teredo_qualify_now(struct net_device *dev);
int teredo_peer_del(struct net_device *dev, const struct in6_addr *addr);
void teredo_peer_flush(struct net_device *dev);
/* Under RTNL: the hold of netlink socket @portid of @net on @dev. */
int teredo_hold(struct net_device *dev, struct net *net, u32 portid);
int teredo_release(struct net_device *dev, struct net *net, u32 portid);
/*
 * Copy up to @max peers with id >= *@cursor into @out, in id order, in
 * O(log n + @max); returns how many were copied and advances *@cursor
 * past the last (0 copied: the walk is over).  To resume after out[i],
 * set the cursor to out[i].id + 1.  Holds no lock between calls and
 * needs no RTNL; *@generation changes when the table did.
 */
int teredo_peer_walk(struct net_device *dev, u64 *cursor,
		     struct teredo_peer_info *out, int max, u32 *generation);

/* Provided by netlink.c. */
int teredo_genl_init(void);
void teredo_genl_exit(void);
void teredo_nl_notify_state(struct net_device *dev);
void teredo_nl_notify_address(struct net_device *dev);
void teredo_nl_notify_peer(struct net_device *dev,
			   const struct teredo_peer_info *peer, u8 event);
bool teredo_nl_has_listeners(struct net_device *dev);
void teredo_nl_notify_suppressed(struct net_device *dev, u32 count);
void teredo_nl_notify_server_lost(struct net_device *dev, __be32 lost,
				  __be32 next);

/*
 * Provided by config.c: the settings as netlink attributes, one parser
 * and one filler for both surfaces (IFLA_TEREDO_* and TEREDO_A_*).
 * Where each setting lives in one surface:
 */
struct teredo_cfg_attrs {
	u16 mode, server, servers, server2, port, fwmark, local, link,
	    refresh, refresh_auto, local_discovery, hairpinning,
	    allowed_marks, rxmark, policy, dormant_timeout, max_peers,
	    inbound, managed;
};

#define TEREDO_CFG_ATTRS(P) {						\
	.mode = P##MODE, .server = P##SERVER, .servers = P##SERVERS,	\
	.server2 = P##SERVER2, .port = P##PORT, .fwmark = P##FWMARK,	\
	.local = P##LOCAL, .link = P##LINK, .refresh = P##REFRESH,	\
	.refresh_auto = P##REFRESH_AUTO,				\
	.local_discovery = P##LOCAL_DISCOVERY,				\
	.hairpinning = P##HAIRPINNING,					\
	.allowed_marks = P##ALLOWED_MARKS, .rxmark = P##RXMARK,	\
	.policy = P##POLICY, .dormant_timeout = P##DORMANT_TIMEOUT,	\
	.max_peers = P##MAX_PEERS, .inbound = P##INBOUND,		\
	.managed = P##MANAGED,						\
}

extern struct netlink_range_validation teredo_refresh_range;
extern struct netlink_range_validation teredo_dormant_range;
extern struct netlink_range_validation teredo_max_peers_range;
extern const struct nla_policy teredo_mark_policy[TEREDO_MARK_A_MAX + 1];
extern const struct nla_policy teredo_prefix_policy[TEREDO_PREFIX_A_MAX + 1];
extern const struct nla_policy teredo_servers_policy[TEREDO_A_SERVER_ADDR + 1];

/*
 * The policy of every setting, for a policy array indexed by the
 * attributes P##NAME (P: IFLA_TEREDO_ or TEREDO_A_): both surfaces
 * validate a setting the same way.
 */
#define TEREDO_CFG_POLICY(P)						\
	[P##MODE]	= NLA_POLICY_MAX(NLA_U8, TEREDO_MODE_MAX),	\
	[P##SERVER]	= { .type = NLA_BE32 },				\
	[P##SERVERS]	= NLA_POLICY_NESTED(teredo_servers_policy),	\
	[P##SERVER2]	= { .type = NLA_BE32 },				\
	[P##PORT]	= { .type = NLA_U16 },				\
	[P##FWMARK]	= { .type = NLA_U32 },				\
	[P##LOCAL]	= { .type = NLA_BE32 },				\
	[P##LINK]	= { .type = NLA_U32 },				\
	[P##REFRESH]	= NLA_POLICY_FULL_RANGE(NLA_U32,		\
						&teredo_refresh_range),	\
	[P##REFRESH_AUTO] = NLA_POLICY_MAX(NLA_U8, 1),			\
	[P##LOCAL_DISCOVERY] = NLA_POLICY_MAX(NLA_U8, 1),		\
	[P##HAIRPINNING] = NLA_POLICY_MAX(NLA_U8, 1),			\
	[P##ALLOWED_MARKS] = NLA_POLICY_NESTED_ARRAY(teredo_mark_policy), \
	[P##RXMARK]	= { .type = NLA_U32 },				\
	[P##POLICY]	= NLA_POLICY_MAX(NLA_U8, TEREDO_POLICY_MAX),	\
	[P##DORMANT_TIMEOUT] = NLA_POLICY_FULL_RANGE(NLA_U32,		\
						&teredo_dormant_range),	\
	[P##MAX_PEERS]	= NLA_POLICY_FULL_RANGE(NLA_U32,		\
						&teredo_max_peers_range), \
	[P##INBOUND]	= NLA_POLICY_MAX(NLA_U8, TEREDO_INBOUND_MAX),	\
	[P##MANAGED]	= NLA_POLICY_NESTED_ARRAY(teredo_prefix_policy)

/*
 * Apply the settings present in @tb (indexed as @a says) to @cfg; the
 * rest of @cfg is kept.  An error names the attribute at fault (extack)
 * and @cfg is then to be thrown away.
 */
int teredo_cfg_parse(struct nlattr **tb, const struct teredo_cfg_attrs *a,
		     struct teredo_config *cfg, struct netlink_ext_ack *extack);
/* Every setting of @cfg, as @a names them. */
int teredo_cfg_put(struct sk_buff *skb, const struct teredo_cfg_attrs *a,
		   const struct teredo_config *cfg);
/* What teredo_cfg_put() may take at most. */
size_t teredo_cfg_size(void);

/* cfg->server and cfg->servers: @addr alone (0: none). */
static inline void teredo_cfg_set_server(struct teredo_config *cfg,
					 __be32 addr)
{
	cfg->server = addr;
	cfg->servers[0] = addr;
	cfg->n_servers = addr ? 1 : 0;
}

#endif /* _TEREDO_H */
