// SPDX-License-Identifier: GPL-2.0
/*
 * teredo-nl command line parser.  Pure: no I/O, no global state, so
 * that selftests/host/teredo-nl-unit.sh can test it on the host.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "route.h"

/*
 * The names of the uapi enums' values are the module's own
 * (drivers/net/teredo/names.h), shared with it and the ip plugin.
 */
typedef const char *name_fn(unsigned int);

static int index_of(name_fn *name, unsigned int n, const char *s)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (name(i) && !strcmp(name(i), s))
			return (int)i;
	return -1;
}

int tnl_mode_from_name(const char *s)
{
	return index_of(teredo_mode_name, __TEREDO_MODE_MAX, s);
}

int tnl_policy_from_name(const char *s)
{
	return index_of(teredo_policy_name, __TEREDO_POLICY_MAX, s);
}

static int inbound_from_name(const char *s)
{
	return index_of(teredo_inbound_name, __TEREDO_INBOUND_MAX, s);
}

/* Decimal or 0x hexadecimal, no sign, no trailing garbage, <= @max. */
int tnl_parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* MARK or MARK/MASK; the mask defaults to 0xffffffff. */
int tnl_parse_mark(const char *s, uint32_t *mark, uint32_t *mask)
{
	char buf[32];
	char *slash;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	*mask = UINT32_MAX;
	if (slash) {
		*slash = '\0';
		if (tnl_parse_u32(slash + 1, UINT32_MAX, mask))
			return -1;
	}
	return tnl_parse_u32(buf, UINT32_MAX, mark);
}

/* A.B.C.D/LEN or A.B.C.D (a /32). */
int tnl_parse_prefix(const char *s, uint32_t *addr, uint8_t *len)
{
	char buf[32];
	char *slash;
	uint32_t l = 32;
	struct in_addr a;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		if (tnl_parse_u32(slash + 1, 32, &l))
			return -1;
	}
	if (inet_pton(AF_INET, buf, &a) != 1)
		return -1;
	*addr = a.s_addr;
	*len = (uint8_t)l;
	return 0;
}

/* A dotted quad, "none" or a host name (letters, digits, '-', '.'). */
int tnl_parse_host(const char *s, struct tnl_host *out)
{
	struct in_addr a;
	size_t i, len = strlen(s);

	memset(out, 0, sizeof(*out));
	if (!strcmp(s, "none"))
		return 0;
	if (inet_pton(AF_INET, s, &a) == 1) {
		out->addr = a.s_addr;
		return 0;
	}
	if (!len || len >= TNL_NAME_MAX)
		return -1;
	/* Something shaped like an address that is not one is an error. */
	if (strspn(s, "0123456789.") == len)
		return -1;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		      c == '_'))
			return -1;
	}
	out->is_name = true;
	strcpy(out->name, s);
	return 0;
}

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

struct set_key {
	const char *key;
	unsigned int flag;
};

static const struct set_key set_keys[] = {
	{ "mode", TNL_SET_MODE },
	{ "server", TNL_SET_SERVER },
	{ "server2", TNL_SET_SERVER2 },
	{ "port", TNL_SET_PORT },
	{ "fwmark", TNL_SET_FWMARK },
	{ "refresh", TNL_SET_REFRESH },
	{ "local-discovery", TNL_SET_LOCAL_DISC },
	{ "hairpinning", TNL_SET_HAIRPINNING },
	{ "allow", TNL_SET_MARKS },
	{ "rxmark", TNL_SET_RXMARK },
	{ "policy", TNL_SET_POLICY },
	{ "dormant-timeout", TNL_SET_DORMANT },
	{ "max-peers", TNL_SET_MAX_PEERS },
	{ "managed", TNL_SET_MANAGED },
	{ "inbound", TNL_SET_INBOUND },
	{ "local", TNL_SET_LOCAL },
	{ "dev", TNL_SET_LINK },
};

