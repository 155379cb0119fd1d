// SPDX-License-Identifier: GPL-2.0
/*
 * Miredo configuration to teredo.conf(5).  Miredo's files are lines of
 * "Directive value" (directive names in any case), '#' comments.  What
 * Miredo does without being told (any program may use the tunnel, every
 * packet is delivered, never dormant, on any network) is written out as
 * the settings that do the same here, each explained in a comment
 * (Documentation/coming-from-miredo.rst).
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <net/if.h>

#include "conf.h"
#include "miredo.h"

#define LINE_MAX_LEN 1024

struct miredo {
	const char *fname;
	FILE *warn;
	int errors;
	int mode;			/* -1: not given (client) */
	char mode_from[32];
	unsigned int mode_line;
	char server[TNL_NAME_MAX], server2[TNL_NAME_MAX];
	bool is_server;			/* miredo-server.conf */
	char ifname[IF_NAMESIZE];
	char local[INET_ADDRSTRLEN];
	long port;			/* -1: not given */
	long mtu;			/* -1: not given */
};

__attribute__((format(printf, 3, 4)))
static void say(struct miredo *m, unsigned int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(m->warn, "%s:%u: ", m->fname, line);
	va_start(ap, fmt);
	vfprintf(m->warn, fmt, ap);
	va_end(ap);
	fputc('\n', m->warn);
}

static void bad(struct miredo *m, unsigned int line, const char *dir,
		const char *val, const char *want)
{
	say(m, line, "%s: invalid value \"%s\" (%s)", dir, val, want);
	m->errors++;
}

static void no_equivalent(struct miredo *m, unsigned int line,
			  const char *dir, const char *why)
{
	say(m, line, "%s: no equivalent, left out (%s)", dir, why);
}

static void set_host(struct miredo *m, unsigned int line, const char *dir,
		     const char *val, char *out)
{
	struct tnl_host h;

	if (tnl_parse_host(val, &h) || !strcmp(val, "none"))
		bad(m, line, dir, val, "an IPv4 address or a host name");
	else
		strcpy(out, val);
}

static void directive(struct miredo *m, unsigned int line, const char *dir,
		      const char *val)
{
	struct in6_addr a6;
	struct in_addr a;
	uint32_t v;

	if (!strcasecmp(dir, "RelayType")) {
		if (!strcasecmp(val, "client") || !strcasecmp(val, "autoclient")) {
			m->mode = TEREDO_MODE_CLIENT;
		} else if (!strcasecmp(val, "relay") || !strcasecmp(val, "cone")) {
			m->mode = TEREDO_MODE_RELAY;
		} else if (!strcasecmp(val, "restricted")) {
			m->mode = TEREDO_MODE_RELAY;
			say(m, line, "RelayType restricted: converted to a relay (cone): a teredo relay sends no direct bubbles");
		} else {
			bad(m, line, dir, val, "client, autoclient, relay, cone or restricted");
			return;
		}
		snprintf(m->mode_from, sizeof(m->mode_from), "%s", val);
		m->mode_line = line;
	} else if (!strcasecmp(dir, "ServerAddress")) {
		set_host(m, line, dir, val, m->server);
	} else if (!strcasecmp(dir, "ServerAddress2")) {
		set_host(m, line, dir, val, m->server2);
	} else if (!strcasecmp(dir, "ServerBindAddress") ||
		   !strcasecmp(dir, "ServerBindAddress2")) {
		if (inet_pton(AF_INET, val, &a) != 1) {
			bad(m, line, dir, val, "an IPv4 address");
			return;
		}
		m->is_server = true;
		strcpy(strcasecmp(dir, "ServerBindAddress") ? m->server2 : m->server,
		       val);
	} else if (!strcasecmp(dir, "BindAddress")) {
		if (inet_pton(AF_INET, val, &a) != 1)
			bad(m, line, dir, val, "an IPv4 address");
		else
			strcpy(m->local, val);
	} else if (!strcasecmp(dir, "BindPort")) {
		if (tnl_parse_u32(val, UINT16_MAX, &v))
			bad(m, line, dir, val, "a UDP port, 0-65535");
		else
			m->port = v;
	} else if (!strcasecmp(dir, "InterfaceMTU")) {
		if (tnl_parse_u32(val, UINT16_MAX, &v) || v < 1280)
			bad(m, line, dir, val, "1280 or more");
		else if (v > 1472)
			no_equivalent(m, line, dir,
				      "a teredo device's MTU is at most 1472, one unfragmented IPv4 packet");
		else
			m->mtu = v;
	} else if (!strcasecmp(dir, "InterfaceName")) {
		if (!*val || strlen(val) >= IF_NAMESIZE)
			bad(m, line, dir, val, "an interface name");
		else
			strcpy(m->ifname, val);
	} else if (!strcasecmp(dir, "Prefix")) {
		static const unsigned char std[4] = { 0x20, 0x01, 0, 0 };
		char p[INET6_ADDRSTRLEN + 4];
		char *slash;

		snprintf(p, sizeof(p), "%s", val);
		slash = strchr(p, '/');
		if (slash)
			*slash = '\0';
		if (inet_pton(AF_INET6, p, &a6) != 1)
			bad(m, line, dir, val, "an IPv6 prefix");
		else if (memcmp(a6.s6_addr, std, 4) || (slash && strcmp(slash + 1, "32")))
			no_equivalent(m, line, dir,
				      "teredo.ko uses the RFC 4380 prefix 2001::/32 only");
	} else if (!strcasecmp(dir, "SyslogFacility")) {
		no_equivalent(m, line, dir,
			      "teredo.ko reports to the kernel log and its counters; teredo-nl monitor prints its events");
	} else {
		no_equivalent(m, line, dir, "not a setting teredo-nl knows");
	}
}

