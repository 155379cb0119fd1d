// SPDX-License-Identifier: GPL-2.0
/*
 * teredo-nl: configure and inspect teredo devices over the generic
 * netlink family "teredo".
 *
 * Exit status: 0 success, 1 error (kernel refusal, no such device...),
 * 2 usage error, 3 a server name did not resolve.
 */
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "conf.h"
#include "exec.h"
#include "miredo.h"
#include "nl.h"
#include "parse.h"
#include "print.h"
#include "route.h"

/* Where teredo@.service finds DEV.conf (teredo.conf(5)). */
#define TNL_CONF_DIR "/etc/teredo"

enum {
	EXIT_ERROR = 1,
	EXIT_USAGE = 2,
	EXIT_RESOLVE = 3,
};

static const char usage_text[] =
"Usage: teredo-nl [-j] show [DEV [FIELD]]\n"
"       teredo-nl [--wait] set DEV [mode client|relay|server] [server ADDR|NAME...]\n"
"                 [server2 ADDR] [port N] [fwmark MARK]\n"
"                 [refresh SECONDS|auto]\n"
"                 [allow MARK[/MASK]]... [allow none] [rxmark MARK]\n"
"                 [policy client|enterprise] [dormant-timeout SECONDS]\n"
"                 [max-peers N] [local-discovery on|off] [hairpinning on|off]\n"
"                 [managed PREFIX...] [managed none]\n"
"                 [inbound authorized|open] [local ADDR|any] [dev IFNAME|any]\n"
"       teredo-nl [-j] peers DEV\n"
"       teredo-nl qualify DEV\n"
"       teredo-nl flush DEV\n"
"       teredo-nl [-j] monitor [DEV]\n"
"       teredo-nl hold DEV\n"
"       teredo-nl exec [-d DEV] -- CMD [ARGS]\n"
"       teredo-nl showconf DEV\n"
"       teredo-nl [--wait] setconf DEV FILE|-\n"
"       teredo-nl [--wait] addconf DEV FILE|-\n"
"       teredo-nl import-miredo [MIREDO.CONF|-]\n"
"       teredo-nl srcroute DEV [table N] [off]\n"
"Options: -j, --json   JSON output\n"
"         --wait       retry resolving server names until they resolve\n"
"         -h, --help   this text\n"
"Files: teredo.conf(5).\n"
"Exit status: 0 ok, 1 error, 2 usage error, 3 server name not resolved.\n";

