// SPDX-License-Identifier: GPL-2.0-only
#include "view/metrics.h"
#include "view/flows.h"
#include "smtpfence.h"
#include "kernel/counters.h"
#include "view/tenant_sum.h"
#include "kernel/tclink.h"
#include "util/version.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <sys/utsname.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int per_tenant(FILE *f, const struct sf_metrics *m, const struct sf_flow_table *ft)
{
	struct sf_tenant_set s;
	int err = sf_tenant_sum(m->tenants, ft, SF_BY_TENANT, true, &s);

	if (!err)
		err = sf_metrics_tenants(f, &s, m->top_tenants);
	sf_tenant_set_free(&s);
	if (err)
		return err;
	/* beside it, per user: one shared service makes one tenant */
	err = sf_tenant_sum(m->tenants, ft, SF_BY_USER, true, &s);
	if (!err)
		err = sf_metrics_users(f, &s, m->top_tenants);
	sf_tenant_set_free(&s);
	return err;
}

static __u32 max_entries(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.max_entries;
}

static void map_fill(FILE *f, const struct sf_metrics *m, size_t n_rules, size_t n_flows)
{
	sf_metrics_family(f, "smtpfence_map_entries", "gauge", "Entries in a pinned map.");
	fprintf(f, "smtpfence_map_entries{map=\"rules\"} %zu\n", n_rules);
	fprintf(f, "smtpfence_map_entries{map=\"flows\"} %zu\n", n_flows);
	sf_metrics_family(f, "smtpfence_map_max_entries", "gauge", "Capacity of a pinned map.");
	fprintf(f, "smtpfence_map_max_entries{map=\"rules\"} %u\n", max_entries(m->maps->rules));
	fprintf(f, "smtpfence_map_max_entries{map=\"flows\"} %u\n", max_entries(m->maps->flows));
}

static bool bpf_stats_enabled(void)
{
	FILE *s = fopen("/proc/sys/kernel/bpf_stats_enabled", "re");
	int on = 0;

	if (s) {
		if (fscanf(s, "%d", &on) != 1)
			on = 0;
		fclose(s);
	}
	return on == 1;
}

static int prog_info(const char *pin_dir, const char *link, struct bpf_prog_info *pi)
{
	struct bpf_link_info li = {};
	__u32 len = sizeof(li);
	char path[PATH_MAX];
	int lfd, pfd, err = 0;

	snprintf(path, sizeof(path), "%s/%s", pin_dir, link);
	lfd = bpf_obj_get(path);
	if (lfd < 0)
		return -errno;
	if (bpf_obj_get_info_by_fd(lfd, &li, &len))
		err = -errno;
	close(lfd);
	if (err)
		return err;
	pfd = bpf_prog_get_fd_by_id(li.prog_id);
	if (pfd < 0)
		return -errno;
	memset(pi, 0, sizeof(*pi));
	len = sizeof(*pi);
	if (bpf_obj_get_info_by_fd(pfd, pi, &len))
		err = -errno;
	close(pfd);
	return err;
}

/* Run statistics advance only while the kernel keeps them: the sysctl, or
 * a process holding a BPF_ENABLE_STATS fd (the sysctl does not show that
 * one, so counters that moved are shown as well). */
