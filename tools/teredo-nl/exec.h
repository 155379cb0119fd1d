/* SPDX-License-Identifier: GPL-2.0 */
/* teredo-nl exec: a cgroup whose sockets all carry a mark (cgroup v2 + BPF). */
#ifndef TNL_EXEC_H
#define TNL_EXEC_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

struct tnl_exec {
	char path[PATH_MAX];		/* the cgroup directory, "" if none */
	int cgfd;
};

/* Creates the cgroup and attaches the marking program: 0, or -1 + @err. */
int tnl_exec_setup(struct tnl_exec *x, uint32_t mark, char *err, size_t errlen);
/* In the child before exec: joins the cgroup; 0 or -1 (errno). */
int tnl_exec_enter(const struct tnl_exec *x);
void tnl_exec_cleanup(struct tnl_exec *x);

#endif