__attribute__((format(printf, 2, 3)))
static int error(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("teredo-nl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

/*
 * Reports a failed request: the kernel's message if it gave one (kernels
 * before 6.2 give none for a refused dump), else the errno meaning.
 */
static int nl_error(const struct tnl_nl *nl, int err, const char *what,
		    const char *dev)
{
	if (nl->errmsg[0])
		return error(EXIT_ERROR, "%s", nl->errmsg);
	if (dev && dev[0] && err == -ENODEV)
		return error(EXIT_ERROR, "%s: no such device", dev);
	if (dev && dev[0] && err == -EOPNOTSUPP)
		return error(EXIT_ERROR, "%s: not a teredo device", dev);
	return error(EXIT_ERROR, "%s: %s", what, strerror(-err));
}

static int open_nl(struct tnl_nl *nl)
{
	int err = tnl_nl_open(nl);

	if (err == -ENOENT)
		return error(EXIT_ERROR, "%s",
			     "generic netlink family \"teredo\" not found (is the teredo module loaded?)");
	if (err)
		return error(EXIT_ERROR, "netlink: %s", strerror(-err));
	return 0;
}

/*
 * Resolves a server name (getaddrinfo, AF_INET): its addresses in
 * *@out if @out, else the first into @h.
 */
static int resolve(struct tnl_host *h, bool wait, struct addrinfo **out)
{
	struct addrinfo hints = { .ai_family = AF_INET,
				  .ai_socktype = SOCK_DGRAM };
	struct addrinfo *res;
	int rc;

	if (!h->is_name)
		return 0;
	for (;;) {
		rc = getaddrinfo(h->name, NULL, &hints, &res);
		if (!rc)
			break;
		if (!wait) {
			fprintf(stderr, "teredo-nl: cannot resolve server \"%s\": %s\n",
				h->name, gai_strerror(rc));
			return EXIT_RESOLVE;
		}
		sleep(1);
	}
	if (out) {
		*out = res;
		return 0;
	}
	h->addr = ((struct sockaddr_in *)res->ai_addr)->sin_addr.s_addr;
	h->is_name = false;
	freeaddrinfo(res);
	return 0;
}

static int cmp_addr(const void *a, const void *b)
{
	uint32_t x = ntohl(*(const uint32_t *)a), y = ntohl(*(const uint32_t *)b);

	return x < y ? -1 : x > y;
}

/*
 * "server HOST...": every IPv4 address of each name, a name's own in
 * numeric order (DNS servers rotate them: the list must not change
 * when the records did not), into req->servers after the addresses
 * of the hosts before it.
 */
static int resolve_servers(struct tnl_req *req, bool wait)
{
	uint32_t got[TEREDO_MAX_SERVERS];
	struct addrinfo *res, *ai;
	struct tnl_host *h;
	unsigned int i, j, n;
	bool names = false, full = false;

	for (i = 0; (h = tnl_req_server_host(req, i)); i++)
		names |= h->is_name;
	if (!names)
		return 0;
	req->n_servers = 0;
	for (i = 0; (h = tnl_req_server_host(req, i)); i++) {
		if (!h->is_name) {
			full |= h->addr && tnl_req_add_server(req, h->addr);
			continue;
		}
		if (resolve(h, wait, &res))
			return EXIT_RESOLVE;
		n = 0;
		for (ai = res; ai && n < TEREDO_MAX_SERVERS; ai = ai->ai_next)
			got[n++] = ((struct sockaddr_in *)ai->ai_addr)->sin_addr.s_addr;
		freeaddrinfo(res);
		qsort(got, n, sizeof(got[0]), cmp_addr);
		for (j = 0; j < n; j++)
			full |= tnl_req_add_server(req, got[j]) < 0;
	}
	if (full)
		fprintf(stderr, "teredo-nl: more than %d server addresses: the first %d are used\n",
			TEREDO_MAX_SERVERS, TEREDO_MAX_SERVERS);
	req->server.addr = req->n_servers ? req->servers[0] : 0;
	req->server.is_name = false;
	return 0;
}

static void put_dev(struct tnl_nl *nl, struct nlmsghdr *nlh, const char *dev)
{
	tnl_nl_name_attr(nl, nlh, mnl_nlmsg_get_payload_tail(nlh), dev);
	mnl_attr_put_strz(nlh, TEREDO_A_IFNAME, dev);
}

/* Objects printed so far by a listing (JSON array punctuation). */
static unsigned int n_listed;

/* Opens the JSON array before the first element, separates the others. */
static void json_list_sep(void)
{
	fputs(n_listed++ ? ",\n" : "[", stdout);
}

/* Closes the JSON array ("[]" if nothing was listed). */
static void json_list_end(void)
{
	fputs(n_listed ? "]\n" : "[]\n", stdout);
}

/* show DEV FIELD named a key that the device does not have. */
static bool no_field;

static int dev_cb(const struct nlmsghdr *nlh, void *data)
{
	struct tnl_req *req = data;
	struct tnl_dev d;

	if (tnl_decode_dev(nlh, &d)) {
		error(EXIT_ERROR, "%s", "malformed answer from the kernel");
		return MNL_CB_ERROR;
	}
	if (req->field) {
		/* a device has the same keys whatever its state */
		if (tnl_print_dev_field(stdout, &d, req->field)) {
			no_field = true;
			return MNL_CB_ERROR;
		}
		return MNL_CB_OK;
	}
	if (req->json && !req->dev[0])
		json_list_sep();
	tnl_print_dev(stdout, &d, req->json);
	return MNL_CB_OK;
}

static int cmd_show(struct tnl_nl *nl, struct tnl_req *req)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int err;

	nlh = tnl_nl_req(nl, buf, TEREDO_CMD_DEV_GET,
			 req->dev[0] ? 0 : NLM_F_DUMP);
	if (req->dev[0])
		put_dev(nl, nlh, req->dev);
	err = tnl_nl_talk(nl, nlh, dev_cb, req);
	if (no_field)
		return error(EXIT_USAGE, "show: no field \"%s\" (the keys of teredo-nl -j show DEV)",
			     req->field);
	if (err)
		return nl_error(nl, err, "show", req->dev);
	if (req->json && !req->dev[0])
		json_list_end();
	return 0;
}

static void put_u32(struct tnl_nl *nl, struct nlmsghdr *nlh, uint16_t type,
		    uint32_t v, const char *name)
{
	tnl_nl_name_attr(nl, nlh, mnl_nlmsg_get_payload_tail(nlh), name);
	mnl_attr_put_u32(nlh, type, v);
}

static void put_u8(struct tnl_nl *nl, struct nlmsghdr *nlh, uint16_t type,
		   uint8_t v, const char *name)
{
	tnl_nl_name_attr(nl, nlh, mnl_nlmsg_get_payload_tail(nlh), name);
	mnl_attr_put_u8(nlh, type, v);
}

static void put_marks(struct tnl_nl *nl, struct nlmsghdr *nlh,
		      const struct tnl_req *req)
{
	struct nlattr *marks, *m;
	unsigned int i;

	tnl_nl_name_attr(nl, nlh, mnl_nlmsg_get_payload_tail(nlh), "allow");
	marks = mnl_attr_nest_start(nlh, TEREDO_A_ALLOWED_MARKS);
	for (i = 0; i < req->n_marks; i++) {
		m = mnl_attr_nest_start(nlh, TEREDO_A_MARK);
		mnl_attr_put_u32(nlh, TEREDO_MARK_A_MARK, req->marks[i].mark);
		mnl_attr_put_u32(nlh, TEREDO_MARK_A_MASK, req->marks[i].mask);
		mnl_attr_nest_end(nlh, m);
	}
	mnl_attr_nest_end(nlh, marks);
}

static void put_managed(struct tnl_nl *nl, struct nlmsghdr *nlh,
			const struct tnl_req *req)
{
	struct nlattr *list, *p;
	unsigned int i;

	tnl_nl_name_attr(nl, nlh, mnl_nlmsg_get_payload_tail(nlh), "managed");
	list = mnl_attr_nest_start(nlh, TEREDO_A_MANAGED);
	for (i = 0; i < req->n_managed; i++) {
		p = mnl_attr_nest_start(nlh, TEREDO_A_PREFIX);
		mnl_attr_put_u32(nlh, TEREDO_PREFIX_A_ADDR, req->managed[i].addr);
		mnl_attr_put_u8(nlh, TEREDO_PREFIX_A_LEN, req->managed[i].len);
		mnl_attr_nest_end(nlh, p);
	}
	mnl_attr_nest_end(nlh, list);
}

/*
 * The candidate servers: a list of one (or none) as "server", which
 * every module version takes; a longer one as "servers".
 */
static void put_servers(struct tnl_nl *nl, struct nlmsghdr *nlh,
			unsigned int n, const uint32_t *servers)
{
	struct nlattr *list;
	unsigned int i;

	if (n <= 1) {
		put_u32(nl, nlh, TEREDO_A_SERVER, n ? servers[0] : 0, "server");
		return;
	}
	tnl_nl_name_attr(nl, nlh, mnl_nlmsg_get_payload_tail(nlh), "server");
	list = mnl_attr_nest_start(nlh, TEREDO_A_SERVERS);
	for (i = 0; i < n; i++)
		mnl_attr_put_u32(nlh, TEREDO_A_SERVER_ADDR, servers[i]);
	mnl_attr_nest_end(nlh, list);
}

static int cmd_set(struct tnl_nl *nl, struct tnl_req *req)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	unsigned int s = req->set;
	int err;

	nlh = tnl_nl_req(nl, buf, TEREDO_CMD_DEV_SET, 0);
	put_dev(nl, nlh, req->dev);
	if (s & TNL_SET_MODE)
		put_u8(nl, nlh, TEREDO_A_MODE, req->mode, "mode");
	if (s & TNL_SET_SERVER)
		put_servers(nl, nlh, req->n_servers, req->servers);
	if (s & TNL_SET_SERVER2)
		put_u32(nl, nlh, TEREDO_A_SERVER2, req->server2.addr, "server2");
	if (s & TNL_SET_PORT) {
		tnl_nl_name_attr(nl, nlh, mnl_nlmsg_get_payload_tail(nlh), "port");
		mnl_attr_put_u16(nlh, TEREDO_A_PORT, req->port);
	}
	if (s & TNL_SET_FWMARK)
		put_u32(nl, nlh, TEREDO_A_FWMARK, req->fwmark, "fwmark");
	if (s & TNL_SET_REFRESH) {
		/* a fixed interval: no determination */
		put_u32(nl, nlh, TEREDO_A_REFRESH, req->refresh, "refresh");
		put_u8(nl, nlh, TEREDO_A_REFRESH_AUTO, 0, "refresh");
	}
	if (s & TNL_SET_REFRESH_AUTO)
		put_u8(nl, nlh, TEREDO_A_REFRESH_AUTO, 1, "refresh");
	if (s & TNL_SET_LOCAL_DISC)
		put_u8(nl, nlh, TEREDO_A_LOCAL_DISCOVERY, req->local_discovery,
		       "local-discovery");
	if (s & TNL_SET_HAIRPINNING)
		put_u8(nl, nlh, TEREDO_A_HAIRPINNING, req->hairpinning,
		       "hairpinning");
	if (s & TNL_SET_MARKS)
		put_marks(nl, nlh, req);
	if (s & TNL_SET_RXMARK)
		put_u32(nl, nlh, TEREDO_A_RXMARK, req->rxmark, "rxmark");
	if (s & TNL_SET_INBOUND)
		put_u8(nl, nlh, TEREDO_A_INBOUND, req->inbound, "inbound");
	if (s & TNL_SET_POLICY)
		put_u8(nl, nlh, TEREDO_A_POLICY, req->policy, "policy");
	if (s & TNL_SET_DORMANT)
		put_u32(nl, nlh, TEREDO_A_DORMANT_TIMEOUT, req->dormant_timeout,
			"dormant-timeout");
	if (s & TNL_SET_MAX_PEERS)
		put_u32(nl, nlh, TEREDO_A_MAX_PEERS, req->max_peers, "max-peers");
	if (s & TNL_SET_MANAGED)
		put_managed(nl, nlh, req);
	if (s & TNL_SET_LOCAL)
		put_u32(nl, nlh, TEREDO_A_LOCAL, req->local, "local");
	if (s & TNL_SET_LINK) {
		unsigned int ifindex = 0;

		if (req->link[0]) {
			ifindex = if_nametoindex(req->link);
			if (!ifindex)
				return error(EXIT_USAGE, "dev: no such device \"%s\"",
					     req->link);
		}
		put_u32(nl, nlh, TEREDO_A_LINK, ifindex, "dev");
	}
	err = tnl_nl_talk(nl, nlh, NULL, NULL);
	return err ? nl_error(nl, err, "set", req->dev) : 0;
}

