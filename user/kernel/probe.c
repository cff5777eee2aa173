// SPDX-License-Identifier: GPL-2.0-only
#include "kernel/probe.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

/* Linux 6.6 uapi; Debian 12's headers predate tcx (as kernel/tclink.c). */
#define SF_BPF_TCX_EGRESS 47

enum probe_kind { PROG, MAP, HELPER, TCX };

static const struct {
	enum probe_kind kind;
	int type;   /* program or map type; for HELPER the program type */
	int helper; /* HELPER only */
	struct sf_feature f;
} table[] = {
	{PROG,
	 BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
	 0,
	 {"cgroup/connect4 and connect6 programs", "4.17", "judging connects", SF_NEED_ALWAYS,
	  false}},
	{PROG,
	 BPF_PROG_TYPE_CGROUP_SKB,
	 0,
	 {"cgroup_skb programs", "4.10", "the egress backstop", SF_NEED_ALWAYS, false}},
	{MAP, BPF_MAP_TYPE_HASH, 0, {"hash maps", "3.19", "rules", SF_NEED_ALWAYS, false}},
	{MAP,
	 BPF_MAP_TYPE_LPM_TRIE,
	 0,
	 {"LPM trie maps", "4.11", "exempt and source prefixes", SF_NEED_ALWAYS, false}},
	{MAP,
	 BPF_MAP_TYPE_LRU_HASH,
	 0,
	 {"LRU hash maps", "4.10", "per-flow counters", SF_NEED_ALWAYS, false}},
	{MAP,
	 BPF_MAP_TYPE_PERCPU_ARRAY,
	 0,
	 {"per-CPU array maps", "4.6", "host totals", SF_NEED_ALWAYS, false}},
	{MAP,
	 BPF_MAP_TYPE_SK_STORAGE,
	 0,
	 {"socket local storage", "5.2", "SYNs the backstop judged itself", SF_NEED_ALWAYS, false}},
	{MAP,
	 BPF_MAP_TYPE_PERCPU_HASH,
	 0,
	 {"per-CPU hash maps", "4.6", "per-rule counters", SF_NEED_ALWAYS, false}},
	{MAP,
	 BPF_MAP_TYPE_RINGBUF,
	 0,
	 {"the BPF ring buffer", "5.8", "events", SF_NEED_ALWAYS, false}},
	{HELPER,
	 BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
	 BPF_FUNC_set_retval,
	 {"bpf_set_retval in connect programs", "5.18",
	  "the errno a denied connect fails with (and cgroup bpf_link, 5.7)", SF_NEED_ALWAYS,
	  false}},
	{HELPER,
	 BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
	 BPF_FUNC_get_current_ancestor_cgroup_id,
	 {"bpf_get_current_ancestor_cgroup_id", "5.6", "rules on a cgroup's ancestors",
	  SF_NEED_ALWAYS, false}},
	{HELPER,
	 BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
	 BPF_FUNC_ktime_get_boot_ns,
	 {"bpf_ktime_get_boot_ns", "5.8", "rate limits and timestamps", SF_NEED_ALWAYS, false}},
	{HELPER,
	 BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
	 BPF_FUNC_get_socket_cookie,
	 {"bpf_get_socket_cookie in connect programs", "5.0", "recording verdicts on sockets",
	  SF_NEED_ALWAYS, false}},
	{HELPER,
	 BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
	 BPF_FUNC_skc_to_mptcp_sock,
	 {"bpf_skc_to_mptcp_sock in connect programs", "5.19",
	  "judging MPTCP subflows as their owner", SF_NEED_ALWAYS, false}},
	{HELPER,
	 BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
	 BPF_FUNC_get_current_task_btf,
	 {"bpf_get_current_task_btf in connect programs", "5.11", "the process of a flow",
	  SF_NEED_ALWAYS, false}},
	{HELPER,
	 BPF_PROG_TYPE_CGROUP_SKB,
	 BPF_FUNC_skb_ancestor_cgroup_id,
	 {"bpf_skb_ancestor_cgroup_id", "4.19", "the egress backstop", SF_NEED_ALWAYS, false}},
	{PROG,
	 BPF_PROG_TYPE_SCHED_CLS,
	 0,
	 {"tc programs", "4.1", "forwarded traffic (interfaces =)", SF_NEED_INTERFACES, false}},
	{TCX,
	 0,
	 0,
	 {"tcx links", "6.6", "forwarded traffic (interfaces =)", SF_NEED_INTERFACES, false}},
};

