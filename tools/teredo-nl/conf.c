// SPDX-License-Identifier: GPL-2.0
/*
 * teredo.conf(5) parser and printer.  Pure: no netlink, no global
 * state; the values are read by the same code as "teredo-nl set" reads
 * its arguments (tnl_parse_set_args), so the two never disagree.
 *
 * The format: one "key = value" per line; '#' starts a comment; blank
 * lines are ignored; list values (allow, managed, server) are separated by
 * commas or blanks and their key may be repeated.  Any other repeated
 * key, an unknown key or a bad value is an error naming its line.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <string.h>

#include "conf.h"

#define LINE_MAX_LEN 1024
#define MAX_WORDS 64

static const char * const key_names[TNL_K_NUM] = {
	[TNL_K_MODE] = "mode",
	[TNL_K_SERVER] = "server",
	[TNL_K_SERVER2] = "server2",
	[TNL_K_PORT] = "port",
	[TNL_K_FWMARK] = "fwmark",
	[TNL_K_REFRESH] = "refresh",
	[TNL_K_LOCAL_DISC] = "local-discovery",
	[TNL_K_HAIRPINNING] = "hairpinning",
	[TNL_K_ALLOW] = "allow",
	[TNL_K_RXMARK] = "rxmark",
	[TNL_K_POLICY] = "policy",
	[TNL_K_DORMANT] = "dormant-timeout",
	[TNL_K_MAX_PEERS] = "max-peers",
	[TNL_K_MANAGED] = "managed",
	[TNL_K_INBOUND] = "inbound",
	[TNL_K_MTU] = "mtu",
	[TNL_K_LOCAL] = "local",
	[TNL_K_DEV] = "dev",
};

/* The device's MTU range (drivers/net/teredo/device.c: 1280..1472). */
#define TNL_MIN_MTU 1280
#define TNL_MAX_MTU 1472

const char *tnl_conf_key_name(enum tnl_conf_key k)
{
	return (unsigned int)k < TNL_K_NUM ? key_names[k] : NULL;
}

