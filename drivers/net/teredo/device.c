// SPDX-License-Identifier: GPL-2.0
/*
 * The teredo net_device: setup, rtnl_link_ops (ip link add t0 type
 * teredo), settings shared with netlink.c, and netns teardown.
 *
 * The UDP socket lives in the netns the device was created in (t->net)
 * even if the device is later moved; when that netns goes away, so do
 * the devices whose socket it held (teredo_exit_batch_rtnl).  Settings
 * change only under RTNL.
 */

#include <linux/if_arp.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/netns/generic.h>
#include <net/rtnetlink.h>

#include "client.h"
#include "compat.h"
#include "device.h"
#include "exposure.h"
#include "peertable.h"
#include "refresh.h"
#include "send.h"
#include "server.h"
#include "socket.h"
#include "stats.h"
#include "teredo.h"

/* All teredo devices of all netns, under RTNL. */
static LIST_HEAD(teredo_devices);

#define TEREDO_FEATURES	(NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_HIGHDMA | \
			 NETIF_F_GSO_SOFTWARE)
static struct rtnl_link_ops teredo_link_ops;

bool netif_is_teredo(const struct net_device *dev)
{
	return dev->rtnl_link_ops == &teredo_link_ops;
}

static int teredo_dev_init(struct net_device *dev)
{
	struct teredo_dev *t = teredo_priv(dev);
	int err;

	err = teredo_stats_init(t);
	if (err)
		return err;
	err = gro_cells_init(&t->gro_cells, dev);
	if (err)
		goto err_stats;
	err = dst_cache_init(&t->dst_cache, GFP_KERNEL);
	if (err)
		goto err_gro;
	t->route_key = alloc_percpu(struct teredo_route_key);
	if (!t->route_key) {
		err = -ENOMEM;
		goto err_dst;
	}
	err = teredo_peertable_init(&t->peers);
	if (err)
		goto err_key;
	return 0;
err_key:
	free_percpu(t->route_key);
err_dst:
	dst_cache_destroy(&t->dst_cache);
err_gro:
	gro_cells_destroy(&t->gro_cells);
err_stats:
	teredo_stats_free(t);
	return err;
}

static void teredo_dev_uninit(struct net_device *dev)
{
	struct teredo_dev *t = teredo_priv(dev);

	teredo_exposure_uninit(t);
	/* a peer made while the device was down armed it too */
	cancel_delayed_work_sync(&t->gc_work);
	teredo_peertable_destroy(&t->peers);
	free_percpu(t->route_key);
	dst_cache_destroy(&t->dst_cache);
	gro_cells_destroy(&t->gro_cells);
	teredo_stats_free(t);
}

static int teredo_open(struct net_device *dev)
{
	struct teredo_dev *t = teredo_priv(dev);
	int err;

	err = teredo_socket_open(t);
	if (err)
		return err;
	teredo_exposure_start(t);
	teredo_client_start(t);
	return 0;
}

static int teredo_stop(struct net_device *dev)
{
	struct teredo_dev *t = teredo_priv(dev);

	/* first the socket: no RA may queue the client work again */
	teredo_socket_close(t);
	teredo_exposure_stop(t);
	teredo_client_stop(t);
	cancel_delayed_work_sync(&t->gc_work);
	cancel_delayed_work_sync(&t->seek_work);
	teredo_peertable_flush(t);
	return 0;
}

static const struct net_device_ops teredo_netdev_ops = {
	.ndo_init		= teredo_dev_init,
	.ndo_uninit		= teredo_dev_uninit,
	.ndo_open		= teredo_open,
	.ndo_stop		= teredo_stop,
	.ndo_start_xmit		= teredo_xmit,
	.ndo_get_stats64	= dev_get_tstats64,
};

static void teredo_gc_work(struct work_struct *work)
{
	struct teredo_dev *t = container_of(to_delayed_work(work),
					    struct teredo_dev, gc_work);

	teredo_peertable_gc(t);
	/* an empty table needs no rounds: the next peer arms them */
	if (READ_ONCE(t->peers.count) ||
	    atomic_read(&t->peers.events.suppressed))
		teredo_gc_arm(t);
}

/*
 * A peer was added: the GC runs every TEREDO_GC_INTERVAL while the table
 * has peers (or events to report), and not at all on an empty table.
 * Any context; from the datapath and the works that teredo_stop() ends
 * before it cancels the GC's.
 */
void teredo_gc_arm(struct teredo_dev *t)
{
	queue_delayed_work(system_power_efficient_wq, &t->gc_work,
			   TEREDO_GC_INTERVAL);
}

