// SPDX-License-Identifier: GPL-2.0
/*
 * iproute2 plugin for teredo devices: "ip link add t0 type teredo ...",
 * "ip link help teredo" and the teredo part of "ip -d [-j] link show".
 *
 * ip(8) looks for an unknown link kind in <libdir>/ip/link_<kind>.so
 * (Debian: /usr/lib/x86_64-linux-gnu/ip, or $IP_LIB_DIR) and takes the
 * symbol <kind>_link_util.  Debian ships no iproute2 headers, so the few
 * pieces of ip's ABI used here are declared in iproute2.h; they are those of
 * iproute2 6.1 (Debian 12), whose ip is linked with -export-dynamic.
 * Everything else (address and number parsing, interface names) is done
 * with libc so that the plugin depends on as little of ip as possible.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/teredo.h>

#include "iproute2.h"
#include "names.h"

/* --- names -------------------------------------------------------------- */

/*
 * The names of the uapi enums' values are the module's own
 * (drivers/net/teredo/names.h), shared with it and teredo-nl.
 */
typedef const char *name_fn(unsigned int);

static const char *on_off_name(unsigned int v)
{
	if (v > 1)
		return NULL;
	return v ? "on" : "off";
}

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

static void teredo_print_help(struct link_util *lu, int argc, char **argv,
			      FILE *f)
{
	fprintf(f,
		"Usage: ... teredo [ mode { client | relay | server } ]\n"
		"                  [ server { ADDR [ ADDR ]... | none } ]\n"
		"                  [ server2 { ADDR | none } ]\n"
		"                  [ port PORT ] [ fwmark MARK ]\n"
		"                  [ local { ADDR | any } ] [ dev { PHYS_DEV | any } ]\n"
		"                  [ refresh SECONDS ] [ refresh auto ]\n"
		"                  [ local-discovery { on | off } ] [ hairpinning { on | off } ]\n"
		"                  [ inbound { authorized | open } ]\n"
		"                  [ allow { MARK[/MASK] | none } ]...\n"
		"                  [ rxmark MARK ]\n"
		"                  [ policy { client | enterprise } ]\n"
		"                  [ dormant-timeout SECONDS ] [ max-peers N ]\n"
		"                  [ managed { PREFIX [ PREFIX ]... | none } ]\n"
		"\n"
		"Where: ADDR    := IPv4 address (server2 defaults to server + 1);\n"
		"                  several servers: candidates tried in order\n"
		"       PORT    := local UDP port, 0-65535 (0: random)\n"
		"       MARK    := firewall mark, u32 (fwmark: outer packets,\n"
		"                  rxmark: decapsulated packets)\n"
		"       SECONDS := client refresh interval (default 30); auto:\n"
		"                  determined (RFC 4380 5.2.7), at most SECONDS\n"
		"       inbound := what unsolicited traffic a client delivers:\n"
		"                  authorized sockets only (default), or all\n"
		"       allow   := marks of authorized sockets (repeatable)\n"
		"       PREFIX  := A.B.C.D/LEN, managed IPv4 network (policy client)\n"
		"The keywords are those of \"teredo-nl set\" (teredo-nl(8)).\n");
}

/* --- parsing ------------------------------------------------------------ */

/* Parses a whole unsigned number (decimal, 0x hex or 0 octal) <= max. */
static int parse_unsigned(const char *arg, unsigned long max,
			  unsigned long *val)
{
	char *end;

	if (!*arg || *arg == '-' || *arg == '+' || *arg == ' ')
		return -1;
	errno = 0;
	*val = strtoul(arg, &end, 0);
	if (errno || *end || *val > max)
		return -1;
	return 0;
}

static int try_ipv4(const char *arg, __u32 *addr)
{
	struct in_addr a;

	if (inet_pton(AF_INET, arg, &a) != 1)
		return -1;
	*addr = a.s_addr;
	return 0;
}

/* An IPv4 address, or @unset ("none", "any": 0) as teredo-nl has it. */
static __u32 parse_ipv4(const char *arg, const char *unset)
{
	__u32 addr;

	if (!strcmp(arg, unset))
		return 0;
	if (try_ipv4(arg, &addr))
		invarg("not an IPv4 address", arg);
	return addr;
}

