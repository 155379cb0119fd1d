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

/* --- names -------------------------------------------------------------- */

static const char * const mode_names[] = {
	[TEREDO_MODE_CLIENT] = "client",
	[TEREDO_MODE_RELAY] = "relay",
	[TEREDO_MODE_SERVER] = "server",
};

static const char * const state_names[] = {
	[TEREDO_STATE_OFFLINE] = "offline",
	[TEREDO_STATE_QUALIFYING] = "qualifying",
	[TEREDO_STATE_QUALIFIED] = "qualified",
	[TEREDO_STATE_DORMANT] = "dormant",
};

static const char * const inbound_names[] = {
	[TEREDO_INBOUND_AUTHORIZED] = "authorized",
	[TEREDO_INBOUND_OPEN] = "open",
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static void teredo_print_help(struct link_util *lu, int argc, char **argv,
			      FILE *f)
{
	fprintf(f,
		"Usage: ... teredo [ mode { client | relay | server } ]\n"
		"                  [ server ADDR ] [ server2 ADDR ]\n"
		"                  [ port PORT ] [ fwmark MARK ]\n"
		"                  [ local ADDR ] [ dev PHYS_DEV ]\n"
		"                  [ refresh SECONDS ]\n"
		"                  [ inbound { authorized | open } ]\n"
		"\n"
		"Where: ADDR    := IPv4 address (server2 defaults to server + 1)\n"
		"       PORT    := local UDP port, 0-65535 (0: random)\n"
		"       MARK    := firewall mark of the outer packets, u32\n"
		"       SECONDS := client refresh interval (default 30)\n"
		"       inbound := what unsolicited traffic a client delivers:\n"
		"                  authorized sockets only (default), or all\n");
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

static __u32 parse_ipv4(const char *arg)
{
	struct in_addr a;

	if (inet_pton(AF_INET, arg, &a) != 1)
		invarg("not an IPv4 address", arg);
	return a.s_addr;
}

static __u8 parse_mode(const char *arg)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mode_names); i++)
		if (!strcmp(arg, mode_names[i]))
			return i;
	invarg("mode must be client, relay or server", arg);
}

/* The option keywords, in IFLA_TEREDO_* order. */
static const char * const keywords[] = {
	[IFLA_TEREDO_MODE] = "mode",
	[IFLA_TEREDO_SERVER] = "server",
	[IFLA_TEREDO_SERVER2] = "server2",
	[IFLA_TEREDO_PORT] = "port",
	[IFLA_TEREDO_FWMARK] = "fwmark",
	[IFLA_TEREDO_LOCAL] = "local",
	[IFLA_TEREDO_LINK] = "dev",
	[IFLA_TEREDO_REFRESH] = "refresh",
	[IFLA_TEREDO_INBOUND] = "inbound",
};

static int keyword_attr(const char *arg)
{
	size_t i;

	for (i = 1; i < ARRAY_SIZE(keywords); i++)
		if (keywords[i] && !strcmp(arg, keywords[i]))
			return i;
	return -1;
}

/* Adds one option's attribute; exits through invarg() on a bad value. */
static void teredo_put_option(struct nlmsghdr *n, int type, const char *arg)
{
	unsigned long v;
	unsigned int ifindex;

	switch (type) {
	case IFLA_TEREDO_MODE:
		addattr8(n, IP_REQ_ROOM, type, parse_mode(arg));
		break;
	case IFLA_TEREDO_SERVER:
	case IFLA_TEREDO_SERVER2:
	case IFLA_TEREDO_LOCAL:
		addattr32(n, IP_REQ_ROOM, type, parse_ipv4(arg));
		break;
	case IFLA_TEREDO_PORT:
		if (parse_unsigned(arg, USHRT_MAX, &v))
			invarg("port must be a number 0-65535", arg);
		addattr16(n, IP_REQ_ROOM, type, v);
		break;
	case IFLA_TEREDO_FWMARK:
		if (parse_unsigned(arg, UINT32_MAX, &v))
			invarg("fwmark must be a 32-bit number", arg);
		addattr32(n, IP_REQ_ROOM, type, v);
		break;
	case IFLA_TEREDO_REFRESH:
		if (parse_unsigned(arg, UINT32_MAX, &v) || !v)
			invarg("refresh must be a number of seconds >= 1", arg);
		addattr32(n, IP_REQ_ROOM, type, v);
		break;
	case IFLA_TEREDO_INBOUND:
		for (v = 0; v < ARRAY_SIZE(inbound_names); v++)
			if (!strcmp(arg, inbound_names[v]))
				break;
		if (v == ARRAY_SIZE(inbound_names))
			invarg("inbound must be authorized or open", arg);
		addattr8(n, IP_REQ_ROOM, type, v);
		break;
	case IFLA_TEREDO_LINK:
		ifindex = if_nametoindex(arg);
		if (!ifindex)
			invarg("no such network device", arg);
		addattr32(n, IP_REQ_ROOM, type, ifindex);
		break;
	}
}