#define N_TABLE (sizeof(table) / sizeof(table[0]))

/* A kernel with tcx looks the interface up (ifindex 0: -ENODEV); one
 * without refuses the attach type (-EINVAL). Nothing is ever attached. */
static bool have_tcx(void)
{
	const struct bpf_insn insns[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
		{.code = BPF_JMP | BPF_EXIT},
	};
	int prog, link;

	prog = bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "sf_probe_tcx", "GPL", insns, 2, NULL);
	if (prog < 0)
		return false;
	link = bpf_link_create(prog, 0, SF_BPF_TCX_EGRESS, NULL);
	if (link >= 0) /* cannot happen with ifindex 0; never keep it */
		close(link);
	close(prog);
	return link >= 0 || errno == ENODEV;
}

static bool probe_one(size_t i)
{
	switch (table[i].kind) {
	case PROG:
		return libbpf_probe_bpf_prog_type(table[i].type, NULL) == 1;
	case MAP:
		return libbpf_probe_bpf_map_type(table[i].type, NULL) == 1;
	case HELPER:
		return libbpf_probe_bpf_helper(table[i].type, table[i].helper, NULL) == 1;
	default:
		return have_tcx();
	}
}

int sf_probe_kernel(struct sf_probe *p, const char *mountinfo)
{
	struct utsname u;

	memset(p, 0, sizeof(*p));
	if (!uname(&u))
		snprintf(p->release, sizeof(p->release), "%s", u.release);
	for (size_t i = 0; i < N_TABLE && p->n < SF_MAX_FEATURES; i++) {
		p->f[p->n] = table[i].f;
		p->f[p->n++].present = probe_one(i);
	}
	return sf_cgroup_mode_read(mountinfo, &p->cgroup_mode, p->cgroup2_mount,
				   sizeof(p->cgroup2_mount));
}

const struct sf_feature *sf_probe_missing(const struct sf_probe *p, bool interfaces)
{
	for (size_t i = 0; i < p->n; i++)
		if (!p->f[i].present && (p->f[i].need == SF_NEED_ALWAYS || interfaces))
			return &p->f[i];
	return NULL;
}

bool sf_probe_refusal(const struct sf_probe *p, bool interfaces, char *buf, size_t len)
{
	const struct sf_feature *m = sf_probe_missing(p, interfaces);

	if (m) {
		snprintf(buf, len, "kernel %s lacks %s (Linux %s), needed for %s", p->release,
			 m->name, m->kernel, m->for_what);
		return true;
	}
	if (p->cgroup_mode == SF_CGROUP_LEGACY) {
		snprintf(
			buf, len,
			"only cgroup v1 is mounted: the connect programs attach to a cgroup-v2 "
			"hierarchy; boot with systemd.unified_cgroup_hierarchy=1 (README, Kernel)");
		return true;
	}
	if (p->cgroup_mode == SF_CGROUP_NONE) {
		snprintf(buf, len,
			 "no cgroup hierarchy is mounted: mount cgroup2 (README, Kernel)");
		return true;
	}
	return false;
}

void sf_probe_summary(const struct sf_probe *p, char *buf, size_t len)
{
	size_t off = (size_t)snprintf(buf, len, "%s, cgroup %s%s%s", p->release,
				      sf_cgroup_mode_name(p->cgroup_mode),
				      p->cgroup2_mount[0] ? " at " : "", p->cgroup2_mount);
	bool any = false;

	for (size_t i = 0; i < p->n && off < len; i++) {
		if (p->f[i].present)
			continue;
		off += (size_t)snprintf(buf + off, len - off, "%s%s (Linux %s: %s)",
					any ? ", " : "; lacks ", p->f[i].name, p->f[i].kernel,
					p->f[i].for_what);
		any = true;
	}
	if (!any && off < len)
		snprintf(buf + off, len - off, "; every feature present");
}