/* Replaces the published settings by a copy of @cfg (RTNL held). */
static int teredo_cfg_publish(struct teredo_dev *t,
			      const struct teredo_config *cfg)
{
	struct teredo_cfg_rcu *n, *old;

	ASSERT_RTNL();
	n = kmalloc(sizeof(*n), GFP_KERNEL);
	if (!n)
		return -ENOMEM;
	n->c = *cfg;
	old = rcu_replace_pointer(t->cfg, n, lockdep_rtnl_is_held());
	if (old)
		kfree_rcu(old, rcu);
	return 0;
}

/* Also after a failed register_netdevice(): must be idempotent. */
static void teredo_cfg_free(struct teredo_dev *t)
{
	struct teredo_cfg_rcu *old = rcu_replace_pointer(t->cfg, NULL, true);

	if (old)
		kfree_rcu(old, rcu);
}

static void teredo_dev_free(struct net_device *dev)
{
	teredo_cfg_free(teredo_priv(dev));
}

static void teredo_config_defaults(struct teredo_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mode = TEREDO_MODE_CLIENT;
	cfg->refresh = TEREDO_DEFAULT_REFRESH;
	cfg->max_peers = TEREDO_DEFAULT_MAX_PEERS;
	cfg->dormant_timeout = TEREDO_DEFAULT_DORMANT;
}

static void teredo_setup(struct net_device *dev)
{
	struct teredo_dev *t = teredo_priv(dev);

	dev->netdev_ops = &teredo_netdev_ops;
	dev->ethtool_ops = &teredo_ethtool_ops;
	dev->type = ARPHRD_NONE;
	dev->flags = IFF_POINTOPOINT | IFF_NOARP;
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	dev->needed_headroom = TEREDO_HEADROOM;
	dev->mtu = TEREDO_MTU;
	dev->min_mtu = TEREDO_MTU;
	/*
	 * At most what one unfragmented IPv4 packet carries on a 1500-byte
	 * path (1472).  The outer packets go without DF, so anything larger
	 * leaves as IPv4 fragments, which NATs and firewalls on the way
	 * often drop: a packet the stack believed sendable would vanish.
	 */
	dev->max_mtu = ETH_DATA_LEN - sizeof(struct iphdr) -
		       sizeof(struct udphdr);
	dev->tx_queue_len = 0;
	dev->needs_free_netdev = true;
	dev->pcpu_stat_type = NETDEV_PCPU_STAT_TSTATS;
	/*
	 * TCP hands us super-packets with their checksum left to do: send.c
	 * segments them and resolves every checksum after the per-flow
	 * decisions, once per super-packet.
	 */
	dev->features |= TEREDO_FEATURES;
	dev->hw_features |= TEREDO_FEATURES;
	teredo_set_lltx(dev);
	netif_keep_dst(dev);

	dev->priv_destructor = teredo_dev_free;

	memset(t, 0, sizeof(*t));
	t->dev = dev;
	INIT_LIST_HEAD(&t->list);
	teredo_client_init(t);
	teredo_server_init(t);
	teredo_exposure_init(t);
	INIT_DELAYED_WORK(&t->gc_work, teredo_gc_work);
	INIT_DELAYED_WORK(&t->seek_work, teredo_seek_work);
}

/*
 * Every attribute is validated strictly (exact lengths).  rtnetlink parses
 * IFLA_INFO_DATA liberally and skips types above IFLA_TEREDO_MAX:
 * teredo_validate() refuses those (an attribute this module does not know
 * is not silently ignored).
 */
static const struct nla_policy teredo_policy[IFLA_TEREDO_MAX + 1] = {
	[IFLA_TEREDO_UNSPEC]	= { .strict_start_type = IFLA_TEREDO_UNSPEC + 1 },
	TEREDO_CFG_POLICY(IFLA_TEREDO_),
	[IFLA_TEREDO_STATE]	= { .type = NLA_REJECT },
};

/* Every setting also has its TEREDO_A_* (config.c). */
static const struct teredo_cfg_attrs teredo_link_attrs =
	TEREDO_CFG_ATTRS(IFLA_TEREDO_);

