// SPDX-License-Identifier: GPL-2.0
/*
 * The settings of a teredo device as netlink attributes.  They exist in
 * two surfaces, the rtnetlink link attributes (IFLA_TEREDO_*, device.c)
 * and the generic netlink family (TEREDO_A_*, netlink.c), with the same
 * names, types, validation and nest layouts: one policy macro, one
 * parser and one filler here serve both, each surface passing the map
 * of where the settings are in it (struct teredo_cfg_attrs).
 *
 * The parser only builds a new struct teredo_config; the caller checks
 * it as a whole and publishes it, all or nothing (teredo_set_config()).
 */

#include <linux/inetdevice.h>
#include <net/netlink.h>

#include "teredo.h"
#include "proto.h"

struct netlink_range_validation teredo_refresh_range = {
	.min = 1,
	.max = 3600,
};

struct netlink_range_validation teredo_dormant_range = {
	.min = 0,
	.max = 7 * 24 * 3600,
};

struct netlink_range_validation teredo_max_peers_range = {
	.min = 1,
	.max = 1 << 20,
};

const struct nla_policy teredo_mark_policy[TEREDO_MARK_A_MAX + 1] = {
	[TEREDO_MARK_A_MARK]	= { .type = NLA_U32 },
	[TEREDO_MARK_A_MASK]	= { .type = NLA_U32 },
};

const struct nla_policy teredo_prefix_policy[TEREDO_PREFIX_A_MAX + 1] = {
	[TEREDO_PREFIX_A_ADDR]	= { .type = NLA_BE32 },
	[TEREDO_PREFIX_A_LEN]	= NLA_POLICY_MAX(NLA_U8, 32),
};

const struct nla_policy teredo_servers_policy[TEREDO_A_SERVER_ADDR + 1] = {
	[TEREDO_A_SERVER_ADDR]	= { .type = NLA_BE32 },
};

static int teredo_cfg_put_marks(struct sk_buff *skb, u16 type,
				const struct teredo_config *cfg)
{
	struct nlattr *marks, *mark;
	int i;

	marks = nla_nest_start(skb, type);
	if (!marks)
		return -EMSGSIZE;
	for (i = 0; i < cfg->n_marks; i++) {
		mark = nla_nest_start(skb, TEREDO_A_MARK);
		if (!mark ||
		    nla_put_u32(skb, TEREDO_MARK_A_MARK, cfg->marks[i].mark) ||
		    nla_put_u32(skb, TEREDO_MARK_A_MASK, cfg->marks[i].mask))
			return -EMSGSIZE;
		nla_nest_end(skb, mark);
	}
	nla_nest_end(skb, marks);
	return 0;
}

static int teredo_cfg_put_managed(struct sk_buff *skb, u16 type,
				  const struct teredo_config *cfg)
{
	struct nlattr *list, *p;
	int i;

	list = nla_nest_start(skb, type);
	if (!list)
		return -EMSGSIZE;
	for (i = 0; i < cfg->n_managed; i++) {
		p = nla_nest_start(skb, TEREDO_A_PREFIX);
		if (!p ||
		    nla_put_in_addr(skb, TEREDO_PREFIX_A_ADDR,
				    cfg->managed[i].addr) ||
		    nla_put_u8(skb, TEREDO_PREFIX_A_LEN, cfg->managed[i].len))
			return -EMSGSIZE;
		nla_nest_end(skb, p);
	}
	nla_nest_end(skb, list);
	return 0;
}

static int teredo_cfg_put_servers(struct sk_buff *skb, u16 type,
				  const struct teredo_config *cfg)
{
	struct nlattr *list;
	int i;

	list = nla_nest_start(skb, type);
	if (!list)
		return -EMSGSIZE;
	for (i = 0; i < cfg->n_servers; i++)
		if (nla_put_in_addr(skb, TEREDO_A_SERVER_ADDR, cfg->servers[i]))
			return -EMSGSIZE;
	nla_nest_end(skb, list);
	return 0;
}

