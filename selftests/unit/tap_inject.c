// SPDX-License-Identifier: GPL-2.0
/*
 * Linux-stack check of teredo_build_ra(): create a tap device, run a
 * setup command, deliver one RA built by proto.c (with the parameters
 * the module uses: prefix 2001:0:SERVER::/64 with A=1 L=0, MTU, RFC 4191
 * route 2001::/32, router lifetime) to the stack through it, then run a
 * check command while the device still exists.
 *
 * Usage: tap_inject IFNAME SETUP_CMD CHECK_CMD
 * Exit status: that of CHECK_CMD (2 for usage or device errors).
 */
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proto.h"

static const u8 router_ll[16] = {	/* fe80::8000:f227:bec9:1c81 */
	0xfe, 0x80, [8] = 0x80, 0x00, 0xf2, 0x27, 0xbe, 0xc9, 0x1c, 0x81,
};

static const u8 all_nodes[16] = { 0xff, 0x02, [15] = 0x01 };

int main(int argc, char **argv)
{
	static const u8 eth[14] = {
		0x33, 0x33, 0x00, 0x00, 0x00, 0x01,	/* ff02::1 */
		0x02, 0x00, 0x5e, 0x00, 0x53, 0x01,	/* router */
		0x86, 0xdd,
	};
	struct teredo_ra_params p;
	struct ifreq ifr;
	u8 frame[256];
	size_t n;
	int fd, rc;

	if (argc != 4) {
		fprintf(stderr, "usage: tap_inject IFNAME SETUP_CMD CHECK_CMD\n");
		return 2;
	}
	fd = open("/dev/net/tun", O_RDWR);
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[1]);
	if (fd < 0 || ioctl(fd, TUNSETIFF, &ifr) < 0) {
		perror("tap_inject: /dev/net/tun");
		return 2;
	}
	if (system(argv[2]) != 0) {
		fprintf(stderr, "tap_inject: setup failed\n");
		return 2;
	}

	memset(&p, 0, sizeof(p));
	memcpy(p.src, router_ll, 16);
	memcpy(p.dst, all_nodes, 16);
	p.prefix[0] = 0x20;
	p.prefix[1] = 0x01;
	p.prefix[4] = 0x41;	/* server 65.54.227.120 */
	p.prefix[5] = 0x36;
	p.prefix[6] = 0xe3;
	p.prefix[7] = 0x78;
	p.router_lifetime = 1800;
	p.valid_lifetime = 3600;
	p.preferred_lifetime = 3600;
	p.autonomous = true;
	p.mtu = TEREDO_MTU;
	p.route[0] = 0x20;
	p.route[1] = 0x01;
	p.route_len = 32;
	p.route_lifetime = 1800;
	memcpy(frame, eth, sizeof(eth));
	n = teredo_build_ra(frame + sizeof(eth), sizeof(frame) - sizeof(eth),
			    &p);
	if (!n || write(fd, frame, sizeof(eth) + n) != (ssize_t)(sizeof(eth) + n)) {
		perror("tap_inject: write");
		return 2;
	}
	usleep(300000);
	rc = system(argv[3]);
	close(fd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : 2;
}
