// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the teredo-nl parser (parse.c), TAP output.  Run by
 * selftests/host/teredo-nl-unit.sh.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "miredo.h"
#include "parse.h"
#include "route.h"

static int n_test, n_fail;

__attribute__((format(printf, 2, 3)))
static void check(int cond, const char *fmt, ...)
{
	va_list ap;

	n_test++;
	if (!cond)
		n_fail++;
	printf("%s %d ", cond ? "ok" : "not ok", n_test);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* Parses a space-separated command line. */
static int parse_line(const char *line, struct tnl_req *req, char *err)
{
	static char buf[1024];
	char *argv[64];
	int argc = 0;
	char *tok;

	snprintf(buf, sizeof(buf), "%s", line);
	for (tok = strtok(buf, " "); tok && argc < 64; tok = strtok(NULL, " "))
		argv[argc++] = tok;
	err[0] = '\0';
	return tnl_parse(argc, argv, req, err, 256);
}

static void expect_ok(const char *line)
{
	struct tnl_req req;
	char err[256];

	int rc = parse_line(line, &req, err);

	check(rc == 0, "accepts '%s'%s%s", line, err[0] ? " # " : "", err);
}

static void expect_usage(const char *line, const char *msg_part)
{
	struct tnl_req req;
	char err[256];
	int rc = parse_line(line, &req, err);

	check(rc == -1 && strstr(err, msg_part),
	      "refuses '%s' with \"%s\" (got \"%s\")", line, msg_part, err);
}

static void test_srcroute(void)
{
	struct tnl_req req;
	char err[256];

	check(!parse_line("srcroute t0", &req, err) &&
	      req.cmd == TNL_CMD_SRCROUTE && !strcmp(req.dev, "t0") &&
	      req.srcroute_table == TNL_SRCROUTE_TABLE && !req.srcroute_off,
	      "srcroute t0: table %u, on", TNL_SRCROUTE_TABLE);
	check(!parse_line("srcroute t0 table 100 off", &req, err) &&
	      req.srcroute_table == 100 && req.srcroute_off,
	      "srcroute t0 table 100 off");
	check(!parse_line("srcroute t0 table 70000", &req, err) &&
	      req.srcroute_table == 70000, "srcroute: a table above 255");
	expect_usage("srcroute", "device name required");
	expect_usage("srcroute t0 table 254", "invalid table");
	expect_usage("srcroute t0 table 0", "invalid table");
	expect_usage("srcroute t0 table", "unexpected argument");
	expect_usage("srcroute t0 on", "unexpected argument");
}

static void test_numbers(void)
{
	uint32_t v = 0, m = 0, k = 0;

	check(!tnl_parse_u32("0x10", UINT32_MAX, &v) && v == 16, "u32 hex");
	check(!tnl_parse_u32("4294967295", UINT32_MAX, &v) && v == UINT32_MAX,
	      "u32 max");
	check(tnl_parse_u32("4294967296", UINT32_MAX, &v), "u32 overflow");
	check(tnl_parse_u32("-1", UINT32_MAX, &v), "u32 negative");
	check(tnl_parse_u32("", UINT32_MAX, &v), "u32 empty");
	check(tnl_parse_u32("12abc", UINT32_MAX, &v), "u32 trailing garbage");
	check(tnl_parse_u32("65536", UINT16_MAX, &v), "u16 overflow");
	check(!tnl_parse_mark("0x1", &m, &k) && m == 1 && k == UINT32_MAX,
	      "mark without mask: mask 0xffffffff");
	check(!tnl_parse_mark("0x10/0xf0", &m, &k) && m == 0x10 && k == 0xf0,
	      "mark/mask");
	check(tnl_parse_mark("1/", &m, &k), "mark with empty mask");
	check(tnl_parse_mark("x/1", &m, &k), "mark not a number");
	check(tnl_parse_mark("1/2/3", &m, &k), "mark with two slashes");
}

static void test_hosts(void)
{
	struct tnl_host h;

	check(!tnl_parse_host("192.0.2.1", &h) && !h.is_name &&
	      h.addr == inet_addr("192.0.2.1"), "dotted quad");
	check(!tnl_parse_host("none", &h) && !h.is_name && h.addr == 0,
	      "none is 0");
	check(!tnl_parse_host("teredo.example.net", &h) && h.is_name &&
	      !strcmp(h.name, "teredo.example.net"), "host name kept");
	check(tnl_parse_host("192.0.2.300", &h), "bad dotted quad");
	check(tnl_parse_host("1.2.3", &h), "short dotted quad");
	check(tnl_parse_host("bad name", &h), "name with a space");
	check(tnl_parse_host("", &h), "empty name");
}

static void test_names(void)
{
	unsigned int i;
	int all = 1;

	check(tnl_mode_from_name("relay") == TEREDO_MODE_RELAY, "mode relay");
	check(tnl_mode_from_name("Relay") == -1, "mode is case sensitive");
	check(tnl_policy_from_name("enterprise") == TEREDO_POLICY_ENTERPRISE,
	      "policy enterprise");
	check(!strcmp(teredo_state_name(TEREDO_STATE_QUALIFIED), "qualified"),
	      "state name");
	check(!teredo_state_name(__TEREDO_STATE_MAX),
	      "unknown state has no name");
	for (i = 0; i < __TEREDO_STAT_MAX; i++)
		all &= !!teredo_stat_name(i);
	check(all, "every counter has a name");
	check(!strcmp(teredo_stat_name(TEREDO_STAT_DROP_MALFORMED),
		      "drop_malformed"), "drop_malformed name");
	check(!strcmp(teredo_stat_name(TEREDO_STAT_DROP_STALE_SOURCE),
		      "drop_stale_source"), "last counter name");
}

static void test_set(void)
{
	struct tnl_req r;
	char err[256];

	check(!parse_line("set t0 mode relay server 192.0.2.1 server2 192.0.2.2 "
			  "port 3545 fwmark 0x5 refresh 60 allow 0x1 allow 0x2/0x3 "
			  "rxmark 7 policy enterprise dormant-timeout 300 max-peers 10",
			  &r, err) &&
	      r.cmd == TNL_CMD_SET && !strcmp(r.dev, "t0") &&
	      r.set == (TNL_SET_MODE | TNL_SET_SERVER | TNL_SET_SERVER2 |
			TNL_SET_PORT | TNL_SET_FWMARK | TNL_SET_REFRESH |
			TNL_SET_MARKS | TNL_SET_RXMARK | TNL_SET_POLICY |
			TNL_SET_DORMANT | TNL_SET_MAX_PEERS) &&
	      r.mode == TEREDO_MODE_RELAY && r.port == 3545 && r.fwmark == 5 &&
	      r.refresh == 60 && r.n_marks == 2 && r.marks[0].mark == 1 &&
	      r.marks[0].mask == UINT32_MAX && r.marks[1].mark == 2 &&
	      r.marks[1].mask == 3 && r.rxmark == 7 &&
	      r.policy == TEREDO_POLICY_ENTERPRISE &&
	      r.dormant_timeout == 300 && r.max_peers == 10 &&
	      r.server.addr == inet_addr("192.0.2.1") &&
	      r.server2.addr == inet_addr("192.0.2.2"),
	      "set with every setting");
	check(!parse_line("set t0 allow none", &r, err) &&
	      r.set == TNL_SET_MARKS && r.n_marks == 0, "allow none clears");
	check(!parse_line("set t0 server teredo.example", &r, err) &&
	      r.server.is_name, "server name left to resolve");
	check(!parse_line("set t0 server 192.0.2.1 b.example 198.51.100.1 "
			  "192.0.2.1 port 5", &r, err) &&
	      r.set == (TNL_SET_SERVER | TNL_SET_PORT) && r.port == 5 &&
	      r.n_more == 3 && r.more[0].is_name &&
	      !strcmp(r.more[0].name, "b.example") && r.n_servers == 2 &&
	      r.servers[0] == inet_addr("192.0.2.1") &&
	      r.servers[1] == inet_addr("198.51.100.1"),
	      "server A NAME B A: a list up to the next setting, once each");
	check(!parse_line("set t0 server none", &r, err) && r.n_servers == 0 &&
	      r.n_more == 0, "server none: no list");
	check(!parse_line("-j show t0", &r, err) && r.json &&
	      r.cmd == TNL_CMD_SHOW && !strcmp(r.dev, "t0"), "-j before");
	check(!parse_line("show t0 -j", &r, err) && r.json, "-j after");
	check(!parse_line("show t0", &r, err) && !r.field, "show: no field");
	check(!parse_line("show t0 address", &r, err) && r.field &&
	      !strcmp(r.field, "address"), "show DEV FIELD");
	check(!parse_line("", &r, err) && r.cmd == TNL_CMD_SHOW && !r.dev[0],
	      "no arguments: show all");
	check(!parse_line("--wait set t0 server a.example", &r, err) && r.wait,
	      "--wait");
	check(!parse_line("--help", &r, err) && r.cmd == TNL_CMD_HELP, "--help");
	check(!parse_line("monitor", &r, err) && r.cmd == TNL_CMD_MONITOR,
	      "monitor without device");
	check(!parse_line("set t0 refresh auto", &r, err) &&
	      r.set == TNL_SET_REFRESH_AUTO, "refresh auto");
	check(!parse_line("set t0 refresh 20", &r, err) &&
	      r.set == TNL_SET_REFRESH && r.refresh == 20,
	      "refresh SECONDS unchanged");
	check(!parse_line("set t0 local-discovery on", &r, err) &&
	      r.set == TNL_SET_LOCAL_DISC && r.local_discovery == 1,
	      "local-discovery on");
	check(!parse_line("set t0 local-discovery off", &r, err) &&
	      r.set == TNL_SET_LOCAL_DISC && r.local_discovery == 0,
	      "local-discovery off");
	check(!parse_line("set t0 hairpinning on", &r, err) &&
	      r.set == TNL_SET_HAIRPINNING && r.hairpinning == 1 &&
	      r.local_discovery == 0, "hairpinning on");
	check(!parse_line("set t0 hairpinning off", &r, err) &&
	      r.set == TNL_SET_HAIRPINNING && r.hairpinning == 0,
	      "hairpinning off");
	check(!parse_line("set t0 local-discovery off hairpinning on", &r, err) &&
	      r.set == (TNL_SET_LOCAL_DISC | TNL_SET_HAIRPINNING) &&
	      r.local_discovery == 0 && r.hairpinning == 1,
	      "local-discovery and hairpinning are two settings");
	check(!parse_line("set t0 inbound open", &r, err) &&
	      r.set == TNL_SET_INBOUND && r.inbound == TEREDO_INBOUND_OPEN,
	      "inbound open");
	check(!parse_line("set t0 inbound authorized", &r, err) &&
	      r.set == TNL_SET_INBOUND &&
	      r.inbound == TEREDO_INBOUND_AUTHORIZED, "inbound authorized");
	check(parse_line("set t0 inbound closed", &r, err) &&
	      strstr(err, "not authorized or open"), "inbound: bad value");
}

static void test_exposure(void)
{
	struct tnl_req r;
	char err[256];
	uint32_t a = 0;
	uint8_t l = 0;

	check(!tnl_parse_prefix("10.0.0.0/8", &a, &l) &&
	      a == inet_addr("10.0.0.0") && l == 8, "prefix");
	check(!tnl_parse_prefix("192.0.2.1", &a, &l) && l == 32,
	      "prefix without length: /32");
	check(tnl_parse_prefix("10.0.0.0/33", &a, &l), "prefix length > 32");
	check(tnl_parse_prefix("10.0.0/8", &a, &l), "short prefix address");
	check(!parse_line("set t0 managed 10.0.0.0/8 192.168.0.0/16 policy client",
			  &r, err) && r.set == (TNL_SET_MANAGED | TNL_SET_POLICY) &&
	      r.n_managed == 2 && r.managed[1].len == 16 &&
	      r.managed[1].addr == inet_addr("192.168.0.0"),
	      "managed takes every prefix that follows");
	check(!parse_line("set t0 managed 10.0.0.0/8 managed 172.16.0.0/12", &r,
			  err) && r.n_managed == 2, "managed repeated");
	check(!parse_line("set t0 managed none", &r, err) &&
	      r.set == TNL_SET_MANAGED && r.n_managed == 0, "managed none clears");
	check(!parse_line("hold t0", &r, err) && r.cmd == TNL_CMD_HOLD &&
	      !strcmp(r.dev, "t0"), "hold DEV");
	check(!parse_line("exec -- ping -6 -c 1 ::1", &r, err) &&
	      r.cmd == TNL_CMD_EXEC && !r.dev[0] && r.exec_argc == 5 &&
	      !strcmp(r.exec_argv[0], "ping") && !strcmp(r.exec_argv[4], "::1"),
	      "exec -- CMD ARGS: the rest is the command's");
	check(!parse_line("exec -d t1 -- ls -j", &r, err) && !strcmp(r.dev, "t1") &&
	      r.exec_argc == 2 && !r.json, "exec -d DEV; CMD's options stay CMD's");
	check(!parse_line("exec true", &r, err) && r.exec_argc == 1 &&
	      !strcmp(r.exec_argv[0], "true"), "exec without --");
}

/* Parses @text; 0 or -1 with the message and line in @err / *@line. */
static int conf_parse(const char *text, struct tnl_conf *f, char *err,
		      unsigned int *line)
{
	err[0] = '\0';
	return tnl_conf_parse(text, f, err, 256, line);
}

/* A bad file: refused, with @msg_part in the message, about line @want. */
static void conf_bad(const char *what, const char *text, unsigned int want,
		     const char *msg_part)
{
	struct tnl_conf f;
	unsigned int line;
	char err[256];
	int rc = conf_parse(text, &f, err, &line);

	check(rc == -1 && line == want && strstr(err, msg_part),
	      "conf: %s: line %u: %s", what, line, err);
}

static char *conf_print(const struct tnl_cfg *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	tnl_conf_print(f, c, "t0");
	fclose(f);
	return buf;
}

/* print -> parse -> merge on the defaults (setconf) gives @c back. */
static void conf_round_trip(const char *what, const struct tnl_cfg *c)
{
	struct tnl_cfg back;
	struct tnl_conf f;
	unsigned int line;
	char err[256];
	char *text = conf_print(c);
	int rc = conf_parse(text, &f, err, &line);

	tnl_cfg_defaults(&back);
	if (!rc)
		tnl_conf_merge(&back, &f);
	check(!rc && !memcmp(&back, c, sizeof(back)),
	      "conf: round trip of %s%s%s", what, err[0] ? " # " : "", err);
	if (rc || memcmp(&back, c, sizeof(back))) {
		char *l, *save;

		for (l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
			printf("# %s\n", l);
	}
	free(text);
}

static void test_conf(void)
{
	struct tnl_cfg c, d;
	struct tnl_conf f;
	unsigned int line;
	char err[256];
	int rc;

	rc = conf_parse("# a comment\n"
			"\n"
			"   mode   =   relay   # trailing comment\n"
			"\tport=3545\r\n"
			"server = 192.0.2.1\n"
			"allow = 0x10, 0x20/0xf0\n"
			"allow = 7\n"
			"managed = 10.0.0.0/8 192.168.0.0/16\n"
			"refresh = auto 60\n"
			"dev = eth0\n"
			"mtu = 1400", &f, err, &line);
	check(rc == 0, "conf: comments, blank lines, blanks, CRLF, no final newline%s%s",
	      err[0] ? " # " : "", err);
	tnl_cfg_defaults(&c);
	tnl_conf_merge(&c, &f);
	check(c.mode == TEREDO_MODE_RELAY && c.port == 3545 &&
	      c.server == htonl(0xc0000201) && c.n_marks == 3 &&
	      c.marks[1].mark == 0x20 && c.marks[1].mask == 0xf0 &&
	      c.marks[2].mark == 7 && c.marks[2].mask == 0xffffffff &&
	      c.n_managed == 2 && c.managed[1].len == 16 &&
	      c.refresh_auto == 1 && c.refresh == 60 && !strcmp(c.dev, "eth0") &&
	      c.mtu == 1400 && c.max_peers == TNL_DEFAULT_MAX_PEERS,
	      "conf: values merged on the defaults");
	check(tnl_conf_line_of(&f, "port") == 4 && tnl_conf_line_of(&f, "allow") == 6 &&
	      tnl_conf_line_of(&f, "fwmark") == 0 && tnl_conf_line_of(&f, "bogus") == 0,
	      "conf: line of each key (first line of a repeated list)");
	/* addconf: only the keys present change */
	d = c;
	rc = conf_parse("fwmark = 5\n", &f, err, &line);
	tnl_conf_merge(&d, &f);
	c.fwmark = 5;
	check(!rc && !memcmp(&c, &d, sizeof(c)), "conf: a merge changes only its keys");
	rc = conf_parse("hairpinning = on\n", &f, err, &line);
	tnl_conf_merge(&d, &f);
	c.hairpinning = 1;
	check(!rc && !memcmp(&c, &d, sizeof(c)) && tnl_conf_line_of(&f, "hairpinning") == 1,
	      "conf: hairpinning = on merged alone");

	conf_bad("unknown key", "mode = client\ncolour = red\n", 2, "unknown key \"colour\"");
	conf_bad("duplicate", "port = 1\n\nport = 2\n", 3, "port: given twice (first on line 1)");
	conf_bad("bad port", "mode = client\n# x\nport = 70000\n", 3, "port: invalid port \"70000\"");
	conf_bad("bad mode", "mode = fast\n", 1, "unknown mode \"fast\"");
	conf_bad("bad mark", "allow = 0x10\nallow = 1/zz\n", 2, "allow: invalid mark");
	conf_bad("allow none then a mark", "allow = none\nallow = 1\n", 2, "none cannot be combined");
	conf_bad("none in a list", "managed = 10.0.0.0/8, none\n", 1, "none cannot be combined");
	conf_bad("two values", "fwmark = 1 2\n", 1, "one value expected");
	conf_bad("missing value", "\nserver =\n", 2, "server: missing value");
	conf_bad("no equals sign", "port 3544\n", 1, "expected \"key = value\"");
	conf_bad("a section", "[Interface]\n", 1, "sections are not used");
	conf_bad("no key", " = 3\n", 1, "missing key");
	conf_bad("bad mtu", "mtu = 9000\n", 1, "mtu: invalid MTU");
	conf_bad("bad local", "local = 1.2.3\n", 1, "local: invalid address");
	conf_bad("bad refresh", "refresh = auto 0\n", 1, "refresh: invalid maximum");
	conf_bad("bad local-discovery", "local-discovery = yes\n", 1, "not on or off");
	conf_bad("bad hairpinning", "hairpinning = 1\n", 1,
		 "hairpinning: \"1\" is not on or off");
	conf_bad("keys are case-sensitive", "Port = 1\n", 1, "unknown key \"Port\"");

	tnl_cfg_defaults(&c);
	conf_round_trip("the defaults", &c);
	c.mode = TEREDO_MODE_SERVER;
	c.server = htonl(0xc0000201);
	c.n_servers = 1;
	c.servers[0] = c.server;
	c.server2 = htonl(0xc0000203);
	c.port = 3545;
	c.fwmark = 0x42;
	c.refresh = 45;
	c.local_discovery = 1;
	c.hairpinning = 1;
	c.n_marks = 2;
	c.marks[0].mark = 0x10;
	c.marks[0].mask = 0xffffffff;
	c.marks[1].mark = 0x100;
	c.marks[1].mask = 0xf00;
	c.rxmark = 0x10;
	c.policy = TEREDO_POLICY_ENTERPRISE;
	c.dormant_timeout = 0;
	c.max_peers = 17;
	c.n_managed = 1;
	c.managed[0].addr = htonl(0x0a000000);
	c.managed[0].len = 8;
	c.inbound = TEREDO_INBOUND_OPEN;
	c.mtu = 1472;
	c.local = htonl(0xc0000264);
	strcpy(c.dev, "eth0");
	conf_round_trip("every setting changed", &c);
	c.refresh_auto = 1;
	conf_round_trip("refresh auto 45", &c);
	c.refresh = TNL_DEFAULT_REFRESH;
	conf_round_trip("refresh auto", &c);
	c.mode = TEREDO_MODE_CLIENT;
	c.n_servers = TEREDO_MAX_SERVERS;
	for (line = 0; line < TEREDO_MAX_SERVERS; line++)
		c.servers[line] = htonl(0xc6336401 + line);
	c.server = c.servers[0];
	conf_round_trip("a list of 8 servers", &c);
	conf_bad("9 servers", "server = 1.0.0.1 1.0.0.2 1.0.0.3 1.0.0.4 1.0.0.5 "
		 "1.0.0.6 1.0.0.7 1.0.0.8 1.0.0.9\n", 1,
		 "server: at most 8 servers");
	conf_bad("none in a list", "server = 1.0.0.1 none\n", 1,
		 "server: none cannot be combined with servers");
}

/* Debian's shipped files, or a copy of their format. */
static const char miredo_conf[] =
	"# Please refer to the miredo.conf(5) man page for details.\n"
	"InterfaceName\tteredo\n"
	"\n"
	"# Pick a Teredo server:\n"
	"#ServerAddress\tteredo.ipv6.microsoft.com\n"
	"ServerAddress\tteredo-debian.remlab.net\n"
	"\n"
	"# Some firewall/NAT setups require a specific UDP port number:\n"
	"#BindPort\t3545\n";
static const char miredo_server_conf[] =
	"# Please refer to the miredo-server.conf(5) manpage for details.\n"
	"\n"
	"# Server primary IPv4 address.\n"
	"# Miredo will open UDP port 3544 on this IPv4 address and the next one.\n"
	"ServerBindAddress 192.0.2.221\n";

static char *file_or(const char *path, const char *fallback, const char **from)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 65536);
	size_t n;

	*from = "a copy in the test";
	if (f) {
		n = fread(buf, 1, 65535, f);
		fclose(f);
		buf[n] = '\0';
		*from = path;
	} else {
		strcpy(buf, fallback);
	}
	return buf;
}