static __u8 parse_name(const char *arg, name_fn *name, unsigned int n,
		       const char *msg)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (name(i) && !strcmp(arg, name(i)))
			return i;
	invarg(msg, arg);
}

/* A.B.C.D/LEN or A.B.C.D (a /32); -1 if it is not one. */
static int try_prefix(const char *arg, __u32 *addr, __u8 *len)
{
	char buf[32], *slash;
	unsigned long l = 32;

	if (strlen(arg) >= sizeof(buf))
		return -1;
	strcpy(buf, arg);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		if (parse_unsigned(slash + 1, 32, &l))
			return -1;
	}
	if (try_ipv4(buf, addr))
		return -1;
	*len = l;
	return 0;
}

/* One option: its keyword, and the attribute that carries it. */
static const struct {
	const char *key;
	int type;
} keywords[] = {
	{ "mode", IFLA_TEREDO_MODE },
	{ "server", IFLA_TEREDO_SERVER },
	{ "server2", IFLA_TEREDO_SERVER2 },
	{ "port", IFLA_TEREDO_PORT },
	{ "fwmark", IFLA_TEREDO_FWMARK },
	{ "local", IFLA_TEREDO_LOCAL },
	{ "dev", IFLA_TEREDO_LINK },
	{ "refresh", IFLA_TEREDO_REFRESH },
	{ "inbound", IFLA_TEREDO_INBOUND },
	{ "rxmark", IFLA_TEREDO_RXMARK },
	{ "policy", IFLA_TEREDO_POLICY },
	{ "dormant-timeout", IFLA_TEREDO_DORMANT_TIMEOUT },
	{ "max-peers", IFLA_TEREDO_MAX_PEERS },
	{ "local-discovery", IFLA_TEREDO_LOCAL_DISCOVERY },
	{ "hairpinning", IFLA_TEREDO_HAIRPINNING },
	{ "allow", IFLA_TEREDO_ALLOWED_MARKS },
	{ "managed", IFLA_TEREDO_MANAGED },
};

static int keyword_attr(const char *arg)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(keywords); i++)
		if (!strcmp(arg, keywords[i].key))
			return keywords[i].type;
	return -1;
}

/* What the options asked for, sent once all are read. */
struct teredo_opts {
	bool seen[IFLA_TEREDO_MAX + 1];
	__u32 u32[IFLA_TEREDO_MAX + 1];	/* every scalar value */
	unsigned int n_servers;
	__u32 servers[TEREDO_MAX_SERVERS];
	unsigned int n_marks;
	__u32 marks[TEREDO_MAX_ALLOWED_MARKS][2];
	unsigned int n_managed;
	struct {
		__u32 addr;
		__u8 len;
	} managed[TEREDO_MAX_MANAGED];
};

/* "allow MARK[/MASK]" or "allow none"; repeatable. */
static void parse_allow(struct teredo_opts *o, const char *arg)
{
	unsigned long mark, mask = UINT32_MAX;
	char buf[32], *slash;

	if (!strcmp(arg, "none")) {
		if (o->n_marks)
			invarg("allow none cannot be combined with marks", arg);
		return;
	}
	if (o->n_marks == TEREDO_MAX_ALLOWED_MARKS)
		invarg("at most 16 allowed marks", arg);
	if (strlen(arg) >= sizeof(buf))
		invarg("allow takes MARK[/MASK] (u32 numbers)", arg);
	strcpy(buf, arg);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		if (parse_unsigned(slash + 1, UINT32_MAX, &mask))
			invarg("allow takes MARK[/MASK] (u32 numbers)", arg);
	}
	if (parse_unsigned(buf, UINT32_MAX, &mark))
		invarg("allow takes MARK[/MASK] (u32 numbers)", arg);
	o->marks[o->n_marks][0] = mark;
	o->marks[o->n_marks][1] = mask;
	o->n_marks++;
}

/*
 * "server ADDR [ADDR]..." and "managed PREFIX [PREFIX]...": the words
 * up to the next keyword (server) or the next non-prefix (managed).
 * How many words of @argv they took.
 */