static int peer_cb(const struct nlmsghdr *nlh, void *data)
{
	struct tnl_req *req = data;
	char ifname[IF_NAMESIZE];
	struct tnl_peer p;

	if (tnl_decode_peer(nlh, &p, ifname)) {
		error(EXIT_ERROR, "%s", "malformed answer from the kernel");
		return MNL_CB_ERROR;
	}
	if (req->json)
		json_list_sep();
	tnl_print_peer(stdout, &p, req->json);
	return MNL_CB_OK;
}

static int cmd_peers(struct tnl_nl *nl, struct tnl_req *req)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int err;

	nlh = tnl_nl_req(nl, buf, TEREDO_CMD_PEER_GET, NLM_F_DUMP);
	put_dev(nl, nlh, req->dev);
	err = tnl_nl_talk(nl, nlh, peer_cb, req);
	if (err)
		return nl_error(nl, err, "peers", req->dev);
	if (req->json)
		json_list_end();
	return 0;
}

static int cmd_simple(struct tnl_nl *nl, struct tnl_req *req, uint8_t cmd,
		      const char *what)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int err;

	nlh = tnl_nl_req(nl, buf, cmd, 0);
	put_dev(nl, nlh, req->dev);
	err = tnl_nl_talk(nl, nlh, NULL, NULL);
	return err ? nl_error(nl, err, what, req->dev) : 0;
}