/* Converts @text: the return code, what went to out and to warn. */
static int import(const char *text, char **out, char **warn)
{
	size_t lo, lw;
	FILE *o = open_memstream(out, &lo), *w = open_memstream(warn, &lw);
	int rc = tnl_miredo_import(text, "m.conf", o, w);

	fclose(o);
	fclose(w);
	return rc;
}

/* The converter's output is a valid teredo.conf. */
static int parses(const char *text, struct tnl_cfg *c)
{
	struct tnl_conf f;
	unsigned int line;
	char err[256];

	if (conf_parse(text, &f, err, &line)) {
		printf("# line %u: %s\n", line, err);
		return 0;
	}
	tnl_cfg_defaults(c);
	tnl_conf_merge(c, &f);
	return 1;
}

static void test_miredo(void)
{
	const char *from;
	char *text, *out, *warn;
	struct tnl_cfg c;
	int rc;

	text = file_or("/etc/miredo/miredo.conf", miredo_conf, &from);
	rc = import(text, &out, &warn);
	check(rc == 0 && strstr(out, "mode = client\n") &&
	      strstr(out, "\nserver = ") && strstr(out, "inbound = open\n") &&
	      strstr(out, "dormant-timeout = 0\n") && strstr(out, "allow = 0x0\n") &&
	      strstr(out, "ip link add teredo type teredo") && !warn[0],
	      "miredo: client file (%s) converted, nothing left out", from);
	check(parses(out, &c) && c.mode == TEREDO_MODE_CLIENT &&
	      c.inbound == TEREDO_INBOUND_OPEN && c.dormant_timeout == 0 &&
	      c.n_marks == 1 && c.policy == TEREDO_POLICY_ENTERPRISE,
	      "miredo: its output is a teredo.conf (setconf reads it)");
	free(text);
	free(out);
	free(warn);

	text = file_or("/etc/miredo/miredo-server.conf", miredo_server_conf, &from);
	rc = import(text, &out, &warn);
	check(rc == 0 && strstr(out, "mode = server\n") && strstr(out, "\nserver = ") &&
	      !strstr(out, "inbound") && !warn[0] && parses(out, &c) &&
	      c.mode == TEREDO_MODE_SERVER && c.server,
	      "miredo: server file (%s) converted", from);
	free(text);
	free(out);
	free(warn);

	rc = import("# relay\nrelaytype cone\nBindPort 3545\nBindAddress 192.0.2.7\n"
		    "InterfaceMTU 1400\nServerAddress2 192.0.2.2\nPrefix 2001:0::\n"
		    "SyslogFacility local1\nHoldTime 30\n", &out, &warn);
	check(rc == 0 && strstr(out, "mode = relay\n") && strstr(out, "port = 3545\n") &&
	      strstr(out, "local = 192.0.2.7\n") && strstr(out, "mtu = 1400\n") &&
	      strstr(out, "server2 = 192.0.2.2\n") && !strstr(out, "inbound") &&
	      parses(out, &c) && c.mode == TEREDO_MODE_RELAY && c.mtu == 1400,
	      "miredo: relay settings, directive names in any case");
	check(!strcmp(warn,
		      "m.conf:8: SyslogFacility: no equivalent, left out (teredo.ko reports to the kernel log and its counters; teredo-nl monitor prints its events)\n"
		      "m.conf:9: HoldTime: no equivalent, left out (not a setting teredo-nl knows)\n"),
	      "miredo: one stderr line per key without an equivalent, with its line");
	free(out);
	free(warn);

	rc = import("RelayType restricted\nPrefix 3ffe:831f::\nInterfaceMTU 1500\n", &out, &warn);
	check(rc == 0 && strstr(out, "mode = relay\n") && !strstr(out, "mtu") &&
	      strstr(warn, "m.conf:1: RelayType restricted: converted") &&
	      strstr(warn, "m.conf:2: Prefix: no equivalent") &&
	      strstr(warn, "m.conf:3: InterfaceMTU: no equivalent"),
	      "miredo: restricted, another prefix, MTU 1500 reported");
	free(out);
	free(warn);

	rc = import("BindPort 3545\nBindPort 99999\nRelayType fast\nServerAddress\n", &out, &warn);
	check(rc == -1 && !out[0] && strstr(warn, "m.conf:2: BindPort: invalid value \"99999\"") &&
	      strstr(warn, "m.conf:3: RelayType: invalid value \"fast\"") &&
	      strstr(warn, "m.conf:4: ServerAddress: missing value"),
	      "miredo: bad values refused with their lines, nothing printed");
	free(out);
	free(warn);
}