static int teredo_check_config(const struct teredo_config *cfg,
			       struct netlink_ext_ack *extack)
{
	if (cfg->server && !teredo_ipv4_is_global(ntohl(cfg->server))) {
		NL_SET_ERR_MSG(extack, "teredo: server must be a global unicast IPv4 address");
		return -EINVAL;
	}
	if (cfg->server2 && !teredo_ipv4_is_global(ntohl(cfg->server2))) {
		NL_SET_ERR_MSG(extack, "teredo: server2 must be a global unicast IPv4 address");
		return -EINVAL;
	}
	if (cfg->n_servers > TEREDO_MAX_SERVERS ||
	    cfg->server != (cfg->n_servers ? cfg->servers[0] : 0)) {
		NL_SET_ERR_MSG(extack, "teredo: server list inconsistent");
		return -EINVAL;
	}
	if (cfg->mode == TEREDO_MODE_SERVER && cfg->n_servers > 1) {
		NL_SET_ERR_MSG(extack, "teredo: a server takes one address, not a list");
		return -EINVAL;
	}
	if (cfg->mode == TEREDO_MODE_SERVER && !cfg->server) {
		NL_SET_ERR_MSG(extack, "teredo: a server needs its own address as \"server\"");
		return -EINVAL;
	}
	if (cfg->mode == TEREDO_MODE_SERVER && cfg->server2 == cfg->server) {
		NL_SET_ERR_MSG(extack, "teredo: a server needs two different addresses");
		return -EINVAL;
	}
	if (cfg->refresh < 1 || cfg->refresh > 3600) {
		NL_SET_ERR_MSG(extack, "teredo: refresh interval must be 1..3600 s");
		return -EINVAL;
	}
	if (!cfg->max_peers) {
		NL_SET_ERR_MSG(extack, "teredo: max_peers must be at least 1");
		return -EINVAL;
	}
	if (cfg->n_marks > TEREDO_MAX_ALLOWED_MARKS) {
		NL_SET_ERR_MSG(extack, "teredo: too many authorized marks");
		return -EINVAL;
	}
	return 0;
}

/* The settings in @data (NULL: none) applied to @cfg. */
static int teredo_apply_attrs(struct teredo_config *cfg, struct nlattr **data,
			      struct netlink_ext_ack *extack)
{
	return data ? teredo_cfg_parse(data, &teredo_link_attrs, cfg, extack) :
		      0;
}

static int teredo_validate(struct nlattr *tb[], struct nlattr *data[],
			   struct netlink_ext_ack *extack)
{
	const struct nlattr *info;
	int err;

	if (data && tb[IFLA_LINKINFO]) {
		/* strict: unknown types too (the "Unknown attribute type") */
		info = nla_find_nested(tb[IFLA_LINKINFO], IFLA_INFO_DATA);
		err = info ? nla_validate_nested(info, IFLA_TEREDO_MAX,
						 teredo_policy, extack) : 0;
		if (err)
			return err;
	}
	if (tb[IFLA_ADDRESS]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_ADDRESS],
				    "teredo: a teredo device has no link-layer address");
		return -EINVAL;
	}
	if (tb[IFLA_MTU] && nla_get_u32(tb[IFLA_MTU]) < TEREDO_MTU) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_MTU],
				    "teredo: MTU must be at least 1280");
		return -EINVAL;
	}
	return 0;
}

int teredo_newlink(struct net *src_net, struct net_device *dev,
		   struct nlattr *data[], struct netlink_ext_ack *extack)
{
	struct teredo_dev *t = teredo_priv(dev);
	struct teredo_config cfg;
	int err;

	teredo_config_defaults(&cfg);
	err = teredo_apply_attrs(&cfg, data, extack) ?:
	      teredo_check_config(&cfg, extack);
	if (err)
		return err;
	err = teredo_cfg_publish(t, &cfg);
	if (err)
		return err;
	t->net = src_net;
	err = register_netdevice(dev);
	if (err) {
		teredo_cfg_free(t);
		return err;
	}
	list_add(&t->list, &teredo_devices);
	return 0;
}

static int teredo_changelink(struct net_device *dev, struct nlattr *tb[],
			     struct nlattr *data[],
			     struct netlink_ext_ack *extack)
{
	struct teredo_config cfg;
	int err;

	teredo_get_config(dev, &cfg);
	err = teredo_apply_attrs(&cfg, data, extack);
	return err ?: teredo_set_config(dev, &cfg, extack);
}

static void teredo_dellink(struct net_device *dev, struct list_head *head)
{
	struct teredo_dev *t = teredo_priv(dev);

	list_del_init(&t->list);
	unregister_netdevice_queue(dev, head);
}

static size_t teredo_get_size(const struct net_device *dev)
{
	return teredo_cfg_size() +		/* every setting */
	       nla_total_size(sizeof(u8));	/* STATE */
}

