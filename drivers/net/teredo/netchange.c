// SPDX-License-Identifier: GPL-2.0
/*
 * Network changes under a client: its lower device going down or up
 * (or losing and finding its carrier), an IPv4 address of the host
 * added or removed, an IPv4 route or rule changed.  Each may mean
 * another network, another NAT, and a Teredo address that names a
 * mapping nobody answers on any more; the client would find out only at
 * its next refresh (15-45 s by default).
 *
 * One netdevice and one inetaddr notifier for the module, both called
 * under RTNL in the netns of the device they report on.  They only
 * tell every client device whose socket lives in that netns
 * (teredo_client_netchange()): that notes the event and queues the
 * client's debounce work; the client work later decides whether the
 * route to its server moved and qualifies again (client.c).  Nothing
 * is sent, taken or waited for here.
 *
 * Routes: one FIB notifier per netns (pernet data struct teredo_nc_net),
 * called in atomic context; while the netns holds the socket of a
 * running client (nn->clients, counted under RTNL by
 * teredo_netchange_client()), an IPv4 route or rule event queues
 * nn->work, which takes RTNL and tells that netns's clients.  Its
 * registration dumps the netns's routes through the notifier; should
 * that fail (routes changing all along), the netns still gets a
 * netdevice's and an address's events, and a warning says so.
 *
 * The same events tell the devices of the netns, and those whose socket
 * lives there, to look again at whether they should sleep
 * (teredo_devices_exposure(), exposure.c): a native IPv6 route coming
 * or going is an IPv6 route event, queued (nn->exp_work) only while
 * the netns has a device up (nn->devices, teredo_netchange_device()).
 * The same work tells a client waiting for its address's DAD: the
 * stack inserts the address's local route when DAD is over
 * (teredo_devices_route6()).
 */

#include <linux/inetdevice.h>
#include <linux/netdevice.h>
#include <linux/notifier.h>
#include <linux/rtnetlink.h>
#include <net/fib_notifier.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "device.h"
#include "netchange.h"
#include "teredo.h"

struct teredo_nc_net {
	struct net *net;
	struct notifier_block fib_nb;
	bool fib_registered;
	int clients;			/* running clients' sockets here (RTNL) */
	int devices;			/* teredo devices up here (RTNL) */
	struct work_struct work;	/* a route changed: tell them */
	struct work_struct exp_work;	/* a route changed: exposure */
};

static unsigned int teredo_nc_net_id __read_mostly;

/* RTNL: something changed on @dev, tell the clients of its netns. */
static void teredo_netchange_dispatch(struct net_device *dev)
{
	ASSERT_RTNL();
	/* our own devices' comings and goings are none of this */
	if (netif_is_teredo(dev))
		return;
	teredo_devices_netchange(dev_net(dev), dev->ifindex);
	teredo_devices_exposure(dev_net(dev));
}

/* RTNL: a client starts (+1) or stops (-1) with its socket in @net. */
void teredo_netchange_client(struct net *net, int delta)
{
	struct teredo_nc_net *nn = net_generic(net, teredo_nc_net_id);

	ASSERT_RTNL();
	WRITE_ONCE(nn->clients, nn->clients + delta);
}

/* RTNL: a teredo device in @net comes up (+1) or goes down (-1). */
void teredo_netchange_device(struct net *net, int delta)
{
	struct teredo_nc_net *nn = net_generic(net, teredo_nc_net_id);

	ASSERT_RTNL();
	WRITE_ONCE(nn->devices, nn->devices + delta);
}

static void teredo_nc_exp_work(struct work_struct *work)
{
	struct teredo_nc_net *nn = container_of(work, struct teredo_nc_net,
						exp_work);

	rtnl_lock();
	teredo_devices_exposure(nn->net);
	teredo_devices_route6(nn->net);
	rtnl_unlock();
}

static void teredo_nc_net_work(struct work_struct *work)
{
	struct teredo_nc_net *nn = container_of(work, struct teredo_nc_net,
						work);

	rtnl_lock();
	teredo_devices_netchange(nn->net, 0);
	rtnl_unlock();
}

