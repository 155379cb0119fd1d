// SPDX-License-Identifier: GPL-2.0
/* teredo-nl output: decoding of family messages, text and JSON printing. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "print.h"

/* Attributes of one message or nest, indexed by type; NULL if absent. */
#define TB_MAX 64

static void collect(const struct nlattr *nest, const struct nlmsghdr *nlh,
		    const struct nlattr **tb)
{
	const struct nlattr *a;

	memset(tb, 0, sizeof(*tb) * TB_MAX);
	if (nlh) {
		mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
			if (mnl_attr_get_type(a) < TB_MAX)
				tb[mnl_attr_get_type(a)] = a;
	} else {
		mnl_attr_for_each_nested(a, nest)
			if (mnl_attr_get_type(a) < TB_MAX)
				tb[mnl_attr_get_type(a)] = a;
	}
}

/* Copies a fixed-size attribute; -1 if its length is wrong. */
static int get_fixed(const struct nlattr *a, void *out, size_t len)
{
	if (!a)
		return 0;
	if (mnl_attr_get_payload_len(a) != len)
		return -1;
	memcpy(out, mnl_attr_get_payload(a), len);
	return 0;
}

static int get_ifname(const struct nlattr *a, char *out)
{
	if (!a)
		return 0;
	if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) ||
	    strlen(mnl_attr_get_str(a)) >= IF_NAMESIZE)
		return -1;
	strcpy(out, mnl_attr_get_str(a));
	return 0;
}

/* A string attribute into @out (@len bytes, cut if longer). */
static int get_str(const struct nlattr *a, char *out, size_t len)
{
	if (!a)
		return 0;
	if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
		return -1;
	snprintf(out, len, "%s", mnl_attr_get_str(a));
	return 0;
}

static int decode_marks(const struct nlattr *nest, struct tnl_dev *d)
{
	const struct nlattr *tb[TB_MAX], *m;

	if (!nest)
		return 0;
	mnl_attr_for_each_nested(m, nest) {
		if (d->n_marks == TEREDO_MAX_ALLOWED_MARKS)
			return -1;
		collect(m, NULL, tb);
		if (get_fixed(tb[TEREDO_MARK_A_MARK],
			      &d->marks[d->n_marks].mark, 4) ||
		    get_fixed(tb[TEREDO_MARK_A_MASK],
			      &d->marks[d->n_marks].mask, 4))
			return -1;
		d->n_marks++;
	}
	return 0;
}

static int decode_managed(const struct nlattr *nest, struct tnl_dev *d)
{
	const struct nlattr *tb[TB_MAX], *m;

	if (!nest)
		return 0;
	mnl_attr_for_each_nested(m, nest) {
		if (d->n_managed == TEREDO_MAX_MANAGED)
			return -1;
		collect(m, NULL, tb);
		if (get_fixed(tb[TEREDO_PREFIX_A_ADDR],
			      &d->managed[d->n_managed].addr, 4) ||
		    get_fixed(tb[TEREDO_PREFIX_A_LEN],
			      &d->managed[d->n_managed].len, 1))
			return -1;
		d->n_managed++;
	}
	return 0;
}

/* A module without the list has a list of one: its server. */
static int decode_servers(const struct nlattr *nest, struct tnl_dev *d)
{
	const struct nlattr *a;

	if (!nest) {
		d->n_servers = d->server ? 1 : 0;
		d->servers[0] = d->server;
		return 0;
	}
	mnl_attr_for_each_nested(a, nest) {
		if (d->n_servers == TEREDO_MAX_SERVERS)
			return -1;
		if (get_fixed(a, &d->servers[d->n_servers], 4))
			return -1;
		d->n_servers++;
	}
	return 0;
}

static int decode_stats(const struct nlattr *nest, struct tnl_dev *d)
{
	const struct nlattr *a;
	unsigned int t;

	if (!nest)
		return 0;
	mnl_attr_for_each_nested(a, nest) {
		t = mnl_attr_get_type(a);
		if (t == 0 || t > __TEREDO_STAT_MAX)
			continue;	/* pad, or a counter newer than us */
		if (get_fixed(a, &d->stats[t - 1], 8))
			return -1;
	}
	return 0;
}