/* managed PREFIX [PREFIX]...: how many words of @argv it took (< 0: error) */
static int parse_managed(int argc, char **argv, struct tnl_req *req, char *err,
			 size_t errlen)
{
	unsigned int n = req->n_managed;
	int i;

	if (!strcmp(argv[0], "none")) {
		if (n)
			return fail(err, errlen, "managed none: cannot be combined with prefixes");
		return 1;
	}
	for (i = 0; i < argc; i++) {
		uint32_t addr;
		uint8_t len;

		if (tnl_parse_prefix(argv[i], &addr, &len)) {
			if (i)
				break;	/* the next setting */
			return fail(err, errlen,
				    "managed: invalid prefix \"%s\" (A.B.C.D/LEN)",
				    argv[i]);
		}
		if (n >= TEREDO_MAX_MANAGED)
			return fail(err, errlen, "managed: at most %d prefixes",
				    TEREDO_MAX_MANAGED);
		req->managed[n].addr = addr;
		req->managed[n].len = len;
		req->n_managed = ++n;
	}
	return i;
}

static int parse_allow(const char *val, struct tnl_req *req, char *err,
		       size_t errlen)
{
	unsigned int n = req->n_marks;

	if (!strcmp(val, "none")) {
		if (n)
			return fail(err, errlen, "allow none: cannot be combined with marks");
		return 0;
	}
	if (n >= TEREDO_MAX_ALLOWED_MARKS)
		return fail(err, errlen, "allow: at most %d marks",
			    TEREDO_MAX_ALLOWED_MARKS);
	if (tnl_parse_mark(val, &req->marks[n].mark, &req->marks[n].mask))
		return fail(err, errlen, "allow: invalid mark \"%s\" (MARK[/MASK])",
			    val);
	req->n_marks = n + 1;
	return 0;
}

static int parse_set_value(unsigned int flag, const char *key, const char *val,
			   struct tnl_req *req, char *err, size_t errlen)
{
	uint32_t v;
	int i;

	switch (flag) {
	case TNL_SET_MODE:
		i = tnl_mode_from_name(val);
		if (i < 0)
			return fail(err, errlen,
				    "mode: unknown mode \"%s\" (client, relay or server)",
				    val);
		req->mode = (uint8_t)i;
		return 0;
	case TNL_SET_POLICY:
		i = tnl_policy_from_name(val);
		if (i < 0)
			return fail(err, errlen,
				    "policy: unknown policy \"%s\" (client or enterprise)",
				    val);
		req->policy = (uint8_t)i;
		return 0;
	case TNL_SET_SERVER:
	case TNL_SET_SERVER2:
		if (tnl_parse_host(val, flag == TNL_SET_SERVER ?
				   &req->server : &req->server2))
			return fail(err, errlen, "%s: invalid address or name \"%s\"",
				    key, val);
		return 0;
	case TNL_SET_MARKS:
		return parse_allow(val, req, err, errlen);
	case TNL_SET_LOCAL: {
		struct in_addr a;

		if (!strcmp(val, "any")) {
			req->local = 0;
			return 0;
		}
		if (inet_pton(AF_INET, val, &a) != 1)
			return fail(err, errlen,
				    "local: invalid address \"%s\" (A.B.C.D or any)",
				    val);
		req->local = a.s_addr;
		return 0;
	}
	case TNL_SET_LINK:
		if (!*val || strlen(val) >= IF_NAMESIZE || strchr(val, '/'))
			return fail(err, errlen, "dev: invalid device name \"%s\"",
				    val);
		strcpy(req->link, strcmp(val, "any") ? val : "");
		return 0;
	case TNL_SET_LOCAL_DISC:
		if (strcmp(val, "on") && strcmp(val, "off"))
			return fail(err, errlen,
				    "local-discovery: \"%s\" is not on or off",
				    val);
		req->local_discovery = !strcmp(val, "on");
		return 0;
	case TNL_SET_HAIRPINNING:
		if (strcmp(val, "on") && strcmp(val, "off"))
			return fail(err, errlen,
				    "hairpinning: \"%s\" is not on or off",
				    val);
		req->hairpinning = !strcmp(val, "on");
		return 0;
	case TNL_SET_INBOUND:
		i = inbound_from_name(val);
		if (i < 0)
			return fail(err, errlen,
				    "inbound: \"%s\" is not authorized or open",
				    val);
		req->inbound = (uint8_t)i;
		return 0;
	case TNL_SET_REFRESH:
		if (!strcmp(val, "auto")) {
			req->set &= ~TNL_SET_REFRESH;
			req->set |= TNL_SET_REFRESH_AUTO;
			return 0;
		}
		if (req->set & TNL_SET_REFRESH_AUTO)
			return fail(err, errlen, "%s: given twice", key);
		break;
	case TNL_SET_PORT:
		if (tnl_parse_u32(val, UINT16_MAX, &v))
			return fail(err, errlen, "port: invalid port \"%s\" (0-65535)",
				    val);
		req->port = (uint16_t)v;
		return 0;
	}

