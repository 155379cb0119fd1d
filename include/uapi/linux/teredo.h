/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/*
 * Teredo (RFC 4380, RFC 5991, RFC 6081) virtual network device.
 *
 * This header is the whole contract between the teredo module and
 * userspace: the rtnetlink link attributes (IFLA_TEREDO_*, for
 * "ip link add t0 type teredo ...") and the generic netlink family
 * "teredo" (configuration, state, peers, statistics and events).
 *
 * Conventions: IPv4 addresses are __be32 in network order; ports are u16
 * in host order; times are u32 seconds unless named _MS.  Enumerations
 * only ever grow at their end.
 */
#ifndef _UAPI_LINUX_TEREDO_H
#define _UAPI_LINUX_TEREDO_H

#include <linux/types.h>

#define TEREDO_GENL_NAME		"teredo"
#define TEREDO_GENL_VERSION		1
#define TEREDO_GENL_MCGRP_EVENTS	"events"

/* UDP port of Teredo servers (RFC 4380 section 4). */
#define TEREDO_SERVER_PORT		3544

enum teredo_mode {
	TEREDO_MODE_CLIENT,
	TEREDO_MODE_RELAY,
	TEREDO_MODE_SERVER,
	__TEREDO_MODE_MAX,
};

#define TEREDO_MODE_MAX (__TEREDO_MODE_MAX - 1)

/* State of a client device, as shown by "teredo-nl show". */
enum teredo_state {
	TEREDO_STATE_OFFLINE,		/* no server configured, or device down */
	TEREDO_STATE_QUALIFYING,	/* router solicitations under way */
	TEREDO_STATE_QUALIFIED,		/* address assigned, refreshing */
	TEREDO_STATE_DORMANT,		/* no authorized user: silent */
	__TEREDO_STATE_MAX,
};

#define TEREDO_STATE_MAX (__TEREDO_STATE_MAX - 1)

/* Exposure policy (Windows: client / enterpriseclient). */
enum teredo_policy {
	TEREDO_POLICY_CLIENT,
	TEREDO_POLICY_ENTERPRISE,
	__TEREDO_POLICY_MAX,
};

#define TEREDO_POLICY_MAX (__TEREDO_POLICY_MAX - 1)

/* Why a client device is dormant (or would be, were it up). */
enum teredo_dormant_reason {
	TEREDO_DORMANT_NONE,		/* awake */
	TEREDO_DORMANT_IDLE,		/* no authorized traffic, no hold */
	TEREDO_DORMANT_NATIVE,		/* policy client: native IPv6 route */
	TEREDO_DORMANT_MANAGED,		/* policy client: IPv4 in a managed prefix */
	__TEREDO_DORMANT_MAX,
};

#define TEREDO_DORMANT_MAX (__TEREDO_DORMANT_MAX - 1)

/*
 * What a client device delivers of the unsolicited traffic it receives
 * (relays and servers forward and are not filtered).
 */
enum teredo_inbound {
	TEREDO_INBOUND_AUTHORIZED,	/* default: only to sockets with an
					 * authorized mark, their flows and
					 * the device's own protocol traffic
					 */
	TEREDO_INBOUND_OPEN,		/* everything valid: filtering is
					 * left to the firewall (nftables)
					 */
	__TEREDO_INBOUND_MAX,
};

#define TEREDO_INBOUND_MAX (__TEREDO_INBOUND_MAX - 1)

/*
 * What a client found out about the NAT in front of it while qualifying
 * (RFC 4380 section 5.2.1, RFC 6081): the mappings the server's primary
 * and secondary addresses see for the same local address and port.
 * Only TEREDO_NAT_NONE, _CONE and _RESTRICTED let a client qualify
 * today (the others need RFC 6081's extensions).
 */
enum teredo_nat {
	TEREDO_NAT_UNKNOWN,		/* not detected (yet) */
	TEREDO_NAT_NONE,		/* no NAT: the mapping is our own
					 * address and port
					 */
	TEREDO_NAT_CONE,		/* one mapping, open to any sender
					 * (not reported without a cone test)
					 */
	TEREDO_NAT_RESTRICTED,		/* one mapping for both addresses */
	TEREDO_NAT_PORT_PRESERVING,	/* a mapping per destination, the
					 * first keeping our local port
					 */
	TEREDO_NAT_SEQUENTIAL,		/* a mapping per destination, ports
					 * in sequence (RFC 6081 section 7)
					 */
	TEREDO_NAT_SYMMETRIC,		/* a mapping per destination */
	__TEREDO_NAT_MAX,
};

