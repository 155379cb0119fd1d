// SPDX-License-Identifier: GPL-2.0
/* teredo-nl netlink I/O over libmnl. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>
#include <sys/socket.h>
#include <linux/teredo.h>

#include "nl.h"

/* Large enough for the biggest dump skb the kernel builds. */
#define TNL_RECV_SIZE 32768

struct family_info {
	uint16_t id;
	uint32_t events_group;
};

static int mcgrp_cb(const struct nlattr *grp, struct family_info *fi)
{
	const struct nlattr *a;
	const char *name = NULL;
	uint32_t id = 0;

	mnl_attr_for_each_nested(a, grp) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_NAME &&
		    !mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
			name = mnl_attr_get_str(a);
		else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_ID &&
			 !mnl_attr_validate(a, MNL_TYPE_U32))
			id = mnl_attr_get_u32(a);
	}
	if (name && !strcmp(name, TEREDO_GENL_MCGRP_EVENTS))
		fi->events_group = id;
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct family_info *fi = data;
	const struct nlattr *a, *grp;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(a)) {
		case CTRL_ATTR_FAMILY_ID:
			if (!mnl_attr_validate(a, MNL_TYPE_U16))
				fi->id = mnl_attr_get_u16(a);
			break;
		case CTRL_ATTR_MCAST_GROUPS:
			mnl_attr_for_each_nested(grp, a)
				mcgrp_cb(grp, fi);
			break;
		}
	}
	return MNL_CB_OK;
}

/* A netlink socket on @bus, bound, asking for extended and capped acks. */
static int tnl_sock_open(struct tnl_nl *nl, int bus)
{
	int one = 1, err;

	memset(nl, 0, sizeof(*nl));
	nl->seq = (uint32_t)time(NULL);
	nl->sk = mnl_socket_open(bus);
	if (!nl->sk)
		return -errno;
	if (mnl_socket_bind(nl->sk, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		tnl_nl_close(nl);
		return err;
	}
	mnl_socket_setsockopt(nl->sk, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sk, NETLINK_CAP_ACK, &one, sizeof(one));
	return 0;
}

int tnl_nl_open(struct tnl_nl *nl)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct family_info fi = { 0 };
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	int err;

	err = tnl_sock_open(nl, NETLINK_GENERIC);
	if (err)
		return err;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, TEREDO_GENL_NAME);
	err = tnl_nl_talk(nl, nlh, family_cb, &fi);
	if (err || !fi.id) {
		tnl_nl_close(nl);
		return err ? err : -ENOENT;
	}
	nl->family = fi.id;
	nl->events_group = fi.events_group;
	return 0;
}

void tnl_nl_close(struct tnl_nl *nl)
{
	if (nl->sk)
		mnl_socket_close(nl->sk);
	nl->sk = NULL;
}

struct nlmsghdr *tnl_nl_req(struct tnl_nl *nl, void *buf, uint8_t cmd,
			    uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = nl->family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = TEREDO_GENL_VERSION;
	nl->n_named = 0;
	return nlh;
}

void tnl_nl_name_attr(struct tnl_nl *nl, const struct nlmsghdr *nlh,
		      const struct nlattr *attr, const char *name)
{
	if (nl->n_named == TNL_MAX_NAMED_ATTRS)
		return;
	nl->named[nl->n_named].off = (uint32_t)((const char *)attr -
						(const char *)nlh);
	nl->named[nl->n_named].name = name;
	nl->n_named++;
}

/* The name of the attribute at or containing offset @off, or NULL. */
static const char *attr_name_at(const struct tnl_nl *nl,
				const struct nlmsghdr *req, uint32_t off)
{
	const char *best = NULL;
	unsigned int i;

	for (i = 0; i < nl->n_named; i++) {
		const struct nlattr *a = (const void *)((const char *)req +
							nl->named[i].off);

		if (off >= nl->named[i].off &&
		    off < nl->named[i].off + a->nla_len)
			best = nl->named[i].name;
	}
	return best;
}

/* What the callbacks of one request see. */
struct talk_ctx {
	struct tnl_nl *nl;
	const struct nlmsghdr *req;
	mnl_cb_t cb;
	void *data;
};

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct talk_ctx *ctx = data;

	return ctx->cb ? ctx->cb(nlh, ctx->data) : MNL_CB_OK;
}

static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	struct talk_ctx *ctx = data;
	const struct nlmsghdr *req = ctx->req;
	struct tnl_nl *nl = ctx->nl;
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	const char *msg = NULL, *attr = NULL;
	const struct nlattr *a;
	unsigned int hlen;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
		return MNL_CB_ERROR;
	if (e->error == 0)
		return MNL_CB_STOP;

	hlen = sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		hlen += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		mnl_attr_for_each(a, nlh, hlen) {
			if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
			    !mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
				msg = mnl_attr_get_str(a);
			else if (mnl_attr_get_type(a) == NLMSGERR_ATTR_OFFS &&
				 !mnl_attr_validate(a, MNL_TYPE_U32))
				attr = attr_name_at(nl, req, mnl_attr_get_u32(a));
		}
	}
	if (msg && attr)
		snprintf(nl->errmsg, sizeof(nl->errmsg), "%s: %s", attr, msg);
	else if (msg)
		snprintf(nl->errmsg, sizeof(nl->errmsg), "%s", msg);
	else if (attr)
		snprintf(nl->errmsg, sizeof(nl->errmsg), "%s: %s", attr,
			 strerror(-e->error));
	errno = -e->error;
	return MNL_CB_ERROR;
}

/* The end of a dump carries the error of a failed dump callback. */
static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	struct talk_ctx *ctx = data;
	int err = 0;

	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int))
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if (err >= 0)
		return MNL_CB_STOP;
	snprintf(ctx->nl->errmsg, sizeof(ctx->nl->errmsg), "%s",
		 strerror(-err));
	errno = -err;
	return MNL_CB_ERROR;
}