int tnl_decode_dev(const struct nlmsghdr *nlh, struct tnl_dev *d)
{
	const struct nlattr *tb[TB_MAX];

	memset(d, 0, sizeof(*d));
	/* a module without the attribute does not filter */
	d->inbound = TEREDO_INBOUND_OPEN;
	collect(NULL, nlh, tb);
	d->has_address = !!tb[TEREDO_A_ADDRESS];
	if (get_fixed(tb[TEREDO_A_IFINDEX], &d->ifindex, 4) ||
	    get_ifname(tb[TEREDO_A_IFNAME], d->ifname) ||
	    get_fixed(tb[TEREDO_A_MODE], &d->mode, 1) ||
	    get_fixed(tb[TEREDO_A_STATE], &d->state, 1) ||
	    get_fixed(tb[TEREDO_A_POLICY], &d->policy, 1) ||
	    get_fixed(tb[TEREDO_A_SERVER], &d->server, 4) ||
	    get_fixed(tb[TEREDO_A_SERVER2], &d->server2, 4) ||
	    get_fixed(tb[TEREDO_A_PORT], &d->port, 2) ||
	    get_fixed(tb[TEREDO_A_LOCAL], &d->local, 4) ||
	    get_fixed(tb[TEREDO_A_LINK], &d->link, 4) ||
	    get_fixed(tb[TEREDO_A_FWMARK], &d->fwmark, 4) ||
	    get_fixed(tb[TEREDO_A_REFRESH], &d->refresh, 4) ||
	    get_fixed(tb[TEREDO_A_REFRESH_AUTO], &d->refresh_auto, 1) ||
	    get_fixed(tb[TEREDO_A_LOCAL_DISCOVERY], &d->local_discovery, 1) ||
	    get_fixed(tb[TEREDO_A_HAIRPINNING], &d->hairpinning, 1) ||
	    get_fixed(tb[TEREDO_A_INBOUND], &d->inbound, 1) ||
	    get_fixed(tb[TEREDO_A_REFRESH_DETERMINED], &d->refresh_determined,
		      4) ||
	    get_fixed(tb[TEREDO_A_RXMARK], &d->rxmark, 4) ||
	    get_fixed(tb[TEREDO_A_DORMANT_TIMEOUT], &d->dormant_timeout, 4) ||
	    get_fixed(tb[TEREDO_A_MAX_PEERS], &d->max_peers, 4) ||
	    get_fixed(tb[TEREDO_A_ADDRESS], &d->address, 16) ||
	    get_fixed(tb[TEREDO_A_MAPPED_ADDR], &d->mapped_addr, 4) ||
	    get_fixed(tb[TEREDO_A_MAPPED_PORT], &d->mapped_port, 2) ||
	    get_fixed(tb[TEREDO_A_PEER_COUNT], &d->peer_count, 4) ||
	    get_fixed(tb[TEREDO_A_DORMANT_REASON], &d->dormant_reason, 1) ||
	    get_fixed(tb[TEREDO_A_HOLDS], &d->holds, 4) ||
	    decode_marks(tb[TEREDO_A_ALLOWED_MARKS], d) ||
	    decode_managed(tb[TEREDO_A_MANAGED], d) ||
	    get_fixed(tb[TEREDO_A_SERVER_IN_USE], &d->server_in_use, 4) ||
	    decode_servers(tb[TEREDO_A_SERVERS], d) ||
	    get_fixed(tb[TEREDO_A_NAT], &d->nat, 1) ||
	    get_fixed(tb[TEREDO_A_LOCAL_ADDR], &d->local_addr, 4) ||
	    get_fixed(tb[TEREDO_A_LOCAL_PORT], &d->local_port, 2) ||
	    get_fixed(tb[TEREDO_A_NAT_MAPPED_ADDR], &d->nat_mapped_addr, 4) ||
	    get_fixed(tb[TEREDO_A_NAT_MAPPED_PORT], &d->nat_mapped_port, 2) ||
	    get_fixed(tb[TEREDO_A_NAT_MAPPED2_ADDR], &d->nat_mapped2_addr, 4) ||
	    get_fixed(tb[TEREDO_A_NAT_MAPPED2_PORT], &d->nat_mapped2_port, 2) ||
	    get_str(tb[TEREDO_A_STATE_REASON], d->state_reason,
		    sizeof(d->state_reason)) ||
	    decode_stats(tb[TEREDO_A_STATS], d))
		return -1;
	return 0;
}

