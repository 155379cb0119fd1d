// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "teredo": configuration, state, peers,
 * statistics and events of teredo devices.
 *
 * Locking: every operation that reads or changes a device's settings
 * runs under RTNL, which also keeps the device alive while we use it.
 * Peer dumps take no RTNL: .start resolves the device under RCU, each
 * dumpit call looks it up again by ifindex with a reference and
 * resumes the walk at a cursor kept in cb->args, so a device or peer
 * vanishing mid-dump only ends or marks the dump (NLM_F_DUMP_INTR
 * through the peer table generation).
 *
 * Permissions: reading is open to anyone who can see the netns; every
 * operation that changes state needs CAP_NET_ADMIN in the user
 * namespace owning the device's netns (GENL_UNS_ADMIN_PERM).
 */

#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "teredo.h"
#include "proto.h"

/* Peers copied out of the table per teredo_peer_walk() call. */
#define TEREDO_NL_PEER_BATCH	8

/* Cursor of a peer dump in cb->args[]. */
enum {
	PEER_DUMP_IFINDEX,	/* device being dumped */
	PEER_DUMP_CURSOR,	/* teredo_peer_walk() cursor */
	PEER_DUMP_DONE,		/* walk over: next call ends the dump */
};

static const struct nla_policy teredo_peer_policy[TEREDO_PEER_A_MAX + 1] = {
	[TEREDO_PEER_A_ADDRESS]	= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
};

/* The settings (TEREDO_CFG_POLICY) as IFLA_TEREDO_* has them, and the rest. */
static const struct nla_policy teredo_policy[TEREDO_A_MAX + 1] = {
	TEREDO_CFG_POLICY(TEREDO_A_),
	[TEREDO_A_IFINDEX]	= { .type = NLA_U32 },
	[TEREDO_A_IFNAME]	= { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[TEREDO_A_PEER]		= NLA_POLICY_NESTED(teredo_peer_policy),
	[TEREDO_A_SERVER_IN_USE] = { .type = NLA_BE32 },
	[TEREDO_A_SERVER_LOST]	= { .type = NLA_BE32 },
	[TEREDO_A_NAT]		= NLA_POLICY_MAX(NLA_U8, TEREDO_NAT_MAX),
	[TEREDO_A_LOCAL_ADDR]	= { .type = NLA_BE32 },
	[TEREDO_A_LOCAL_PORT]	= { .type = NLA_U16 },
	[TEREDO_A_NAT_MAPPED_ADDR] = { .type = NLA_BE32 },
	[TEREDO_A_NAT_MAPPED_PORT] = { .type = NLA_U16 },
	[TEREDO_A_NAT_MAPPED2_ADDR] = { .type = NLA_BE32 },
	[TEREDO_A_NAT_MAPPED2_PORT] = { .type = NLA_U16 },
	[TEREDO_A_STATE_REASON]	= { .type = NLA_NUL_STRING },
};

static const struct teredo_cfg_attrs teredo_genl_attrs =
	TEREDO_CFG_ATTRS(TEREDO_A_);

enum teredo_mcgrp {
	TEREDO_MCGRP_EVENTS,
};

static const struct genl_multicast_group teredo_mcgrps[] = {
	[TEREDO_MCGRP_EVENTS] = { .name = TEREDO_GENL_MCGRP_EVENTS },
};

static struct genl_family teredo_genl_family;

/*
 * The teredo device named by TEREDO_A_IFINDEX or TEREDO_A_IFNAME in
 * @net, under RTNL, or under rcu_read_lock() with @rcu (no reference
 * taken: RTNL or RCU keeps it).
 */
static struct net_device *__teredo_nl_dev(struct net *net,
					  struct nlattr **attrs,
					  struct netlink_ext_ack *extack,
					  bool rcu)
{
	struct net_device *dev = NULL;
	char name[IFNAMSIZ];
	u32 ifindex;

	if (attrs[TEREDO_A_IFINDEX]) {
		ifindex = nla_get_u32(attrs[TEREDO_A_IFINDEX]);
		dev = rcu ? dev_get_by_index_rcu(net, ifindex) :
			    __dev_get_by_index(net, ifindex);
		if (!dev) {
			NL_SET_ERR_MSG_ATTR(extack, attrs[TEREDO_A_IFINDEX],
					    "no such device");
			return ERR_PTR(-ENODEV);
		}
	} else if (attrs[TEREDO_A_IFNAME]) {
		nla_strscpy(name, attrs[TEREDO_A_IFNAME], sizeof(name));
		dev = rcu ? dev_get_by_name_rcu(net, name) :
			    __dev_get_by_name(net, name);
		if (!dev) {
			NL_SET_ERR_MSG_ATTR(extack, attrs[TEREDO_A_IFNAME],
					    "no such device");
			return ERR_PTR(-ENODEV);
		}
	} else {
		NL_SET_ERR_MSG(extack, "device ifindex or ifname required");
		return ERR_PTR(-EINVAL);
	}
	if (!netif_is_teredo(dev)) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[TEREDO_A_IFINDEX] ?:
				    attrs[TEREDO_A_IFNAME],
				    "not a teredo device");
		return ERR_PTR(-EOPNOTSUPP);
	}
	return dev;
}

