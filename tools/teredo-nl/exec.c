// SPDX-License-Identifier: GPL-2.0
/*
 * teredo-nl exec: run a command whose every socket carries a mark.
 *
 * A child cgroup (cgroup v2) of ours gets a BPF_PROG_TYPE_CGROUP_SOCK
 * program at BPF_CGROUP_INET_SOCK_CREATE that stores the mark in
 * bpf_sock->mark; the command is moved into that cgroup before exec, so
 * all the sockets it (and its children) create carry the mark.  Raw
 * bpf(2), four instructions, no libbpf.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/bpf.h>

#include "exec.h"

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

/* The mount point of the cgroup v2 hierarchy, from /proc/self/mountinfo. */
static int cgroup2_mount(char *out, size_t len)
{
	char line[4096], mnt[PATH_MAX], *sep;
	FILE *f = fopen("/proc/self/mountinfo", "r");
	int found = -1;

	if (!f)
		return -1;
	while (found && fgets(line, sizeof(line), f)) {
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS... - FSTYPE ... */
		sep = strstr(line, " - ");
		if (!sep || strncmp(sep + 3, "cgroup2 ", 8))
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) == 1 &&
		    strlen(mnt) < len) {
			strcpy(out, mnt);
			found = 0;
		}
	}
	fclose(f);
	return found;
}

/* Our own cgroup v2 path ("0::/PATH" in /proc/self/cgroup). */
static int cgroup_self(char *out, size_t len)
{
	char line[4096];
	FILE *f = fopen("/proc/self/cgroup", "r");
	int found = -1;

	if (!f)
		return -1;
	while (found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = '\0';
		if (strlen(line + 3) < len) {
			strcpy(out, line + 3);
			found = 0;
		}
	}
	fclose(f);
	return found;
}

static int load_prog(uint32_t mark, char *log, size_t loglen)
{
	struct bpf_insn insns[] = {
		/* r2 = mark */
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_2,
		  .imm = (int32_t)mark },
		/* ((struct bpf_sock *)r1)->mark = r2 */
		{ .code = BPF_STX | BPF_MEM | BPF_W, .dst_reg = BPF_REG_1,
		  .src_reg = BPF_REG_2,
		  .off = offsetof(struct bpf_sock, mark) },
		/* return 1: the socket may be created */
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0,
		  .imm = 1 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_SOCK;
	attr.expected_attach_type = BPF_CGROUP_INET_SOCK_CREATE;
	attr.insns = (uintptr_t)insns;
	attr.insn_cnt = sizeof(insns) / sizeof(insns[0]);
	attr.license = (uintptr_t)"GPL";
	attr.log_buf = (uintptr_t)log;
	attr.log_size = (uint32_t)loglen;
	attr.log_level = 1;
	return sys_bpf(BPF_PROG_LOAD, &attr);
}

int tnl_exec_setup(struct tnl_exec *x, uint32_t mark, char *err, size_t errlen)
{
	char mnt[PATH_MAX], self[PATH_MAX], log[1024] = "";
	union bpf_attr attr;
	int prog;

	memset(x, 0, sizeof(*x));
	x->cgfd = -1;
	if (cgroup2_mount(mnt, sizeof(mnt))) {
		snprintf(err, errlen, "no cgroup v2 hierarchy mounted here (mount -t cgroup2 none /sys/fs/cgroup; \"ip netns exec\" hides it)");
		return -1;
	}
	if (cgroup_self(self, sizeof(self)))
		strcpy(self, "/");
	/* a child of our own cgroup, else of the root */
	snprintf(x->path, sizeof(x->path), "%s%s/teredo-nl.%d", mnt,
		 strcmp(self, "/") ? self : "", (int)getpid());
	if (mkdir(x->path, 0755)) {
		snprintf(x->path, sizeof(x->path), "%s/teredo-nl.%d", mnt,
			 (int)getpid());
		if (mkdir(x->path, 0755)) {
			snprintf(err, errlen, "cannot create cgroup %s: %s",
				 x->path, strerror(errno));
			return -1;
		}
	}
	x->cgfd = open(x->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (x->cgfd < 0) {
		snprintf(err, errlen, "%s: %s", x->path, strerror(errno));
		goto fail;
	}
	prog = load_prog(mark, log, sizeof(log));
	if (prog < 0) {
		log[strcspn(log, "\n")] = '\0';
		snprintf(err, errlen, "cannot load the BPF program: %s%s%s",
			 strerror(errno), log[0] ? ": " : "", log);
		goto fail;
	}
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t)x->cgfd;
	attr.attach_bpf_fd = (uint32_t)prog;
	attr.attach_type = BPF_CGROUP_INET_SOCK_CREATE;
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	if (sys_bpf(BPF_PROG_ATTACH, &attr)) {
		snprintf(err, errlen, "cannot attach the BPF program to %s: %s",
			 x->path, strerror(errno));
		close(prog);
		goto fail;
	}
	/* the cgroup keeps the attached program */
	close(prog);
	return 0;
fail:
	tnl_exec_cleanup(x);
	return -1;
}

/* In the child, before exec: into the marking cgroup. */
int tnl_exec_enter(const struct tnl_exec *x)
{
	char procs[PATH_MAX + 16];
	int fd, ok;

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", x->path);
	fd = open(procs, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ok = write(fd, "0", 1) == 1;
	close(fd);
	return ok ? 0 : -1;
}

/* After the command: the cgroup goes (if the command left nothing in it). */
void tnl_exec_cleanup(struct tnl_exec *x)
{
	int i;

	if (x->cgfd >= 0)
		close(x->cgfd);
	x->cgfd = -1;
	if (!x->path[0])
		return;
	/* the last process of the cgroup may take a moment to leave it */
	for (i = 0; i < 50 && rmdir(x->path) && errno == EBUSY; i++)
		usleep(20000);
	x->path[0] = '\0';
}
