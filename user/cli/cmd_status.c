// SPDX-License-Identifier: GPL-2.0-only
/* status: what is loaded, attached where, how full the maps are, what was
 * counted and what was lost. */
#include "cli/commands.h"
#include "view/abuse_status.h"
#include "util/json_out.h"
#include "util/cgroupfs.h"
#include "util/log.h"
#include "policy/rules_read.h"
#include "policy/session.h"
#include "smtpfence.h"
#include "kernel/counters.h"
#include "kernel/gen.h"
#include "kernel/linkview.h"
#include "kernel/tclink.h"
#include "kernel/probe.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct link_state {
	bool pinned; /* attached, as the kernel says (the name is historical) */
	__u32 prog_id;
	__u64 cgroup_id;
};

static void from_kernel(const struct sf_link_view *v, size_t n, enum sf_hook hook,
			struct link_state *ls)
{
	const struct sf_link_view *l = sf_link_find(v, n, hook);

	memset(ls, 0, sizeof(*ls));
	if (!l)
		return;
	ls->pinned = true;
	ls->prog_id = l->prog_id;
	ls->cgroup_id = l->cgroup_id;
}

/* One line a link, as the kernel has it: a pin removed by hand, or a link
 * left running without one, shows here. */
static void print_links(const struct sf_link_view *v, size_t n, const struct sf_cgroup_names *names)
{
	for (int h = SF_HOOK_CONNECT4; h <= SF_HOOK_EGRESS; h++) {
		const struct sf_link_view *l = sf_link_find(v, n, (enum sf_hook)h);
		const char *cg = l ? sf_cgroup_names_get(names, l->cgroup_id) : NULL;

		if (!l)
			printf("  %-9s  not attached\n", sf_hook_name((enum sf_hook)h));
		else
			printf("  %-9s  on %s (cgroup id %llu), prog %u, link %u%s\n",
			       sf_hook_name((enum sf_hook)h), cg ? cg : "?",
			       (unsigned long long)l->cgroup_id, l->prog_id, l->link_id,
			       l->pinned ? "" : ", NOT pinned (ends with its holder)");
	}
}

static void add_links_json(json_object *o, const struct sf_link_view *v, size_t n,
			   const struct sf_cgroup_names *names)
{
	json_object *arr = json_object_new_array();

	for (int h = SF_HOOK_CONNECT4; h <= SF_HOOK_EGRESS; h++) {
		const struct sf_link_view *l = sf_link_find(v, n, (enum sf_hook)h);
		json_object *j = json_object_new_object();
		const char *cg = l ? sf_cgroup_names_get(names, l->cgroup_id) : NULL;

		json_object_object_add(j, "hook", json_object_new_string(sf_hook_name(h)));
		json_object_object_add(j, "attached", json_object_new_boolean(l != NULL));
		json_object_object_add(j, "cgroup", cg ? json_object_new_string(cg) : NULL);
		json_object_object_add(j, "cgroup_id",
				       json_object_new_uint64(l ? l->cgroup_id : 0));
		json_object_object_add(j, "prog_id", json_object_new_int64(l ? l->prog_id : 0));
		json_object_object_add(j, "link_id", json_object_new_int64(l ? l->link_id : 0));
		json_object_object_add(j, "pinned", json_object_new_boolean(l && l->pinned));
		json_object_array_add(arr, j);
	}
	json_object_object_add(o, "links", arr);
}

/* Counts the entries of a map in batches; -errno on failure. */
static long count_entries(int fd, __u32 *max)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), count;
	__u64 batch = 0;
	bool first = true;
	long total = 0;
	void *keys, *vals;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	*max = info.max_entries;
	keys = malloc(4096 * (size_t)info.key_size);
	vals = malloc(4096 * (size_t)info.value_size);
	for (; keys && vals;) {
		LIBBPF_OPTS(bpf_map_batch_opts, opts);
		int err;

		count = 4096;
		err = bpf_map_lookup_batch(fd, first ? NULL : &batch, &batch, keys, vals, &count,
					   &opts);
		first = false;
		total += count;
		if (err)
			break;
	}
	free(keys);
	free(vals);
	return total;
}

