/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The names of the uapi enums' values, a public interface: "ethtool -S"
 * (the counters), the module's log (the NAT kinds), "teredo-nl show"
 * (text and JSON) and "ip -d link show" (the ip plugin).  This is their
 * only copy: the module, tools/teredo-nl and tools/ip include it, so it
 * compiles in the kernel and in userspace and needs nothing but the uapi
 * header.  Each function gives the name of a value, NULL if the value
 * is out of range.  A value without a name does not compile when it is
 * the enum's last one; selftests/host/teredo-nl-unit.sh checks every
 * other against the uapi header.
 */
#ifndef _TEREDO_NAMES_H
#define _TEREDO_NAMES_H

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <uapi/linux/teredo.h>
#else
#include <assert.h>
#include <stddef.h>
#include <linux/teredo.h>
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#endif

static inline const char *teredo_name(const char * const *names, size_t n,
				      unsigned int i)
{
	return i < n ? names[i] : NULL;
}

static inline const char *teredo_mode_name(unsigned int mode)
{
	static const char * const names[] = {
		[TEREDO_MODE_CLIENT]		= "client",
		[TEREDO_MODE_RELAY]		= "relay",
		[TEREDO_MODE_SERVER]		= "server",
	};

	static_assert(ARRAY_SIZE(names) == __TEREDO_MODE_MAX,
		      "a value of enum teredo_mode has no name");
	return teredo_name(names, ARRAY_SIZE(names), mode);
}

static inline const char *teredo_state_name(unsigned int state)
{
	static const char * const names[] = {
		[TEREDO_STATE_OFFLINE]		= "offline",
		[TEREDO_STATE_QUALIFYING]	= "qualifying",
		[TEREDO_STATE_QUALIFIED]	= "qualified",
		[TEREDO_STATE_DORMANT]		= "dormant",
	};

	static_assert(ARRAY_SIZE(names) == __TEREDO_STATE_MAX,
		      "a value of enum teredo_state has no name");
	return teredo_name(names, ARRAY_SIZE(names), state);
}

static inline const char *teredo_policy_name(unsigned int policy)
{
	static const char * const names[] = {
		[TEREDO_POLICY_CLIENT]		= "client",
		[TEREDO_POLICY_ENTERPRISE]	= "enterprise",
	};

	static_assert(ARRAY_SIZE(names) == __TEREDO_POLICY_MAX,
		      "a value of enum teredo_policy has no name");
	return teredo_name(names, ARRAY_SIZE(names), policy);
}

static inline const char *teredo_dormant_reason_name(unsigned int reason)
{
	static const char * const names[] = {
		[TEREDO_DORMANT_NONE]		= "none",
		[TEREDO_DORMANT_IDLE]		= "idle",
		[TEREDO_DORMANT_NATIVE]		= "native",
		[TEREDO_DORMANT_MANAGED]	= "managed",
	};

	static_assert(ARRAY_SIZE(names) == __TEREDO_DORMANT_MAX,
		      "a value of enum teredo_dormant_reason has no name");
	return teredo_name(names, ARRAY_SIZE(names), reason);
}

static inline const char *teredo_inbound_name(unsigned int inbound)
{
	static const char * const names[] = {
		[TEREDO_INBOUND_AUTHORIZED]	= "authorized",
		[TEREDO_INBOUND_OPEN]		= "open",
	};

	static_assert(ARRAY_SIZE(names) == __TEREDO_INBOUND_MAX,
		      "a value of enum teredo_inbound has no name");
	return teredo_name(names, ARRAY_SIZE(names), inbound);
}

static inline const char *teredo_nat_name(unsigned int nat)
{
	static const char * const names[] = {
		[TEREDO_NAT_UNKNOWN]		= "unknown",
		[TEREDO_NAT_NONE]		= "none",
		[TEREDO_NAT_CONE]		= "cone",
		[TEREDO_NAT_RESTRICTED]		= "restricted",
		[TEREDO_NAT_PORT_PRESERVING]	= "port-preserving",
		[TEREDO_NAT_SEQUENTIAL]		= "sequential-port-symmetric",
		[TEREDO_NAT_SYMMETRIC]		= "symmetric",
	};

	static_assert(ARRAY_SIZE(names) == __TEREDO_NAT_MAX,
		      "a value of enum teredo_nat has no name");
	return teredo_name(names, ARRAY_SIZE(names), nat);
}

static inline const char *teredo_event_name(unsigned int event)
{
	static const char * const names[] = {
		[TEREDO_EVENT_STATE]		= "state",
		[TEREDO_EVENT_ADDRESS]		= "address",
		[TEREDO_EVENT_PEER_TRUSTED]	= "peer-trusted",
		[TEREDO_EVENT_PEER_EXPIRED]	= "peer-expired",
		[TEREDO_EVENT_SUPPRESSED]	= "events-suppressed",
		[TEREDO_EVENT_SERVER_LOST]	= "server-lost",
	};

	static_assert(ARRAY_SIZE(names) == __TEREDO_EVENT_MAX,
		      "a value of enum teredo_event has no name");
	return teredo_name(names, ARRAY_SIZE(names), event);
}

/*
 * The counters' names: those of the comments in enum teredo_stat, and
 * ethtool's strings (shorter than ETH_GSTRING_LEN, 32).
 */