#define TEREDO_NAT_MAX (__TEREDO_NAT_MAX - 1)

/* rtnetlink: IFLA_INFO_DATA of kind "teredo". */
enum {
	IFLA_TEREDO_UNSPEC,
	IFLA_TEREDO_MODE,		/* u8, enum teredo_mode */
	IFLA_TEREDO_SERVER,		/* __be32, primary server IPv4 */
	IFLA_TEREDO_SERVER2,		/* __be32, secondary (default server+1) */
	IFLA_TEREDO_PORT,		/* u16, local UDP port (0: random) */
	IFLA_TEREDO_FWMARK,		/* u32, mark of outer packets */
	IFLA_TEREDO_LOCAL,		/* __be32, bind address (0: any) */
	IFLA_TEREDO_LINK,		/* u32, bind ifindex (0: any) */
	IFLA_TEREDO_REFRESH,		/* u32, refresh interval in seconds */
	IFLA_TEREDO_STATE,		/* u8, enum teredo_state (read only) */
	IFLA_TEREDO_INBOUND,		/* u8, enum teredo_inbound */
	/*
	 * Every setting is in both surfaces (Documentation/teredo.rst,
	 * "One configuration surface"): these are TEREDO_A_* of the same
	 * name, same type, same validation, nests of the same layout.
	 */
	IFLA_TEREDO_RXMARK,		/* u32 */
	IFLA_TEREDO_POLICY,		/* u8, enum teredo_policy */
	IFLA_TEREDO_DORMANT_TIMEOUT,	/* u32 seconds */
	IFLA_TEREDO_MAX_PEERS,		/* u32 */
	IFLA_TEREDO_REFRESH_AUTO,	/* u8 (0/1) */
	IFLA_TEREDO_LOCAL_DISCOVERY,	/* u8 (0/1) */
	IFLA_TEREDO_ALLOWED_MARKS,	/* nest of TEREDO_A_MARK */
	IFLA_TEREDO_MANAGED,		/* nest of TEREDO_A_PREFIX */
	IFLA_TEREDO_SERVERS,		/* nest of TEREDO_A_SERVER_ADDR */
	IFLA_TEREDO_HAIRPINNING,	/* u8 (0/1): RFC 6081 section 8, default 0 */
	__IFLA_TEREDO_MAX,
};

#define IFLA_TEREDO_MAX (__IFLA_TEREDO_MAX - 1)

/* Generic netlink commands. */
enum {
	TEREDO_CMD_UNSPEC,
	TEREDO_CMD_DEV_GET,		/* do (one device) or dump (netns) */
	TEREDO_CMD_DEV_SET,		/* change settings, all or nothing */
	TEREDO_CMD_PEER_GET,		/* dump the peers of one device */
	TEREDO_CMD_PEER_DEL,		/* delete one peer (TEREDO_A_PEER) */
	TEREDO_CMD_PEER_FLUSH,		/* delete all peers */
	TEREDO_CMD_QUALIFY,		/* restart qualification now */
	TEREDO_CMD_EVENT,		/* multicast notification (events) */
	TEREDO_CMD_HOLD,		/* keep the device awake while the
					 * requesting socket is open
					 */
	TEREDO_CMD_RELEASE,		/* end the requesting socket's hold */
	__TEREDO_CMD_MAX,
};

#define TEREDO_CMD_MAX (__TEREDO_CMD_MAX - 1)

