// SPDX-License-Identifier: GPL-2.0
/*
 * The Teredo address and its routes, put on the device by the IPv6
 * stack itself.
 *
 * A module can neither add routes nor delete addresses by direct call
 * (ip6_route_add, ipv6_del_addr are not exported).  Instead, once the
 * client has validated its server's RA (nonce, origin indication,
 * prefix, outer source), it hands the stack a router advertisement of
 * its own making, received on the device:
 *
 *   - a prefix option 2001:0:SERVER::/64, A=1, L=0; the device's token
 *     (the "ip token" feature) holds FLAGS:~PORT:~IPV4, so SLAAC forms
 *     exactly the Teredo address;
 *   - a router lifetime: the default route, whose metric is the
 *     device's ra_defrtr_metric (TEREDO_DEFRTR_METRIC, last resort);
 *   - an RFC 4191 route information option for 2001::/32.
 *
 * The stack expires all three by their lifetimes; an RA with zero
 * lifetimes withdraws the routes at once.  Only the address survives a
 * zero valid lifetime ("two-hour rule", RFC 4862 5.5.3e) unless the
 * kernel has ra_honor_pio_life (set where it exists); so the address's
 * lifetime is also zeroed under its lock before the RA, whose
 * processing then runs the stack's own expiry.  RAs are processed
 * synchronously (netif_receive_skb with BH off), in order.
 */

#include <linux/if_ether.h>
#include <linux/netdevice.h>
#include <linux/notifier.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>
#include <net/addrconf.h>
#include <net/if_inet6.h>

#include "addr.h"
#include "client.h"
#include "compat.h"
#include "device.h"
#include "teredo.h"

/*
 * The settings our RA needs on the device, set once on each inet6_dev
 * the stack creates for a teredo device: when it registers, in the netns
 * it is created in or moved to (a move gives it a new inet6_dev, with
 * that netns's defaults).  Nothing sets them again: what an administrator
 * changes afterwards (sysctl net.ipv6.conf.DEV.*) stands, across down/up
 * and requalification.  Documentation/teredo.rst lists each with its
 * reason.  They are written directly: the sysctl handlers that would
 * write them are not exported.  RTNL held (a netdevice notifier).
 */
static void teredo_addr_dev_init(struct net_device *dev)
{
	struct inet6_dev *idev;

	ASSERT_RTNL();
	idev = in6_dev_get(dev);

	if (!idev)
		return;
	WRITE_ONCE(idev->cnf.accept_ra, 2);	/* also when forwarding */
	WRITE_ONCE(idev->cnf.accept_ra_defrtr, 1);
	WRITE_ONCE(idev->cnf.accept_ra_pinfo, 1);
	WRITE_ONCE(idev->cnf.autoconf, 1);
	WRITE_ONCE(idev->cnf.ra_defrtr_metric, TEREDO_DEFRTR_METRIC);
	WRITE_ONCE(idev->cnf.rtr_solicits, 0);	/* we solicit over UDP */
	WRITE_ONCE(idev->cnf.use_tempaddr, 0);
	WRITE_ONCE(idev->cnf.accept_dad, 0);
#ifdef CONFIG_IPV6_ROUTER_PREF
	WRITE_ONCE(idev->cnf.accept_ra_rtr_pref, 1);
#endif
#ifdef CONFIG_IPV6_ROUTE_INFO
	WRITE_ONCE(idev->cnf.accept_ra_rt_info_min_plen, 0);
	WRITE_ONCE(idev->cnf.accept_ra_rt_info_max_plen, 32);
#endif
	teredo_idev_honor_pio_life(idev);
	in6_dev_put(idev);
}

static int teredo_addr_netdev_event(struct notifier_block *nb,
				    unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);

	if (!netif_is_teredo(dev))
		return NOTIFY_DONE;
	if (event == NETDEV_REGISTER)
		teredo_addr_dev_init(dev);
	/* the stack may have set IF_READY just now (addrconf_notify()) */
	if (event == NETDEV_UP || event == NETDEV_CHANGE)
		teredo_client_stack_ready(teredo_priv(dev));
	return NOTIFY_DONE;
}

static struct notifier_block teredo_addr_notifier = {
	.notifier_call	= teredo_addr_netdev_event,
	/* after addrconf_notify(), which creates the inet6_dev and sets
	 * IF_READY
	 */
	.priority	= ADDRCONF_NOTIFY_PRIORITY - 1,
};

int teredo_addr_module_init(void)
{
	return register_netdevice_notifier(&teredo_addr_notifier);
}

void teredo_addr_module_exit(void)
{
	unregister_netdevice_notifier(&teredo_addr_notifier);
}

static int teredo_addr_inject(struct teredo_dev *t,
			      const struct teredo_ra_params *p)
{
	struct net_device *dev = t->dev;
	struct sk_buff *skb;
	u8 buf[160];
	size_t len;

	len = teredo_build_ra(buf, sizeof(buf), p);
	if (!len)
		return -EINVAL;
	skb = netdev_alloc_skb(dev, len);
	if (!skb)
		return -ENOMEM;
	skb_put_data(skb, buf, len);
	skb->protocol = htons(ETH_P_IPV6);
	skb_reset_mac_header(skb);
	skb_reset_network_header(skb);
	skb->pkt_type = PACKET_HOST;
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	/*
	 * Synchronously, so that the stack reads the token this RA was
	 * built for, and a withdrawal is done before the next install.
	 */
	local_bh_disable();
	netif_receive_skb(skb);
	local_bh_enable();
	return 0;
}