static int teredo_cfg_parse_server(struct nlattr *attr, __be32 *out,
				   struct netlink_ext_ack *extack)
{
	__be32 addr = nla_get_be32(attr);

	/* 0 removes the setting; anything else must be global unicast. */
	if (addr && !teredo_ipv4_is_global(ntohl(addr))) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "server must be a global unicast IPv4 address");
		return -EINVAL;
	}
	*out = addr;
	return 0;
}

/*
 * The candidate servers, in order: each global unicast, none twice, at
 * least one (no list is "server 0"), at most TEREDO_MAX_SERVERS.
 */
static int teredo_cfg_parse_servers(struct nlattr *attr,
				    struct teredo_config *cfg,
				    struct netlink_ext_ack *extack)
{
	__be32 list[TEREDO_MAX_SERVERS];
	struct nlattr *nla;
	int rem, i;
	u8 n = 0;

	nla_for_each_nested(nla, attr, rem) {
		if (nla_type(nla) != TEREDO_A_SERVER_ADDR) {
			NL_SET_ERR_MSG_ATTR(extack, nla,
					    "unexpected attribute in servers");
			return -EINVAL;
		}
		if (n == TEREDO_MAX_SERVERS) {
			NL_SET_ERR_MSG_ATTR(extack, nla,
					    "too many servers (at most 8)");
			return -E2BIG;
		}
		list[n] = nla_get_in_addr(nla);
		if (!teredo_ipv4_is_global(ntohl(list[n]))) {
			NL_SET_ERR_MSG_ATTR(extack, nla,
					    "server must be a global unicast IPv4 address");
			return -EINVAL;
		}
		for (i = 0; i < n; i++) {
			if (list[i] == list[n]) {
				NL_SET_ERR_MSG_ATTR(extack, nla,
						    "server listed twice");
				return -EINVAL;
			}
		}
		n++;
	}
	if (!n) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "empty server list (server 0 removes the server)");
		return -EINVAL;
	}
	memcpy(cfg->servers, list, n * sizeof(list[0]));
	cfg->n_servers = n;
	cfg->server = list[0];
	return 0;
}

/*
 * A nested list of elements of type @type, parsed by @parse each into
 * the next @size bytes of @elems, at most @max of them.  Returns how many,
 * or an error: @parse's, with its extack message, or the list's own,
 * with the element at fault in *@bad for the caller to name the list in
 * extack: -EINVAL, not of @type; -E2BIG, one more than @max.
 */
static int teredo_cfg_parse_list(const struct nlattr *attr, int type,
				 void *elems, size_t size, int max,
				 int (*parse)(const struct nlattr *nla,
					      void *elem,
					      struct netlink_ext_ack *extack),
				 const struct nlattr **bad,
				 struct netlink_ext_ack *extack)
{
	const struct nlattr *nla;
	int rem, err, n = 0;

	*bad = NULL;
	nla_for_each_nested(nla, attr, rem) {
		if (nla_type(nla) != type || n == max) {
			*bad = nla;
			return nla_type(nla) != type ? -EINVAL : -E2BIG;
		}
		err = parse(nla, elems + n * size, extack);
		if (err)
			return err;
		n++;
	}
	return n;
}

static int teredo_cfg_parse_mark(const struct nlattr *attr, void *elem,
				 struct netlink_ext_ack *extack)
{
	struct nlattr *tb[TEREDO_MARK_A_MAX + 1];
	struct teredo_mark *out = elem;
	int err;

	err = nla_parse_nested(tb, TEREDO_MARK_A_MAX, attr, teredo_mark_policy,
			       extack);
	if (err)
		return err;
	if (!tb[TEREDO_MARK_A_MARK]) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "allowed mark without a mark");
		return -EINVAL;
	}
	out->mark = nla_get_u32(tb[TEREDO_MARK_A_MARK]);
	out->mask = tb[TEREDO_MARK_A_MASK] ?
		    nla_get_u32(tb[TEREDO_MARK_A_MASK]) : 0xffffffff;
	if (!out->mask || (out->mark & ~out->mask)) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "allowed mark has bits outside its mask, or a zero mask");
		return -EINVAL;
	}
	return 0;
}

