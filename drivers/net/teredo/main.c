// SPDX-License-Identifier: GPL-2.0
/*
 * Teredo (RFC 4380, RFC 5991, RFC 6081) as a network device.
 */

#include <linux/module.h>
#include <linux/rcupdate.h>
#include <net/rtnetlink.h>
#include <net/genetlink.h>

#include "addr.h"
#include "device.h"
#include "exposure.h"
#include "netchange.h"
#include "peer.h"
#include "teredo.h"

static int __init teredo_init(void)
{
	int err;

	err = teredo_peer_cache_init();
	if (err)
		return err;
	err = teredo_exposure_module_init();
	if (err)
		goto out_cache;
	err = teredo_addr_module_init();
	if (err)
		goto out_exposure;
	/* before any device: a client's start counts itself in its netns */
	err = teredo_netchange_init();
	if (err)
		goto out_addr;
	err = teredo_device_init();
	if (err)
		goto out_netchange;
	err = teredo_genl_init();
	if (err)
		goto out_device;
	return 0;
out_device:
	teredo_device_exit();
out_netchange:
	teredo_netchange_exit();
out_addr:
	teredo_addr_module_exit();
out_exposure:
	teredo_exposure_module_exit();
out_cache:
	teredo_peer_cache_exit();
	return err;
}

static void __exit teredo_exit(void)
{
	teredo_genl_exit();
	/* the devices go first: stopping, a client uses netchange's data */
	teredo_device_exit();
	teredo_netchange_exit();
	teredo_addr_module_exit();
	teredo_exposure_module_exit();
	/* peers are freed through call_rcu */
	rcu_barrier();
	teredo_peer_cache_exit();
}

module_init(teredo_init);
module_exit(teredo_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Teredo: IPv6 over UDP through NATs (RFC 4380)");
MODULE_ALIAS_RTNL_LINK("teredo");
MODULE_ALIAS_GENL_FAMILY(TEREDO_GENL_NAME);
