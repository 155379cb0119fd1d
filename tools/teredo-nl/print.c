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
	    get_fixed(tb[TEREDO_A_FWMARK], &d->fwmark, 4) ||
	    get_fixed(tb[TEREDO_A_REFRESH], &d->refresh, 4) ||
	    get_fixed(tb[TEREDO_A_REFRESH_AUTO], &d->refresh_auto, 1) ||
	    get_fixed(tb[TEREDO_A_LOCAL_DISCOVERY], &d->local_discovery, 1) ||
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
	if (!tb[TEREDO_A_EVENT] ||
	    get_fixed(tb[TEREDO_A_EVENT], &ev->event, 1) ||
	    get_fixed(tb[TEREDO_A_IFINDEX], &ev->ifindex, 4) ||
	    get_ifname(tb[TEREDO_A_IFNAME], ev->ifname) ||
	    get_fixed(tb[TEREDO_A_STATE], &ev->state, 1) ||
	    get_fixed(tb[TEREDO_A_ADDRESS], &ev->address, 16) ||
	    get_fixed(tb[TEREDO_A_EVENTS_SUPPRESSED], &ev->suppressed, 4))
		return -1;
	if (ev->has_peer)
		return decode_peer_nest(tb[TEREDO_A_PEER], &ev->peer);
	return 0;
}

/* JSON helpers. */
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

static void json_key(FILE *f, const char *key, bool *first)
{
	fputs(*first ? "" : ", ", f);
	*first = false;
	json_str(f, key);
	fputs(": ", f);
}

static void json_kstr(FILE *f, const char *key, const char *val, bool *first)
{
	json_key(f, key, first);
	if (val)
		json_str(f, val);
	else
		fputs("null", f);
}

static void json_knum(FILE *f, const char *key, uint64_t val, bool *first)
{
	json_key(f, key, first);
	fprintf(f, "%" PRIu64, val);
}

static void json_kbool(FILE *f, const char *key, bool val, bool *first)
{
	json_key(f, key, first);
	fputs(val ? "true" : "false", f);
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
	return d->inbound == TEREDO_INBOUND_OPEN ? "open" : "authorized";
}

static void print_dev_json(FILE *f, const struct tnl_dev *d)
{
	char b1[INET6_ADDRSTRLEN], n1[16], n2[16], n3[16];
	bool first = true, f2;
	unsigned int i;

	fputc('{', f);
	json_kstr(f, "ifname", d->ifname, &first);
	json_knum(f, "ifindex", d->ifindex, &first);
	json_kstr(f, "mode", name_or_num(tnl_mode_name(d->mode), d->mode, n1),
		  &first);
	json_kstr(f, "state",
		  name_or_num(tnl_state_name(d->state), d->state, n2), &first);
	json_kstr(f, "address", d->has_address ? ip6(&d->address, b1) : NULL,
		  &first);
	json_kstr(f, "server", ip4_or_null(d->server, b1), &first);
	json_kstr(f, "server2", ip4_or_null(d->server2, b1), &first);
	json_kstr(f, "mapped_addr", ip4_or_null(d->mapped_addr, b1), &first);
	json_knum(f, "mapped_port", d->mapped_port, &first);
	json_knum(f, "port", d->port, &first);
	json_knum(f, "fwmark", d->fwmark, &first);
	json_knum(f, "refresh", d->refresh, &first);
	json_kbool(f, "refresh_auto", d->refresh_auto, &first);
	json_key(f, "refresh_determined", &first);
	if (d->refresh_determined)
		fprintf(f, "%u", d->refresh_determined);
	else
		fputs("null", f);
	json_knum(f, "rxmark", d->rxmark, &first);
	json_kstr(f, "policy",
		  name_or_num(tnl_policy_name(d->policy), d->policy, n3),
		  &first);
	json_knum(f, "dormant_timeout", d->dormant_timeout, &first);
	json_knum(f, "max_peers", d->max_peers, &first);
	json_kbool(f, "local_discovery", d->local_discovery, &first);
	json_kstr(f, "inbound", inbound_name(d), &first);
	json_key(f, "allowed_marks", &first);
	fputc('[', f);
	for (i = 0; i < d->n_marks; i++) {
		f2 = true;
		fputs(i ? ", {" : "{", f);
		json_knum(f, "mark", d->marks[i].mark, &f2);
		json_knum(f, "mask", d->marks[i].mask, &f2);
		fputc('}', f);
	}
	fputc(']', f);
	json_key(f, "managed", &first);
	fputc('[', f);
	for (i = 0; i < d->n_managed; i++)
		fprintf(f, "%s\"%s/%u\"", i ? ", " : "",
			ip4(d->managed[i].addr, b1), d->managed[i].len);
	fputc(']', f);
	json_kstr(f, "dormant_reason",
		  name_or_num(tnl_dormant_reason_name(d->dormant_reason),
			      d->dormant_reason, n1), &first);
	json_knum(f, "holds", d->holds, &first);
	json_knum(f, "peers", d->peer_count, &first);
	json_key(f, "stats", &first);
	fputc('{', f);
	f2 = true;
	for (i = 0; i < __TEREDO_STAT_MAX; i++)
		json_knum(f, tnl_stat_name(i), d->stats[i], &f2);
	fputs("}}\n", f);
}