static struct net_device *teredo_nl_dev(struct net *net, struct nlattr **attrs,
					struct netlink_ext_ack *extack)
{
	ASSERT_RTNL();
	return __teredo_nl_dev(net, attrs, extack, false);
}

static int teredo_nl_put_stats(struct sk_buff *skb,
			       const struct teredo_status *st)
{
	struct nlattr *stats;
	int i;

	stats = nla_nest_start(skb, TEREDO_A_STATS);
	if (!stats)
		return -EMSGSIZE;
	/* Attribute type is the counter + 1; 0 pads where needed. */
	for (i = 0; i < __TEREDO_STAT_MAX; i++)
		if (nla_put_u64_64bit(skb, i + 1, st->stats[i], 0))
			return -EMSGSIZE;
	nla_nest_end(skb, stats);
	return 0;
}

static int teredo_nl_put_status(struct sk_buff *skb,
				const struct teredo_status *st)
{
	if (nla_put_u8(skb, TEREDO_A_STATE, st->state) ||
	    (st->has_address &&
	     nla_put_in6_addr(skb, TEREDO_A_ADDRESS, &st->address)) ||
	    nla_put_be32(skb, TEREDO_A_MAPPED_ADDR, st->mapped_addr) ||
	    nla_put_u16(skb, TEREDO_A_MAPPED_PORT, st->mapped_port) ||
	    nla_put_u32(skb, TEREDO_A_PEER_COUNT, st->peer_count) ||
	    nla_put_u32(skb, TEREDO_A_REFRESH_DETERMINED,
			st->refresh_determined) ||
	    nla_put_u8(skb, TEREDO_A_DORMANT_REASON, st->dormant_reason) ||
	    nla_put_u32(skb, TEREDO_A_HOLDS, st->holds) ||
	    nla_put_in_addr(skb, TEREDO_A_SERVER_IN_USE, st->server_in_use) ||
	    nla_put_u8(skb, TEREDO_A_NAT, st->nat) ||
	    nla_put_in_addr(skb, TEREDO_A_LOCAL_ADDR, st->local_addr) ||
	    nla_put_u16(skb, TEREDO_A_LOCAL_PORT, st->local_port) ||
	    nla_put_in_addr(skb, TEREDO_A_NAT_MAPPED_ADDR, st->nat_mapped_addr) ||
	    nla_put_u16(skb, TEREDO_A_NAT_MAPPED_PORT, st->nat_mapped_port) ||
	    nla_put_in_addr(skb, TEREDO_A_NAT_MAPPED2_ADDR,
			    st->nat_mapped2_addr) ||
	    nla_put_u16(skb, TEREDO_A_NAT_MAPPED2_PORT, st->nat_mapped2_port) ||
	    (st->state_reason &&
	     nla_put_string(skb, TEREDO_A_STATE_REASON, st->state_reason)))
		return -EMSGSIZE;
	return teredo_nl_put_stats(skb, st);
}

static int teredo_nl_put_ifattrs(struct sk_buff *skb, struct net_device *dev)
{
	char name[IFNAMSIZ];

	/* peer dumps run without RTNL: a rename must not tear the name */
	strscpy(name, dev->name, sizeof(name));
	if (nla_put_u32(skb, TEREDO_A_IFINDEX, dev->ifindex) ||
	    nla_put_string(skb, TEREDO_A_IFNAME, name))
		return -EMSGSIZE;
	return 0;
}