static int teredo_parse_opt(struct link_util *lu, int argc, char **argv,
			    struct nlmsghdr *n)
{
	bool seen[IFLA_TEREDO_MAX + 1] = { false };
	const char *key;
	int type;

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
		if (seen[type])
			duparg(key, *argv);
		seen[type] = true;
		teredo_put_option(n, type, *argv);
	}
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

static void print_name(const char *key, const char * const *names,
		       size_t n_names, const __u8 *val)
{
	char fmt[32];

	if (!val)
		return;
	if (*val < n_names && names[*val]) {
		snprintf(fmt, sizeof(fmt), "%s %%s ", key);
		print_color_string(IP_PRINT_ANY, IP_COLOR_NONE, key, fmt,
				   names[*val]);
	} else {
		snprintf(fmt, sizeof(fmt), "%s %%u ", key);
		print_color_uint(IP_PRINT_ANY, IP_COLOR_NONE, key, fmt, *val);
	}
}

/* An IPv4 address; 0 (unset) is null in JSON and left out of the text. */
static void print_ipv4(const char *key, const __u32 *addr)
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
	print_color_string(IP_PRINT_ANY, IP_COLOR_NONE, key, fmt, buf);
}

static void print_u32(const char *key, const char *fmt, const __u32 *val)
{
	if (val)
		print_color_uint(IP_PRINT_ANY, IP_COLOR_NONE, key, fmt, *val);
}

static void print_link(const __u32 *ifindex)
{
	char name[IF_NAMESIZE];

	if (!ifindex || !*ifindex)
		return;
	if (if_indextoname(*ifindex, name))
		print_color_string(IP_PRINT_ANY, IP_COLOR_NONE, "link",
				   "dev %s ", name);
	else
		print_color_uint(IP_PRINT_ANY, IP_COLOR_NONE, "link_index",
				 "dev %u ", *ifindex);
}

static void teredo_print_opt(struct link_util *lu, FILE *f, struct rtattr *tb[])
{
	const __u16 *port;
	const __u32 *fwmark;

	if (!tb)
		return;
	print_name("mode", mode_names, ARRAY_SIZE(mode_names),
		   attr_fixed(tb, IFLA_TEREDO_MODE, sizeof(__u8)));
	print_ipv4("server", attr_fixed(tb, IFLA_TEREDO_SERVER, sizeof(__u32)));
	print_ipv4("server2", attr_fixed(tb, IFLA_TEREDO_SERVER2, sizeof(__u32)));
	port = attr_fixed(tb, IFLA_TEREDO_PORT, sizeof(__u16));
	if (port)
		print_color_uint(IP_PRINT_ANY, IP_COLOR_NONE, "port",
				 "port %u ", *port);
	fwmark = attr_fixed(tb, IFLA_TEREDO_FWMARK, sizeof(__u32));
	/* Text: only a mark that is set, in hex; JSON: always, a number. */
	if (fwmark)
		print_color_uint(*fwmark ? IP_PRINT_ANY : IP_PRINT_JSON,
				 IP_COLOR_NONE, "fwmark", "fwmark 0x%x ",
				 *fwmark);
	print_ipv4("local", attr_fixed(tb, IFLA_TEREDO_LOCAL, sizeof(__u32)));
	print_link(attr_fixed(tb, IFLA_TEREDO_LINK, sizeof(__u32)));
	print_u32("refresh", "refresh %u ",
		  attr_fixed(tb, IFLA_TEREDO_REFRESH, sizeof(__u32)));
	print_name("inbound", inbound_names, ARRAY_SIZE(inbound_names),
		   attr_fixed(tb, IFLA_TEREDO_INBOUND, sizeof(__u8)));
	print_name("state", state_names, ARRAY_SIZE(state_names),
		   attr_fixed(tb, IFLA_TEREDO_STATE, sizeof(__u8)));
}

struct link_util teredo_link_util = {
	.id		= "teredo",
	.maxattr	= IFLA_TEREDO_MAX,
	.parse_opt	= teredo_parse_opt,
	.print_opt	= teredo_print_opt,
	.print_help	= teredo_print_help,
};