	if (tnl_parse_u32(val, UINT32_MAX, &v))
		return fail(err, errlen, "%s: invalid number \"%s\"", key, val);
	switch (flag) {
	case TNL_SET_FWMARK:
		req->fwmark = v;
		break;
	case TNL_SET_REFRESH:
		req->refresh = v;
		break;
	case TNL_SET_RXMARK:
		req->rxmark = v;
		break;
	case TNL_SET_DORMANT:
		req->dormant_timeout = v;
		break;
	case TNL_SET_MAX_PEERS:
		req->max_peers = v;
		break;
	}
	return 0;
}

int tnl_req_add_server(struct tnl_req *req, uint32_t addr)
{
	unsigned int i;

	for (i = 0; i < req->n_servers; i++)
		if (req->servers[i] == addr)
			return 0;
	if (req->n_servers == TEREDO_MAX_SERVERS)
		return -1;
	req->servers[req->n_servers++] = addr;
	return 0;
}

struct tnl_host *tnl_req_server_host(struct tnl_req *req, unsigned int i)
{
	if (i > req->n_more)
		return NULL;
	return i ? &req->more[i - 1] : &req->server;
}

static bool is_set_key(const char *s)
{
	size_t k;

	for (k = 0; k < ARRAY_SIZE(set_keys); k++)
		if (!strcmp(s, set_keys[k].key))
			return true;
	return false;
}

/*
 * server HOST [HOST]...: the words up to the next setting (a name is
 * never one of them); how many it took (< 0: error).
 */
static int parse_servers(int argc, char **argv, struct tnl_req *req,
			 char *err, size_t errlen)
{
	struct tnl_host *host;
	unsigned int h;
	int i;

	if (parse_set_value(TNL_SET_SERVER, "server", argv[0], req, err,
			    errlen))
		return -1;
	for (i = 1; i < argc && !is_set_key(argv[i]); i++) {
		if (!strcmp(argv[0], "none") || !strcmp(argv[i], "none"))
			return fail(err, errlen,
				    "server: none cannot be combined with servers");
		if (req->n_more == TEREDO_MAX_SERVERS - 1)
			return fail(err, errlen, "server: at most %d servers",
				    TEREDO_MAX_SERVERS);
		if (tnl_parse_host(argv[i], &req->more[req->n_more]))
			return fail(err, errlen,
				    "server: invalid address or name \"%s\"",
				    argv[i]);
		req->n_more++;
	}
	/* the addresses given as such; names are resolved later (main.c) */
	req->n_servers = 0;
	for (h = 0; (host = tnl_req_server_host(req, h)); h++)
		if (!host->is_name && host->addr)
			tnl_req_add_server(req, host->addr);
	return i;
}