int main(void)
{
	printf("TAP version 13\n");
	test_numbers();
	test_hosts();
	test_names();
	test_set();
	test_exposure();
	test_conf();
	test_miredo();
	expect_ok("showconf t0");
	expect_ok("setconf t0 /etc/teredo/t0.conf");
	expect_ok("addconf t0 -");
	expect_ok("import-miredo");
	expect_ok("import-miredo -");
	expect_usage("setconf t0", "file name required");
	expect_usage("showconf", "device name required");
	expect_usage("setconf t0 a b", "unexpected argument");
	test_srcroute();
	expect_ok("peers t0");
	expect_ok("qualify t0");
	expect_ok("flush t0");
	expect_ok("monitor t0 -j");
	expect_ok("set t0 port 0");
	expect_ok("set t0 allow 1 allow 2 allow 3");
	expect_usage("bogus", "unknown command");
	expect_usage("show t0 address extra", "unexpected argument");
	expect_usage("set", "device name required");
	expect_usage("set t0", "nothing to set");
	expect_usage("set t0 mode", "missing value");
	expect_usage("set t0 mode bogus", "unknown mode");
	expect_usage("set t0 policy bogus", "unknown policy");
	expect_usage("set t0 colour red", "unknown setting");
	expect_usage("set t0 fwmark abc", "fwmark: invalid number");
	expect_usage("set t0 fwmark -1", "fwmark: invalid number");
	expect_usage("set t0 refresh 99999999999", "refresh: invalid number");
	expect_usage("set t0 port 65536", "port: invalid port");
	expect_usage("set t0 allow 1/x", "allow: invalid mark");
	expect_usage("set t0 allow 1 allow none", "cannot be combined");
	expect_usage("set t0 server 10.0.0.300", "server: invalid");
	expect_usage("set t0 mode client mode relay", "given twice");
	expect_usage("set t0 refresh auto refresh 5", "given twice");
	expect_usage("set t0 refresh 5 refresh auto", "given twice");
	expect_usage("set t0 refresh automatic", "refresh: invalid number");
	expect_usage("set t0 local-discovery yes", "not on or off");
	expect_usage("set t0 hairpinning yes", "hairpinning: \"yes\" is not on or off");
	expect_usage("set t0 hairpinning", "hairpinning: missing value");
	expect_usage("set t0 allow 1 allow 2 allow 3 allow 4 allow 5 allow 6 "
		     "allow 7 allow 8 allow 9 allow 10 allow 11 allow 12 allow 13 "
		     "allow 14 allow 15 allow 16 allow 17", "at most 16");
	expect_usage("show abcdefghijklmnopq", "invalid device name");
	expect_usage("peers", "device name required");
	expect_usage("qualify", "device name required");
	expect_usage("flush", "device name required");
	expect_usage("-x show", "unknown option");
	expect_usage("set t0 managed 10.0.0/8", "managed: invalid prefix");
	expect_usage("set t0 managed", "missing value");
	expect_usage("set t0 managed 10.0.0.0/8 managed none", "cannot be combined");
	expect_usage("hold", "device name required");
	expect_usage("exec", "command required");
	expect_usage("exec --", "command required");
	expect_usage("exec -d", "-d needs a device name");
	printf("1..%d\n", n_test);
	return n_fail ? 1 : 0;
}
