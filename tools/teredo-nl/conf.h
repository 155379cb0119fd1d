/* SPDX-License-Identifier: GPL-2.0 */
/*
 * teredo.conf(5): the configuration file of a teredo device, as printed
 * by "teredo-nl showconf" and applied by "setconf" / "addconf".  Pure:
 * parsing and printing only, no netlink (unit tests in parse_test.c).
 */
#ifndef TNL_CONF_H
#define TNL_CONF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <net/if.h>

#include "parse.h"

/* Defaults of a new device (drivers/net/teredo/device.[ch]). */
#define TNL_DEFAULT_REFRESH	30
#define TNL_DEFAULT_MAX_PEERS	65536
#define TNL_DEFAULT_DORMANT	300
#define TNL_DEFAULT_MTU		1280

/* The keys of the file, in the order showconf prints them. */
enum tnl_conf_key {
	TNL_K_MODE,
	TNL_K_SERVER,
	TNL_K_SERVER2,
	TNL_K_PORT,
	TNL_K_FWMARK,
	TNL_K_REFRESH,
	TNL_K_LOCAL_DISC,
	TNL_K_HAIRPINNING,
	TNL_K_ALLOW,
	TNL_K_RXMARK,
	TNL_K_POLICY,
	TNL_K_DORMANT,
	TNL_K_MAX_PEERS,
	TNL_K_MANAGED,
	TNL_K_INBOUND,
	TNL_K_MTU,
	TNL_K_LOCAL,		/* IFLA_TEREDO_LOCAL, TEREDO_A_LOCAL */
	TNL_K_DEV,		/* IFLA_TEREDO_LINK, TEREDO_A_LINK */
	TNL_K_NUM,
};

/* The whole configuration of a device. */
struct tnl_cfg {
	uint8_t mode, policy, inbound, local_discovery, refresh_auto;
	uint8_t hairpinning;
	uint32_t server, server2;	/* network order, 0: none */
	unsigned int n_servers;		/* servers[0] is server */
	uint32_t servers[TEREDO_MAX_SERVERS];
	uint16_t port;
	uint32_t fwmark, refresh, rxmark, dormant_timeout, max_peers;
	uint32_t mtu;
	uint32_t local;			/* network order, 0: any */
	char dev[IF_NAMESIZE];		/* "": any */
	unsigned int n_marks;
	struct {
		uint32_t mark, mask;
	} marks[TEREDO_MAX_ALLOWED_MARKS];
	unsigned int n_managed;
	struct {
		uint32_t addr;		/* network order */
		uint8_t len;
	} managed[TEREDO_MAX_MANAGED];
};

/* A parsed file: the keys it has, on which line, and their values. */
struct tnl_conf {
	unsigned int line[TNL_K_NUM];	/* 0: key absent */
	struct tnl_req req;		/* the "set" keys (server names unresolved) */
	uint32_t refresh_max;		/* "refresh = auto MAX", 0: not given */
	uint32_t mtu;
	uint32_t local;
	char dev[IF_NAMESIZE];
};

const char *tnl_conf_key_name(enum tnl_conf_key k);

/* A new device's configuration. */
void tnl_cfg_defaults(struct tnl_cfg *c);

/*
 * Parses the text of a file (NUL-terminated).  0, or -1 with a message
 * in @err and the line it is about in *@errline.
 */
int tnl_conf_parse(const char *text, struct tnl_conf *f, char *err,
		   size_t errlen, unsigned int *errline);

/*
 * Overlays the keys present in @f on @c (server names must have been
 * resolved into f->req.servers).  setconf starts from
 * tnl_cfg_defaults(), addconf from the device's configuration.
 */
void tnl_conf_merge(struct tnl_cfg *c, const struct tnl_conf *f);

/* The line of the key named @name (as in a kernel message), 0 if none. */
unsigned int tnl_conf_line_of(const struct tnl_conf *f, const char *name);

/* Prints @c as a file that tnl_conf_parse() reads back to @c. */
void tnl_conf_print(FILE *out, const struct tnl_cfg *c, const char *ifname);

#endif
