/* SPDX-License-Identifier: GPL-2.0 */
/* teredo-nl netlink I/O: a thin layer over libmnl for the "teredo" family. */
#ifndef TNL_NL_H
#define TNL_NL_H

#include <stdbool.h>
#include <stdint.h>
#include <libmnl/libmnl.h>

#define TNL_MAX_NAMED_ATTRS 32

struct tnl_nl {
	struct mnl_socket *sk;
	uint16_t family;
	uint32_t events_group;		/* multicast group id, 0 if none */
	uint32_t seq;
	char errmsg[256];		/* kernel extack text, "" if none */
	/* Offsets of the attributes we put, to name the one refused. */
	unsigned int n_named;
	struct {
		uint32_t off;
		const char *name;
	} named[TNL_MAX_NAMED_ATTRS];
};

/* Opens the socket and resolves the family; 0 or -errno. */
int tnl_nl_open(struct tnl_nl *nl);
void tnl_nl_close(struct tnl_nl *nl);

/* Starts a request in @buf (MNL_SOCKET_BUFFER_SIZE bytes). */
struct nlmsghdr *tnl_nl_req(struct tnl_nl *nl, void *buf, uint8_t cmd,
			    uint16_t flags);
/* Remembers that the attribute just put at @attr is called @name. */
void tnl_nl_name_attr(struct tnl_nl *nl, const struct nlmsghdr *nlh,
		      const struct nlattr *attr, const char *name);

/*
 * Sends @nlh and reads answers until the ack or the end of the dump,
 * calling @cb for each message.  Returns 0 or -errno; on error the
 * kernel's message, prefixed by the refused attribute's name, is in
 * nl->errmsg.
 */
int tnl_nl_talk(struct tnl_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		void *data);

/* Joins the events group and calls @cb for each event until it fails. */
int tnl_nl_monitor(struct tnl_nl *nl, mnl_cb_t cb, void *data);

/* What rtnetlink tells of a link. */
struct tnl_link {
	uint32_t ifindex;
	uint32_t mtu;
	bool is_teredo;
	uint32_t local;			/* IFLA_TEREDO_LOCAL, network order */
	uint32_t link;			/* IFLA_TEREDO_LINK, ifindex */
};

/* What tnl_rt_set_link() sets. */
enum {
	TNL_LINK_MTU	= 1 << 0,
	TNL_LINK_LOCAL	= 1 << 1,
	TNL_LINK_DEV	= 1 << 2,
};

/* A NETLINK_ROUTE socket for the two calls below; 0 or -errno. */
int tnl_rt_open(struct tnl_nl *nl);
int tnl_rt_get_link(struct tnl_nl *nl, const char *ifname, struct tnl_link *l);
/* Sets @what (TNL_LINK_*) of l->ifindex to l's values in one RTM_NEWLINK. */
int tnl_rt_set_link(struct tnl_nl *nl, const struct tnl_link *l,
		    unsigned int what);

#endif
