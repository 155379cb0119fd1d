/* SPDX-License-Identifier: GPL-2.0 */
/*
 * teredo-nl output: decode family messages into plain structs and print
 * them as text or JSON.
 */
#ifndef TNL_PRINT_H
#define TNL_PRINT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <netinet/in.h>
#include <net/if.h>
#include <linux/netlink.h>

#include "parse.h"

struct tnl_dev {
	uint32_t ifindex;
	char ifname[IF_NAMESIZE];
	uint8_t mode, state, policy;
	uint32_t server, server2;	/* network order */
	unsigned int n_servers;		/* candidates, servers[0] = server */
	uint32_t servers[TEREDO_MAX_SERVERS];
	uint32_t server_in_use;		/* 0: none */
	uint16_t port;
	uint32_t local;			/* network order, 0: any */
	uint32_t link;			/* ifindex, 0: any */
	uint32_t fwmark, refresh, rxmark, dormant_timeout, max_peers;
	uint8_t refresh_auto;
	uint8_t local_discovery;
	uint8_t hairpinning;
	uint8_t inbound;		/* enum teredo_inbound */
	uint32_t refresh_determined;	/* s, 0: not known */
	unsigned int n_marks;
	struct {
		uint32_t mark, mask;
	} marks[TEREDO_MAX_ALLOWED_MARKS];
	unsigned int n_managed;
	struct {
		uint32_t addr;		/* network order */
		uint8_t len;
	} managed[TEREDO_MAX_MANAGED];
	uint8_t dormant_reason;
	uint32_t holds;
	bool has_address;
	struct in6_addr address;
	uint32_t mapped_addr;		/* network order */
	uint16_t mapped_port;
	uint32_t peer_count;
	uint8_t nat;			/* enum teredo_nat */
	uint32_t local_addr;		/* network order, 0: not known */
	uint16_t local_port;
	uint32_t nat_mapped_addr, nat_mapped2_addr;	/* network order */
	uint16_t nat_mapped_port, nat_mapped2_port;
	char state_reason[128];		/* "": none */
	uint64_t stats[__TEREDO_STAT_MAX];
};

struct tnl_peer {
	struct in6_addr address;
	uint32_t mapped_addr;		/* network order */
	uint16_t mapped_port;
	bool trusted, relay;
	uint32_t last_rx_ms, last_tx_ms, bubbles, queued;
};

struct tnl_event {
	uint8_t event;
	uint32_t ifindex;
	char ifname[IF_NAMESIZE];
	bool has_state, has_address, has_peer, has_suppressed, has_lost;
	bool has_nat;
	uint32_t server_lost, server_in_use;	/* server-lost */
	uint32_t suppressed;	/* peer events not sent (unsolicited peers) */
	uint8_t state;
	uint8_t nat;			/* enum teredo_nat (state, address) */
	char state_reason[128];		/* "": none */
	struct in6_addr address;
	struct tnl_peer peer;
};

/* Decoders: 0, or -1 if the message is malformed. */
int tnl_decode_dev(const struct nlmsghdr *nlh, struct tnl_dev *dev);
int tnl_decode_peer(const struct nlmsghdr *nlh, struct tnl_peer *peer,
		    char *ifname);
int tnl_decode_event(const struct nlmsghdr *nlh, struct tnl_event *ev);

void tnl_print_dev(FILE *f, const struct tnl_dev *dev, bool json);
/* "show DEV FIELD": that field's value alone; -1 if there is no such key. */
int tnl_print_dev_field(FILE *f, const struct tnl_dev *dev, const char *field);
void tnl_print_peer(FILE *f, const struct tnl_peer *peer, bool json);
void tnl_print_event(FILE *f, const struct tnl_event *ev, bool json);

#endif