static int teredo_cfg_parse_marks(const struct nlattr *attr,
				  struct teredo_config *cfg,
				  struct netlink_ext_ack *extack)
{
	const struct nlattr *bad;
	int n;

	n = teredo_cfg_parse_list(attr, TEREDO_A_MARK, cfg->marks,
				  sizeof(cfg->marks[0]),
				  TEREDO_MAX_ALLOWED_MARKS,
				  teredo_cfg_parse_mark, &bad, extack);
	if (n == -E2BIG && bad)
		NL_SET_ERR_MSG_ATTR(extack, bad,
				    "too many allowed marks (at most 16)");
	else if (bad)
		NL_SET_ERR_MSG_ATTR(extack, bad,
				    "unexpected attribute in allowed marks");
	if (n < 0)
		return n;
	cfg->n_marks = n;
	return 0;
}

static int teredo_cfg_parse_prefix(const struct nlattr *attr, void *elem,
				   struct netlink_ext_ack *extack)
{
	struct nlattr *tb[TEREDO_PREFIX_A_MAX + 1];
	struct teredo_prefix *out = elem;
	int err;

	err = nla_parse_nested(tb, TEREDO_PREFIX_A_MAX, attr,
			       teredo_prefix_policy, extack);
	if (err)
		return err;
	if (!tb[TEREDO_PREFIX_A_ADDR] || !tb[TEREDO_PREFIX_A_LEN]) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "managed prefix needs an address and a length");
		return -EINVAL;
	}
	out->addr = nla_get_in_addr(tb[TEREDO_PREFIX_A_ADDR]);
	out->len = nla_get_u8(tb[TEREDO_PREFIX_A_LEN]);
	if (out->addr & ~inet_make_mask(out->len)) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "managed prefix has bits set beyond its length");
		return -EINVAL;
	}
	return 0;
}

static int teredo_cfg_parse_managed(const struct nlattr *attr,
				    struct teredo_config *cfg,
				    struct netlink_ext_ack *extack)
{
	const struct nlattr *bad;
	int n;

	n = teredo_cfg_parse_list(attr, TEREDO_A_PREFIX, cfg->managed,
				  sizeof(cfg->managed[0]), TEREDO_MAX_MANAGED,
				  teredo_cfg_parse_prefix, &bad, extack);
	if (n == -E2BIG && bad)
		NL_SET_ERR_MSG_ATTR(extack, bad,
				    "too many managed prefixes (at most 16)");
	else if (bad)
		NL_SET_ERR_MSG_ATTR(extack, bad,
				    "unexpected attribute in managed prefixes");
	if (n < 0)
		return n;
	cfg->n_managed = n;
	return 0;
}

int teredo_cfg_parse(struct nlattr **tb, const struct teredo_cfg_attrs *a,
		     struct teredo_config *cfg, struct netlink_ext_ack *extack)
{
	int err;