static void print_conf(const struct miredo *m, FILE *out)
{
	int mode = m->is_server ? TEREDO_MODE_SERVER :
		   m->mode < 0 ? TEREDO_MODE_CLIENT : m->mode;

	fprintf(out, "# teredo.conf(5) converted from %s by teredo-nl import-miredo\n",
		m->fname);
	if (m->ifname[0])
		fprintf(out,
			"# Miredo's InterfaceName: ip link add %s type teredo; teredo-nl setconf %s FILE\n",
			m->ifname, m->ifname);
	fprintf(out, "mode = %s\n", teredo_mode_name(mode));
	if (m->server[0])
		fprintf(out, "server = %s\n", m->server);
	if (m->server2[0])
		fprintf(out, "server2 = %s\n", m->server2);
	if (m->port >= 0)
		fprintf(out, "port = %ld\n", m->port);
	if (m->mtu >= 0 && mode != TEREDO_MODE_SERVER)
		fprintf(out, "mtu = %ld\n", m->mtu);
	if (m->local[0])
		fprintf(out, "local = %s\n", m->local);
	if (mode != TEREDO_MODE_CLIENT)
		return;
	fputs("# What Miredo does, which least exposure does not by default:\n"
	      "# every unmarked socket (any ordinary program) may use the tunnel,\n"
	      "allow = 0x0\n"
	      "# every valid packet is delivered to the host (load an nftables\n"
	      "# ruleset: teredo.nft),\n"
	      "inbound = open\n"
	      "# never dormant, so the host stays reachable while idle,\n"
	      "dormant-timeout = 0\n"
	      "# and on any network, even one with native IPv6 or a managed one.\n"
	      "policy = enterprise\n", out);
}

int tnl_miredo_import(const char *text, const char *fname, FILE *out,
		      FILE *warn)
{
	struct miredo m = { .fname = fname, .warn = warn, .mode = -1,
			    .port = -1, .mtu = -1 };
	char buf[LINE_MAX_LEN], *dir, *val, *p;
	const char *t = text, *nl;
	unsigned int line = 0;
	size_t len;

	while (*t) {
		line++;
		nl = strchr(t, '\n');
		len = nl ? (size_t)(nl - t) : strlen(t);
		if (len >= sizeof(buf)) {
			say(&m, line, "line too long");
			m.errors++;
			len = 0;
			buf[0] = '\0';
		} else {
			memcpy(buf, t, len);
			buf[len] = '\0';
		}
		t += len + (nl ? 1 : 0);
		p = strchr(buf, '#');
		if (p)
			*p = '\0';
		dir = buf + strspn(buf, " \t\r");
		if (!*dir)
			continue;
		val = dir + strcspn(dir, " \t\r");
		if (*val)
			*val++ = '\0';
		val += strspn(val, " \t\r");
		p = val + strlen(val);
		while (p > val && (p[-1] == ' ' || p[-1] == '\t' || p[-1] == '\r'))
			*--p = '\0';
		if (!*val) {
			say(&m, line, "%s: missing value", dir);
			m.errors++;
			continue;
		}
		directive(&m, line, dir, val);
	}
	if (m.is_server && m.mode >= 0)
		say(&m, m.mode_line, "RelayType %s: ignored, ServerBindAddress makes a server",
		    m.mode_from);
	if (m.errors)
		return -1;
	print_conf(&m, out);
	return 0;
}