static void print_dev_text(FILE *f, const struct tnl_dev *d)
{
	char b1[INET6_ADDRSTRLEN], b2[INET6_ADDRSTRLEN], n1[16], n2[16];
	unsigned int i;

	fprintf(f, "%s: mode %s state %s", d->ifname,
		name_or_num(tnl_mode_name(d->mode), d->mode, n1),
		name_or_num(tnl_state_name(d->state), d->state, n2));
	if (d->dormant_reason)
		fprintf(f, " (%s)",
			name_or_num(tnl_dormant_reason_name(d->dormant_reason),
				    d->dormant_reason, n1));
	fprintf(f, " holds %u\n", d->holds);
	fprintf(f, "\taddress %s\n",
		d->has_address ? ip6(&d->address, b1) : "none");
	fprintf(f, "\tserver %s server2 %s\n",
		d->server ? ip4(d->server, b1) : "none",
		d->server2 ? ip4(d->server2, b2) : "default");
	if (d->mapped_addr)
		fprintf(f, "\tmapped %s:%u (NAT mapping seen by the server)\n",
			ip4(d->mapped_addr, b1), d->mapped_port);
	else
		fputs("\tmapped none\n", f);
	fprintf(f, "\tport %u fwmark 0x%x rxmark 0x%x policy %s\n", d->port,
		d->fwmark, d->rxmark,
		name_or_num(tnl_policy_name(d->policy), d->policy, n1));
	fprintf(f, "\trefresh %us dormant-timeout %us max-peers %u peers %u\n",
		d->refresh, d->dormant_timeout, d->max_peers, d->peer_count);
	if (d->refresh_auto && d->refresh_determined)
		fprintf(f, "\trefresh auto: NAT keeps mappings %us or more\n",
			d->refresh_determined);
	else if (d->refresh_auto)
		fputs("\trefresh auto: determining\n", f);
	if (d->local_discovery)
		fputs("\tlocal-discovery on\n", f);
	if (d->mode != TEREDO_MODE_CLIENT)
		fputs("\tinbound: forwarded (relay and server are not filtered)\n",
		      f);
	else if (d->inbound == TEREDO_INBOUND_OPEN)
		fputs("\tinbound: open (filtering left to the firewall)\n", f);
	else
		fputs("\tinbound: authorized sockets only\n", f);
	for (i = 0; i < d->n_marks; i++)
		fprintf(f, "\tallow 0x%x/0x%x\n", d->marks[i].mark,
			d->marks[i].mask);
	for (i = 0; i < d->n_managed; i++)
		fprintf(f, "\tmanaged %s/%u\n", ip4(d->managed[i].addr, b1),
			d->managed[i].len);
	fputs("\tcounters:", f);
	for (i = 0; i < __TEREDO_STAT_MAX; i++)
		fprintf(f, "%s%s %" PRIu64, i % 4 ? " " : "\n\t  ",
			tnl_stat_name(i), d->stats[i]);
	fputc('\n', f);
}