void tnl_cfg_defaults(struct tnl_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->mode = TEREDO_MODE_CLIENT;
	c->policy = TEREDO_POLICY_CLIENT;
	c->inbound = TEREDO_INBOUND_AUTHORIZED;
	c->refresh = TNL_DEFAULT_REFRESH;
	c->max_peers = TNL_DEFAULT_MAX_PEERS;
	c->dormant_timeout = TNL_DEFAULT_DORMANT;
	c->mtu = TNL_DEFAULT_MTU;
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int key_of(const char *s)
{
	int k;

	for (k = 0; k < TNL_K_NUM; k++)
		if (!strcmp(key_names[k], s))
			return k;
	return -1;
}

/* "set" one key with one word: the messages are those of "set". */
static int set1(const char *key, char *word, struct tnl_req *req, char *err,
		size_t errlen)
{
	char *argv[2] = { (char *)key, word };

	return tnl_parse_set_args(2, argv, req, err, errlen);
}

/* allow / managed: "none" alone, or a list (possibly over several lines). */
static int parse_list(enum tnl_conf_key k, bool again, int n, char **w,
		      struct tnl_conf *f, char *err, size_t errlen)
{
	const char *key = key_names[k];
	unsigned int have = k == TNL_K_ALLOW ? f->req.n_marks : f->req.n_managed;
	int i;

	for (i = 0; i < n; i++) {
		if (!strcmp(w[i], "none") && (n > 1 || again))
			return fail(err, errlen,
				    "%s: none cannot be combined with other values",
				    key);
	}
	if (again && !have)	/* the first line said none */
		return fail(err, errlen,
			    "%s: none cannot be combined with other values", key);
	for (i = 0; i < n; i++)
		if (set1(key, w[i], &f->req, err, errlen))
			return -1;
	return 0;
}

static int parse_value(enum tnl_conf_key k, bool again, int n, char **w,
		       struct tnl_conf *f, char *err, size_t errlen)
{
	const char *key = key_names[k];
	struct in_addr a;
	uint32_t v;

	if (k == TNL_K_ALLOW || k == TNL_K_MANAGED)
		return parse_list(k, again, n, w, f, err, errlen);
	if (k == TNL_K_REFRESH && n == 2 && !strcmp(w[0], "auto")) {
		if (tnl_parse_u32(w[1], UINT32_MAX, &v) || !v)
			return fail(err, errlen,
				    "refresh: invalid maximum \"%s\" (auto SECONDS)",
				    w[1]);
		f->refresh_max = v;
		n = 1;
	}
	if (k == TNL_K_SERVER) {
		char *argv[MAX_WORDS + 1];

		argv[0] = (char *)key;
		memcpy(argv + 1, w, n * sizeof(*w));
		return tnl_parse_set_args(n + 1, argv, &f->req, err, errlen);
	}
	if (n != 1)
		return fail(err, errlen, "%s: one value expected, not %d", key,
			    n);
	switch (k) {
	case TNL_K_MTU:
		if (tnl_parse_u32(w[0], TNL_MAX_MTU, &v) || v < TNL_MIN_MTU)
			return fail(err, errlen, "mtu: invalid MTU \"%s\" (%d-%d)",
				    w[0], TNL_MIN_MTU, TNL_MAX_MTU);
		f->mtu = v;
		return 0;
	case TNL_K_LOCAL:
		if (!strcmp(w[0], "any")) {
			f->local = 0;
			return 0;
		}
		if (inet_pton(AF_INET, w[0], &a) != 1)
			return fail(err, errlen,
				    "local: invalid address \"%s\" (A.B.C.D or any)",
				    w[0]);
		f->local = a.s_addr;
		return 0;
	case TNL_K_DEV:
		if (strlen(w[0]) >= IF_NAMESIZE || strchr(w[0], '/'))
			return fail(err, errlen, "dev: invalid device name \"%s\"",
				    w[0]);
		strcpy(f->dev, strcmp(w[0], "any") ? w[0] : "");
		return 0;
	default:
		return set1(key, w[0], &f->req, err, errlen);
	}
}

/* One line, without its newline.  0, or -1 with a message in @err. */
static int parse_line(char *line, unsigned int lineno, struct tnl_conf *f,
		      char *err, size_t errlen)
{
	char *eq, *key, *val, *w[MAX_WORDS], *tok, *save;
	bool again;
	int k, n = 0;

	eq = strchr(line, '#');
	if (eq)
		*eq = '\0';
	line = trim(line);
	if (!*line)
		return 0;
	eq = strchr(line, '=');
	if (!eq) {
		if (line[0] == '[')
			return fail(err, errlen,
				    "sections are not used: \"key = value\" lines only");
		return fail(err, errlen, "expected \"key = value\", not \"%s\"",
			    line);
	}
	*eq = '\0';
	key = trim(line);
	val = trim(eq + 1);
	if (!*key)
		return fail(err, errlen, "%s", "missing key before \"=\"");
	k = key_of(key);
	if (k < 0)
		return fail(err, errlen, "unknown key \"%s\"", key);
	for (tok = strtok_r(val, " \t,", &save); tok;
	     tok = strtok_r(NULL, " \t,", &save)) {
		if (n == MAX_WORDS)
			return fail(err, errlen, "%s: too many values", key);
		w[n++] = tok;
	}
	if (!n)
		return fail(err, errlen, "%s: missing value", key);
	again = f->line[k] != 0;
	if (again && k != TNL_K_ALLOW && k != TNL_K_MANAGED)
		return fail(err, errlen, "%s: given twice (first on line %u)",
			    key, f->line[k]);
	if (!again)
		f->line[k] = lineno;
	return parse_value(k, again, n, w, f, err, errlen);
}

int tnl_conf_parse(const char *text, struct tnl_conf *f, char *err,
		   size_t errlen, unsigned int *errline)
{
	char buf[LINE_MAX_LEN];
	unsigned int lineno = 0;
	const char *p = text, *nl;
	size_t len;

	memset(f, 0, sizeof(*f));
	f->req.cmd = TNL_CMD_SET;
	*errline = 0;
	while (*p) {
		lineno++;
		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		*errline = lineno;
		if (len >= sizeof(buf))
			return fail(err, errlen, "line too long (at most %d characters)",
				    LINE_MAX_LEN - 1);
		memcpy(buf, p, len);
		buf[len] = '\0';
		if (parse_line(buf, lineno, f, err, errlen))
			return -1;
		p += len + (nl ? 1 : 0);
	}
	*errline = 0;
	return 0;
}

void tnl_conf_merge(struct tnl_cfg *c, const struct tnl_conf *f)
{
	const struct tnl_req *r = &f->req;
	unsigned int i;

	if (f->line[TNL_K_MODE])
		c->mode = r->mode;
	if (f->line[TNL_K_SERVER]) {
		c->n_servers = r->n_servers;
		memcpy(c->servers, r->servers, sizeof(c->servers));
		c->server = r->n_servers ? r->servers[0] : 0;
	}
	if (f->line[TNL_K_SERVER2])
		c->server2 = r->server2.addr;
	if (f->line[TNL_K_PORT])
		c->port = r->port;
	if (f->line[TNL_K_FWMARK])
		c->fwmark = r->fwmark;
	if (f->line[TNL_K_REFRESH]) {
		c->refresh_auto = !!(r->set & TNL_SET_REFRESH_AUTO);
		if (c->refresh_auto)
			c->refresh = f->refresh_max ? f->refresh_max :
				     TNL_DEFAULT_REFRESH;
		else
			c->refresh = r->refresh;
	}
	if (f->line[TNL_K_LOCAL_DISC])
		c->local_discovery = r->local_discovery;
	if (f->line[TNL_K_HAIRPINNING])
		c->hairpinning = r->hairpinning;
	if (f->line[TNL_K_ALLOW]) {
		c->n_marks = r->n_marks;
		for (i = 0; i < r->n_marks; i++) {
			c->marks[i].mark = r->marks[i].mark;
			c->marks[i].mask = r->marks[i].mask;
		}
	}
	if (f->line[TNL_K_RXMARK])
		c->rxmark = r->rxmark;
	if (f->line[TNL_K_POLICY])
		c->policy = r->policy;
	if (f->line[TNL_K_DORMANT])
		c->dormant_timeout = r->dormant_timeout;
	if (f->line[TNL_K_MAX_PEERS])
		c->max_peers = r->max_peers;
	if (f->line[TNL_K_MANAGED]) {
		c->n_managed = r->n_managed;
		for (i = 0; i < r->n_managed; i++) {
			c->managed[i].addr = r->managed[i].addr;
			c->managed[i].len = r->managed[i].len;
		}
	}
	if (f->line[TNL_K_INBOUND])
		c->inbound = r->inbound;
	if (f->line[TNL_K_MTU])
		c->mtu = f->mtu;
	if (f->line[TNL_K_LOCAL])
		c->local = f->local;
	if (f->line[TNL_K_DEV])
		strcpy(c->dev, f->dev);
}

unsigned int tnl_conf_line_of(const struct tnl_conf *f, const char *name)
{
	int k = key_of(name);

	return k < 0 ? 0 : f->line[k];
}

static const char *ip4(uint32_t a, char *buf)
{
	struct in_addr in = { .s_addr = a };

	return inet_ntop(AF_INET, &in, buf, INET_ADDRSTRLEN);
}

static const char *ip4_or(uint32_t a, char *buf, const char *zero)
{
	return a ? ip4(a, buf) : zero;
}

static const char *name_or_num(const char *name, unsigned int v, char *buf)
{
	if (name)
		return name;
	snprintf(buf, 16, "%u", v);
	return buf;
}

void tnl_conf_print(FILE *out, const struct tnl_cfg *c, const char *ifname)
{
	char b[INET_ADDRSTRLEN], n[16];
	unsigned int i;

	fprintf(out, "# teredo.conf(5) of %s (teredo-nl showconf)\n", ifname);
	fprintf(out, "mode = %s\n", name_or_num(teredo_mode_name(c->mode), c->mode, n));
	fputs("server =", out);
	if (!c->n_servers)
		fputs(" none", out);
	for (i = 0; i < c->n_servers; i++)
		fprintf(out, " %s", ip4(c->servers[i], b));
	fputc('\n', out);
	fprintf(out, "server2 = %s\n", ip4_or(c->server2, b, "none"));
	fprintf(out, "port = %u\n", c->port);
	fprintf(out, "fwmark = 0x%x\n", c->fwmark);
	if (!c->refresh_auto)
		fprintf(out, "refresh = %u\n", c->refresh);
	else if (c->refresh == TNL_DEFAULT_REFRESH)
		fputs("refresh = auto\n", out);
	else
		fprintf(out, "refresh = auto %u\n", c->refresh);
	fprintf(out, "local-discovery = %s\n", c->local_discovery ? "on" : "off");
	fprintf(out, "hairpinning = %s\n", c->hairpinning ? "on" : "off");
	fputs("allow =", out);
	if (!c->n_marks)
		fputs(" none", out);
	for (i = 0; i < c->n_marks; i++) {
		fprintf(out, "%s 0x%x", i ? "," : "", c->marks[i].mark);
		if (c->marks[i].mask != UINT32_MAX)
			fprintf(out, "/0x%x", c->marks[i].mask);
	}
	fputc('\n', out);
	fprintf(out, "rxmark = 0x%x\n", c->rxmark);
	fprintf(out, "policy = %s\n",
		name_or_num(teredo_policy_name(c->policy), c->policy, n));
	fprintf(out, "dormant-timeout = %u\n", c->dormant_timeout);
	fprintf(out, "max-peers = %u\n", c->max_peers);
	fputs("managed =", out);
	if (!c->n_managed)
		fputs(" none", out);
	for (i = 0; i < c->n_managed; i++)
		fprintf(out, "%s %s/%u", i ? "," : "", ip4(c->managed[i].addr, b),
			c->managed[i].len);
	fputc('\n', out);
	fprintf(out, "inbound = %s\n",
		teredo_inbound_name(c->inbound) ?:
		teredo_inbound_name(TEREDO_INBOUND_AUTHORIZED));
	fprintf(out, "mtu = %u\n", c->mtu);
	fprintf(out, "local = %s\n", ip4_or(c->local, b, "any"));
	fprintf(out, "dev = %s\n", c->dev[0] ? c->dev : "any");
}