static int decode_peer_nest(const struct nlattr *nest, struct tnl_peer *p)
{
	const struct nlattr *tb[TB_MAX];
	uint8_t trusted = 0, relay = 0;

	memset(p, 0, sizeof(*p));
	collect(nest, NULL, tb);
	if (get_fixed(tb[TEREDO_PEER_A_ADDRESS], &p->address, 16) ||
	    get_fixed(tb[TEREDO_PEER_A_MAPPED_ADDR], &p->mapped_addr, 4) ||
	    get_fixed(tb[TEREDO_PEER_A_MAPPED_PORT], &p->mapped_port, 2) ||
	    get_fixed(tb[TEREDO_PEER_A_TRUSTED], &trusted, 1) ||
	    get_fixed(tb[TEREDO_PEER_A_RELAY], &relay, 1) ||
	    get_fixed(tb[TEREDO_PEER_A_LAST_RX_MS], &p->last_rx_ms, 4) ||
	    get_fixed(tb[TEREDO_PEER_A_LAST_TX_MS], &p->last_tx_ms, 4) ||
	    get_fixed(tb[TEREDO_PEER_A_BUBBLES], &p->bubbles, 4) ||
	    get_fixed(tb[TEREDO_PEER_A_QUEUED], &p->queued, 4))
		return -1;
	p->trusted = trusted;
	p->relay = relay;
	return 0;
}

int tnl_decode_peer(const struct nlmsghdr *nlh, struct tnl_peer *p,
		    char *ifname)
{
	const struct nlattr *tb[TB_MAX];

	collect(NULL, nlh, tb);
	if (!tb[TEREDO_A_PEER] || get_ifname(tb[TEREDO_A_IFNAME], ifname))
		return -1;
	return decode_peer_nest(tb[TEREDO_A_PEER], p);
}

int tnl_decode_event(const struct nlmsghdr *nlh, struct tnl_event *ev)
{
	const struct nlattr *tb[TB_MAX];

	memset(ev, 0, sizeof(*ev));
	collect(NULL, nlh, tb);
	ev->has_state = !!tb[TEREDO_A_STATE];
	ev->has_address = !!tb[TEREDO_A_ADDRESS];
	ev->has_peer = !!tb[TEREDO_A_PEER];
	ev->has_suppressed = !!tb[TEREDO_A_EVENTS_SUPPRESSED];
	ev->has_lost = !!tb[TEREDO_A_SERVER_LOST];
	ev->has_nat = !!tb[TEREDO_A_NAT];
	if (!tb[TEREDO_A_EVENT] ||
	    get_fixed(tb[TEREDO_A_EVENT], &ev->event, 1) ||
	    get_fixed(tb[TEREDO_A_IFINDEX], &ev->ifindex, 4) ||
	    get_ifname(tb[TEREDO_A_IFNAME], ev->ifname) ||
	    get_fixed(tb[TEREDO_A_STATE], &ev->state, 1) ||
	    get_fixed(tb[TEREDO_A_ADDRESS], &ev->address, 16) ||
	    get_fixed(tb[TEREDO_A_EVENTS_SUPPRESSED], &ev->suppressed, 4) ||
	    get_fixed(tb[TEREDO_A_SERVER_LOST], &ev->server_lost, 4) ||
	    get_fixed(tb[TEREDO_A_SERVER_IN_USE], &ev->server_in_use, 4) ||
	    get_fixed(tb[TEREDO_A_NAT], &ev->nat, 1) ||
	    get_str(tb[TEREDO_A_STATE_REASON], ev->state_reason,
		    sizeof(ev->state_reason)))
		return -1;
	if (ev->has_peer)
		return decode_peer_nest(tb[TEREDO_A_PEER], &ev->peer);
	return 0;
}

/*
 * One print path per object for text, JSON and "show DEV FIELD"
 * (iproute2's json_print in small).  Each field is printed once, by a
 * pr_*() call naming its JSON key and its text format: PR_ANY goes to
 * both outputs, PR_JSON and PR_TEXT to one only.  With a field asked
 * for (tnl_out.only), only the value of the field of that key is
 * printed, alone on its line (a JSON null as an empty line; each
 * element of a list on its own line); counters are named NAME or
 * stats.NAME.
 */
enum pr_kind { PR_ANY, PR_JSON, PR_TEXT };

