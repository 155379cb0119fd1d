/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The part of ip(8)'s plugin ABI that link_teredo.so uses, as in iproute2
 * 6.1 (Debian 12): struct link_util of ip/ip_common.h, and helpers of
 * include/utils.h, lib/libnetlink.c and include/json_print.h that
 * Debian's ip exports (it is linked with -export-dynamic; check with
 * "nm -D /usr/sbin/ip").  iproute2 installs no headers, hence this file.
 * The print_* helpers of json_print.h are static inline wrappers of the
 * exported print_color_* functions.
 */
#ifndef TEREDO_IPROUTE2_H
#define TEREDO_IPROUTE2_H

#include <stdio.h>
#include <stdnoreturn.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/types.h>

struct link_util {
	struct link_util *next;
	const char *id;
	int maxattr;
	int (*parse_opt)(struct link_util *lu, int argc, char **argv,
			 struct nlmsghdr *n);
	void (*print_opt)(struct link_util *lu, FILE *f, struct rtattr *tb[]);
	void (*print_xstats)(struct link_util *lu, FILE *f,
			     struct rtattr *xstats);
	void (*print_help)(struct link_util *lu, int argc, char **argv,
			   FILE *f);
	int (*parse_ifla_xstats)(struct link_util *lu, int argc, char **argv);
	int (*print_ifla_xstats)(struct nlmsghdr *n, void *arg);
};

/* enum output_type: where a print_color_* call prints. */
#define IP_PRINT_FP	1
#define IP_PRINT_JSON	2
#define IP_PRINT_ANY	4

/* enum color_attr: COLOR_NONE, the last of seven (0-5 are colors). */
#define IP_COLOR_NONE	6

/* Size of iplink_req.buf (ip/ip_common.h): the room for attributes. */
#define IP_REQ_ROOM	1024

int addattr8(struct nlmsghdr *n, int maxlen, int type, __u8 data);
struct rtattr *addattr_nest(struct nlmsghdr *n, int maxlen, int type);
int addattr_nest_end(struct nlmsghdr *n, struct rtattr *nest);
int addattr16(struct nlmsghdr *n, int maxlen, int type, __u16 data);
int addattr32(struct nlmsghdr *n, int maxlen, int type, __u32 data);

/* Print "Error: ..." (one line) and exit(-1). */
noreturn void invarg(const char *msg, const char *arg);
noreturn void duparg(const char *key, const char *arg);
noreturn void incomplete_command(void);

/* Text to stdout with fmt, or a JSON member named key; type IP_PRINT_*. */
int print_color_string(int type, int color, const char *key, const char *fmt,
		       const char *value);
int print_color_uint(int type, int color, const char *key, const char *fmt,
		     unsigned int value);
int print_color_null(int type, int color, const char *key, const char *fmt,
		     const char *value);
int print_color_bool(int type, int color, const char *key, const char *fmt,
		     _Bool value);
void open_json_object(const char *str);
void close_json_object(void);
void open_json_array(int type, const char *str);
void close_json_array(int type, const char *delim);

#endif /* TEREDO_IPROUTE2_H */