static int parse_list(struct teredo_opts *o, int type, int argc, char **argv)
{
	__u32 addr;
	__u8 len;
	int i;

	if (type == IFLA_TEREDO_SERVER) {
		o->u32[type] = parse_ipv4(argv[0], "none");
		for (i = 1; i < argc && keyword_attr(argv[i]) < 0; i++) {
			if (!o->u32[type] || try_ipv4(argv[i], &addr) || !addr)
				invarg("server takes IPv4 addresses, or none alone",
				       argv[i]);
			if (o->n_servers == TEREDO_MAX_SERVERS - 1)
				invarg("at most 8 servers", argv[i]);
			o->servers[++o->n_servers] = addr;
		}
		if (o->n_servers) {
			o->servers[0] = o->u32[type];
			o->n_servers++;
		}
		return i;
	}
	/* IFLA_TEREDO_MANAGED */
	if (!strcmp(argv[0], "none"))
		return 1;
	for (i = 0; i < argc; i++) {
		if (try_prefix(argv[i], &addr, &len)) {
			if (i)
				break;		/* the next option */
			invarg("managed takes A.B.C.D/LEN prefixes, or none",
			       argv[i]);
		}
		if (o->n_managed == TEREDO_MAX_MANAGED)
			invarg("at most 16 managed prefixes", argv[i]);
		o->managed[o->n_managed].addr = addr;
		o->managed[o->n_managed].len = len;
		o->n_managed++;
	}
	return i;
}

/* Reads one option's value; exits through invarg() on a bad value. */
static void teredo_parse_value(struct teredo_opts *o, int type,
			       const char *arg)
{
	unsigned long v;

	switch (type) {
	case IFLA_TEREDO_MODE:
		v = parse_name(arg, teredo_mode_name, __TEREDO_MODE_MAX,
			       "mode must be client, relay or server");
		break;
	case IFLA_TEREDO_SERVER2:
		v = parse_ipv4(arg, "none");
		break;
	case IFLA_TEREDO_LOCAL:
		v = parse_ipv4(arg, "any");
		break;
	case IFLA_TEREDO_PORT:
		if (parse_unsigned(arg, USHRT_MAX, &v))
			invarg("port must be a number 0-65535", arg);
		break;
	case IFLA_TEREDO_FWMARK:
		if (parse_unsigned(arg, UINT32_MAX, &v))
			invarg("fwmark must be a 32-bit number", arg);
		break;
	case IFLA_TEREDO_RXMARK:
		if (parse_unsigned(arg, UINT32_MAX, &v))
			invarg("rxmark must be a 32-bit number", arg);
		break;
	case IFLA_TEREDO_REFRESH:
		if (parse_unsigned(arg, UINT32_MAX, &v) || !v)
			invarg("refresh must be a number of seconds >= 1, or auto",
			       arg);
		break;
	case IFLA_TEREDO_DORMANT_TIMEOUT:
		if (parse_unsigned(arg, UINT32_MAX, &v))
			invarg("dormant-timeout must be a number of seconds",
			       arg);
		break;
	case IFLA_TEREDO_MAX_PEERS:
		if (parse_unsigned(arg, UINT32_MAX, &v) || !v)
			invarg("max-peers must be a number >= 1", arg);
		break;
	case IFLA_TEREDO_INBOUND:
		v = parse_name(arg, teredo_inbound_name, __TEREDO_INBOUND_MAX,
			       "inbound must be authorized or open");
		break;
	case IFLA_TEREDO_POLICY:
		v = parse_name(arg, teredo_policy_name, __TEREDO_POLICY_MAX,
			       "policy must be client or enterprise");
		break;
	case IFLA_TEREDO_LOCAL_DISCOVERY:
		v = parse_name(arg, on_off_name, 2,
			       "local-discovery must be on or off");
		break;
	case IFLA_TEREDO_HAIRPINNING:
		v = parse_name(arg, on_off_name, 2,
			       "hairpinning must be on or off");
		break;
	case IFLA_TEREDO_LINK:
		if (!strcmp(arg, "any")) {
			v = 0;
			break;
		}
		v = if_nametoindex(arg);
		if (!v)
			invarg("no such network device", arg);
		break;
	default:
		return;
	}
	o->u32[type] = v;
}