/* Generic netlink attributes of the device (top level). */
enum {
	TEREDO_A_UNSPEC,
	TEREDO_A_PAD,
	TEREDO_A_IFINDEX,		/* u32 */
	TEREDO_A_IFNAME,		/* string */
	TEREDO_A_MODE,			/* u8, enum teredo_mode */
	TEREDO_A_STATE,			/* u8, enum teredo_state (read only) */
	TEREDO_A_SERVER,		/* __be32 */
	TEREDO_A_SERVER2,		/* __be32 */
	TEREDO_A_PORT,			/* u16 */
	TEREDO_A_FWMARK,		/* u32 */
	TEREDO_A_REFRESH,		/* u32 seconds */
	TEREDO_A_ALLOWED_MARKS,		/* nest of TEREDO_A_MARK */
	TEREDO_A_RXMARK,		/* u32 */
	TEREDO_A_POLICY,		/* u8, enum teredo_policy */
	TEREDO_A_DORMANT_TIMEOUT,	/* u32 seconds */
	TEREDO_A_MAX_PEERS,		/* u32 */
	TEREDO_A_ADDRESS,		/* binary, struct in6_addr (read only) */
	TEREDO_A_MAPPED_ADDR,		/* __be32 (read only) */
	TEREDO_A_MAPPED_PORT,		/* u16 (read only) */
	TEREDO_A_PEER_COUNT,		/* u32 (read only) */
	TEREDO_A_STATS,			/* nest of u64, enum teredo_stat (read only) */
	TEREDO_A_PEER,			/* nest of TEREDO_PEER_A_* */
	TEREDO_A_EVENT,			/* u8, enum teredo_event */
	TEREDO_A_GENERATION,		/* u32, peer table generation (dumps) */
	TEREDO_A_REFRESH_AUTO,		/* u8 (0/1): RFC 4380 5.2.7, <= REFRESH */
	TEREDO_A_REFRESH_DETERMINED,	/* u32 s, 0: not known (read only) */
	TEREDO_A_LOCAL_DISCOVERY,	/* u8 (0/1): RFC 4380 5.2.8, default 0 */
	TEREDO_A_DORMANT_REASON,	/* u8, enum teredo_dormant_reason (read only) */
	TEREDO_A_HOLDS,			/* u32, holds taken (read only) */
	TEREDO_A_MANAGED,		/* nest of TEREDO_A_PREFIX */
	TEREDO_A_EVENTS_SUPPRESSED,	/* u32, in TEREDO_EVENT_SUPPRESSED (read only) */
	TEREDO_A_INBOUND,		/* u8, enum teredo_inbound */
	TEREDO_A_SERVERS,		/* nest of TEREDO_A_SERVER_ADDR: the
					 * client's candidate servers in
					 * order, the first one = TEREDO_A_SERVER
					 */
	TEREDO_A_SERVER_IN_USE,		/* __be32, candidate in use or being
					 * tried, 0: none (read only)
					 */
	TEREDO_A_SERVER_LOST,		/* __be32, in TEREDO_EVENT_SERVER_LOST:
					 * the server that did not answer
					 */
	TEREDO_A_NAT,			/* u8, enum teredo_nat (read only) */
	TEREDO_A_LOCAL_ADDR,		/* __be32, our source address towards
					 * the server, 0: not known (read only)
					 */
	TEREDO_A_LOCAL_PORT,		/* u16, our UDP port (read only) */
	TEREDO_A_NAT_MAPPED_ADDR,	/* __be32, mapping seen by the server
					 * address first answering (read only)
					 */
	TEREDO_A_NAT_MAPPED_PORT,	/* u16 (read only) */
	TEREDO_A_NAT_MAPPED2_ADDR,	/* __be32, mapping seen by its other
					 * address, 0: none (read only)
					 */
	TEREDO_A_NAT_MAPPED2_PORT,	/* u16 (read only) */
	TEREDO_A_STATE_REASON,		/* string, why the client is not
					 * qualified, when it knows (read only)
					 */
	TEREDO_A_LOCAL,			/* __be32, bind address (0: any) */
	TEREDO_A_LINK,			/* u32, bind ifindex (0: any) */
	TEREDO_A_HAIRPINNING,		/* u8 (0/1): RFC 6081 section 8, default 0 */
	__TEREDO_A_MAX,
};

#define TEREDO_A_MAX (__TEREDO_A_MAX - 1)

/* One authorized mark: a packet is authorized if (skb->mark & MASK) == MARK. */
enum {
	TEREDO_MARK_A_UNSPEC,
	TEREDO_MARK_A_MARK,		/* u32 */
	TEREDO_MARK_A_MASK,		/* u32 (default 0xffffffff) */
	__TEREDO_MARK_A_MAX,
};

#define TEREDO_MARK_A_MAX (__TEREDO_MARK_A_MAX - 1)
#define TEREDO_A_MARK			1	/* nest type inside TEREDO_A_ALLOWED_MARKS */
#define TEREDO_MAX_ALLOWED_MARKS	16

/* One managed IPv4 prefix (policy client stays dormant inside it). */
enum {
	TEREDO_PREFIX_A_UNSPEC,
	TEREDO_PREFIX_A_ADDR,		/* __be32 */
	TEREDO_PREFIX_A_LEN,		/* u8, 0..32 */
	__TEREDO_PREFIX_A_MAX,
};

#define TEREDO_PREFIX_A_MAX (__TEREDO_PREFIX_A_MAX - 1)
#define TEREDO_A_PREFIX			1	/* nest type inside TEREDO_A_MANAGED */
#define TEREDO_MAX_MANAGED		16

