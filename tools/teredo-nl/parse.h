/* SPDX-License-Identifier: GPL-2.0 */
/*
 * teredo-nl command line parser: pure, no I/O, no netlink.  Turns argv
 * into a struct tnl_req; names that need resolving (server NAME) are
 * kept as strings for the caller.
 */
#ifndef TNL_PARSE_H
#define TNL_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include <linux/teredo.h>

/* teredo_*_name(): the module's names, NULL if out of range */
#include "names.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

enum tnl_cmd {
	TNL_CMD_HELP,
	TNL_CMD_SHOW,
	TNL_CMD_SET,
	TNL_CMD_PEERS,
	TNL_CMD_QUALIFY,
	TNL_CMD_FLUSH,
	TNL_CMD_MONITOR,
	TNL_CMD_HOLD,
	TNL_CMD_EXEC,
	TNL_CMD_SHOWCONF,
	TNL_CMD_SETCONF,
	TNL_CMD_ADDCONF,
	TNL_CMD_IMPORT_MIREDO,
	TNL_CMD_SRCROUTE,
};

/* Which settings "set" carries. */
enum {
	TNL_SET_MODE		= 1 << 0,
	TNL_SET_SERVER		= 1 << 1,
	TNL_SET_SERVER2		= 1 << 2,
	TNL_SET_PORT		= 1 << 3,
	TNL_SET_FWMARK		= 1 << 4,
	TNL_SET_REFRESH		= 1 << 5,
	TNL_SET_MARKS		= 1 << 6,
	TNL_SET_RXMARK		= 1 << 7,
	TNL_SET_POLICY		= 1 << 8,
	TNL_SET_DORMANT		= 1 << 9,
	TNL_SET_MAX_PEERS	= 1 << 10,
	TNL_SET_REFRESH_AUTO	= 1 << 11,	/* "refresh auto" */
	TNL_SET_LOCAL_DISC	= 1 << 12,
	TNL_SET_MANAGED		= 1 << 13,
	TNL_SET_INBOUND		= 1 << 14,
	TNL_SET_LOCAL		= 1 << 15,
	TNL_SET_LINK		= 1 << 16,	/* "dev" */
	TNL_SET_HAIRPINNING	= 1 << 17,
};

#define TNL_NAME_MAX 256

/* An IPv4 server: a dotted quad, "none" (0) or a name to resolve. */
struct tnl_host {
	uint32_t addr;			/* network order, valid if !is_name */
	bool is_name;
	char name[TNL_NAME_MAX];
};

struct tnl_req {
	enum tnl_cmd cmd;
	bool json;
	bool wait;			/* --wait: retry name resolution */
	char dev[IF_NAMESIZE];		/* "" if none given */
	unsigned int set;		/* TNL_SET_* */
	uint8_t mode;
	uint8_t policy;
	struct tnl_host server;		/* the first of "server" */
	struct tnl_host server2;
	/* "server A B...": the others, in order */
	unsigned int n_more;
	struct tnl_host more[TEREDO_MAX_SERVERS - 1];
	/*
	 * What "server" resolved to (main.c): every IPv4 address of each
	 * name, in order, duplicates dropped; 0 addresses: "none".
	 */
	unsigned int n_servers;
	uint32_t servers[TEREDO_MAX_SERVERS];	/* network order */
	uint16_t port;
	uint32_t fwmark;
	uint32_t refresh;
	uint32_t rxmark;
	uint32_t dormant_timeout;
	uint32_t max_peers;
	uint8_t local_discovery;
	uint8_t hairpinning;
	uint8_t inbound;		/* enum teredo_inbound */
	uint32_t local;			/* network order, 0: any */
	char link[IF_NAMESIZE];		/* "dev": "" for any (main.c resolves) */
	unsigned int n_marks;
	struct {
		uint32_t mark;
		uint32_t mask;
	} marks[TEREDO_MAX_ALLOWED_MARKS];
	unsigned int n_managed;
	struct {
		uint32_t addr;		/* network order */
		uint8_t len;
	} managed[TEREDO_MAX_MANAGED];
	/* setconf, addconf, import-miredo: the file ("-": stdin), or NULL */
	const char *file;
	/* show DEV FIELD: the one field to print (a JSON key), or NULL */
	const char *field;
	/* srcroute DEV [table N] [off] */
	uint32_t srcroute_table;
	bool srcroute_off;
	/* exec: the command and its arguments (NULL-terminated argv) */
	int exec_argc;
	char **exec_argv;
};

/*
 * Parse argv (without the program name).  Returns 0, or -1 with a one
 * line message in @err (a usage error).
 */
int tnl_parse(int argc, char **argv, struct tnl_req *req, char *err,
	      size_t errlen);

/*
 * The settings of "set" (KEY VALUE...), added to @req: what "set" and the
 * configuration file (conf.c) share.  0, or -1 with a message in @err.
 */
int tnl_parse_set_args(int argc, char **argv, struct tnl_req *req, char *err,
		       size_t errlen);

/*
 * Appends @addr (network order) to req->servers unless already there.
 * 0, or -1 if the list is full.
 */
int tnl_req_add_server(struct tnl_req *req, uint32_t addr);
/* The host of "server" number @i (0: req->server), NULL past the last. */
struct tnl_host *tnl_req_server_host(struct tnl_req *req, unsigned int i);

/* Helpers, exposed for the unit tests. */
int tnl_parse_u32(const char *s, uint32_t max, uint32_t *out);
int tnl_parse_mark(const char *s, uint32_t *mark, uint32_t *mask);
int tnl_parse_host(const char *s, struct tnl_host *out);
int tnl_parse_prefix(const char *s, uint32_t *addr, uint8_t *len);
int tnl_mode_from_name(const char *s);		/* -1 if unknown */
int tnl_policy_from_name(const char *s);

#endif