/* The kernel's features as the daemon's start probe sees them. */
static json_object *kernel_json(const struct sf_probe *p)
{
	json_object *o = json_object_new_object(), *missing = json_object_new_array();

	json_object_object_add(o, "release", json_object_new_string(p->release));
	json_object_object_add(o, "cgroup_mode",
			       json_object_new_string(sf_cgroup_mode_name(p->cgroup_mode)));
	json_object_object_add(o, "cgroup2_mount", json_object_new_string(p->cgroup2_mount));
	for (size_t i = 0; i < p->n; i++)
		if (!p->f[i].present)
			json_object_array_add(missing, json_object_new_string(p->f[i].name));
	json_object_object_add(o, "missing", missing);
	return o;
}

static void add_backstop_json(json_object *o, const struct link_state *eg,
			      const struct sf_tclink_info *tc, int n_tc, const struct sf_totals *t)
{
	json_object *arr = json_object_new_array();

	json_object_object_add(o, "egress_attached", json_object_new_boolean(eg->pinned));
	for (int i = 0; i < n_tc; i++) {
		json_object *d = json_object_new_object();

		json_object_object_add(d, "interface", json_object_new_string(tc[i].ifname));
		json_object_object_add(d, "ifindex", json_object_new_int64(tc[i].ifindex));
		json_object_object_add(d, "prog_id", json_object_new_int64(tc[i].prog_id));
		json_object_array_add(arr, d);
	}
	json_object_object_add(o, "tc", arr);
	json_object_object_add(o, "bypass", json_object_new_uint64(t->c.bypass));
	json_object_object_add(o, "forwarded", json_object_new_uint64(t->forwarded));
	json_object_object_add(o, "malformed", json_object_new_uint64(t->malformed));
}

static void print_backstop(const struct link_state *eg, const struct sf_tclink_info *tc, int n_tc,
			   const struct sf_totals *t)
{
	if (eg->pinned)
		printf("backstop:    cgroup_skb egress prog %u\n", eg->prog_id);
	else
		printf("backstop:    not attached (raw-socket SYNs are not judged)\n");
	for (int i = 0; i < n_tc; i++) {
		if (tc[i].ifindex)
			printf("tc egress:   %s (ifindex %u), prog %u\n", tc[i].ifname,
			       tc[i].ifindex, tc[i].prog_id);
		else
			printf("tc egress:   %s is gone (link dead until 'run' attaches again)\n",
			       tc[i].ifname);
	}
	printf("bypass:      %llu of the attempts came from sockets never judged at connect\n",
	       (unsigned long long)t->c.bypass);
	printf("forwarded:   %llu of the attempts were forwarded SYNs judged by tc\n",
	       (unsigned long long)t->forwarded);
	if (t->malformed)
		printf("malformed:   %llu packets that cannot be judged (TCP fragments, header "
		       "chains) dropped\n",
		       (unsigned long long)t->malformed);
}

/* Nothing pinned: nothing is enforced, which is no failure to say so
 * (systemctl is-active's 3). */
static int not_loaded(const struct sf_ctx *ctx)
{
	if (ctx->json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "pin_dir", json_object_new_string(ctx->pin_dir));
		json_object_object_add(o, "loaded", json_object_new_boolean(0));
		json_object_object_add(o, "enforcing", json_object_new_boolean(0));
		json_object_object_add(o, "daemon_pid", json_object_new_int(sf_daemon_pid(ctx)));
		sf_json_print(o);
	} else {
		printf("pinned at:   nothing at %s\n", ctx->pin_dir);
		printf("attached:    no (nothing is enforced; start it with 'smtpfence run')\n");
	}
	return SF_EXIT_INACTIVE;
}

/* The rules the kernel judges by now (the visible generation), and the
 * room for one policy (the table holds two during a change). */
static long count_rules(const struct sf_maps *m, __u32 *max)
{
	struct sf_compiled_rule *v = NULL;
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	size_t n = 0;
	int err = sf_rules_dump(m->rules, m->gen, &v, &n);

	free(v);
	*max = bpf_obj_get_info_by_fd(m->rules, &info, &len) ? 0 : info.max_entries / 2 + 1;
	return err ? err : (long)n;
}

/* A change whose process is gone: the lock tells best (a pid may be
 * reused), the pid where the lock cannot be read. */