/* Widths of the scalar attributes (the others are nests). */
static int attr_width(int type)
{
	switch (type) {
	case IFLA_TEREDO_MODE:
	case IFLA_TEREDO_INBOUND:
	case IFLA_TEREDO_POLICY:
	case IFLA_TEREDO_REFRESH_AUTO:
	case IFLA_TEREDO_LOCAL_DISCOVERY:
	case IFLA_TEREDO_HAIRPINNING:
		return 1;
	case IFLA_TEREDO_PORT:
		return 2;
	case IFLA_TEREDO_ALLOWED_MARKS:
	case IFLA_TEREDO_MANAGED:
	case IFLA_TEREDO_SERVERS:
	case IFLA_TEREDO_STATE:
		return 0;
	}
	return 4;
}

static void teredo_put_opts(struct nlmsghdr *n, const struct teredo_opts *o)
{
	struct rtattr *nest, *elem;
	unsigned int i;
	int type;

	for (type = 1; type <= IFLA_TEREDO_MAX; type++) {
		if (!o->seen[type])
			continue;
		if (type == IFLA_TEREDO_SERVER && o->n_servers)
			continue;	/* a list: IFLA_TEREDO_SERVERS */
		switch (attr_width(type)) {
		case 1:
			addattr8(n, IP_REQ_ROOM, type, o->u32[type]);
			break;
		case 2:
			addattr16(n, IP_REQ_ROOM, type, o->u32[type]);
			break;
		case 4:
			addattr32(n, IP_REQ_ROOM, type, o->u32[type]);
			break;
		}
	}
	if (o->n_servers) {
		nest = addattr_nest(n, IP_REQ_ROOM,
				    IFLA_TEREDO_SERVERS | NLA_F_NESTED);
		for (i = 0; i < o->n_servers; i++)
			addattr32(n, IP_REQ_ROOM, TEREDO_A_SERVER_ADDR,
				  o->servers[i]);
		addattr_nest_end(n, nest);
	}
	if (o->seen[IFLA_TEREDO_ALLOWED_MARKS]) {
		nest = addattr_nest(n, IP_REQ_ROOM,
				    IFLA_TEREDO_ALLOWED_MARKS | NLA_F_NESTED);
		for (i = 0; i < o->n_marks; i++) {
			elem = addattr_nest(n, IP_REQ_ROOM,
					    TEREDO_A_MARK | NLA_F_NESTED);
			addattr32(n, IP_REQ_ROOM, TEREDO_MARK_A_MARK,
				  o->marks[i][0]);
			addattr32(n, IP_REQ_ROOM, TEREDO_MARK_A_MASK,
				  o->marks[i][1]);
			addattr_nest_end(n, elem);
		}
		addattr_nest_end(n, nest);
	}
	if (o->seen[IFLA_TEREDO_MANAGED]) {
		nest = addattr_nest(n, IP_REQ_ROOM,
				    IFLA_TEREDO_MANAGED | NLA_F_NESTED);
		for (i = 0; i < o->n_managed; i++) {
			elem = addattr_nest(n, IP_REQ_ROOM,
					    TEREDO_A_PREFIX | NLA_F_NESTED);
			addattr32(n, IP_REQ_ROOM, TEREDO_PREFIX_A_ADDR,
				  o->managed[i].addr);
			addattr8(n, IP_REQ_ROOM, TEREDO_PREFIX_A_LEN,
				 o->managed[i].len);
			addattr_nest_end(n, elem);
		}
		addattr_nest_end(n, nest);
	}
}

static int teredo_parse_opt(struct link_util *lu, int argc, char **argv,
			    struct nlmsghdr *n)
{
	static struct teredo_opts o;
	const char *key;
	int type, used;

	memset(&o, 0, sizeof(o));
	for (; argc > 0; argc--, argv++) {
		key = *argv;
		if (!strcmp(key, "help")) {
			teredo_print_help(lu, 0, NULL, stderr);
			return -1;
		}
		type = keyword_attr(key);
		if (type < 0) {
			fprintf(stderr,
				"Error: unknown teredo option \"%s\", try \"ip link help teredo\".\n",
				key);
			return -1;
		}
		argv++;
		if (--argc <= 0)
			incomplete_command();
		/* "refresh auto" and "refresh SECONDS": one of each */
		if (type == IFLA_TEREDO_REFRESH && !strcmp(*argv, "auto"))
			type = IFLA_TEREDO_REFRESH_AUTO;
		if (o.seen[type] && type != IFLA_TEREDO_ALLOWED_MARKS)
			duparg(key, *argv);
		o.seen[type] = true;
		if (type == IFLA_TEREDO_ALLOWED_MARKS) {
			parse_allow(&o, *argv);
		} else if (type == IFLA_TEREDO_SERVER ||
			   type == IFLA_TEREDO_MANAGED) {
			used = parse_list(&o, type, argc, argv);
			argc -= used - 1;
			argv += used - 1;
		} else if (type == IFLA_TEREDO_REFRESH_AUTO) {
			o.u32[type] = 1;
		} else {
			teredo_parse_value(&o, type, *argv);
		}
	}
	/* as "teredo-nl set": a fixed interval ends its determination */
	if (o.seen[IFLA_TEREDO_REFRESH] && !o.seen[IFLA_TEREDO_REFRESH_AUTO])
		o.seen[IFLA_TEREDO_REFRESH_AUTO] = true;	/* 0 */
	teredo_put_opts(n, &o);
	return 0;
}