static void reresolve(const char *dev);

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct tnl_req *req = data;
	struct tnl_event ev;

	if (tnl_decode_event(nlh, &ev))
		return MNL_CB_OK;	/* not ours to judge: skip it */
	if (req->dev[0] && strcmp(req->dev, ev.ifname))
		return MNL_CB_OK;
	tnl_print_event(stdout, &ev, req->json);
	if (ev.event == TEREDO_EVENT_SERVER_LOST)
		reresolve(ev.ifname);
	return MNL_CB_OK;
}

/* Events are flushed as printed: nothing is lost by leaving at once. */
static void on_signal(int sig)
{
	(void)sig;
	_exit(0);
}

static int cmd_monitor(struct tnl_nl *nl, struct tnl_req *req)
{
	int err;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (req->dev[0] && !if_nametoindex(req->dev))
		return error(EXIT_ERROR, "%s: no such device", req->dev);
	err = tnl_nl_monitor(nl, event_cb, req);
	return nl_error(nl, err, "monitor", NULL);
}

/* Holds end when this process (its netlink socket) goes. */
static int cmd_hold(struct tnl_nl *nl, struct tnl_req *req)
{
	int rc;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	rc = cmd_simple(nl, req, TEREDO_CMD_HOLD, "hold");
	if (rc)
		return rc;
	for (;;)
		pause();
}

/* Collects the devices of a dump (exec: which device, which mark). */
struct dev_list {
	unsigned int n;
	struct tnl_dev dev;		/* the first one */
};

static int dev_list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dev_list *l = data;
	struct tnl_dev d;

	if (tnl_decode_dev(nlh, &d))
		return MNL_CB_ERROR;
	if (!l->n++)
		l->dev = d;
	return MNL_CB_OK;
}

/* The device exec works for: the one named, or the only one there is. */
static int exec_device(struct tnl_nl *nl, struct tnl_req *req,
		       struct tnl_dev *out)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct dev_list l = { 0 };
	struct nlmsghdr *nlh;
	int err;

	nlh = tnl_nl_req(nl, buf, TEREDO_CMD_DEV_GET,
			 req->dev[0] ? 0 : NLM_F_DUMP);
	if (req->dev[0])
		put_dev(nl, nlh, req->dev);
	err = tnl_nl_talk(nl, nlh, dev_list_cb, &l);
	if (err)
		return nl_error(nl, err, "exec", req->dev);
	if (l.n != 1)
		return error(EXIT_ERROR, "exec: %s teredo device here: name one with -d DEV",
			     l.n ? "more than one" : "no");
	if (!l.dev.n_marks)
		return error(EXIT_ERROR, "%s: no authorized mark (teredo-nl set %s allow MARK)",
			     l.dev.ifname, l.dev.ifname);
	*out = l.dev;
	return 0;
}