static bool change_pending(const struct sf_ctx *ctx, const struct sf_gen *g, bool *interrupted)
{
	int held;

	if (!sf_gen_pending(g, interrupted))
		return false;
	held = sf_session_lock_held(ctx);
	if (held >= 0)
		*interrupted = !held;
	return true;
}

static json_object *generation_json(const struct sf_ctx *ctx, const struct sf_gen *g)
{
	json_object *o = json_object_new_object();
	bool interrupted = false, pending = change_pending(ctx, g, &interrupted);

	json_object_object_add(o, "visible", json_object_new_uint64(g->gen));
	json_object_object_add(o, "changes", json_object_new_uint64(g->changes));
	json_object_object_add(o, "recovered", json_object_new_uint64(g->recovered));
	json_object_object_add(o, "pending", json_object_new_boolean(pending));
	json_object_object_add(o, "interrupted", json_object_new_boolean(pending && interrupted));
	json_object_object_add(o, "target", pending ? json_object_new_uint64(g->target) : NULL);
	json_object_object_add(o, "pid", pending ? json_object_new_int((int)g->pid) : NULL);
	return o;
}

static void print_generation(const struct sf_ctx *ctx, const struct sf_gen *g)
{
	bool interrupted = false;

	printf("policy:      generation %llu (%llu changes, %llu interrupted ones resolved)\n",
	       (unsigned long long)g->gen, (unsigned long long)g->changes,
	       (unsigned long long)g->recovered);
	if (!change_pending(ctx, g, &interrupted))
		return;
	if (interrupted)
		printf("change:      INTERRUPTED: generation %llu was being %s by pid %u, which is "
		       "gone; the kernel judges by generation %llu; the next change or start "
		       "%s it\n",
		       (unsigned long long)g->target,
		       g->state == SF_GEN_PREPARED ? "made visible" : "prepared", g->pid,
		       (unsigned long long)g->gen,
		       g->state == SF_GEN_PREPARED ? "completes" : "rolls back");
	else
		printf("change:      in progress: generation %llu, by pid %u\n",
		       (unsigned long long)g->target, g->pid);
}