/* One candidate server (__be32) inside TEREDO_A_SERVERS. */
#define TEREDO_A_SERVER_ADDR		1
#define TEREDO_MAX_SERVERS		8

enum {
	TEREDO_PEER_A_UNSPEC,
	TEREDO_PEER_A_PAD,
	TEREDO_PEER_A_ADDRESS,		/* binary, struct in6_addr */
	TEREDO_PEER_A_MAPPED_ADDR,	/* __be32 */
	TEREDO_PEER_A_MAPPED_PORT,	/* u16 */
	TEREDO_PEER_A_TRUSTED,		/* u8 (0/1) */
	TEREDO_PEER_A_LAST_RX_MS,	/* u32, age of the last receive */
	TEREDO_PEER_A_LAST_TX_MS,	/* u32, age of the last send */
	TEREDO_PEER_A_BUBBLES,		/* u32, bubbles sent */
	TEREDO_PEER_A_QUEUED,		/* u32, packets awaiting trust */
	TEREDO_PEER_A_RELAY,		/* u8: native peer reached via a relay */
	__TEREDO_PEER_A_MAX,
};

#define TEREDO_PEER_A_MAX (__TEREDO_PEER_A_MAX - 1)

enum teredo_event {
	TEREDO_EVENT_STATE,		/* TEREDO_A_STATE changed */
	TEREDO_EVENT_ADDRESS,		/* TEREDO_A_ADDRESS changed or removed */
	TEREDO_EVENT_PEER_TRUSTED,	/* TEREDO_A_PEER became trusted */
	TEREDO_EVENT_PEER_EXPIRED,	/* TEREDO_A_PEER was removed */
	TEREDO_EVENT_SUPPRESSED,	/* TEREDO_A_EVENTS_SUPPRESSED peer events
					 * of unsolicited peers were not sent
					 */
	TEREDO_EVENT_SERVER_LOST,	/* TEREDO_A_SERVER_LOST did not answer
					 * a round of RS; the client goes on
					 * with TEREDO_A_SERVER_IN_USE
					 */
	__TEREDO_EVENT_MAX,
};

/*
 * Counters in TEREDO_A_STATS, one u64 attribute each, the attribute type
 * being the enum value + 1.  Also in "ethtool -S" under the names given
 * in the comments.
 */