	if (tb[a->mode])
		cfg->mode = nla_get_u8(tb[a->mode]);
	if (tb[a->server] && tb[a->servers]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[a->servers],
				    "server and servers are exclusive");
		return -EINVAL;
	}
	if (tb[a->server]) {
		__be32 server;

		err = teredo_cfg_parse_server(tb[a->server], &server, extack);
		if (err)
			return err;
		teredo_cfg_set_server(cfg, server);
	}
	if (tb[a->servers]) {
		err = teredo_cfg_parse_servers(tb[a->servers], cfg, extack);
		if (err)
			return err;
	}
	if (tb[a->server2]) {
		err = teredo_cfg_parse_server(tb[a->server2], &cfg->server2,
					      extack);
		if (err)
			return err;
	}
	if (tb[a->port])
		cfg->port = nla_get_u16(tb[a->port]);
	if (tb[a->fwmark])
		cfg->fwmark = nla_get_u32(tb[a->fwmark]);
	if (tb[a->local])
		cfg->local = nla_get_in_addr(tb[a->local]);
	if (tb[a->link])
		cfg->link = nla_get_u32(tb[a->link]);
	if (tb[a->refresh])
		cfg->refresh = nla_get_u32(tb[a->refresh]);
	if (tb[a->refresh_auto])
		cfg->refresh_auto = nla_get_u8(tb[a->refresh_auto]);
	if (tb[a->local_discovery])
		cfg->local_discovery = nla_get_u8(tb[a->local_discovery]);
	if (tb[a->hairpinning])
		cfg->hairpinning = nla_get_u8(tb[a->hairpinning]);
	if (tb[a->allowed_marks]) {
		err = teredo_cfg_parse_marks(tb[a->allowed_marks], cfg, extack);
		if (err)
			return err;
	}
	if (tb[a->rxmark])
		cfg->rxmark = nla_get_u32(tb[a->rxmark]);
	if (tb[a->policy])
		cfg->policy = nla_get_u8(tb[a->policy]);
	if (tb[a->dormant_timeout])
		cfg->dormant_timeout = nla_get_u32(tb[a->dormant_timeout]);
	if (tb[a->max_peers])
		cfg->max_peers = nla_get_u32(tb[a->max_peers]);
	if (tb[a->inbound])
		cfg->inbound = nla_get_u8(tb[a->inbound]);
	if (tb[a->managed])
		return teredo_cfg_parse_managed(tb[a->managed], cfg, extack);
	return 0;
}

int teredo_cfg_put(struct sk_buff *skb, const struct teredo_cfg_attrs *a,
		   const struct teredo_config *cfg)
{
	if (nla_put_u8(skb, a->mode, cfg->mode) ||
	    nla_put_in_addr(skb, a->server, cfg->server) ||
	    nla_put_in_addr(skb, a->server2, cfg->server2) ||
	    nla_put_u16(skb, a->port, cfg->port) ||
	    nla_put_u32(skb, a->fwmark, cfg->fwmark) ||
	    nla_put_in_addr(skb, a->local, cfg->local) ||
	    nla_put_u32(skb, a->link, cfg->link) ||
	    nla_put_u32(skb, a->refresh, cfg->refresh) ||
	    nla_put_u8(skb, a->refresh_auto, cfg->refresh_auto) ||
	    nla_put_u8(skb, a->local_discovery, cfg->local_discovery) ||
	    nla_put_u8(skb, a->hairpinning, cfg->hairpinning) ||
	    nla_put_u32(skb, a->rxmark, cfg->rxmark) ||
	    nla_put_u8(skb, a->policy, cfg->policy) ||
	    nla_put_u32(skb, a->dormant_timeout, cfg->dormant_timeout) ||
	    nla_put_u32(skb, a->max_peers, cfg->max_peers) ||
	    nla_put_u8(skb, a->inbound, cfg->inbound))
		return -EMSGSIZE;
	return teredo_cfg_put_marks(skb, a->allowed_marks, cfg) ?:
	       teredo_cfg_put_managed(skb, a->managed, cfg) ?:
	       teredo_cfg_put_servers(skb, a->servers, cfg);
}

size_t teredo_cfg_size(void)
{
	size_t mark = nla_total_size(0) + 2 * nla_total_size(sizeof(u32));
	size_t prefix = nla_total_size(0) + nla_total_size(sizeof(__be32)) +
			nla_total_size(sizeof(u8));

	/* mode refresh_auto local_discovery hairpinning policy inbound */
	return 6 * nla_total_size(sizeof(u8)) +
	       nla_total_size(sizeof(u16)) +	/* port */
	       /* server server2 fwmark local link refresh rxmark
		* dormant_timeout max_peers
		*/
	       9 * nla_total_size(sizeof(u32)) +
	       nla_total_size(0) + TEREDO_MAX_ALLOWED_MARKS * mark +
	       nla_total_size(0) + TEREDO_MAX_MANAGED * prefix +
	       nla_total_size(0) +
	       TEREDO_MAX_SERVERS * nla_total_size(sizeof(__be32));
}