static int status(const struct sf_ctx *ctx, const void *opts, int argc, char **argv)
{
	struct sf_gen gen;
	struct sf_tclink_info tc[64];
	struct sf_link_view kv[SF_N_HOOKS * 64];
	struct link_state l4, l6, eg;
	int n_tc, n_kv;
	struct sf_maps m;
	struct sf_totals t;
	char mount[PATH_MAX] = "";
	const char *attach = NULL;
	struct sf_cgroup_names *names = NULL;
	struct sf_probe probe;
	char kernel[1024];
	__u32 max_rules = 0, max_flows = 0;
	long rules, flows;
	int err, pid;
	bool enforcing;

	(void)opts, (void)argc, (void)argv;
	err = sf_maps_open(ctx->pin_dir, &m);
	if (err == -ENOENT)
		return not_loaded(ctx);
	if (err)
		return sf_exit_for(err, ctx->pin_dir);
	n_kv = sf_links_in_kernel(&m, ctx->pin_dir, kv, sizeof(kv) / sizeof(kv[0]));
	if (n_kv < 0) {
		sf_warn("failed to list the kernel's BPF links: %s", strerror(-n_kv));
		n_kv = 0;
	}
	from_kernel(kv, (size_t)n_kv, SF_HOOK_CONNECT4, &l4);
	from_kernel(kv, (size_t)n_kv, SF_HOOK_CONNECT6, &l6);
	from_kernel(kv, (size_t)n_kv, SF_HOOK_EGRESS, &eg);
	n_tc = sf_tclink_list(ctx->pin_dir, tc, sizeof(tc) / sizeof(tc[0]));
	if (n_tc < 0)
		n_tc = 0;
	if ((l4.pinned || l6.pinned || eg.pinned) && !sf_cgroup2_mount(mount, sizeof(mount))) {
		names = sf_cgroup_names_load(mount);
		attach = sf_cgroup_names_get(names, l4.pinned ? l4.cgroup_id : l6.cgroup_id);
	}
	rules = count_rules(&m, &max_rules);
	sf_gen_read(m.gen, &gen);
	flows = count_entries(m.flows, &max_flows);
	sf_totals_read(m.totals, &t);
	pid = sf_daemon_pid(ctx);
	enforcing = l4.pinned || l6.pinned || eg.pinned || n_tc > 0;
	sf_probe_kernel(&probe, SF_MOUNTINFO);
	if (ctx->json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "pin_dir", json_object_new_string(ctx->pin_dir));
		json_object_object_add(o, "loaded", json_object_new_boolean(1));
		json_object_object_add(o, "enforcing", json_object_new_boolean(enforcing));
		json_object_object_add(o, "attached",
				       json_object_new_boolean(l4.pinned && l6.pinned));
		json_object_object_add(o, "cgroup", attach ? json_object_new_string(attach) : NULL);
		json_object_object_add(o, "cgroup_id", json_object_new_uint64(l4.cgroup_id));
		json_object_object_add(o, "daemon_pid", json_object_new_int(pid));
		json_object_object_add(o, "rules", json_object_new_int64(rules));
		json_object_object_add(o, "rules_max", json_object_new_int64(max_rules));
		json_object_object_add(o, "flows", json_object_new_int64(flows));
		json_object_object_add(o, "flows_max", json_object_new_int64(max_flows));
		json_object_object_add(o, "attempts", json_object_new_uint64(t.c.attempts));
		json_object_object_add(o, "allowed", json_object_new_uint64(t.c.allowed));
		json_object_object_add(o, "denied", json_object_new_uint64(t.c.denied));
		json_object_object_add(o, "limited", json_object_new_uint64(t.c.limited));
		json_object_object_add(o, "redirected", json_object_new_uint64(t.c.redirected));
		json_object_object_add(o, "events", json_object_new_uint64(t.events));
		json_object_object_add(o, "events_lost", json_object_new_uint64(t.events_lost));
		json_object_object_add(o, "flows_lost", json_object_new_uint64(t.flows_lost));
		json_object_object_add(o, "generation", generation_json(ctx, &gen));
		add_backstop_json(o, &eg, tc, n_tc, &t);
		add_links_json(o, kv, (size_t)n_kv, names);
		json_object_object_add(o, "kernel", kernel_json(&probe));
		sf_abuse_status_json(o, ctx->run_dir);
		sf_json_print(o);
	} else {
		printf("pinned at:   %s\n", ctx->pin_dir);
		if (l4.pinned && l6.pinned)
			printf("attached:    %s (cgroup id %llu), connect4 prog %u, connect6 prog "
			       "%u\n",
			       attach ? attach : "?", (unsigned long long)l4.cgroup_id, l4.prog_id,
			       l6.prog_id);
		else if (l4.pinned || l6.pinned)
			printf("attached:    PARTLY: no %s link, %s connects are not judged at "
			       "connect\n",
			       l4.pinned ? "connect6" : "connect4", l4.pinned ? "IPv6" : "IPv4");
		else
			printf("attached:    no (nothing is enforced)\n");
		print_links(kv, (size_t)n_kv, names);
		if (pid)
			printf("daemon:      running, pid %d\n", pid);
		else
			printf("daemon:      not running (enforcement continues from the pins)\n");
		printf("rules:       %ld of %u\n", rules, max_rules);
		print_generation(ctx, &gen);
		printf("flows:       %ld of %u\n", flows, max_flows);
		printf("attempts:    %llu (allowed %llu, denied %llu, limited %llu, redirected "
		       "%llu)\n",
		       (unsigned long long)t.c.attempts, (unsigned long long)t.c.allowed,
		       (unsigned long long)t.c.denied, (unsigned long long)t.c.limited,
		       (unsigned long long)t.c.redirected);
		printf("events:      %llu sent, %llu lost (ring buffer full)\n",
		       (unsigned long long)t.events, (unsigned long long)t.events_lost);
		if (t.flows_lost)
			printf("flows lost:  %llu (flow table update failed)\n",
			       (unsigned long long)t.flows_lost);
		print_backstop(&eg, tc, n_tc, &t);
		sf_probe_summary(&probe, kernel, sizeof(kernel));
		printf("kernel:      %s\n", kernel);
		sf_abuse_status_text(stdout, ctx->run_dir);
	}
	sf_cgroup_names_free(names);
	sf_maps_close(&m);
	return enforcing ? SF_EXIT_OK : SF_EXIT_INACTIVE;
}

const struct sf_command sf_cmd_status = {
	.name = "status",
	.summary = "what is loaded, attached, counted",
	.json = true,
	.needs_root = true,
	.run = status,
};