/* --- printing ----------------------------------------------------------- */

/* Payload of a fixed-size attribute, NULL if absent or of another size. */
static const void *attr_fixed(struct rtattr *tb[], int type, size_t len)
{
	if (!tb[type] || RTA_PAYLOAD(tb[type]) != len)
		return NULL;
	return RTA_DATA(tb[type]);
}

static void print_name(const char *key, name_fn *name, const __u8 *val)
{
	char fmt[32];

	if (!val)
		return;
	if (name(*val)) {
		snprintf(fmt, sizeof(fmt), "%s %%s ", key);
		print_color_string(IP_PRINT_ANY, IP_COLOR_NONE, key, fmt,
				   name(*val));
	} else {
		snprintf(fmt, sizeof(fmt), "%s %%u ", key);
		print_color_uint(IP_PRINT_ANY, IP_COLOR_NONE, key, fmt, *val);
	}
}

/* An IPv4 address; 0 (unset) is null in JSON and left out of the text. */
static void print_ipv4(int type, const char *key, const __u32 *addr)
{
	char buf[INET_ADDRSTRLEN], fmt[32];

	if (!addr)
		return;
	if (!*addr) {
		print_color_null(IP_PRINT_JSON, IP_COLOR_NONE, key, "", NULL);
		return;
	}
	inet_ntop(AF_INET, addr, buf, sizeof(buf));
	snprintf(fmt, sizeof(fmt), "%s %%s ", key);
	print_color_string(type, IP_COLOR_NONE, key, fmt, buf);
}

static void print_u32(const char *key, const char *fmt, const __u32 *val)
{
	if (val)
		print_color_uint(IP_PRINT_ANY, IP_COLOR_NONE, key, fmt, *val);
}

/* A mark: in the text only if set, in hex; in JSON always, a number. */
static void print_mark(const char *key, const char *fmt, const __u32 *val)
{
	if (val)
		print_color_uint(*val ? IP_PRINT_ANY : IP_PRINT_JSON,
				 IP_COLOR_NONE, key, fmt, *val);
}

/* On/off: a JSON boolean; in the text only when on. */
static void print_flag(const char *key, const char *text, const __u8 *val)
{
	if (!val)
		return;
	print_color_bool(IP_PRINT_JSON, IP_COLOR_NONE, key, NULL, *val);
	if (*val)
		print_color_string(IP_PRINT_FP, IP_COLOR_NONE, NULL, "%s ",
				   text);
}

static void print_link(const __u32 *ifindex)
{
	char name[IF_NAMESIZE];

	if (!ifindex)
		return;
	if (!*ifindex)
		print_color_null(IP_PRINT_JSON, IP_COLOR_NONE, "link", "",
				 NULL);
	else if (if_indextoname(*ifindex, name))
		print_color_string(IP_PRINT_ANY, IP_COLOR_NONE, "link",
				   "dev %s ", name);
	else
		print_color_uint(IP_PRINT_ANY, IP_COLOR_NONE, "link_index",
				 "dev %u ", *ifindex);
}

/* Type of a nested attribute, without its flags. */
static int nest_type(const struct rtattr *rta)
{
	return rta->rta_type & NLA_TYPE_MASK;
}

/* How many candidate servers IFLA_TEREDO_SERVERS lists. */
static int count_servers(struct rtattr *list)
{
	struct rtattr *a;
	int rem, n = 0;

	if (!list)
		return 0;
	for (a = RTA_DATA(list), rem = RTA_PAYLOAD(list); RTA_OK(a, rem);
	     a = RTA_NEXT(a, rem))
		n++;
	return n;
}