static inline const char *teredo_stat_name(unsigned int stat)
{
	static const char * const names[] = {
		[TEREDO_STAT_RX_PACKETS]	= "rx_packets",
		[TEREDO_STAT_TX_PACKETS]	= "tx_packets",
		[TEREDO_STAT_RX_BUBBLES]	= "rx_bubbles",
		[TEREDO_STAT_TX_BUBBLES]	= "tx_bubbles",
		[TEREDO_STAT_TX_RS]		= "tx_rs",
		[TEREDO_STAT_RX_RA]		= "rx_ra",
		[TEREDO_STAT_TX_ECHO]		= "tx_echo_tests",
		[TEREDO_STAT_QUALIFICATIONS]	= "qualifications",
		[TEREDO_STAT_DROP_MALFORMED]	= "drop_malformed",
		[TEREDO_STAT_DROP_BAD_LENGTH]	= "drop_bad_length",
		[TEREDO_STAT_DROP_BAD_AUTH]	= "drop_bad_auth",
		[TEREDO_STAT_DROP_BAD_ORIGIN]	= "drop_bad_origin",
		[TEREDO_STAT_DROP_BAD_NONCE]	= "drop_bad_nonce",
		[TEREDO_STAT_DROP_BAD_RA]	= "drop_bad_ra",
		[TEREDO_STAT_DROP_NOT_SERVER]	= "drop_not_server",
		[TEREDO_STAT_DROP_NONGLOBAL_V4]	= "drop_nonglobal_ipv4",
		[TEREDO_STAT_DROP_MAPPING]	= "drop_mapping_mismatch",
		[TEREDO_STAT_DROP_LINKLOCAL]	= "drop_link_local",
		[TEREDO_STAT_DROP_MULTICAST]	= "drop_multicast",
		[TEREDO_STAT_DROP_LOOP]		= "drop_loop",
		[TEREDO_STAT_DROP_NOT_FOR_US]	= "drop_not_for_us",
		[TEREDO_STAT_DROP_UNKNOWN_PEER]	= "drop_unknown_peer",
		[TEREDO_STAT_DROP_PEERS_FULL]	= "drop_peers_full",
		[TEREDO_STAT_DROP_QUEUE_FULL]	= "drop_queue_full",
		[TEREDO_STAT_DROP_NOT_QUALIFIED] = "drop_not_qualified",
		[TEREDO_STAT_DROP_NO_ROUTE]	= "drop_no_route",
		[TEREDO_STAT_DROP_UNAUTHORIZED]	= "drop_unauthorized",
		[TEREDO_STAT_DROP_TX_ERROR]	= "drop_tx_error",
		[TEREDO_STAT_DROP_RATELIMIT]	= "drop_ratelimit",
		[TEREDO_STAT_TX_RA]		= "tx_ra",
		[TEREDO_STAT_DROP_NOT_ICMP]	= "drop_not_icmp",
		[TEREDO_STAT_DROP_BAD_SOURCE]	= "drop_bad_source",
		[TEREDO_STAT_DROP_NONGLOBAL_V6]	= "drop_nonglobal_ipv6",
		[TEREDO_STAT_DROP_BAD_RS]	= "drop_bad_rs",
		[TEREDO_STAT_DROP_DORMANT]	= "drop_dormant",
		[TEREDO_STAT_DROP_STALE_SOURCE]	= "drop_stale_source",
		[TEREDO_STAT_PEERS_EVICTED]	= "peers_evicted",
		[TEREDO_STAT_DROP_TOO_BIG]	= "drop_too_big",
		[TEREDO_STAT_DROP_RATELIMIT_DEST] = "drop_ratelimit_dest",
		[TEREDO_STAT_DROP_RATELIMIT_DEV] = "drop_ratelimit_dev",
		[TEREDO_STAT_BUBBLES_LIMITED]	= "bubbles_limited",
		[TEREDO_STAT_EVENTS_SUPPRESSED]	= "events_suppressed",
		[TEREDO_STAT_DROP_RX_PARKED]	= "drop_rx_parked",
		[TEREDO_STAT_DROP_INBOUND_UNAUTHORIZED] = "drop_inbound_unauthorized",
		[TEREDO_STAT_DROP_LOCAL_DISCOVERY] = "drop_local_discovery",
		[TEREDO_STAT_DROP_BAD_TRAILER]	= "drop_bad_trailer",
		[TEREDO_STAT_DROP_UNREACHABLE]	= "drop_unreachable",
		[TEREDO_STAT_TX_TRAINS]		= "tx_trains",
		[TEREDO_STAT_SERVER_FAILOVERS]	= "server_failovers",
		[TEREDO_STAT_REQUALIFY_NETCHANGE] = "requalify_netchange",
		[TEREDO_STAT_QUALIFY_SYMMETRIC_NAT] = "qualify_symmetric_nat",
		[TEREDO_STAT_HAIRPIN_BUBBLES]	= "hairpin_bubbles",
		[TEREDO_STAT_DROP_HAIRPIN]	= "drop_hairpin",
	};

	static_assert(ARRAY_SIZE(names) == __TEREDO_STAT_MAX,
		      "a counter of enum teredo_stat has no name");
	return teredo_name(names, ARRAY_SIZE(names), stat);
}

#endif /* _TEREDO_NAMES_H */