static pid_t exec_child;

static void forward_signal(int sig)
{
	if (exec_child > 0)
		kill(exec_child, sig);
}

/*
 * Runs CMD in a cgroup that marks its sockets with the device's first
 * authorized mark, holding the device awake until CMD exits; returns
 * CMD's status (128 + N if killed by signal N).
 */
static int cmd_exec(struct tnl_nl *nl, struct tnl_req *req)
{
	struct tnl_exec x;
	struct tnl_dev d;
	char err[512];
	int rc, status;

	rc = exec_device(nl, req, &d);
	if (rc)
		return rc;
	strcpy(req->dev, d.ifname);
	rc = cmd_simple(nl, req, TEREDO_CMD_HOLD, "hold");
	if (rc)
		return rc;
	if (tnl_exec_setup(&x, d.marks[0].mark, err, sizeof(err)))
		return error(EXIT_ERROR, "exec: %s", err);
	fflush(NULL);
	exec_child = fork();
	if (exec_child < 0) {
		tnl_exec_cleanup(&x);
		return error(EXIT_ERROR, "exec: fork: %s", strerror(errno));
	}
	if (exec_child == 0) {
		if (tnl_exec_enter(&x)) {
			fprintf(stderr, "teredo-nl: exec: cannot join %s: %s\n",
				x.path, strerror(errno));
			_exit(126);
		}
		execvp(req->exec_argv[0], req->exec_argv);
		fprintf(stderr, "teredo-nl: exec: %s: %s\n", req->exec_argv[0],
			strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	signal(SIGINT, SIG_IGN);	/* the terminal sends it to CMD too */
	signal(SIGTERM, forward_signal);
	signal(SIGHUP, forward_signal);
	while (waitpid(exec_child, &status, 0) < 0)
		if (errno != EINTR)
			return error(EXIT_ERROR, "exec: waitpid: %s",
				     strerror(errno));
	tnl_exec_cleanup(&x);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* The largest configuration file read (a full one is under 1 KiB). */
#define CONF_MAX_SIZE (256 * 1024)

/* Reads @path ("-": stdin) into a NUL-terminated buffer; NULL on error. */
static char *read_file(const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	size_t len = 0, n;
	char *buf;

	if (!f) {
		error(EXIT_ERROR, "%s: %s", path, strerror(errno));
		return NULL;
	}
	buf = malloc(CONF_MAX_SIZE + 1);
	if (!buf) {
		error(EXIT_ERROR, "%s", "out of memory");
		goto out;
	}
	while ((n = fread(buf + len, 1, CONF_MAX_SIZE + 1 - len, f)) > 0) {
		len += n;
		if (len > CONF_MAX_SIZE)
			break;
	}
	if (ferror(f) || len > CONF_MAX_SIZE || memchr(buf, '\0', len)) {
		error(EXIT_ERROR, "%s: %s", path,
		      ferror(f) ? strerror(errno) :
		      len > CONF_MAX_SIZE ? "file too large" : "not a text file");
		free(buf);
		buf = NULL;
		goto out;
	}
	buf[len] = '\0';
out:
	if (f != stdin)
		fclose(f);
	return buf;
}

/* Device configuration as the kernel reports it (genetlink + rtnetlink). */
static int get_cfg(struct tnl_nl *nl, const char *dev, struct tnl_cfg *c,
		   struct tnl_link *l)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct dev_list dl = { 0 };
	struct tnl_nl rt;
	struct nlmsghdr *nlh;
	const struct tnl_dev *d = &dl.dev;
	unsigned int i;
	int err;

	nlh = tnl_nl_req(nl, buf, TEREDO_CMD_DEV_GET, 0);
	put_dev(nl, nlh, dev);
	err = tnl_nl_talk(nl, nlh, dev_list_cb, &dl);
	if (err)
		return nl_error(nl, err, "get", dev);
	if (dl.n != 1)
		return error(EXIT_ERROR, "%s: %s", dev, "malformed answer from the kernel");
	err = tnl_rt_open(&rt);
	if (!err) {
		err = tnl_rt_get_link(&rt, dev, l);
		tnl_nl_close(&rt);
	}
	if (err)
		return error(EXIT_ERROR, "%s: rtnetlink: %s", dev, strerror(-err));
	memset(c, 0, sizeof(*c));
	c->mode = d->mode;
	c->policy = d->policy;
	c->inbound = d->inbound;
	c->local_discovery = d->local_discovery;
	c->hairpinning = d->hairpinning;
	c->refresh_auto = d->refresh_auto;
	c->server = d->server;
	c->n_servers = d->n_servers;
	memcpy(c->servers, d->servers, sizeof(c->servers));
	c->server2 = d->server2;
	c->port = d->port;
	c->fwmark = d->fwmark;
	c->refresh = d->refresh;
	c->rxmark = d->rxmark;
	c->dormant_timeout = d->dormant_timeout;
	c->max_peers = d->max_peers;
	c->n_marks = d->n_marks;
	for (i = 0; i < d->n_marks; i++) {
		c->marks[i].mark = d->marks[i].mark;
		c->marks[i].mask = d->marks[i].mask;
	}
	c->n_managed = d->n_managed;
	for (i = 0; i < d->n_managed; i++) {
		c->managed[i].addr = d->managed[i].addr;
		c->managed[i].len = d->managed[i].len;
	}
	c->mtu = l->mtu;
	c->local = l->local;
	if (l->link && !if_indextoname(l->link, c->dev))
		snprintf(c->dev, sizeof(c->dev), "%u", l->link);
	return 0;
}

static int cmd_showconf(struct tnl_nl *nl, struct tnl_req *req)
{
	struct tnl_link l;
	struct tnl_cfg c;
	int rc;

	rc = get_cfg(nl, req->dev, &c, &l);
	if (rc)
		return rc;
	tnl_conf_print(stdout, &c, req->dev);
	return 0;
}

/* The whole of @c in one DEV_SET: the kernel applies all or nothing. */
static int put_cfg(struct tnl_nl *nl, const char *dev, const struct tnl_cfg *c)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct tnl_req r = { 0 };
	struct nlmsghdr *nlh;
	unsigned int i;

	nlh = tnl_nl_req(nl, buf, TEREDO_CMD_DEV_SET, 0);
	put_dev(nl, nlh, dev);
	put_u8(nl, nlh, TEREDO_A_MODE, c->mode, "mode");
	put_servers(nl, nlh, c->n_servers, c->servers);
	put_u32(nl, nlh, TEREDO_A_SERVER2, c->server2, "server2");
	tnl_nl_name_attr(nl, nlh, mnl_nlmsg_get_payload_tail(nlh), "port");
	mnl_attr_put_u16(nlh, TEREDO_A_PORT, c->port);
	put_u32(nl, nlh, TEREDO_A_FWMARK, c->fwmark, "fwmark");
	put_u32(nl, nlh, TEREDO_A_REFRESH, c->refresh, "refresh");
	put_u8(nl, nlh, TEREDO_A_REFRESH_AUTO, c->refresh_auto, "refresh");
	put_u8(nl, nlh, TEREDO_A_LOCAL_DISCOVERY, c->local_discovery,
	       "local-discovery");
	put_u8(nl, nlh, TEREDO_A_HAIRPINNING, c->hairpinning, "hairpinning");
	r.n_marks = c->n_marks;
	for (i = 0; i < c->n_marks; i++) {
		r.marks[i].mark = c->marks[i].mark;
		r.marks[i].mask = c->marks[i].mask;
	}
	put_marks(nl, nlh, &r);
	put_u32(nl, nlh, TEREDO_A_RXMARK, c->rxmark, "rxmark");
	put_u8(nl, nlh, TEREDO_A_INBOUND, c->inbound, "inbound");
	put_u8(nl, nlh, TEREDO_A_POLICY, c->policy, "policy");
	put_u32(nl, nlh, TEREDO_A_DORMANT_TIMEOUT, c->dormant_timeout,
		"dormant-timeout");
	put_u32(nl, nlh, TEREDO_A_MAX_PEERS, c->max_peers, "max-peers");
	r.n_managed = c->n_managed;
	for (i = 0; i < c->n_managed; i++) {
		r.managed[i].addr = c->managed[i].addr;
		r.managed[i].len = c->managed[i].len;
	}
	put_managed(nl, nlh, &r);
	return tnl_nl_talk(nl, nlh, NULL, NULL);
}

/*
 * "FILE:LINE: message" when the refused setting is in the file (the
 * kernel's message starts with its name), else "FILE: message".
 */
static int conf_error(const char *file, const struct tnl_conf *f,
		      const char *msg)
{
	char key[32];
	unsigned int line = 0;
	size_t n = strcspn(msg, ":");

	if (n < sizeof(key) && msg[n]) {
		memcpy(key, msg, n);
		key[n] = '\0';
		line = tnl_conf_line_of(f, key);
	}
	if (line)
		fprintf(stderr, "%s:%u: %s\n", file, line, msg);
	else
		fprintf(stderr, "%s: %s\n", file, msg);
	return EXIT_ERROR;
}

/*
 * setconf (@replace: keys absent from the file return to their
 * defaults) and addconf (only the keys present change).  Nothing
 * changes unless everything can: the file is parsed whole first, then
 * the MTU, local and dev go in one RTM_NEWLINK (as older modules need) and
 * the rest in one DEV_SET, which the kernel applies whole or not at all;
 * if it refuses, the rtnetlink settings are put back.
 */
static int cmd_conf(struct tnl_nl *nl, struct tnl_req *req, bool replace)
{
	const char *file = strcmp(req->file, "-") ? req->file : "<stdin>";
	char err[256], msg[300];
	struct tnl_link cur_l, new_l;
	struct tnl_cfg cur, c;
	struct tnl_conf *f;
	struct tnl_nl rt = { 0 };
	unsigned int line, what = 0;
	char *text;
	int rc;

	text = read_file(req->file);
	if (!text)
		return EXIT_ERROR;
	f = malloc(sizeof(*f));
	if (!f) {
		free(text);
		return error(EXIT_ERROR, "%s", "out of memory");
	}
	rc = tnl_conf_parse(text, f, err, sizeof(err), &line);
	free(text);
	if (rc) {
		fprintf(stderr, "%s:%u: %s\n", file, line, err);
		rc = EXIT_ERROR;
		goto out;
	}
	rc = resolve_servers(&f->req, req->wait);
	if (!rc)
		rc = resolve(&f->req.server2, req->wait, NULL);
	if (!rc)
		rc = get_cfg(nl, req->dev, &cur, &cur_l);
	if (rc)
		goto out;
	if (replace)
		tnl_cfg_defaults(&c);
	else
		c = cur;
	tnl_conf_merge(&c, f);
	new_l = cur_l;
	new_l.mtu = c.mtu;
	new_l.local = c.local;
	new_l.link = 0;
	if (c.dev[0]) {
		new_l.link = if_nametoindex(c.dev);
		if (!new_l.link) {
			snprintf(msg, sizeof(msg), "dev: no interface \"%s\" here",
				 c.dev);
			rc = conf_error(file, f, msg);
			goto out;
		}
	}
	if (new_l.mtu != cur_l.mtu)
		what |= TNL_LINK_MTU;
	if (new_l.local != cur_l.local)
		what |= TNL_LINK_LOCAL;
	if (new_l.link != cur_l.link)
		what |= TNL_LINK_DEV;
	if (what) {
		rc = tnl_rt_open(&rt);
		if (rc) {
			rc = error(EXIT_ERROR, "rtnetlink: %s", strerror(-rc));
			goto out;
		}
		rc = tnl_rt_set_link(&rt, &new_l, what);
		if (rc) {
			snprintf(msg, sizeof(msg), "%s",
				 rt.errmsg[0] ? rt.errmsg : strerror(-rc));
			/* rtnetlink may have set the MTU before refusing */
			tnl_rt_set_link(&rt, &cur_l, what);
			rc = conf_error(file, f, msg);
			goto out;
		}
	}
	rc = put_cfg(nl, req->dev, &c);
	if (rc) {
		snprintf(msg, sizeof(msg), "%s",
			 nl->errmsg[0] ? nl->errmsg : strerror(-rc));
		if (what && tnl_rt_set_link(&rt, &cur_l, what))
			error(EXIT_ERROR, "%s: cannot put the MTU, local and dev back",
			      req->dev);
		rc = conf_error(file, f, msg);
	}
out:
	if (rt.sk)
		tnl_nl_close(&rt);
	free(f);
	return rc;
}

static int cmd_import_miredo(struct tnl_req *req)
{
	const char *path = req->file ? req->file : "/etc/miredo/miredo.conf";
	const char *name = strcmp(path, "-") ? path : "<stdin>";
	char *text = read_file(path);
	int rc;

	if (!text)
		return EXIT_ERROR;
	rc = tnl_miredo_import(text, name, stdout, stderr);
	free(text);
	return rc ? EXIT_ERROR : 0;
}

/*
 * "monitor", on a server-lost event of @dev: the server names of its
 * boot configuration (TNL_CONF_DIR/DEV.conf, the file teredo@.service
 * applies) are resolved again and, if their addresses changed, the
 * device gets the new list (and starts over at its first server).
 * Nothing else of the file is applied; no file or no name: nothing.
 */
static void reresolve(const char *dev)
{
	char path[sizeof(TNL_CONF_DIR) + IF_NAMESIZE + 8], err[256];
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct tnl_nl nl = { 0 };
	struct nlmsghdr *nlh;
	struct tnl_link l;
	struct tnl_conf *f;
	struct tnl_host *h;
	struct tnl_cfg cur;
	unsigned int i, line;
	bool names = false;
	char *text;
	int rc;

	snprintf(path, sizeof(path), "%s/%s.conf", TNL_CONF_DIR, dev);
	if (access(path, R_OK))
		return;
	text = read_file(path);
	f = text ? malloc(sizeof(*f)) : NULL;
	if (!f)
		goto out;
	if (tnl_conf_parse(text, f, err, sizeof(err), &line)) {
		fprintf(stderr, "%s:%u: %s\n", path, line, err);
		goto out;
	}
	for (i = 0; f->line[TNL_K_SERVER] &&
		    (h = tnl_req_server_host(&f->req, i)); i++)
		names |= h->is_name;
	if (!names || resolve_servers(&f->req, false) || open_nl(&nl))
		goto out;
	rc = get_cfg(&nl, dev, &cur, &l);
	if (rc || (cur.n_servers == f->req.n_servers &&
		   !memcmp(cur.servers, f->req.servers,
			   cur.n_servers * sizeof(cur.servers[0]))))
		goto out;
	nlh = tnl_nl_req(&nl, buf, TEREDO_CMD_DEV_SET, 0);
	put_dev(&nl, nlh, dev);
	put_servers(&nl, nlh, f->req.n_servers, f->req.servers);
	rc = tnl_nl_talk(&nl, nlh, NULL, NULL);
	if (rc) {
		nl_error(&nl, rc, "set", dev);
		goto out;
	}
	fprintf(stderr, "teredo-nl: %s: servers of %s resolved again:", dev,
		path);
	for (i = 0; i < f->req.n_servers; i++)
		fprintf(stderr, " %s",
			inet_ntoa((struct in_addr){ .s_addr = f->req.servers[i] }));
	fputc('\n', stderr);
out:
	if (nl.sk)
		tnl_nl_close(&nl);
	free(f);
	free(text);
}

static int cmd_qualify(struct tnl_nl *nl, struct tnl_req *req)
{
	return cmd_simple(nl, req, TEREDO_CMD_QUALIFY, "qualify");
}

static int cmd_flush(struct tnl_nl *nl, struct tnl_req *req)
{
	return cmd_simple(nl, req, TEREDO_CMD_PEER_FLUSH, "flush");
}

static int cmd_setconf(struct tnl_nl *nl, struct tnl_req *req)
{
	return cmd_conf(nl, req, true);
}

static int cmd_addconf(struct tnl_nl *nl, struct tnl_req *req)
{
	return cmd_conf(nl, req, false);
}

/* Sources in 2001::/32 leave through DEV (route.c); rtnetlink, not genl. */
static int cmd_srcroute(struct tnl_nl *nl, struct tnl_req *req)
{
	char err[256];

	(void)nl;
	if (tnl_srcroute(req->dev, req->srcroute_table, req->srcroute_off,
			 err, sizeof(err)))
		return error(EXIT_ERROR, "%s", err);
	return 0;
}

/* The commands that talk to the kernel (parse.c names them all). */
static int (*const handlers[])(struct tnl_nl *nl, struct tnl_req *req) = {
	[TNL_CMD_SHOW]		= cmd_show,
	[TNL_CMD_SET]		= cmd_set,
	[TNL_CMD_PEERS]		= cmd_peers,
	[TNL_CMD_QUALIFY]	= cmd_qualify,
	[TNL_CMD_FLUSH]		= cmd_flush,
	[TNL_CMD_MONITOR]	= cmd_monitor,
	[TNL_CMD_HOLD]		= cmd_hold,
	[TNL_CMD_EXEC]		= cmd_exec,
	[TNL_CMD_SHOWCONF]	= cmd_showconf,
	[TNL_CMD_SETCONF]	= cmd_setconf,
	[TNL_CMD_ADDCONF]	= cmd_addconf,
	[TNL_CMD_SRCROUTE]	= cmd_srcroute,
};

int main(int argc, char **argv)
{
	struct tnl_req req;
	struct tnl_nl nl;
	char err[256];
	int rc;

	if (tnl_parse(argc - 1, argv + 1, &req, err, sizeof(err))) {
		fprintf(stderr, "teredo-nl: %s (see teredo-nl --help)\n", err);
		return EXIT_USAGE;
	}
	if (req.cmd == TNL_CMD_HELP) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (req.cmd == TNL_CMD_IMPORT_MIREDO)	/* no kernel needed */
		return cmd_import_miredo(&req);
	rc = resolve_servers(&req, req.wait);
	if (!rc)
		rc = resolve(&req.server2, req.wait, NULL);
	if (rc)
		return rc;
	if (req.cmd >= ARRAY_SIZE(handlers) || !handlers[req.cmd])
		return error(EXIT_USAGE, "%s", "no such command");
	rc = open_nl(&nl);
	if (rc)
		return rc;
	rc = handlers[req.cmd](&nl, &req);
	tnl_nl_close(&nl);
	if (fflush(stdout) && !rc)
		rc = error(EXIT_ERROR, "%s", "cannot write output");
	return rc;
}
