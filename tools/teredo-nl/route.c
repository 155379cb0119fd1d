// SPDX-License-Identifier: GPL-2.0
/*
 * teredo-nl srcroute: with a native IPv6 default route, a packet from
 * the Teredo address to a native host would leave through the native
 * interface, whose network drops it (ingress filtering, BCP 38): the
 * Teredo address is not from there.  A source rule sends everything from
 * 2001::/32 (every Teredo address, whatever the mapping) to a table of
 * its own whose default route is the device; only for packets this host
 * sends (iif lo): a relay forwarding clients' packets is not concerned.
 * RFC 6724's default policy
 * keeps applications on native addresses unless they choose Teredo.
 *
 * The module cannot add routes (ip6_route_add() is not exported), so
 * this is userspace's, like Miredo's client hook; the table's route goes
 * with the device (deleted, or set down), and the boot unit sets it
 * again when it brings the device up.
 */
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "route.h"

static int say(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* One request, its ACK: 0 or -errno. */
static int talk(struct mnl_socket *nl, struct nlmsghdr *nlh)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned int portid = mnl_socket_get_portid(nl);
	int n;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (n < 0)
		return -errno;
	if (mnl_cb_run(buf, n, nlh->nlmsg_seq, portid, NULL, NULL) < 0)
		return -errno;
	return 0;
}

static const uint8_t teredo_prefix[16] = { 0x20, 0x01 };

/* A request of @type, with NLM_F_CREATE | @create_flags unless @off. */
static struct nlmsghdr *request(char *buf, uint16_t type, bool off,
				uint16_t create_flags, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (!off)
		nlh->nlmsg_flags |= NLM_F_CREATE | create_flags;
	nlh->nlmsg_seq = seq;
	return nlh;
}

static int rule(struct mnl_socket *nl, uint32_t table, bool off,
		uint32_t seq)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct fib_rule_hdr *frh;
	struct nlmsghdr *nlh;

	nlh = request(buf, off ? RTM_DELRULE : RTM_NEWRULE, off, NLM_F_EXCL,
		      seq);
	frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));
	frh->family = AF_INET6;
	frh->src_len = 32;
	frh->action = FR_ACT_TO_TBL;
	frh->table = table < 256 ? table : RT_TABLE_UNSPEC;
	mnl_attr_put(nlh, FRA_SRC, sizeof(teredo_prefix), teredo_prefix);
	/* this host's own packets only: never what a router forwards */
	mnl_attr_put_strz(nlh, FRA_IIFNAME, "lo");
	mnl_attr_put_u32(nlh, FRA_TABLE, table);
	mnl_attr_put_u32(nlh, FRA_PRIORITY, TNL_SRCROUTE_PREF);
	return talk(nl, nlh);
}

static int route(struct mnl_socket *nl, uint32_t table, unsigned int ifindex,
		 bool off, uint32_t seq)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	nlh = request(buf, off ? RTM_DELROUTE : RTM_NEWROUTE, off,
		      NLM_F_REPLACE, seq);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET6;
	rtm->rtm_table = table < 256 ? table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put_u32(nlh, RTA_TABLE, table);
	mnl_attr_put_u32(nlh, RTA_OIF, ifindex);
	return talk(nl, nlh);
}

int tnl_srcroute(const char *dev, uint32_t table, bool off, char *err,
		 size_t errlen)
{
	unsigned int ifindex = if_nametoindex(dev);
	uint32_t seq = (uint32_t)time(NULL);
	struct mnl_socket *nl;
	int r;

	if (!ifindex && !off)
		return say(err, errlen, "no device \"%s\"", dev);
	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		r = errno;
		if (nl)
			mnl_socket_close(nl);
		return say(err, errlen, "rtnetlink: %s", strerror(r));
	}
	if (off) {
		/* the route went with the device if there is none */
		r = ifindex ? route(nl, table, ifindex, true, seq) : 0;
		if (r && r != -ESRCH && r != -ENOENT) {
			say(err, errlen, "deleting the default route of table %u: %s",
			    table, strerror(-r));
			goto out;
		}
		r = rule(nl, table, true, seq + 1);
		if (r == -ENOENT)
			r = 0;
		if (r)
			say(err, errlen, "deleting the rule from 2001::/32: %s",
			    strerror(-r));
		goto out;
	}
	r = route(nl, table, ifindex, false, seq);
	if (r) {
		say(err, errlen, "default route dev %s table %u: %s", dev, table,
		    strerror(-r));
		goto out;
	}
	r = rule(nl, table, false, seq + 1);
	if (r == -EEXIST)
		r = 0;
	if (r)
		say(err, errlen, "rule from 2001::/32 lookup %u: %s", table,
		    strerror(-r));
out:
	mnl_socket_close(nl);
	return r ? -1 : 0;
}
