// SPDX-License-Identifier: GPL-2.0
/*
 * teredo_parse_echo_reply().  Input: flags (1 byte; bit 0: store a
 * correct checksum first), peer (16), nonce (8), then the IPv6 packet.
 * Also: the request teredo_build_echo() makes, turned into its reply,
 * is accepted.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	const u8 *peer = data + 1, *nonce = data + 17;
	enum teredo_verdict v;
	u8 *pkt, req[64];
	size_t len, n;

	if (size < 25)
		return 0;
	len = size - 25;
	pkt = fuzz_dup(data + 25, len);
	if (data[0] & 1)
		fuzz_fix_csum(pkt, len);
	v = teredo_parse_echo_reply(pkt, len, peer, nonce);
	INVARIANT(v == TEREDO_OK || v == TEREDO_ERR_MALFORMED ||
		  v == TEREDO_ERR_BAD_NONCE);
	if (v == TEREDO_OK) {
		INVARIANT(len == 56);
		INVARIANT(!memcmp(pkt + 8, peer, 16));
		INVARIANT(!memcmp(pkt + 48, nonce, 8));
		INVARIANT(pkt[40] == 129 && teredo_icmp6_csum(pkt, len) == 0);
	}
	free(pkt);

	/* our own request, answered by @peer */
	n = teredo_build_echo(req, sizeof(req), data + 9, peer,
			      (u16)(data[0] << 8 | data[1]), data[2], nonce);
	INVARIANT(n == 56 && teredo_icmp6_csum(req, n) == 0);
	INVARIANT(teredo_parse_echo_reply(req, n, peer, nonce) ==
		  TEREDO_ERR_MALFORMED);
	memcpy(req + 24, req + 8, 16);
	memcpy(req + 8, peer, 16);
	req[40] = 129;
	fuzz_fix_csum(req, n);
	INVARIANT(teredo_parse_echo_reply(req, n, peer, nonce) == TEREDO_OK);
	return 0;
}