#define PR_DEPTH 4

struct tnl_out {
	FILE *f;
	bool json;
	const char *only;	/* show DEV FIELD */
	const char *scope;	/* key of the object being printed, or NULL */
	bool found;
	int depth;
	bool first[PR_DEPTH];	/* JSON: nothing printed yet at this depth */
};

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* JSON: the separator, and the key unless in a list. */
static void pr_json_key(struct tnl_out *o, const char *key)
{
	fputs(o->first[o->depth] ? "" : ", ", o->f);
	o->first[o->depth] = false;
	if (key) {
		json_str(o->f, key);
		fputs(": ", o->f);
	}
}

/* Is @key the field asked for?  Counters also answer to scope.key. */
static bool pr_match(struct tnl_out *o, const char *key)
{
	size_t n;

	if (!key)
		return false;
	if (!strcmp(o->only, key))
		return true;
	if (!o->scope)
		return false;
	n = strlen(o->scope);
	return !strncmp(o->only, o->scope, n) && o->only[n] == '.' &&
	       !strcmp(o->only + n + 1, key);
}

/* In "show DEV FIELD" mode: prints @val if @key is the field. */
static bool pr_only(struct tnl_out *o, enum pr_kind k, const char *key,
		    const char *val)
{
	if (!o->only)
		return false;
	if (k != PR_TEXT && pr_match(o, key)) {
		fprintf(o->f, "%s\n", val ? val : "");
		o->found = true;
	}
	return true;
}

/* The text formats are the pr_*() callers' literals, one conversion each. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

/* A string; NULL is null in JSON, "none" in text. */
static void pr_str(struct tnl_out *o, enum pr_kind k, const char *key,
		   const char *fmt, const char *val)
{
	if (pr_only(o, k, key, val))
		return;
	if (o->json) {
		if (k == PR_TEXT)
			return;
		pr_json_key(o, key);
		if (val)
			json_str(o->f, val);
		else
			fputs("null", o->f);
	} else if (k != PR_JSON && fmt) {
		fprintf(o->f, fmt, val ? val : "none");
	}
}

static void pr_u64(struct tnl_out *o, enum pr_kind k, const char *key,
		   const char *fmt, uint64_t val)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRIu64, val);
	if (pr_only(o, k, key, buf))
		return;
	if (o->json) {
		if (k == PR_TEXT)
			return;
		pr_json_key(o, key);
		fputs(buf, o->f);
	} else if (k != PR_JSON && fmt) {
		fprintf(o->f, fmt, val);
	}
}

#pragma GCC diagnostic pop

/* A boolean; in text, @fmt is printed when it is true. */
static void pr_bool(struct tnl_out *o, enum pr_kind k, const char *key,
		    const char *fmt, bool val)
{
	if (pr_only(o, k, key, val ? "true" : "false"))
		return;
	if (o->json) {
		if (k == PR_TEXT)
			return;
		pr_json_key(o, key);
		fputs(val ? "true" : "false", o->f);
	} else if (k != PR_JSON && fmt && val) {
		fputs(fmt, o->f);
	}
}

/* JSON: opens a list or an object ('[' or '{') under @key. */
static void pr_open(struct tnl_out *o, const char *key, char c)
{
	/* an empty list is still the field asked for */
	if (o->only && c == '[' && pr_match(o, key))
		o->found = true;
	if (o->only || !o->json)
		return;
	pr_json_key(o, key);
	fputc(c, o->f);
	o->first[++o->depth] = true;
}

static void pr_close(struct tnl_out *o, char c)
{
	if (o->only || !o->json)
		return;
	fputc(c, o->f);
	o->depth--;
}

static void pr_start(struct tnl_out *o, FILE *f, bool json, const char *only)
{
	memset(o, 0, sizeof(*o));
	o->f = f;
	o->json = json;
	o->only = only;
	o->first[0] = true;
	if (json && !only)
		fputc('{', f);
}

static void pr_end(struct tnl_out *o, const char *end)
{
	if (o->json && !o->only)
		fputc('}', o->f);
	if (!o->only)
		fputs(end, o->f);
}

static const char *ip4(uint32_t a, char *buf)
{
	struct in_addr in = { .s_addr = a };

	return inet_ntop(AF_INET, &in, buf, INET_ADDRSTRLEN);
}