int tnl_parse_set_args(int argc, char **argv, struct tnl_req *req, char *err,
		       size_t errlen)
{
	int i;
	size_t k;

	if (argc == 0)
		return fail(err, errlen, "set: nothing to set");
	for (i = 0; i < argc;) {
		for (k = 0; k < ARRAY_SIZE(set_keys); k++)
			if (!strcmp(argv[i], set_keys[k].key))
				break;
		if (k == ARRAY_SIZE(set_keys))
			return fail(err, errlen, "set: unknown setting \"%s\"",
				    argv[i]);
		if (i + 1 >= argc)
			return fail(err, errlen, "%s: missing value", argv[i]);
		if ((req->set & set_keys[k].flag ||
		     (set_keys[k].flag == TNL_SET_REFRESH &&
		      req->set & TNL_SET_REFRESH_AUTO)) &&
		    set_keys[k].flag != TNL_SET_MARKS &&
		    set_keys[k].flag != TNL_SET_MANAGED)
			return fail(err, errlen, "%s: given twice", argv[i]);
		req->set |= set_keys[k].flag;
		if (set_keys[k].flag == TNL_SET_SERVER) {
			int used = parse_servers(argc - i - 1, argv + i + 1,
						 req, err, errlen);

			if (used < 0)
				return -1;
			i += 1 + used;
			continue;
		}
		if (set_keys[k].flag == TNL_SET_MANAGED) {
			int used = parse_managed(argc - i - 1, argv + i + 1,
						 req, err, errlen);

			if (used < 0)
				return -1;
			i += 1 + used;
			continue;
		}
		if (parse_set_value(set_keys[k].flag, argv[i], argv[i + 1], req,
				    err, errlen))
			return -1;
		i += 2;
	}
	return 0;
}

struct cmd_def {
	const char *name;
	enum tnl_cmd cmd;
	int dev;		/* 0: none, 1: optional, 2: required */
};

static const struct cmd_def cmds[] = {
	{ "show", TNL_CMD_SHOW, 1 },
	{ "set", TNL_CMD_SET, 2 },
	{ "peers", TNL_CMD_PEERS, 2 },
	{ "qualify", TNL_CMD_QUALIFY, 2 },
	{ "flush", TNL_CMD_FLUSH, 2 },
	{ "monitor", TNL_CMD_MONITOR, 1 },
	{ "hold", TNL_CMD_HOLD, 2 },
	{ "showconf", TNL_CMD_SHOWCONF, 2 },
	{ "setconf", TNL_CMD_SETCONF, 2 },
	{ "addconf", TNL_CMD_ADDCONF, 2 },
	{ "import-miredo", TNL_CMD_IMPORT_MIREDO, 0 },
	{ "srcroute", TNL_CMD_SRCROUTE, 2 },
	{ "help", TNL_CMD_HELP, 0 },
};

/* srcroute DEV [table N] [off]; tables 253-255 are the kernel's own */
static int parse_srcroute(int argc, char **argv, struct tnl_req *req,
			  char *err, size_t errlen)
{
	int i;

	req->srcroute_table = TNL_SRCROUTE_TABLE;
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "off")) {
			req->srcroute_off = true;
		} else if (!strcmp(argv[i], "table") && i + 1 < argc) {
			uint32_t t;

			if (tnl_parse_u32(argv[i + 1], UINT32_MAX, &t) || !t ||
			    (t >= 253 && t <= 255))
				return fail(err, errlen,
					    "srcroute: invalid table \"%s\" (1-252, 256-4294967295)",
					    argv[i + 1]);
			req->srcroute_table = t;
			i++;
		} else {
			return fail(err, errlen,
				    "srcroute: unexpected argument \"%s\" (srcroute DEV [table N] [off])",
				    argv[i]);
		}
	}
	return 0;
}

/* Moves options out of argv, keeping the order of the other words. */
static int parse_options(int *argc, char **argv, struct tnl_req *req,
			 char *err, size_t errlen)
{
	int i, n = 0;

	for (i = 0; i < *argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-j") || !strcmp(a, "--json"))
			req->json = true;
		else if (!strcmp(a, "--wait"))
			req->wait = true;
		else if (!strcmp(a, "-h") || !strcmp(a, "--help"))
			req->cmd = TNL_CMD_HELP;
		else if (a[0] != '-' || !a[1] || (a[1] >= '0' && a[1] <= '9'))
			argv[n++] = argv[i];	/* a word, or a negative number */
		else
			return fail(err, errlen, "unknown option \"%s\"", a);
	}
	*argc = n;
	return 0;
}