/* One DEV_GET answer: settings, state and counters of @dev. */
static int teredo_nl_fill_dev(struct sk_buff *skb, struct net_device *dev,
			      u32 portid, u32 seq, int flags)
{
	struct teredo_config *cfg;
	struct teredo_status *st;
	void *hdr;
	int err = -ENOMEM;

	cfg = kmalloc(sizeof(*cfg), GFP_KERNEL);
	st = kmalloc(sizeof(*st), GFP_KERNEL);
	if (!cfg || !st)
		goto out;
	teredo_get_config(dev, cfg);
	teredo_get_status(dev, st);

	err = -EMSGSIZE;
	hdr = genlmsg_put(skb, portid, seq, &teredo_genl_family, flags,
			  TEREDO_CMD_DEV_GET);
	if (!hdr)
		goto out;
	if (teredo_nl_put_ifattrs(skb, dev) ||
	    teredo_cfg_put(skb, &teredo_genl_attrs, cfg) ||
	    teredo_nl_put_status(skb, st)) {
		genlmsg_cancel(skb, hdr);
		goto out;
	}
	genlmsg_end(skb, hdr);
	err = 0;
out:
	kfree(st);
	kfree(cfg);
	return err;
}

static int teredo_nl_dev_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net_device *dev;
	struct sk_buff *msg;
	int err;

	msg = nlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	rtnl_lock();
	dev = teredo_nl_dev(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(dev))
		err = PTR_ERR(dev);
	else
		err = teredo_nl_fill_dev(msg, dev, info->snd_portid,
					 info->snd_seq, 0);
	rtnl_unlock();

	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/* cb->args[0]: how many teredo devices of the netns were already sent. */
static int teredo_nl_dev_get_dumpit(struct sk_buff *skb,
				    struct netlink_callback *cb)
{
	struct net *net = sock_net(skb->sk);
	struct net_device *dev;
	struct nlmsghdr *nlh;
	long idx = 0;
	int err = 0;

	rtnl_lock();
	cb->seq = net->dev_base_seq;
	for_each_netdev(net, dev) {
		if (!netif_is_teredo(dev))
			continue;
		if (idx < cb->args[0]) {
			idx++;
			continue;
		}
		/* the message about to be filled: it carries DUMP_INTR */
		nlh = (struct nlmsghdr *)skb_tail_pointer(skb);
		err = teredo_nl_fill_dev(skb, dev, NETLINK_CB(cb->skb).portid,
					 cb->nlh->nlmsg_seq, NLM_F_MULTI);
		if (err)
			break;
		nl_dump_check_consistent(cb, nlh);
		idx++;
	}
	rtnl_unlock();
	cb->args[0] = idx;

	/* A full skb ends this round; the next call resumes at idx. */
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ?: skb->len;
}

/* Attributes DEV_GET reports but DEV_SET cannot change. */
static const u16 teredo_read_only_attrs[] = {
	TEREDO_A_STATE, TEREDO_A_ADDRESS, TEREDO_A_MAPPED_ADDR,
	TEREDO_A_MAPPED_PORT, TEREDO_A_PEER_COUNT, TEREDO_A_STATS,
	TEREDO_A_PEER, TEREDO_A_EVENT, TEREDO_A_GENERATION,
	TEREDO_A_REFRESH_DETERMINED,
	TEREDO_A_DORMANT_REASON, TEREDO_A_HOLDS, TEREDO_A_EVENTS_SUPPRESSED,
	TEREDO_A_SERVER_IN_USE, TEREDO_A_SERVER_LOST,
};

static int teredo_nl_check_read_only(struct nlattr **attrs,
				     struct netlink_ext_ack *extack)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(teredo_read_only_attrs); i++) {
		struct nlattr *attr = attrs[teredo_read_only_attrs[i]];

		if (attr) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "attribute is read-only");
			return -EINVAL;
		}
	}
	return 0;
}

static int teredo_nl_dev_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct teredo_config *cfg;
	struct net_device *dev;
	int err;

	err = teredo_nl_check_read_only(info->attrs, info->extack);
	if (err)
		return err;
	cfg = kmalloc(sizeof(*cfg), GFP_KERNEL);
	if (!cfg)
		return -ENOMEM;

	rtnl_lock();
	dev = teredo_nl_dev(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(dev)) {
		err = PTR_ERR(dev);
		goto out;
	}
	teredo_get_config(dev, cfg);
	err = teredo_cfg_parse(info->attrs, &teredo_genl_attrs, cfg,
			       info->extack);
	if (!err)
		err = teredo_set_config(dev, cfg, info->extack);
out:
	rtnl_unlock();
	kfree(cfg);
	return err;
}