void tnl_print_dev(FILE *f, const struct tnl_dev *d, bool json)
{
	if (json)
		print_dev_json(f, d);
	else
		print_dev_text(f, d);
}

static void print_peer_json(FILE *f, const struct tnl_peer *p)
{
	char b[INET6_ADDRSTRLEN];
	bool first = true;

	fputc('{', f);
	json_kstr(f, "address", ip6(&p->address, b), &first);
	json_kstr(f, "mapped_addr", ip4_or_null(p->mapped_addr, b), &first);
	json_knum(f, "mapped_port", p->mapped_port, &first);
	json_kbool(f, "trusted", p->trusted, &first);
	json_kbool(f, "relay", p->relay, &first);
	json_knum(f, "last_rx_ms", p->last_rx_ms, &first);
	json_knum(f, "last_tx_ms", p->last_tx_ms, &first);
	json_knum(f, "bubbles", p->bubbles, &first);
	json_knum(f, "queued", p->queued, &first);
	fputc('}', f);
}

void tnl_print_peer(FILE *f, const struct tnl_peer *p, bool json)
{
	char b1[INET6_ADDRSTRLEN], b2[INET_ADDRSTRLEN];

	if (json) {
		print_peer_json(f, p);
		return;
	}
	fprintf(f, "%s mapped %s:%u %s%s rx %ums tx %ums bubbles %u queued %u\n",
		ip6(&p->address, b1), ip4(p->mapped_addr, b2), p->mapped_port,
		p->trusted ? "trusted" : "untrusted",
		p->relay ? " relay" : "", p->last_rx_ms, p->last_tx_ms,
		p->bubbles, p->queued);
}

void tnl_print_event(FILE *f, const struct tnl_event *ev, bool json)
{
	char b[INET6_ADDRSTRLEN], n1[16], n2[16];
	const char *ename = name_or_num(tnl_event_name(ev->event), ev->event, n1);
	const char *sname = name_or_num(tnl_state_name(ev->state), ev->state, n2);
	bool first = true;

	if (!json) {
		fprintf(f, "%s %s", ev->ifname, ename);
		if (ev->has_state)
			fprintf(f, " state %s", sname);
		if (ev->has_address)
			fprintf(f, " address %s", ip6(&ev->address, b));
		if (ev->has_suppressed)
			fprintf(f, " %u peer events of unsolicited peers not sent",
				ev->suppressed);
		if (ev->has_peer) {
			fputs(" peer ", f);
			tnl_print_peer(f, &ev->peer, false);
		} else {
			fputc('\n', f);
		}
		fflush(f);
		return;
	}
	fputc('{', f);
	json_kstr(f, "ifname", ev->ifname, &first);
	json_knum(f, "ifindex", ev->ifindex, &first);
	json_kstr(f, "event", ename, &first);
	if (ev->has_state)
		json_kstr(f, "state", sname, &first);
	if (ev->has_address || ev->event == TEREDO_EVENT_ADDRESS)
		json_kstr(f, "address",
			  ev->has_address ? ip6(&ev->address, b) : NULL, &first);
	if (ev->has_suppressed)
		json_knum(f, "suppressed", ev->suppressed, &first);
	if (ev->has_peer) {
		json_key(f, "peer", &first);
		print_peer_json(f, &ev->peer);
	}
	fputs("}\n", f);
	fflush(f);
}