static int teredo_fill_info(struct sk_buff *skb, const struct net_device *dev)
{
	struct teredo_dev *t = teredo_priv(dev);
	u8 state = READ_ONCE(t->client.state);
	const struct teredo_config *c;
	int err = -EMSGSIZE;

	rcu_read_lock();
	c = teredo_cfg(t);
	if (teredo_cfg_put(skb, &teredo_link_attrs, c) ||
	    nla_put_u8(skb, IFLA_TEREDO_STATE, state))
		goto out;
	err = 0;
out:
	rcu_read_unlock();
	return err;
}

static struct rtnl_link_ops teredo_link_ops __read_mostly = {
	.kind		= "teredo",
	.maxtype	= IFLA_TEREDO_MAX,
	.policy		= teredo_policy,
	.priv_size	= sizeof(struct teredo_dev),
	.setup		= teredo_setup,
	.validate	= teredo_validate,
	.newlink	= teredo_compat_newlink,
	.changelink	= teredo_changelink,
	.dellink	= teredo_dellink,
	.get_size	= teredo_get_size,
	.fill_info	= teredo_fill_info,
};

void teredo_get_config(struct net_device *dev, struct teredo_config *cfg)
{
	rcu_read_lock();
	*cfg = *teredo_cfg(teredo_priv(dev));
	rcu_read_unlock();
}

static bool teredo_socket_changed(const struct teredo_config *a,
				  const struct teredo_config *b)
{
	if (a->mode != b->mode)
		return true;
	if (b->mode == TEREDO_MODE_SERVER &&
	    (a->server != b->server || a->server2 != b->server2))
		return true;
	return a->port != b->port || a->local != b->local ||
	       a->link != b->link || a->fwmark != b->fwmark;
}

int teredo_set_config(struct net_device *dev, const struct teredo_config *cfg,
		      struct netlink_ext_ack *extack)
{
	struct teredo_dev *t = teredo_priv(dev);
	struct teredo_cfg_rcu *n, *old;
	bool resock, requalify;
	int err;

	ASSERT_RTNL();
	err = teredo_check_config(cfg, extack);
	if (err)
		return err;
	old = rtnl_dereference(t->cfg);
	resock = teredo_socket_changed(&old->c, cfg);
	/*
	 * The sockets live in t->net, the netns the device was created in,
	 * wherever the device is now: who administers that netns decides
	 * what they bind and answer.  A device moved into a container keeps
	 * working there (up/down, its other settings), but the container
	 * cannot rebind a socket of the host, nor have it tell the host's
	 * LAN addresses (local discovery, hairpinning).  The caller's
	 * CAP_NET_ADMIN over the device's own netns was checked by
	 * (gen)netlink.
	 */
	if ((resock || old->c.local_discovery != cfg->local_discovery ||
	     old->c.hairpinning != cfg->hairpinning) &&
	    !ns_capable(t->net->user_ns, CAP_NET_ADMIN)) {
		NL_SET_ERR_MSG(extack,
			       "teredo: socket settings need CAP_NET_ADMIN in the socket's netns");
		return -EPERM;
	}
	n = kmalloc(sizeof(*n), GFP_KERNEL);
	if (!n)
		return -ENOMEM;
	n->c = *cfg;
	requalify = resock || old->c.n_servers != cfg->n_servers ||
		    memcmp(old->c.servers, cfg->servers,
			   cfg->n_servers * sizeof(cfg->servers[0])) ||
		    old->c.local_discovery != cfg->local_discovery ||
		    old->c.server2 != cfg->server2 || old->c.mode != cfg->mode;
	if (!(dev->flags & IFF_UP)) {
		rcu_assign_pointer(t->cfg, n);
		kfree_rcu(old, rcu);
		return 0;
	}
	if (requalify)
		teredo_client_stop(t);
	if (resock) {
		teredo_socket_close(t);
		teredo_peertable_flush(t);
	}
	rcu_assign_pointer(t->cfg, n);
	if (resock) {
		err = teredo_socket_open(t);
		if (err) {
			NL_SET_ERR_MSG(extack, "teredo: cannot bind the UDP socket");
			rcu_assign_pointer(t->cfg, old);
			kfree_rcu(n, rcu);
			if (teredo_socket_open(t))
				netdev_warn(dev, "cannot restore the UDP socket\n");
			teredo_client_start(t);
			return err;
		}
	}
	kfree_rcu(old, rcu);
	if (requalify)
		teredo_client_start(t);
	else
		teredo_client_kick(t);
	/* the policy, managed prefixes or idle time may have changed */
	teredo_exposure_kick(t);
	return 0;
}