static int teredo_nl_peer_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[TEREDO_PEER_A_MAX + 1];
	struct nlattr *peer = info->attrs[TEREDO_A_PEER];
	struct net_device *dev;
	struct in6_addr addr;
	int err;

	if (!peer) {
		NL_SET_ERR_MSG(info->extack, "peer attribute required");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, TEREDO_PEER_A_MAX, peer, teredo_peer_policy,
			       info->extack);
	if (err)
		return err;
	if (!tb[TEREDO_PEER_A_ADDRESS]) {
		NL_SET_ERR_MSG_ATTR(info->extack, peer, "peer address required");
		return -EINVAL;
	}
	addr = nla_get_in6_addr(tb[TEREDO_PEER_A_ADDRESS]);

	rtnl_lock();
	dev = teredo_nl_dev(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(dev)) {
		err = PTR_ERR(dev);
	} else {
		err = teredo_peer_del(dev, &addr);
		if (err == -ENOENT)
			NL_SET_ERR_MSG_ATTR(info->extack,
					    tb[TEREDO_PEER_A_ADDRESS],
					    "no such peer");
	}
	rtnl_unlock();
	return err;
}

/* Under RTNL: find the request's device and apply @action to it. */
static int teredo_nl_dev_action(struct genl_info *info,
				void (*action)(struct net_device *dev))
{
	struct net_device *dev;
	int err = 0;

	rtnl_lock();
	dev = teredo_nl_dev(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(dev))
		err = PTR_ERR(dev);
	else
		action(dev);
	rtnl_unlock();
	return err;
}

static int teredo_nl_peer_flush_doit(struct sk_buff *skb,
				     struct genl_info *info)
{
	return teredo_nl_dev_action(info, teredo_peer_flush);
}

static int teredo_nl_qualify_doit(struct sk_buff *skb, struct genl_info *info)
{
	return teredo_nl_dev_action(info, teredo_qualify_now);
}

/* HOLD / RELEASE: the hold belongs to the requesting socket. */
static int teredo_nl_hold_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct net_device *dev;
	int err;

	rtnl_lock();
	dev = teredo_nl_dev(net, info->attrs, info->extack);
	if (IS_ERR(dev)) {
		err = PTR_ERR(dev);
	} else if (info->genlhdr->cmd == TEREDO_CMD_HOLD) {
		err = teredo_hold(dev, net, info->snd_portid);
	} else {
		err = teredo_release(dev, net, info->snd_portid);
		if (err == -ENOENT)
			NL_SET_ERR_MSG(info->extack,
				       "this socket holds no hold on the device");
	}
	rtnl_unlock();
	return err;
}