static void teredo_ra_params(struct teredo_ra_params *p, const u8 router[16],
			     const struct in6_addr *addr, u32 lifetime)
{
	memset(p, 0, sizeof(*p));
	memcpy(p->src, router, 16);
	memcpy(p->dst, &in6addr_linklocal_allnodes, 16);
	memcpy(p->prefix, addr, 8);
	p->router_lifetime = min_t(u32, lifetime, 9000);
	p->valid_lifetime = lifetime;
	p->preferred_lifetime = lifetime;
	p->autonomous = true;
	p->route[0] = 0x20;
	p->route[1] = 0x01;
	p->route_len = 32;
	p->route_lifetime = lifetime;
}

/*
 * The MTU option of our server's last RA, handed to the stack in the RA
 * we inject: it becomes the link's IPv6 MTU (mtu6, RFC 4861 6.3.4).
 * Bounded to [1280, the device's MTU]: below 1280 is no IPv6 link, and
 * the stack ignores an RA's MTU above the device's (which bounds the
 * packets the device is given).  0: no option, mtu6 stays as it is.
 */
static u32 teredo_addr_mtu(struct teredo_dev *t)
{
	u32 mtu = READ_ONCE(t->client.ra_mtu);

	if (!mtu)
		return 0;
	return clamp_t(u32, mtu, TEREDO_MTU,
		       max_t(u32, READ_ONCE(t->dev->mtu), TEREDO_MTU));
}

/* Process context. */
int teredo_addr_install(struct teredo_dev *t, const u8 router[16],
			const struct in6_addr *addr, u32 lifetime)
{
	struct teredo_ra_params p;
	struct inet6_dev *idev;

	idev = in6_dev_get(t->dev);
	if (!idev)
		return -ENODEV;
	write_lock_bh(&idev->lock);
	memset(&idev->token, 0, 8);
	memcpy(&idev->token.s6_addr[8], &addr->s6_addr[8], 8);
	write_unlock_bh(&idev->lock);
	in6_dev_put(idev);

	teredo_ra_params(&p, router, addr, lifetime);
	p.mtu = teredo_addr_mtu(t);
	return teredo_addr_inject(t, &p);
}

/*
 * Process context: keep @addr and its routes for a dormant device, but
 * deprecated (preferred lifetime 0), so that a new connection can still
 * select it as its source and reach the device, which then wakes up.
 */
int teredo_addr_park(struct teredo_dev *t, const u8 router[16],
		     const struct in6_addr *addr)
{
	struct teredo_ra_params p;

	teredo_ra_params(&p, router, addr, TEREDO_PARK_LIFETIME);
	p.preferred_lifetime = 0;
	return teredo_addr_inject(t, &p);
}

/*
 * Has the IPv6 stack finished bringing the device up (NETDEV_UP seen)?
 * Before that, routes our RA would add are refused.
 */
bool teredo_addr_ready(struct teredo_dev *t)
{
	struct inet6_dev *idev;
	bool ok;

	if (!(READ_ONCE(t->dev->flags) & IFF_UP))
		return false;
	idev = in6_dev_get(t->dev);
	if (!idev)
		return false;
	ok = READ_ONCE(idev->if_flags) & IF_READY;
	in6_dev_put(idev);
	return ok;
}

/* Is @addr on the device and past DAD (usable as a source)? */
bool teredo_addr_usable(struct teredo_dev *t, const struct in6_addr *addr)
{
	struct inet6_ifaddr *ifp;
	struct inet6_dev *idev;
	bool ok = false;

	idev = in6_dev_get(t->dev);
	if (!idev)
		return false;
	read_lock_bh(&idev->lock);
	list_for_each_entry(ifp, &idev->addr_list, if_list) {
		if (ipv6_addr_equal(&ifp->addr, addr) &&
		    !(READ_ONCE(ifp->flags) & (IFA_F_TENTATIVE | IFA_F_DADFAILED)))
			ok = true;
	}
	read_unlock_bh(&idev->lock);
	in6_dev_put(idev);
	return ok;
}

/* Zero the lifetimes of @addr so that the next expiry run removes it. */
static void teredo_addr_expire(struct inet6_dev *idev,
			       const struct in6_addr *addr)
{
	struct inet6_ifaddr *ifp;

	read_lock_bh(&idev->lock);
	list_for_each_entry(ifp, &idev->addr_list, if_list) {
		if (!ipv6_addr_equal(&ifp->addr, addr))
			continue;
		spin_lock(&ifp->lock);
		ifp->valid_lft = 0;
		ifp->prefered_lft = 0;
		spin_unlock(&ifp->lock);
	}
	read_unlock_bh(&idev->lock);
}

/* Process context; the token still names @addr. */
void teredo_addr_withdraw(struct teredo_dev *t, const u8 router[16],
			  const struct in6_addr *addr)
{
	struct teredo_ra_params p;
	struct inet6_dev *idev;

	idev = in6_dev_get(t->dev);
	if (!idev)
		return;
	teredo_idev_honor_pio_life(idev);
	teredo_addr_expire(idev, addr);
	in6_dev_put(idev);

	teredo_ra_params(&p, router, addr, 0);
	teredo_addr_inject(t, &p);
}
