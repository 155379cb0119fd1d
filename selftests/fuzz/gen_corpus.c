// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the seed corpus of the fuzzers (valid and invalid inputs, made
 * with proto.c's own builders plus hand-made breakage).  Run once by
 * "make corpus"; its output is committed under corpus/.
 *
 * Usage: gen_corpus DIR
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include "proto.h"

static const char *dir;
static const u8 client_addr[16] = {	/* 2001:0:4136:e378:8000:63bf:3fff:fdd2 */
	0x20, 0x01, 0x00, 0x00, 0x41, 0x36, 0xe3, 0x78,
	0x80, 0x00, 0x63, 0xbf, 0x3f, 0xff, 0xfd, 0xd2,
};

static const u8 rs_src[16] = {
	0xfe, 0x80, [10] = 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};

static const u8 router_ll[16] = { 0xfe, 0x80, [15] = 0x01 };
static const u8 native[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x01 };
static const u8 nonce[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
#define SERVER 0x4136e378u

static void put(const char *sub, const char *name, const u8 *b, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	if (mkdir(path, 0755) && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	f = fopen(path, "wb");
	if (!f || fwrite(b, 1, n, f) != n || fclose(f)) {
		perror(path);
		exit(1);
	}
}

static size_t udp6(u8 *b, size_t plen)
{
	size_t n = teredo_build_bubble(b, 40, client_addr, native);

	b[4] = plen >> 8;
	b[5] = plen & 0xff;
	b[6] = 17;
	memset(b + 40, 0x55, plen);
	return n + plen;
}

static void encap(void)
{
	static u8 b[70000];
	size_t n;

	n = teredo_build_bubble(b, sizeof(b), client_addr, native);
	put("encap", "bubble", b, n);
	n = teredo_build_auth(b, sizeof(b), nonce);
	n += teredo_build_rs(b + n, sizeof(b) - n, rs_src);
	put("encap", "auth-rs", b, n);
	n = teredo_build_origin(b, sizeof(b), 0xc000022d, 40000);
	n += teredo_build_bubble(b + n, sizeof(b) - n, native, client_addr);
	put("encap", "origin-bubble", b, n);
	n = teredo_build_auth(b, sizeof(b), nonce);
	n += teredo_build_origin(b + n, sizeof(b) - n, 0xc000022d, 40000);
	n += udp6(b + n, 20);
	put("encap", "auth-origin-udp", b, n);
	/* auth with id and value */
	memset(b, 0x41, 4 + 3 + 20);
	b[0] = 0;
	b[1] = 1;
	b[2] = 3;
	b[3] = 20;
	memcpy(b + 27, nonce, 8);
	b[35] = 1;
	n = 36 + udp6(b + 36, 8);
	put("encap", "auth-id-value", b, n);
	/* maximal lengths */
	memset(b, 0x42, 4 + 510);
	b[0] = 0;
	b[1] = 1;
	b[2] = 255;
	b[3] = 255;
	memcpy(b + 514, nonce, 8);
	b[522] = 0;
	n = 523 + teredo_build_origin(b + 523, 8, 1, 2);
	n += udp6(b + n, 1200);
	put("encap", "max-headers", b, n);
	n = udp6(b, 1240);
	put("encap", "udp-1280", b, n);
	/* invalid ones */
	n = udp6(b, 20);
	put("encap", "bad-length", b, n - 1);
	b[0] = 0x45;
	put("encap", "ipv4", b, n);
	n = teredo_build_auth(b, sizeof(b), nonce);
	put("encap", "auth-only", b, n);
	b[2] = 200;
	put("encap", "auth-overlong", b, n);
	n = teredo_build_origin(b, sizeof(b), 1, 2);
	n += teredo_build_auth(b + n, sizeof(b) - n, nonce);
	n += teredo_build_bubble(b + n, sizeof(b) - n, native, client_addr);
	put("encap", "origin-before-auth", b, n);
	put("encap", "empty", b, 0);
	b[0] = 0;
	b[1] = 2;
	put("encap", "unknown-type", b, 2);
	/* RFC 6081 trailers after a bubble: a nonce, a truncated one */
	n = teredo_build_bubble(b, sizeof(b), client_addr, native);
	memcpy(b + n, "\x01\x04\xde\xad\xbe\xef", 6);
	put("encap", "bubble-nonce-trailer", b, n + 6);
	put("encap", "bubble-trailer-cut", b, n + 5);
}

static void trailers(void)
{
	static const u8 all[] = {
		0x01, 4, 0xde, 0xad, 0xbe, 0xef,		/* nonce */
		0x03, 14, 0, 0, 192, 168, 1, 2, 0x0d, 0xd8,	/* alternate */
		10, 0, 0, 2, 0x9c, 0x40,
		0x04, 4, 0, 0, 0, 0,				/* ND option */
		0x05, 2, 0x9c, 0x41,				/* random port */
		0x7f, 3, 1, 2, 3,				/* unknown */
	};
	u8 b[64];

	put("trailers", "all", all, sizeof(all));
	put("trailers", "empty", all, 0);
	put("trailers", "cut-header", all, 1);
	put("trailers", "cut-value", all, 5);
	memcpy(b, all, 6);
	memcpy(b + 6, all, 6);
	put("trailers", "nonce-twice", b, 12);
	b[1] = 5;
	put("trailers", "nonce-long", b, 7);
	memcpy(b, all + 6, 16);
	b[1] = 9;
	put("trailers", "alt-odd", b, 11);
}

static void ra(void)
{
	struct teredo_ra_params p;
	u8 b[300];
	size_t n;

	memset(&p, 0, sizeof(p));
	memcpy(p.src, router_ll, 16);
	memcpy(p.dst, rs_src, 16);
	p.prefix[0] = 0x20;
	p.prefix[1] = 0x01;
	p.prefix[4] = (SERVER >> 24) & 0xff;
	p.prefix[5] = (SERVER >> 16) & 0xff;
	p.prefix[6] = (SERVER >> 8) & 0xff;
	p.prefix[7] = SERVER & 0xff;
	p.valid_lifetime = 1800;
	p.preferred_lifetime = 1800;
	p.autonomous = true;
	b[0] = 0;	/* flags: keep checksum */
	b[1] = (SERVER >> 24) & 0xff;
	b[2] = (SERVER >> 16) & 0xff;
	b[3] = (SERVER >> 8) & 0xff;
	b[4] = SERVER & 0xff;
	n = teredo_build_ra(b + 5, sizeof(b) - 5, &p);
	put("ra", "minimal", b, 5 + n);
	p.mtu = 1280;
	n = teredo_build_ra(b + 5, sizeof(b) - 5, &p);
	put("ra", "mtu", b, 5 + n);
	p.route_len = 32;
	p.route[0] = 0x20;
	p.route[1] = 0x01;
	p.route_lifetime = 600;
	n = teredo_build_ra(b + 5, sizeof(b) - 5, &p);
	put("ra", "mtu-route", b, 5 + n);
	b[0] = 1;	/* fuzzer fixes the checksum */
	put("ra", "mtu-route-fixcsum", b, 5 + n);
	b[0] = 0;
	b[5 + 7] = 64;	/* hop limit */
	put("ra", "bad-hoplimit", b, 5 + n);
	b[5 + 7] = 255;
	b[1] ^= 1;
	put("ra", "wrong-server", b, 5 + n);
	b[1] ^= 1;
	n = teredo_build_rs(b + 5, sizeof(b) - 5, rs_src);
	put("ra", "rs", b, 5 + n);
}

static void echo(void)
{
	u8 b[100];
	size_t n;

	b[0] = 0;
	memcpy(b + 1, native, 16);
	memcpy(b + 17, nonce, 8);
	n = teredo_build_echo(b + 25, sizeof(b) - 25, native, client_addr, 7,
			      1, nonce);
	b[25 + 40] = 129;	/* reply */
	b[25 + 42] = 0;
	b[25 + 43] = 0;
	put("echo", "reply-nocsum", b, 25 + n);
	b[0] = 1;
	put("echo", "reply-fixcsum", b, 25 + n);
	b[0] = 0;
	n = teredo_build_echo(b + 25, sizeof(b) - 25, native, client_addr, 7,
			      1, nonce);
	put("echo", "request", b, 25 + n);
	b[0] = 1;
	b[25 + 40] = 129;
	b[25 + 48] ^= 0xff;
	put("echo", "reply-badnonce", b, 25 + n);
}

static void addr(void)
{
	u8 b[24 + 1];

	memcpy(b, client_addr, 16);
	b[16] = 192;
	b[17] = 0;
	b[18] = 2;
	b[19] = 45;
	b[20] = 40000 >> 8;
	b[21] = 40000 & 0xff;
	b[22] = 0xff;
	b[23] = 0xff;
	b[24] = 60;
	put("addr", "example", b, 25);
	b[16] = 10;
	b[24] = 13;
	put("addr", "private", b, 25);
	memcpy(b, rs_src, 16);
	b[24] = 48;
	put("addr", "linklocal", b, 25);
	memcpy(b, native, 16);
	put("addr", "native", b, 24);
}

/* flags, outer source IPv4 and port, server IPv4, IPv6 packet */
static void server_one(const char *name, u32 saddr, u16 sport,
		       const u8 *pkt, size_t n)
{
	u8 b[128];

	b[0] = 0;
	b[1] = saddr >> 24;
	b[2] = (saddr >> 16) & 0xff;
	b[3] = (saddr >> 8) & 0xff;
	b[4] = saddr & 0xff;
	b[5] = sport >> 8;
	b[6] = sport & 0xff;
	b[7] = SERVER >> 24;
	b[8] = (SERVER >> 16) & 0xff;
	b[9] = (SERVER >> 8) & 0xff;
	b[10] = SERVER & 0xff;
	memcpy(b + 11, pkt, n);
	put("server", name, b, 11 + n);
}

static void server(void)
{
	/* client_addr embeds 192.0.2.45:40000 */
	const u32 cip = 0xc000022du;
	const u16 cport = 40000;
	u8 p[64];
	size_t n;

	n = teredo_build_rs(p, sizeof(p), rs_src);
	server_one("rs", cip, cport, p, n);
	n = teredo_build_echo(p, sizeof(p), client_addr, native, 1, 1, nonce);
	server_one("echo-test", cip, cport, p, n);
	server_one("echo-test-spoofed", cip, cport + 1, p, n);
	n = teredo_build_bubble(p, sizeof(p), native, client_addr);
	server_one("relay-bubble", 0xc0000282u, 3544, p, n);
	n = teredo_build_bubble(p, sizeof(p), client_addr, native);
	server_one("bubble-to-native", cip, cport, p, n);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen_corpus DIR\n");
		return 2;
	}
	dir = argv[1];
	if (mkdir(dir, 0755) && errno != EEXIST) {
		perror(dir);
		return 1;
	}
	encap();
	ra();
	echo();
	addr();
	server();
	trailers();
	return 0;
}