/* exec [-d DEV] [--] CMD [ARGS]: everything after CMD is CMD's. */
static int parse_exec(int argc, char **argv, struct tnl_req *req, char *err,
		      size_t errlen)
{
	int i = 0;

	req->cmd = TNL_CMD_EXEC;
	if (i < argc && (!strcmp(argv[i], "-d") || !strcmp(argv[i], "--dev"))) {
		if (i + 1 >= argc)
			return fail(err, errlen, "exec: -d needs a device name");
		if (!argv[i + 1][0] || strlen(argv[i + 1]) >= IF_NAMESIZE)
			return fail(err, errlen, "invalid device name \"%s\"",
				    argv[i + 1]);
		strcpy(req->dev, argv[i + 1]);
		i += 2;
	}
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	if (i >= argc)
		return fail(err, errlen, "exec: command required (exec [-d DEV] -- CMD [ARGS])");
	req->exec_argc = argc - i;
	req->exec_argv = argv + i;
	return 0;
}

int tnl_parse(int argc, char **argv, struct tnl_req *req, char *err,
	      size_t errlen)
{
	const struct cmd_def *c = NULL;
	int e;
	size_t k;

	memset(req, 0, sizeof(*req));
	req->cmd = TNL_CMD_SHOW;
	/* exec: options before it are ours, the rest is the command's */
	for (e = 0; e < argc && argv[e][0] == '-' && strcmp(argv[e], "--"); e++)
		;
	if (e < argc && !strcmp(argv[e], "exec")) {
		int nopt = e;

		if (parse_options(&nopt, argv, req, err, errlen))
			return -1;
		if (req->cmd == TNL_CMD_HELP)
			return 0;
		return parse_exec(argc - e - 1, argv + e + 1, req, err, errlen);
	}
	if (parse_options(&argc, argv, req, err, errlen))
		return -1;
	if (req->cmd == TNL_CMD_HELP)
		return 0;
	if (argc == 0)
		return 0;	/* "teredo-nl" alone: show everything */

	for (k = 0; k < ARRAY_SIZE(cmds); k++)
		if (!strcmp(argv[0], cmds[k].name))
			c = &cmds[k];
	if (!c)
		return fail(err, errlen, "unknown command \"%s\"", argv[0]);
	req->cmd = c->cmd;
	argc--;
	argv++;

	if (c->dev && argc > 0) {
		if (!argv[0][0] || strlen(argv[0]) >= IF_NAMESIZE)
			return fail(err, errlen, "invalid device name \"%s\"",
				    argv[0]);
		strcpy(req->dev, argv[0]);
		argc--;
		argv++;
	} else if (c->dev == 2) {
		return fail(err, errlen, "%s: device name required", c->name);
	}
	if (c->cmd == TNL_CMD_SET)
		return tnl_parse_set_args(argc, argv, req, err, errlen);
	if (c->cmd == TNL_CMD_SRCROUTE)
		return parse_srcroute(argc, argv, req, err, errlen);
	if (c->cmd == TNL_CMD_SETCONF || c->cmd == TNL_CMD_ADDCONF) {
		if (argc == 0)
			return fail(err, errlen, "%s: file name required (- for stdin)",
				    c->name);
		req->file = argv[0];
		argc--;
		argv++;
	} else if (c->cmd == TNL_CMD_IMPORT_MIREDO && argc > 0) {
		req->file = argv[0];
		argc--;
		argv++;
	} else if (c->cmd == TNL_CMD_SHOW && req->dev[0] && argc > 0) {
		req->field = argv[0];
		argc--;
		argv++;
	}
	if (argc > 0)
		return fail(err, errlen, "%s: unexpected argument \"%s\"",
			    c->name, argv[0]);
	return 0;
}