static void prog_stats(FILE *f, const char *pin_dir)
{
	static const struct {
		const char *link, *prog;
	} progs[] = {{SF_LINK_CONNECT4, "connect4"}, {SF_LINK_CONNECT6, "connect6"}};
	struct bpf_prog_info pi[2];
	bool have[2], on = bpf_stats_enabled(), counted = false;

	sf_metrics_family(f, "smtpfence_attached", "gauge",
			  "1 when the program is attached (its link is pinned).");
	for (size_t i = 0; i < 2; i++) {
		have[i] = !prog_info(pin_dir, progs[i].link, &pi[i]);
		counted |= have[i] && pi[i].run_cnt;
		fprintf(f, "smtpfence_attached{prog=\"%s\"} %d\n", progs[i].prog, have[i]);
	}
	sf_metrics_family(f, "smtpfence_bpf_stats_enabled", "gauge",
			  "1 when sysctl kernel.bpf_stats_enabled is set.");
	fprintf(f, "smtpfence_bpf_stats_enabled %d\n", on);
	if (!on && !counted)
		return;
	sf_metrics_family(f, "smtpfence_prog_run_count_total", "counter",
			  "Runs of the program while the kernel kept statistics.");
	for (size_t i = 0; i < 2; i++)
		if (have[i])
			fprintf(f, "smtpfence_prog_run_count_total{prog=\"%s\"} %llu\n",
				progs[i].prog, (unsigned long long)pi[i].run_cnt);
	sf_metrics_family(f, "smtpfence_prog_run_seconds_total", "counter",
			  "Time spent in the program while the kernel kept statistics.");
	for (size_t i = 0; i < 2; i++)
		if (have[i])
			fprintf(f, "smtpfence_prog_run_seconds_total{prog=\"%s\"} %.9f\n",
				progs[i].prog, (double)pi[i].run_time_ns / 1e9);
}

/* Which release runs where: joins with any series by instance. */
static void build_info(FILE *f)
{
	struct utsname u;

	if (uname(&u))
		snprintf(u.release, sizeof(u.release), "unknown");
	sf_metrics_family(f, "smtpfence_build_info", "gauge",
			  "Always 1; the labels say which smtpfence, libbpf and kernel run here.");
	fprintf(f, "smtpfence_build_info{version=\"%s\",libbpf=\"%u.%u\",kernel=\"", SF_VERSION,
		libbpf_major_version(), libbpf_minor_version());
	sf_metrics_label(f, u.release);
	fprintf(f, "\"} 1\n");
}

static bool link_pinned(const char *pin_dir, const char *name)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", pin_dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* Every link enforcement rests on: 0 for connect4/6 means nothing is judged. */
static void links_attached(FILE *f, const char *pin_dir)
{
	static const struct {
		const char *pin, *link;
	} links[] = {{SF_LINK_CONNECT4, "connect4"},
		     {SF_LINK_CONNECT6, "connect6"},
		     {SF_LINK_EGRESS, "egress"}};
	struct sf_tclink_info tc[64];
	int n_tc = sf_tclink_list(pin_dir, tc, sizeof(tc) / sizeof(tc[0]));

	sf_metrics_family(f, "smtpfence_link_attached", "gauge",
			  "1 when the link is pinned and attached (tc: its interface exists).");
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		fprintf(f, "smtpfence_link_attached{link=\"%s\"} %d\n", links[i].link,
			link_pinned(pin_dir, links[i].pin));
	for (int i = 0; i < n_tc; i++)
		fprintf(f, "smtpfence_link_attached{link=\"tc:%s\"} %d\n", tc[i].ifname,
			tc[i].ifindex != 0);
}

int sf_metrics_render(const struct sf_metrics *m, char **text, size_t *len)
{
	struct sf_flow_table ft = {};
	struct sf_totals t;
	size_t n_kind[SF_RULE_KINDS], n_rules = 0;
	FILE *f;
	int err;

	*text = NULL;
	err = sf_tenants_load_rules(m->tenants, m->maps->rules, m->maps->gen, n_kind);
	if (!err)
		err = sf_flows_read(m->maps->flows, &ft);
	if (!err)
		err = sf_totals_read(m->maps->totals, &t);
	if (err) {
		sf_flow_table_free(&ft);
		return err;
	}
	f = open_memstream(text, len);
	if (!f) {
		sf_flow_table_free(&ft);
		return -errno;
	}
	err = per_tenant(f, m, &ft);
	sf_metrics_totals(f, &t);
	for (size_t k = 0; k < SF_RULE_KINDS; k++)
		n_rules += n_kind[k];
	sf_metrics_rules(f, n_kind);
	map_fill(f, m, n_rules, ft.n);
	prog_stats(f, m->pin_dir);
	links_attached(f, m->pin_dir);
	build_info(f);
	if (m->extra)
		m->extra(f, m->extra_arg);
	if (fclose(f) && !err)
		err = -errno;
	sf_flow_table_free(&ft);
	if (err) {
		free(*text);
		*text = NULL;
	}
	return err;
}