static int teredo_nl_put_peer(struct sk_buff *skb,
			      const struct teredo_peer_info *p)
{
	struct nlattr *nest;

	nest = nla_nest_start(skb, TEREDO_A_PEER);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_in6_addr(skb, TEREDO_PEER_A_ADDRESS, &p->addr) ||
	    nla_put_be32(skb, TEREDO_PEER_A_MAPPED_ADDR, p->mapped_addr) ||
	    nla_put_u16(skb, TEREDO_PEER_A_MAPPED_PORT, p->mapped_port) ||
	    nla_put_u8(skb, TEREDO_PEER_A_TRUSTED, p->trusted) ||
	    nla_put_u32(skb, TEREDO_PEER_A_LAST_RX_MS, p->last_rx_ms) ||
	    nla_put_u32(skb, TEREDO_PEER_A_LAST_TX_MS, p->last_tx_ms) ||
	    nla_put_u32(skb, TEREDO_PEER_A_BUBBLES, p->bubbles) ||
	    nla_put_u32(skb, TEREDO_PEER_A_QUEUED, p->queued) ||
	    nla_put_u8(skb, TEREDO_PEER_A_RELAY, p->relay)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int teredo_nl_fill_peer(struct sk_buff *skb, struct net_device *dev,
			       struct netlink_callback *cb, u32 generation,
			       const struct teredo_peer_info *p)
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &teredo_genl_family, NLM_F_MULTI,
			  TEREDO_CMD_PEER_GET);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);
	if (teredo_nl_put_ifattrs(skb, dev) ||
	    nla_put_u32(skb, TEREDO_A_GENERATION, generation) ||
	    teredo_nl_put_peer(skb, p)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* Resolves the device once (RCU); later calls find it by ifindex. */
static int teredo_nl_peer_get_start(struct netlink_callback *cb)
{
	struct nlattr *attrs[TEREDO_A_MAX + 1];
	struct net_device *dev;
	int err;

	err = nlmsg_parse(cb->nlh, GENL_HDRLEN, attrs, TEREDO_A_MAX,
			  teredo_policy, cb->extack);
	if (err)
		return err;
	rcu_read_lock();
	dev = __teredo_nl_dev(sock_net(cb->skb->sk), attrs, cb->extack, true);
	if (!IS_ERR(dev))
		cb->args[PEER_DUMP_IFINDEX] = dev->ifindex;
	rcu_read_unlock();
	cb->args[PEER_DUMP_CURSOR] = 0;
	cb->args[PEER_DUMP_DONE] = 0;
	return PTR_ERR_OR_ZERO(dev);
}

/*
 * Send one batch of peers.  If the skb fills up in the middle of a
 * batch, the saved cursor points just after the last peer sent.
 */
static int teredo_nl_peer_dump_batch(struct sk_buff *skb,
				     struct netlink_callback *cb,
				     struct net_device *dev,
				     struct teredo_peer_info *batch)
{
	u64 cursor = cb->args[PEER_DUMP_CURSOR];
	u32 gen = 0;
	int n, i;

	n = teredo_peer_walk(dev, &cursor, batch, TEREDO_NL_PEER_BATCH, &gen);
	if (n <= 0) {
		cb->args[PEER_DUMP_DONE] = 1;
		return 0;
	}
	/* prev_seq 0 disables the check: keep seq non-zero. */
	cb->seq = gen | 0x80000000u;
	for (i = 0; i < n; i++)
		if (teredo_nl_fill_peer(skb, dev, cb, gen, &batch[i]))
			break;
	if (i < n) {
		if (i)
			cb->args[PEER_DUMP_CURSOR] = batch[i - 1].id + 1;
		return -EMSGSIZE;
	}
	cb->args[PEER_DUMP_CURSOR] = cursor;
	return n;
}

static int teredo_nl_peer_get_dumpit(struct sk_buff *skb,
				     struct netlink_callback *cb)
{
	struct teredo_peer_info *batch;
	struct net_device *dev;
	int ret = 0;

	if (cb->args[PEER_DUMP_DONE])
		return 0;
	batch = kmalloc_array(TEREDO_NL_PEER_BATCH, sizeof(*batch), GFP_KERNEL);
	if (!batch)
		return -ENOMEM;

	dev = dev_get_by_index(sock_net(skb->sk), cb->args[PEER_DUMP_IFINDEX]);
	if (!dev) {
		ret = -ENODEV;
		goto out;
	}
	if (netif_is_teredo(dev)) {
		do {
			ret = teredo_nl_peer_dump_batch(skb, cb, dev, batch);
		} while (ret > 0);
	} else {
		ret = -ENODEV;
	}
	dev_put(dev);
out:
	kfree(batch);

	if (ret == -EMSGSIZE) {
		/* Not even one peer fits in an empty skb: give up. */
		return skb->len ?: -EMSGSIZE;
	}
	return ret ?: skb->len;
}

static const struct genl_ops teredo_genl_ops[] = {
	{
		.cmd	= TEREDO_CMD_DEV_GET,
		.doit	= teredo_nl_dev_get_doit,
		.dumpit	= teredo_nl_dev_get_dumpit,
	},
	{
		.cmd	= TEREDO_CMD_DEV_SET,
		.doit	= teredo_nl_dev_set_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= TEREDO_CMD_PEER_GET,
		.start	= teredo_nl_peer_get_start,
		.dumpit	= teredo_nl_peer_get_dumpit,
	},
	{
		.cmd	= TEREDO_CMD_PEER_DEL,
		.doit	= teredo_nl_peer_del_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= TEREDO_CMD_PEER_FLUSH,
		.doit	= teredo_nl_peer_flush_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= TEREDO_CMD_QUALIFY,
		.doit	= teredo_nl_qualify_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= TEREDO_CMD_HOLD,
		.doit	= teredo_nl_hold_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= TEREDO_CMD_RELEASE,
		.doit	= teredo_nl_hold_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
};

static struct genl_family teredo_genl_family __ro_after_init = {
	.name		= TEREDO_GENL_NAME,
	.version	= TEREDO_GENL_VERSION,
	.maxattr	= TEREDO_A_MAX,
	.policy		= teredo_policy,
	.netnsok	= true,
	.module		= THIS_MODULE,
	.ops		= teredo_genl_ops,
	.n_ops		= ARRAY_SIZE(teredo_genl_ops),
	.mcgrps		= teredo_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(teredo_mcgrps),
};

/*
 * Events.  Callers may hold spinlocks or run in softirq context, so
 * messages are built with GFP_ATOMIC and only when someone listens.
 */
static struct sk_buff *teredo_nl_event_new(struct net_device *dev, u8 event,
					   void **hdr)
{
	struct sk_buff *skb;

	if (!genl_has_listeners(&teredo_genl_family, dev_net(dev),
				TEREDO_MCGRP_EVENTS))
		return NULL;
	skb = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_ATOMIC);
	if (!skb)
		return NULL;
	*hdr = genlmsg_put(skb, 0, 0, &teredo_genl_family, 0, TEREDO_CMD_EVENT);
	if (!*hdr || nla_put_u8(skb, TEREDO_A_EVENT, event) ||
	    teredo_nl_put_ifattrs(skb, dev)) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

static void teredo_nl_event_send(struct net_device *dev, struct sk_buff *skb,
				 void *hdr)
{
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&teredo_genl_family, dev_net(dev), skb, 0,
				TEREDO_MCGRP_EVENTS, GFP_ATOMIC);
}

static void teredo_nl_notify_status(struct net_device *dev, u8 event)
{
	struct teredo_status *st;
	struct sk_buff *skb;
	void *hdr;

	skb = teredo_nl_event_new(dev, event, &hdr);
	if (!skb)
		return;
	st = kmalloc(sizeof(*st), GFP_ATOMIC);
	if (!st)
		goto drop;
	teredo_get_status(dev, st);
	if (nla_put_u8(skb, TEREDO_A_STATE, st->state) ||
	    (st->has_address &&
	     nla_put_in6_addr(skb, TEREDO_A_ADDRESS, &st->address)) ||
	    nla_put_u8(skb, TEREDO_A_NAT, st->nat) ||
	    (st->state_reason &&
	     nla_put_string(skb, TEREDO_A_STATE_REASON, st->state_reason))) {
		kfree(st);
		goto drop;
	}
	kfree(st);
	teredo_nl_event_send(dev, skb, hdr);
	return;
drop:
	nlmsg_free(skb);
}

void teredo_nl_notify_state(struct net_device *dev)
{
	teredo_nl_notify_status(dev, TEREDO_EVENT_STATE);
}

void teredo_nl_notify_address(struct net_device *dev)
{
	teredo_nl_notify_status(dev, TEREDO_EVENT_ADDRESS);
}

void teredo_nl_notify_peer(struct net_device *dev,
			   const struct teredo_peer_info *peer, u8 event)
{
	struct sk_buff *skb;
	void *hdr;

	skb = teredo_nl_event_new(dev, event, &hdr);
	if (!skb)
		return;
	if (teredo_nl_put_peer(skb, peer)) {
		nlmsg_free(skb);
		return;
	}
	teredo_nl_event_send(dev, skb, hdr);
}

bool teredo_nl_has_listeners(struct net_device *dev)
{
	return genl_has_listeners(&teredo_genl_family, dev_net(dev),
				  TEREDO_MCGRP_EVENTS);
}

/* @count peer events were suppressed (peertable.c) since the last report. */
void teredo_nl_notify_suppressed(struct net_device *dev, u32 count)
{
	struct sk_buff *skb;
	void *hdr;

	skb = teredo_nl_event_new(dev, TEREDO_EVENT_SUPPRESSED, &hdr);
	if (!skb)
		return;
	if (nla_put_u32(skb, TEREDO_A_EVENTS_SUPPRESSED, count)) {
		nlmsg_free(skb);
		return;
	}
	teredo_nl_event_send(dev, skb, hdr);
}

/*
 * The client gave up on server @lost (a round of RS unanswered) and
 * goes on with @next (the same one if it has no other): a tool that
 * knows the servers' names may resolve them again.
 */
void teredo_nl_notify_server_lost(struct net_device *dev, __be32 lost,
				  __be32 next)
{
	struct sk_buff *skb;
	void *hdr;

	skb = teredo_nl_event_new(dev, TEREDO_EVENT_SERVER_LOST, &hdr);
	if (!skb)
		return;
	if (nla_put_in_addr(skb, TEREDO_A_SERVER_LOST, lost) ||
	    nla_put_in_addr(skb, TEREDO_A_SERVER_IN_USE, next)) {
		nlmsg_free(skb);
		return;
	}
	teredo_nl_event_send(dev, skb, hdr);
}

int __init teredo_genl_init(void)
{
	return genl_register_family(&teredo_genl_family);
}

void teredo_genl_exit(void)
{
	genl_unregister_family(&teredo_genl_family);
}