/*
 * "servers": JSON array of the candidates; text: "server A B C" when
 * there are several, in place of "server A".
 */
static void print_servers(struct rtattr *list)
{
	int n = count_servers(list), rem;
	char buf[INET_ADDRSTRLEN];
	struct rtattr *a;

	if (!list)
		return;
	open_json_array(IP_PRINT_JSON, "servers");
	if (n > 1)
		print_color_string(IP_PRINT_FP, IP_COLOR_NONE, NULL, "%s",
				   "server ");
	for (a = RTA_DATA(list), rem = RTA_PAYLOAD(list); RTA_OK(a, rem);
	     a = RTA_NEXT(a, rem)) {
		if (nest_type(a) != TEREDO_A_SERVER_ADDR ||
		    RTA_PAYLOAD(a) != sizeof(__u32))
			continue;
		inet_ntop(AF_INET, RTA_DATA(a), buf, sizeof(buf));
		print_color_string(n > 1 ? IP_PRINT_ANY : IP_PRINT_JSON,
				   IP_COLOR_NONE, NULL, "%s ", buf);
	}
	close_json_array(IP_PRINT_JSON, "");
}

/* "allowed_marks": [{mark, mask}...]; text: "allow MARK/MASK" each. */
static void print_marks(struct rtattr *list)
{
	struct rtattr *m, *a, *tb[TEREDO_MARK_A_MAX + 1];
	char buf[32];
	int rem, r;

	if (!list)
		return;
	open_json_array(IP_PRINT_JSON, "allowed_marks");
	for (m = RTA_DATA(list), rem = RTA_PAYLOAD(list); RTA_OK(m, rem);
	     m = RTA_NEXT(m, rem)) {
		memset(tb, 0, sizeof(tb));
		for (a = RTA_DATA(m), r = RTA_PAYLOAD(m); RTA_OK(a, r);
		     a = RTA_NEXT(a, r))
			if (nest_type(a) <= TEREDO_MARK_A_MAX)
				tb[nest_type(a)] = a;
		if (!attr_fixed(tb, TEREDO_MARK_A_MARK, sizeof(__u32)) ||
		    !attr_fixed(tb, TEREDO_MARK_A_MASK, sizeof(__u32)))
			continue;
		open_json_object(NULL);
		print_color_uint(IP_PRINT_JSON, IP_COLOR_NONE, "mark", NULL,
				 *(__u32 *)RTA_DATA(tb[TEREDO_MARK_A_MARK]));
		print_color_uint(IP_PRINT_JSON, IP_COLOR_NONE, "mask", NULL,
				 *(__u32 *)RTA_DATA(tb[TEREDO_MARK_A_MASK]));
		close_json_object();
		snprintf(buf, sizeof(buf), "0x%x/0x%x",
			 *(__u32 *)RTA_DATA(tb[TEREDO_MARK_A_MARK]),
			 *(__u32 *)RTA_DATA(tb[TEREDO_MARK_A_MASK]));
		print_color_string(IP_PRINT_FP, IP_COLOR_NONE, NULL,
				   "allow %s ", buf);
	}
	close_json_array(IP_PRINT_JSON, "");
}

/* "managed": ["A.B.C.D/LEN"...]; text: "managed P1 P2" when any. */
static void print_managed(struct rtattr *list)
{
	struct rtattr *p, *a, *tb[TEREDO_PREFIX_A_MAX + 1];
	char addr[INET_ADDRSTRLEN], buf[40];
	int rem, r, n = 0;

	if (!list)
		return;
	open_json_array(IP_PRINT_JSON, "managed");
	for (p = RTA_DATA(list), rem = RTA_PAYLOAD(list); RTA_OK(p, rem);
	     p = RTA_NEXT(p, rem)) {
		memset(tb, 0, sizeof(tb));
		for (a = RTA_DATA(p), r = RTA_PAYLOAD(p); RTA_OK(a, r);
		     a = RTA_NEXT(a, r))
			if (nest_type(a) <= TEREDO_PREFIX_A_MAX)
				tb[nest_type(a)] = a;
		if (!attr_fixed(tb, TEREDO_PREFIX_A_ADDR, sizeof(__u32)) ||
		    !attr_fixed(tb, TEREDO_PREFIX_A_LEN, sizeof(__u8)))
			continue;
		inet_ntop(AF_INET, RTA_DATA(tb[TEREDO_PREFIX_A_ADDR]), addr,
			  sizeof(addr));
		snprintf(buf, sizeof(buf), "%s/%u", addr,
			 *(__u8 *)RTA_DATA(tb[TEREDO_PREFIX_A_LEN]));
		print_color_string(IP_PRINT_ANY, IP_COLOR_NONE, NULL,
				   n++ ? "%s " : "managed %s ", buf);
	}
	close_json_array(IP_PRINT_JSON, "");
}