/* Unset (0) addresses are null in JSON and "none" in text. */
static const char *ip4_or_null(uint32_t a, char *buf)
{
	return a ? ip4(a, buf) : NULL;
}

static const char *ip6(const struct in6_addr *a, char *buf)
{
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

static const char *name_or_num(const char *name, unsigned int v, char *buf)
{
	if (name)
		return name;
	snprintf(buf, 16, "%u", v);
	return buf;
}

/* What unsolicited inbound traffic reaches the host. */
static const char *inbound_name(const struct tnl_dev *d)
{
	if (d->mode != TEREDO_MODE_CLIENT)
		return "forwarded";
	/* a value this build does not know is not open */
	return teredo_inbound_name(d->inbound) ?:
	       teredo_inbound_name(TEREDO_INBOUND_AUTHORIZED);
}

static const char *inbound_text(const struct tnl_dev *d)
{
	if (d->mode != TEREDO_MODE_CLIENT)
		return "forwarded (relay and server are not filtered)";
	if (d->inbound == TEREDO_INBOUND_OPEN)
		return "open (filtering left to the firewall)";
	return "authorized sockets only";
}

static void print_marks(struct tnl_out *o, const struct tnl_dev *d)
{
	char buf[32];
	unsigned int i;

	pr_open(o, "allowed_marks", '[');
	for (i = 0; i < d->n_marks; i++) {
		snprintf(buf, sizeof(buf), "0x%x/0x%x", d->marks[i].mark,
			 d->marks[i].mask);
		if (pr_only(o, PR_ANY, "allowed_marks", buf))
			continue;
		if (!o->json) {
			fprintf(o->f, "\tallow %s\n", buf);
			continue;
		}
		pr_open(o, NULL, '{');
		pr_u64(o, PR_JSON, "mark", NULL, d->marks[i].mark);
		pr_u64(o, PR_JSON, "mask", NULL, d->marks[i].mask);
		pr_close(o, '}');
	}
	pr_close(o, ']');
}

static void print_managed(struct tnl_out *o, const struct tnl_dev *d)
{
	char b[INET_ADDRSTRLEN], buf[32];
	unsigned int i;

	pr_open(o, "managed", '[');
	for (i = 0; i < d->n_managed; i++) {
		snprintf(buf, sizeof(buf), "%s/%u", ip4(d->managed[i].addr, b),
			 d->managed[i].len);
		if (!pr_only(o, PR_ANY, "managed", buf))
			pr_str(o, PR_ANY, NULL, "\tmanaged %s\n", buf);
	}
	pr_close(o, ']');
}

/*
 * "servers" lists the candidates (text: when more than one),
 * "server_in_use" the one used or being tried.
 */
static void print_servers(struct tnl_out *o, const struct tnl_dev *d)
{
	char b[INET_ADDRSTRLEN];
	unsigned int i;

	pr_str(o, PR_JSON, "server_in_use", NULL,
	       ip4_or_null(d->server_in_use, b));
	if (d->n_servers > 1)
		pr_str(o, PR_TEXT, NULL, "\tservers", NULL);
	pr_open(o, "servers", '[');
	for (i = 0; i < d->n_servers; i++) {
		ip4(d->servers[i], b);
		if (!pr_only(o, PR_ANY, "servers", b))
			pr_str(o, d->n_servers > 1 ? PR_ANY : PR_JSON, NULL,
			       " %s", b);
	}
	pr_close(o, ']');
	if (d->n_servers > 1)
		pr_str(o, PR_TEXT, NULL, "\n", NULL);
	if (d->server_in_use)
		pr_str(o, PR_TEXT, NULL, "\tserver in use %s\n",
		       ip4(d->server_in_use, b));
}

/*
 * What the client found out about its NAT (client mode only): "nat" its
 * kind, "local_addr"/"local_port" our own end, "nat_mapped*" the
 * mappings the server's two addresses saw.  Text: "nat: KIND" and
 * "local: A.B.C.D:PORT" lines.
 */
static void print_nat(struct tnl_out *o, const struct tnl_dev *d)
{
	char b[INET_ADDRSTRLEN], buf[32], n[16];

	if (d->mode != TEREDO_MODE_CLIENT)
		return;
	pr_str(o, PR_ANY, "nat", "\tnat: %s",
	       name_or_num(teredo_nat_name(d->nat), d->nat, n));
	if (d->nat_mapped2_addr) {
		snprintf(buf, sizeof(buf), "%s:%u", ip4(d->nat_mapped2_addr, b),
			 d->nat_mapped2_port);
		pr_str(o, PR_TEXT, NULL, " (other server address saw %s)", buf);
	}
	pr_str(o, PR_TEXT, NULL, "\n", NULL);
	pr_str(o, PR_JSON, "local_addr", NULL, ip4_or_null(d->local_addr, b));
	pr_u64(o, PR_JSON, "local_port", NULL, d->local_port);
	if (d->local_addr) {
		snprintf(buf, sizeof(buf), "%s:%u", ip4(d->local_addr, b),
			 d->local_port);
		pr_str(o, PR_TEXT, NULL, "\tlocal: %s\n", buf);
	} else {
		pr_str(o, PR_TEXT, NULL, "\tlocal: none\n", NULL);
	}
	pr_str(o, PR_JSON, "nat_mapped_addr", NULL,
	       ip4_or_null(d->nat_mapped_addr, b));
	pr_u64(o, PR_JSON, "nat_mapped_port", NULL, d->nat_mapped_port);
	pr_str(o, PR_JSON, "nat_mapped2_addr", NULL,
	       ip4_or_null(d->nat_mapped2_addr, b));
	pr_u64(o, PR_JSON, "nat_mapped2_port", NULL, d->nat_mapped2_port);
}

/*
 * The socket's binding: "local" (null: any address) and "link", the
 * device's name as "ip -d link show" gives it (null: any; a device of
 * another netns: "link_index").  Text: a line only if one is set.
 */
static void print_bind(struct tnl_out *o, const struct tnl_dev *d)
{
	char b[INET_ADDRSTRLEN], name[IF_NAMESIZE];
	bool named = d->link && if_indextoname(d->link, name);

	pr_str(o, PR_JSON, "local", NULL, ip4_or_null(d->local, b));
	if (d->link && !named)
		pr_u64(o, PR_JSON, "link_index", NULL, d->link);
	else
		pr_str(o, PR_JSON, "link", NULL, named ? name : NULL);
	if (!d->local && !d->link)
		return;
	pr_str(o, PR_TEXT, NULL, "\tbound to local %s",
	       d->local ? ip4(d->local, b) : "any");
	if (named)
		pr_str(o, PR_TEXT, NULL, " dev %s\n", name);
	else if (d->link)
		pr_u64(o, PR_TEXT, NULL, " dev %" PRIu64 "\n", d->link);
	else
		pr_str(o, PR_TEXT, NULL, " dev any\n", NULL);
}

static void print_stats(struct tnl_out *o, const struct tnl_dev *d)
{
	bool all = o->only && pr_match(o, "stats");
	unsigned int i;

	pr_str(o, PR_TEXT, NULL, "\tcounters:", NULL);
	pr_open(o, "stats", '{');
	o->scope = "stats";
	for (i = 0; i < __TEREDO_STAT_MAX; i++) {
		if (all) {	/* show DEV stats: "NAME VALUE" lines */
			fprintf(o->f, "%s %" PRIu64 "\n", teredo_stat_name(i),
				d->stats[i]);
			o->found = true;
			continue;
		}
		pr_str(o, PR_TEXT, NULL, i % 4 ? " %s" : "\n\t  %s",
		       teredo_stat_name(i));
		pr_u64(o, PR_ANY, teredo_stat_name(i), " %" PRIu64, d->stats[i]);
	}
	o->scope = NULL;
	pr_close(o, '}');
	pr_str(o, PR_TEXT, NULL, "\n", NULL);
}

static void print_dev(struct tnl_out *o, const struct tnl_dev *d)
{
	char b1[INET6_ADDRSTRLEN], n1[16], n2[16], n3[16], n4[16];
	const char *reason;

	reason = name_or_num(teredo_dormant_reason_name(d->dormant_reason),
			     d->dormant_reason, n4);
	pr_str(o, PR_ANY, "ifname", "%s:", d->ifname);
	pr_u64(o, PR_JSON, "ifindex", NULL, d->ifindex);
	pr_str(o, PR_ANY, "mode", " mode %s",
	       name_or_num(teredo_mode_name(d->mode), d->mode, n1));
	pr_str(o, PR_ANY, "state", " state %s",
	       name_or_num(teredo_state_name(d->state), d->state, n2));
	if (d->dormant_reason)
		pr_str(o, PR_TEXT, NULL, " (%s)", reason);
	pr_u64(o, PR_TEXT, NULL, " holds %" PRIu64 "\n", d->holds);
	pr_str(o, PR_JSON, "state_reason", NULL,
	       d->state_reason[0] ? d->state_reason : NULL);
	if (d->state_reason[0])
		pr_str(o, PR_TEXT, NULL, "\treason: %s\n", d->state_reason);
	pr_str(o, PR_ANY, "address", "\taddress %s\n",
	       d->has_address ? ip6(&d->address, b1) : NULL);
	pr_str(o, PR_ANY, "server", "\tserver %s", ip4_or_null(d->server, b1));
	pr_str(o, PR_JSON, "server2", NULL, ip4_or_null(d->server2, b1));
	pr_str(o, PR_TEXT, NULL, " server2 %s\n",
	       d->server2 ? ip4(d->server2, b1) : "default");
	print_servers(o, d);
	pr_str(o, PR_JSON, "mapped_addr", NULL, ip4_or_null(d->mapped_addr, b1));
	pr_u64(o, PR_JSON, "mapped_port", NULL, d->mapped_port);
	if (d->mapped_addr) {
		pr_str(o, PR_TEXT, NULL, "\tmapped %s", ip4(d->mapped_addr, b1));
		pr_u64(o, PR_TEXT, NULL,
		       ":%" PRIu64 " (NAT mapping seen by the server)\n",
		       d->mapped_port);
	} else {
		pr_str(o, PR_TEXT, NULL, "\tmapped none\n", NULL);
	}
	print_nat(o, d);
	print_bind(o, d);
	pr_u64(o, PR_ANY, "port", "\tport %" PRIu64, d->port);
	pr_u64(o, PR_ANY, "fwmark", " fwmark 0x%" PRIx64, d->fwmark);
	pr_u64(o, PR_ANY, "refresh", NULL, d->refresh);
	pr_bool(o, PR_JSON, "refresh_auto", NULL, d->refresh_auto);
	if (d->refresh_determined)
		pr_u64(o, PR_JSON, "refresh_determined", NULL,
		       d->refresh_determined);
	else
		pr_str(o, PR_JSON, "refresh_determined", NULL, NULL);
	pr_u64(o, PR_ANY, "rxmark", " rxmark 0x%" PRIx64, d->rxmark);
	pr_str(o, PR_ANY, "policy", " policy %s\n",
	       name_or_num(teredo_policy_name(d->policy), d->policy, n3));
	pr_u64(o, PR_TEXT, NULL, "\trefresh %" PRIu64 "s", d->refresh);
	pr_u64(o, PR_ANY, "dormant_timeout", " dormant-timeout %" PRIu64 "s",
	       d->dormant_timeout);
	pr_u64(o, PR_ANY, "max_peers", " max-peers %" PRIu64, d->max_peers);
	pr_u64(o, PR_TEXT, NULL, " peers %" PRIu64 "\n", d->peer_count);
	if (d->refresh_auto && d->refresh_determined)
		pr_u64(o, PR_TEXT, NULL,
		       "\trefresh auto: NAT keeps mappings %" PRIu64 "s or more\n",
		       d->refresh_determined);
	else if (d->refresh_auto)
		pr_str(o, PR_TEXT, NULL, "\trefresh auto: determining\n", NULL);
	pr_bool(o, PR_ANY, "local_discovery", "\tlocal-discovery on\n",
		d->local_discovery);
	pr_bool(o, PR_ANY, "hairpinning", "\thairpinning on\n",
		d->hairpinning);
	pr_str(o, PR_JSON, "inbound", NULL, inbound_name(d));
	pr_str(o, PR_TEXT, NULL, "\tinbound: %s\n", inbound_text(d));
	print_marks(o, d);
	print_managed(o, d);
	pr_str(o, PR_JSON, "dormant_reason", NULL, reason);
	pr_u64(o, PR_JSON, "holds", NULL, d->holds);
	pr_u64(o, PR_JSON, "peers", NULL, d->peer_count);
	print_stats(o, d);
}

void tnl_print_dev(FILE *f, const struct tnl_dev *d, bool json)
{
	struct tnl_out o;

	pr_start(&o, f, json, NULL);
	print_dev(&o, d);
	pr_end(&o, json ? "\n" : "");
}

int tnl_print_dev_field(FILE *f, const struct tnl_dev *d, const char *field)
{
	struct tnl_out o;

	pr_start(&o, f, false, field);
	print_dev(&o, d);
	return o.found ? 0 : -1;
}

static void print_peer(struct tnl_out *o, const struct tnl_peer *p)
{
	char b[INET6_ADDRSTRLEN];

	pr_str(o, PR_ANY, "address", "%s", ip6(&p->address, b));
	pr_str(o, PR_JSON, "mapped_addr", NULL, ip4_or_null(p->mapped_addr, b));
	pr_str(o, PR_TEXT, NULL, " mapped %s", ip4(p->mapped_addr, b));
	pr_u64(o, PR_ANY, "mapped_port", ":%" PRIu64, p->mapped_port);
	pr_str(o, PR_TEXT, NULL, " %s", p->trusted ? "trusted" : "untrusted");
	pr_bool(o, PR_JSON, "trusted", NULL, p->trusted);
	pr_bool(o, PR_ANY, "relay", " relay", p->relay);
	pr_u64(o, PR_ANY, "last_rx_ms", " rx %" PRIu64 "ms", p->last_rx_ms);
	pr_u64(o, PR_ANY, "last_tx_ms", " tx %" PRIu64 "ms", p->last_tx_ms);
	pr_u64(o, PR_ANY, "bubbles", " bubbles %" PRIu64, p->bubbles);
	pr_u64(o, PR_ANY, "queued", " queued %" PRIu64, p->queued);
}

void tnl_print_peer(FILE *f, const struct tnl_peer *p, bool json)
{
	struct tnl_out o;

	pr_start(&o, f, json, NULL);
	print_peer(&o, p);
	pr_end(&o, json ? "" : "\n");
}

void tnl_print_event(FILE *f, const struct tnl_event *ev, bool json)
{
	char b[INET6_ADDRSTRLEN], n1[16], n2[16], n3[16];
	struct tnl_out o;

	pr_start(&o, f, json, NULL);
	pr_str(&o, PR_ANY, "ifname", "%s", ev->ifname);
	pr_u64(&o, PR_JSON, "ifindex", NULL, ev->ifindex);
	pr_str(&o, PR_ANY, "event", " %s",
	       name_or_num(teredo_event_name(ev->event), ev->event, n1));
	if (ev->has_state)
		pr_str(&o, PR_ANY, "state", " state %s",
		       name_or_num(teredo_state_name(ev->state), ev->state, n2));
	if (ev->has_address || ev->event == TEREDO_EVENT_ADDRESS)
		pr_str(&o, ev->has_address ? PR_ANY : PR_JSON, "address",
		       " address %s",
		       ev->has_address ? ip6(&ev->address, b) : NULL);
	/* state and address events: the NAT's kind, why not qualified */
	if (ev->has_nat) {
		pr_str(&o, PR_ANY, "nat", " nat %s",
		       name_or_num(teredo_nat_name(ev->nat), ev->nat, n3));
		pr_str(&o, PR_JSON, "state_reason", NULL,
		       ev->state_reason[0] ? ev->state_reason : NULL);
		if (ev->state_reason[0])
			pr_str(&o, PR_TEXT, NULL, " reason: %s",
			       ev->state_reason);
	}
	if (ev->has_suppressed) {
		pr_u64(&o, PR_JSON, "suppressed", NULL, ev->suppressed);
		pr_u64(&o, PR_TEXT, NULL,
		       " %" PRIu64 " peer events of unsolicited peers not sent",
		       ev->suppressed);
	}
	if (ev->has_lost) {
		pr_str(&o, PR_ANY, "server_lost", " server %s lost",
		       ip4(ev->server_lost, b));
		pr_str(&o, PR_ANY, "server_in_use", ", in use %s",
		       ip4_or_null(ev->server_in_use, b));
	}
	if (ev->has_peer) {
		pr_str(&o, PR_TEXT, NULL, " peer ", NULL);
		pr_open(&o, "peer", '{');
		print_peer(&o, &ev->peer);
		pr_close(&o, '}');
	}
	pr_end(&o, "\n");
	fflush(f);
}