enum teredo_stat {
	TEREDO_STAT_RX_PACKETS,		/* rx_packets: decapsulated and delivered */
	TEREDO_STAT_TX_PACKETS,		/* tx_packets: encapsulated and sent */
	TEREDO_STAT_RX_BUBBLES,		/* rx_bubbles */
	TEREDO_STAT_TX_BUBBLES,		/* tx_bubbles */
	TEREDO_STAT_TX_RS,		/* tx_rs: router solicitations */
	TEREDO_STAT_RX_RA,		/* rx_ra: valid router advertisements */
	TEREDO_STAT_TX_ECHO,		/* tx_echo_tests */
	TEREDO_STAT_QUALIFICATIONS,	/* qualifications: times qualified */
	/* drops, one per reason */
	TEREDO_STAT_DROP_MALFORMED,	/* drop_malformed: short or not IPv6 */
	TEREDO_STAT_DROP_BAD_LENGTH,	/* drop_bad_length: IPv6 vs UDP length */
	TEREDO_STAT_DROP_BAD_AUTH,	/* drop_bad_auth: auth header invalid */
	TEREDO_STAT_DROP_BAD_ORIGIN,	/* drop_bad_origin: origin indication */
	TEREDO_STAT_DROP_BAD_NONCE,	/* drop_bad_nonce: nonce mismatch */
	TEREDO_STAT_DROP_BAD_RA,	/* drop_bad_ra: RA not acceptable */
	TEREDO_STAT_DROP_NOT_SERVER,	/* drop_not_server: RA/origin not from server */
	TEREDO_STAT_DROP_NONGLOBAL_V4,	/* drop_nonglobal_ipv4 */
	TEREDO_STAT_DROP_MAPPING,	/* drop_mapping_mismatch */
	TEREDO_STAT_DROP_LINKLOCAL,	/* drop_link_local: link-local source */
	TEREDO_STAT_DROP_MULTICAST,	/* drop_multicast */
	TEREDO_STAT_DROP_LOOP,		/* drop_loop: to/from our own address */
	TEREDO_STAT_DROP_NOT_FOR_US,	/* drop_not_for_us: wrong destination */
	TEREDO_STAT_DROP_UNKNOWN_PEER,	/* drop_unknown_peer */
	TEREDO_STAT_DROP_PEERS_FULL,	/* drop_peers_full */
	TEREDO_STAT_DROP_QUEUE_FULL,	/* drop_queue_full */
	TEREDO_STAT_DROP_NOT_QUALIFIED,	/* drop_not_qualified */
	TEREDO_STAT_DROP_NO_ROUTE,	/* drop_no_route: no relay/peer known */
	TEREDO_STAT_DROP_UNAUTHORIZED,	/* drop_unauthorized: tx mark refused */
	TEREDO_STAT_DROP_TX_ERROR,	/* drop_tx_error */
	TEREDO_STAT_DROP_RATELIMIT,	/* drop_ratelimit: bubbles/echo limits */
	TEREDO_STAT_TX_RA,	/* tx_ra: RAs sent (server) */
	TEREDO_STAT_DROP_NOT_ICMP,	/* drop_not_icmp: server: not ICMPv6 */
	TEREDO_STAT_DROP_BAD_SOURCE,	/* drop_bad_source */
	TEREDO_STAT_DROP_NONGLOBAL_V6,	/* drop_nonglobal_ipv6 */
	TEREDO_STAT_DROP_BAD_RS,	/* drop_bad_rs: RS not acceptable */
	TEREDO_STAT_DROP_DORMANT,	/* drop_dormant: rx, or tx kept dormant by policy */
	TEREDO_STAT_DROP_STALE_SOURCE,	/* drop_stale_source: queued while dormant,
					 * the address changed on waking
					 */
	TEREDO_STAT_PEERS_EVICTED,	/* peers_evicted: unsolicited, table full */
	/* abuse limits (issue 23): server, relay bubbles, events */
	TEREDO_STAT_DROP_TOO_BIG,	/* drop_too_big: server: ICMPv6 too long */
	TEREDO_STAT_DROP_RATELIMIT_DEST,	/* drop_ratelimit_dest: per mapping */
	TEREDO_STAT_DROP_RATELIMIT_DEV,	/* drop_ratelimit_dev: device-wide */
	TEREDO_STAT_BUBBLES_LIMITED,	/* bubbles_limited: per target IPv4 */
	TEREDO_STAT_EVENTS_SUPPRESSED,	/* events_suppressed: unsolicited peers */
	TEREDO_STAT_DROP_RX_PARKED,	/* drop_rx_parked: no room to park rx */
	TEREDO_STAT_DROP_INBOUND_UNAUTHORIZED,	/* drop_inbound_unauthorized:
						 * rx for no authorized socket
						 * or flow (inbound authorized)
						 */
	TEREDO_STAT_DROP_LOCAL_DISCOVERY,	/* drop_local_discovery: a
						 * local peer claim refused
						 * (RFC 4380 5.2.8 rules)
						 */
	TEREDO_STAT_DROP_BAD_TRAILER,	/* drop_bad_trailer: RFC 6081
					 * trailer area malformed
					 */
	TEREDO_STAT_DROP_UNREACHABLE,	/* drop_unreachable: to a peer that
					 * never answered its bubbles or
					 * echo tests (ICMPv6 to the sender)
					 */
	TEREDO_STAT_TX_TRAINS,		/* tx_trains: UDP GSO trains sent
					 * (their datagrams: tx_packets)
					 */
	TEREDO_STAT_SERVER_FAILOVERS,	/* server_failovers: moves to the
					 * next candidate server
					 */
	TEREDO_STAT_REQUALIFY_NETCHANGE,	/* requalify_netchange:
						 * qualifications started
						 * over after a network
						 * change or a resume
						 */
	TEREDO_STAT_QUALIFY_SYMMETRIC_NAT,	/* qualify_symmetric_nat:
						 * qualifications refused:
						 * a NAT whose mapping
						 * depends on the destination
						 */
	TEREDO_STAT_HAIRPIN_BUBBLES,	/* hairpin_bubbles: direct bubbles to
					 * an alternate address of a client
					 * behind our NAT (RFC 6081 8)
					 */
	TEREDO_STAT_DROP_HAIRPIN,	/* drop_hairpin: an alternate
					 * address claim refused
					 */
	__TEREDO_STAT_MAX,
};

#define TEREDO_STAT_MAX (__TEREDO_STAT_MAX - 1)

#endif /* _UAPI_LINUX_TEREDO_H */