/*
 * A dump part built after the kernel's table changed carries
 * NLM_F_DUMP_INTR, which libmnl turns into EINTR.  The kernel's dump
 * cursors resume in order (peers by id), so every entry present all along
 * is still listed exactly once: keep going instead of failing.
 */
static void clear_dump_intr(void *buf, int len)
{
	struct nlmsghdr *nlh = buf;

	while (mnl_nlmsg_ok(nlh, len)) {
		nlh->nlmsg_flags &= ~NLM_F_DUMP_INTR;
		nlh = mnl_nlmsg_next(nlh, &len);
	}
}

int tnl_nl_talk(struct tnl_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		void *data)
{
	static char buf[TNL_RECV_SIZE];
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = error_cb,
		[NLMSG_DONE] = done_cb,
	};
	struct talk_ctx ctx = { nl, nlh, cb, data };
	uint32_t portid = mnl_socket_get_portid(nl->sk);
	int ret;

	nl->errmsg[0] = '\0';
	nlh->nlmsg_seq = ++nl->seq;
	if (mnl_socket_sendto(nl->sk, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		ret = mnl_socket_recvfrom(nl->sk, buf, sizeof(buf));
		if (ret < 0)
			return -errno;
		clear_dump_intr(buf, ret);
		ret = mnl_cb_run2(buf, ret, nl->seq, portid, data_cb, &ctx,
				  ctl, NLMSG_MIN_TYPE);
		if (ret == MNL_CB_ERROR && errno == 0)
			errno = EPROTO;
	} while (ret > MNL_CB_STOP);
	return ret < 0 ? -errno : 0;
}

int tnl_nl_monitor(struct tnl_nl *nl, mnl_cb_t cb, void *data)
{
	static char buf[TNL_RECV_SIZE];
	int grp = (int)nl->events_group, ret;

	if (!grp)
		return -ENOENT;
	if (mnl_socket_setsockopt(nl->sk, NETLINK_ADD_MEMBERSHIP, &grp,
				  sizeof(grp)) < 0)
		return -errno;
	for (;;) {
		ret = mnl_socket_recvfrom(nl->sk, buf, sizeof(buf));
		if (ret < 0)
			return -errno;
		ret = mnl_cb_run(buf, ret, 0, 0, cb, data);
		if (ret < 0)
			return -errno;
	}
}

/* rtnetlink: what only the link knows (MTU, the "ip link add" settings). */
int tnl_rt_open(struct tnl_nl *nl)
{
	return tnl_sock_open(nl, NETLINK_ROUTE);
}

static void link_info_data(const struct nlattr *data, struct tnl_link *l)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, data) {
		switch (mnl_attr_get_type(a)) {
		case IFLA_TEREDO_LOCAL:
			if (!mnl_attr_validate(a, MNL_TYPE_U32))
				l->local = mnl_attr_get_u32(a);
			break;
		case IFLA_TEREDO_LINK:
			if (!mnl_attr_validate(a, MNL_TYPE_U32))
				l->link = mnl_attr_get_u32(a);
			break;
		}
	}
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct tnl_link *l = data;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a, *b;

	l->ifindex = ifi->ifi_index;
	mnl_attr_for_each(a, nlh, sizeof(*ifi)) {
		if (mnl_attr_get_type(a) == IFLA_MTU &&
		    !mnl_attr_validate(a, MNL_TYPE_U32)) {
			l->mtu = mnl_attr_get_u32(a);
		} else if (mnl_attr_get_type(a) == IFLA_LINKINFO) {
			mnl_attr_for_each_nested(b, a) {
				if (mnl_attr_get_type(b) == IFLA_INFO_KIND &&
				    !mnl_attr_validate(b, MNL_TYPE_NUL_STRING))
					l->is_teredo = !strcmp(mnl_attr_get_str(b),
							       "teredo");
				else if (mnl_attr_get_type(b) == IFLA_INFO_DATA)
					link_info_data(b, l);
			}
		}
	}
	return MNL_CB_OK;
}

int tnl_rt_get_link(struct tnl_nl *nl, const char *ifname, struct tnl_link *l)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	memset(l, 0, sizeof(*l));
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	nl->n_named = 0;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	return tnl_nl_talk(nl, nlh, link_cb, l);
}

int tnl_rt_set_link(struct tnl_nl *nl, const struct tnl_link *l,
		    unsigned int what)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlattr *info, *data;
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = (int)l->ifindex;
	nl->n_named = 0;
	if (what & TNL_LINK_MTU) {
		tnl_nl_name_attr(nl, nlh, mnl_nlmsg_get_payload_tail(nlh), "mtu");
		mnl_attr_put_u32(nlh, IFLA_MTU, l->mtu);
	}
	if (what & (TNL_LINK_LOCAL | TNL_LINK_DEV)) {
		info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
		mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "teredo");
		data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
		if (what & TNL_LINK_LOCAL) {
			tnl_nl_name_attr(nl, nlh, mnl_nlmsg_get_payload_tail(nlh),
					 "local");
			mnl_attr_put_u32(nlh, IFLA_TEREDO_LOCAL, l->local);
		}
		if (what & TNL_LINK_DEV) {
			tnl_nl_name_attr(nl, nlh, mnl_nlmsg_get_payload_tail(nlh),
					 "dev");
			mnl_attr_put_u32(nlh, IFLA_TEREDO_LINK, l->link);
		}
		mnl_attr_nest_end(nlh, data);
		mnl_attr_nest_end(nlh, info);
	}
	return tnl_nl_talk(nl, nlh, NULL, NULL);
}