/* Atomic context (the FIB notifier chain). */
static int teredo_fib_event(struct notifier_block *nb, unsigned long event,
			    void *ptr)
{
	struct teredo_nc_net *nn = container_of(nb, struct teredo_nc_net,
						fib_nb);
	struct fib_notifier_info *info = ptr;

	switch (event) {
	case FIB_EVENT_ENTRY_REPLACE:
	case FIB_EVENT_ENTRY_APPEND:
	case FIB_EVENT_ENTRY_ADD:
	case FIB_EVENT_ENTRY_DEL:
	case FIB_EVENT_RULE_ADD:
	case FIB_EVENT_RULE_DEL:
		break;
	default:
		return NOTIFY_DONE;
	}
	if (info->family == AF_INET && READ_ONCE(nn->clients))
		queue_work(system_power_efficient_wq, &nn->work);
	/* a native route came or went (exposure.c) */
	if (info->family == AF_INET6 && READ_ONCE(nn->devices))
		queue_work(system_power_efficient_wq, &nn->exp_work);
	return NOTIFY_DONE;
}

/* The registration's dump was not consistent: nothing to undo. */
static void teredo_fib_dump_flush(struct notifier_block *nb)
{
}

static int __net_init teredo_nc_net_init(struct net *net)
{
	struct teredo_nc_net *nn = net_generic(net, teredo_nc_net_id);
	int err;

	nn->net = net;
	INIT_WORK(&nn->work, teredo_nc_net_work);
	INIT_WORK(&nn->exp_work, teredo_nc_exp_work);
	nn->fib_nb.notifier_call = teredo_fib_event;
	err = register_fib_notifier(net, &nn->fib_nb, teredo_fib_dump_flush,
				    NULL);
	if (err)
		pr_warn("teredo: no route change events in a netns (%d): clients there notice only device and address changes\n",
			err);
	nn->fib_registered = !err;
	return 0;
}

static void __net_exit teredo_nc_net_exit(struct net *net)
{
	struct teredo_nc_net *nn = net_generic(net, teredo_nc_net_id);

	if (nn->fib_registered)
		unregister_fib_notifier(net, &nn->fib_nb);
	cancel_work_sync(&nn->work);
	cancel_work_sync(&nn->exp_work);
}

static struct pernet_operations teredo_nc_net_ops = {
	.init	= teredo_nc_net_init,
	.exit	= teredo_nc_net_exit,
	.id	= &teredo_nc_net_id,
	.size	= sizeof(struct teredo_nc_net),
};

static int teredo_netdev_event(struct notifier_block *nb,
			       unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);

	/*
	 * NETDEV_CHANGE: carrier or operstate (a Wi-Fi that joined another
	 * access point keeps its address and routes), or a flag other than
	 * IFF_UP.  Its info is not a netdev_notifier_change_info from every
	 * caller, so flags_changed cannot tell them apart: both count.
	 */
	if (event == NETDEV_UP || event == NETDEV_DOWN ||
	    event == NETDEV_CHANGE)
		teredo_netchange_dispatch(dev);
	return NOTIFY_DONE;
}

static int teredo_inetaddr_event(struct notifier_block *nb,
				 unsigned long event, void *ptr)
{
	struct in_ifaddr *ifa = ptr;

	if (event == NETDEV_UP || event == NETDEV_DOWN)
		teredo_netchange_dispatch(ifa->ifa_dev->dev);
	return NOTIFY_DONE;
}

static struct notifier_block teredo_netdev_notifier = {
	.notifier_call = teredo_netdev_event,
};

static struct notifier_block teredo_inetaddr_notifier = {
	.notifier_call = teredo_inetaddr_event,
};

int teredo_netchange_init(void)
{
	int err;

	err = register_pernet_device(&teredo_nc_net_ops);
	if (err)
		return err;
	err = register_inetaddr_notifier(&teredo_inetaddr_notifier);
	if (err)
		goto out_pernet;
	err = register_netdevice_notifier(&teredo_netdev_notifier);
	if (err)
		goto out_inetaddr;
	return 0;
out_inetaddr:
	unregister_inetaddr_notifier(&teredo_inetaddr_notifier);
out_pernet:
	unregister_pernet_device(&teredo_nc_net_ops);
	return err;
}

void teredo_netchange_exit(void)
{
	unregister_netdevice_notifier(&teredo_netdev_notifier);
	unregister_inetaddr_notifier(&teredo_inetaddr_notifier);
	unregister_pernet_device(&teredo_nc_net_ops);
}