static void teredo_print_opt(struct link_util *lu, FILE *f, struct rtattr *tb[])
{
	const __u16 *port;
	const __u8 *flag;
	bool list = false;

	if (!tb)
		return;
	print_name("mode", teredo_mode_name,
		   attr_fixed(tb, IFLA_TEREDO_MODE, sizeof(__u8)));
	/* text: a list of servers replaces "server ADDR" */
	list = count_servers(tb[IFLA_TEREDO_SERVERS]) > 1;
	print_ipv4(list ? IP_PRINT_JSON : IP_PRINT_ANY, "server",
		   attr_fixed(tb, IFLA_TEREDO_SERVER, sizeof(__u32)));
	print_servers(tb[IFLA_TEREDO_SERVERS]);
	print_ipv4(IP_PRINT_ANY, "server2", attr_fixed(tb, IFLA_TEREDO_SERVER2, sizeof(__u32)));
	port = attr_fixed(tb, IFLA_TEREDO_PORT, sizeof(__u16));
	if (port)
		print_color_uint(IP_PRINT_ANY, IP_COLOR_NONE, "port",
				 "port %u ", *port);
	print_mark("fwmark", "fwmark 0x%x ",
		   attr_fixed(tb, IFLA_TEREDO_FWMARK, sizeof(__u32)));
	print_ipv4(IP_PRINT_ANY, "local", attr_fixed(tb, IFLA_TEREDO_LOCAL, sizeof(__u32)));
	print_link(attr_fixed(tb, IFLA_TEREDO_LINK, sizeof(__u32)));
	print_u32("refresh", "refresh %u ",
		  attr_fixed(tb, IFLA_TEREDO_REFRESH, sizeof(__u32)));
	flag = attr_fixed(tb, IFLA_TEREDO_REFRESH_AUTO, sizeof(__u8));
	print_flag("refresh_auto", "refresh auto", flag);
	flag = attr_fixed(tb, IFLA_TEREDO_LOCAL_DISCOVERY, sizeof(__u8));
	print_flag("local_discovery", "local-discovery on", flag);
	flag = attr_fixed(tb, IFLA_TEREDO_HAIRPINNING, sizeof(__u8));
	print_flag("hairpinning", "hairpinning on", flag);
	print_name("inbound", teredo_inbound_name,
		   attr_fixed(tb, IFLA_TEREDO_INBOUND, sizeof(__u8)));
	print_marks(tb[IFLA_TEREDO_ALLOWED_MARKS]);
	print_mark("rxmark", "rxmark 0x%x ",
		   attr_fixed(tb, IFLA_TEREDO_RXMARK, sizeof(__u32)));
	print_name("policy", teredo_policy_name,
		   attr_fixed(tb, IFLA_TEREDO_POLICY, sizeof(__u8)));
	print_u32("dormant_timeout", "dormant-timeout %u ",
		  attr_fixed(tb, IFLA_TEREDO_DORMANT_TIMEOUT, sizeof(__u32)));
	print_u32("max_peers", "max-peers %u ",
		  attr_fixed(tb, IFLA_TEREDO_MAX_PEERS, sizeof(__u32)));
	print_managed(tb[IFLA_TEREDO_MANAGED]);
	print_name("state", teredo_state_name,
		   attr_fixed(tb, IFLA_TEREDO_STATE, sizeof(__u8)));
}

struct link_util teredo_link_util = {
	.id		= "teredo",
	.maxattr	= IFLA_TEREDO_MAX,
	.parse_opt	= teredo_parse_opt,
	.print_opt	= teredo_print_opt,
	.print_help	= teredo_print_help,
};
