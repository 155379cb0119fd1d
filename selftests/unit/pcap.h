/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny pcap writer: raw IPv4 frames (LINKTYPE_RAW) carrying UDP, so
 * that tshark can decode what proto.c builds.
 */
#ifndef _TEREDO_PCAP_H
#define _TEREDO_PCAP_H

#include <stdio.h>
#include "proto.h"

struct pcap_w {
	FILE *f;
	u16 ip_id;
};

static void pcap_le32(u8 *p, u32 v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = v >> 24;
}

static inline int pcap_open(struct pcap_w *w, const char *path)
{
	u8 h[24] = { 0 };

	w->f = fopen(path, "wb");
	w->ip_id = 1;
	if (!w->f)
		return -1;
	pcap_le32(h, 0xa1b2c3d4);
	h[4] = 2;		/* version 2.4 */
	h[6] = 4;
	pcap_le32(h + 16, 65535);	/* snaplen */
	pcap_le32(h + 20, 101);		/* LINKTYPE_RAW */
	return fwrite(h, sizeof(h), 1, w->f) == 1 ? 0 : -1;
}

static inline int pcap_udp4(struct pcap_w *w, u32 src, u16 sport, u32 dst,
			    u16 dport, const u8 *payload, size_t len)
{
	static u8 pkt[20 + 8 + 65535];
	u8 rec[16];
	size_t tot = 20 + 8 + len, i;
	u32 sum = 0;

	if (len > 65535 - 28)
		return -1;
	memset(pkt, 0, 28);
	pkt[0] = 0x45;
	pkt[2] = tot >> 8;
	pkt[3] = tot & 0xff;
	pkt[4] = w->ip_id >> 8;
	pkt[5] = w->ip_id & 0xff;
	w->ip_id++;
	pkt[8] = 64;
	pkt[9] = 17;
	pkt[12] = src >> 24; pkt[13] = src >> 16; pkt[14] = src >> 8; pkt[15] = src;
	pkt[16] = dst >> 24; pkt[17] = dst >> 16; pkt[18] = dst >> 8; pkt[19] = dst;
	for (i = 0; i < 20; i += 2)
		sum += pkt[i] << 8 | pkt[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	pkt[10] = sum >> 8;
	pkt[11] = sum & 0xff;
	pkt[20] = sport >> 8;
	pkt[21] = sport & 0xff;
	pkt[22] = dport >> 8;
	pkt[23] = dport & 0xff;
	pkt[24] = (8 + len) >> 8;
	pkt[25] = (8 + len) & 0xff;
	/* UDP checksum 0: none, allowed over IPv4 */
	memcpy(pkt + 28, payload, len);

	pcap_le32(rec, w->ip_id);	/* seconds: one per packet */
	pcap_le32(rec + 4, 0);
	pcap_le32(rec + 8, (u32)tot);
	pcap_le32(rec + 12, (u32)tot);
	if (fwrite(rec, sizeof(rec), 1, w->f) != 1 ||
	    fwrite(pkt, tot, 1, w->f) != 1)
		return -1;
	return 0;
}

static inline int pcap_close(struct pcap_w *w)
{
	return fclose(w->f) == 0 ? 0 : -1;
}

#endif