void teredo_get_status(struct net_device *dev, struct teredo_status *st)
{
	struct teredo_dev *t = teredo_priv(dev);
	struct teredo_client *c = &t->client;
	bool client = teredo_cfg_mode(t) == TEREDO_MODE_CLIENT;

	memset(st, 0, sizeof(*st));
	spin_lock_bh(&c->lock);
	st->state = c->state;
	st->has_address = teredo_client_has_address(c);
	st->address = c->address;
	st->mapped_addr = c->mapped_addr;
	st->mapped_port = c->mapped_port;
	st->server_in_use = client && c->running ? c->active : 0;
	st->nat = c->nat;
	st->local_addr = c->local_addr;
	st->local_port = c->local_port;
	st->nat_mapped_addr = c->nat_mapped_addr;
	st->nat_mapped_port = c->nat_mapped_port;
	st->nat_mapped2_addr = c->nat_mapped2_addr;
	st->nat_mapped2_port = c->nat_mapped2_port;
	st->state_reason = client ? c->why : NULL;
	spin_unlock_bh(&c->lock);
	st->refresh_determined = teredo_rdet_result(t);
	st->peer_count = READ_ONCE(t->peers.count);
	st->dormant_reason = READ_ONCE(t->exp.reason);
	st->holds = READ_ONCE(t->exp.holds);
	teredo_stats_read(t, st->stats);
}

void teredo_qualify_now(struct net_device *dev)
{
	struct teredo_dev *t = teredo_priv(dev);

	ASSERT_RTNL();
	if (!(dev->flags & IFF_UP))
		return;
	/* an explicit request is activity: not dormant for being idle */
	WRITE_ONCE(t->exp.last_auth, jiffies);
	teredo_client_stop(t);
	teredo_client_start(t);
}

/*
 * Under RTNL (netchange.c): something changed in @net, on device
 * @ifindex (0: a route); every device hears of it.
 */
void teredo_devices_netchange(struct net *net, int ifindex)
{
	struct teredo_dev *t;

	ASSERT_RTNL();
	list_for_each_entry(t, &teredo_devices, list)
		teredo_client_netchange(t, net, ifindex);
}

/*
 * Under RTNL (netchange.c): a device, an address or a route changed in
 * @net; the devices that live there or keep their socket there look
 * again at whether they should sleep (exposure.c).
 */
void teredo_devices_exposure(struct net *net)
{
	struct teredo_dev *t;

	ASSERT_RTNL();
	list_for_each_entry(t, &teredo_devices, list)
		if (net_eq(dev_net(t->dev), net) || net_eq(t->net, net))
			teredo_exposure_kick(t);
}

/*
 * Under RTNL (netchange.c): an IPv6 route of @net came or went; the
 * clients of the devices there may be waiting for one (DAD's end).
 */
void teredo_devices_route6(struct net *net)
{
	struct teredo_dev *t;

	ASSERT_RTNL();
	list_for_each_entry(t, &teredo_devices, list)
		if (net_eq(dev_net(t->dev), net))
			teredo_client_route6(t);
}

static bool teredo_net_dying(struct net *net, struct list_head *net_list)
{
	struct net *n;

	list_for_each_entry(n, net_list, exit_list)
		if (net_eq(n, net))
			return true;
	return false;
}

/*
 * A dying netns takes the devices whose socket it holds (t->net), but
 * those in a netns the core is deleting in the same pass (net_list) are
 * left to it: it deletes them through dellink.
 */
void __net_exit teredo_exit_net_rtnl(struct net *net,
				     struct list_head *net_list,
				     struct list_head *kill)
{
	struct teredo_dev *t, *tmp;

	ASSERT_RTNL();
	list_for_each_entry_safe(t, tmp, &teredo_devices, list) {
		if (net_eq(t->net, net) &&
		    !(net_list && teredo_net_dying(dev_net(t->dev), net_list)))
			teredo_dellink(t->dev, kill);
	}
}

static struct pernet_operations teredo_net_ops = {
	TEREDO_PERNET_EXIT_RTNL(teredo_compat_exit_rtnl),
};

int teredo_device_init(void)
{
	int err;

	err = register_pernet_device(&teredo_net_ops);
	if (err)
		return err;
	err = rtnl_link_register(&teredo_link_ops);
	if (err)
		unregister_pernet_device(&teredo_net_ops);
	return err;
}

void teredo_device_exit(void)
{
	rtnl_link_unregister(&teredo_link_ops);
	unregister_pernet_device(&teredo_net_ops);
}
