// SPDX-License-Identifier: GPL-2.0-only
/* The kernel probe: the cgroup mode read from mountinfo files the test
 * writes (unified, hybrid, EL8's legacy v1-only, none), the one-line
 * refusal naming the missing feature and its kernel, and the probe of
 * this machine's kernel (which has every feature smtpfence needs). */
#include "kernel/probe.h"
#include "suite.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[64];

static const char *mountinfo(const char *text)
{
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/smtpfence-mountinfo.XXXXXX");
	f = fdopen(mkstemp(path), "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void teardown(void)
{
	unlink(path);
}

#define SYSFS "22 27 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
#define V2(at)                                                                                     \
	"26 22 0:23 / " at " rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 "          \
	"rw,nsdelegate,memory_recursiveprot\n"
#define V1(n, c)                                                                                   \
	"3" #n " 25 0:3" #n " / /sys/fs/cgroup/" c " rw,nosuid,nodev,noexec,relatime shared:1" #n  \
	" - cgroup cgroup rw," c "\n"
#define TMPFS                                                                                      \
	"25 22 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:8 - tmpfs tmpfs ro,mode=755\n"

static enum sf_cgroup_mode mode_of(const char *text, char *mnt)
{
	enum sf_cgroup_mode m;

	ck_assert_int_eq(sf_cgroup_mode_read(mountinfo(text), &m, mnt, 4096), 0);
	return m;
}

START_TEST(cgroup_modes)
{
	char mnt[4096];

	ck_assert_int_eq(mode_of(SYSFS V2("/sys/fs/cgroup"), mnt), SF_CGROUP_UNIFIED);
	ck_assert_str_eq(mnt, "/sys/fs/cgroup");
	/* Debian 10, EL8 with the v2 mount systemd adds: v1 controllers and v2 */
	ck_assert_int_eq(mode_of(SYSFS TMPFS V1(1, "memory") V1(2, "cpu,cpuacct")
					 V2("/sys/fs/cgroup/unified"),
				 mnt),
			 SF_CGROUP_HYBRID);
	ck_assert_str_eq(mnt, "/sys/fs/cgroup/unified");
	/* EL8's default: v1 only */
	ck_assert_int_eq(mode_of(SYSFS TMPFS V1(1, "memory") V1(2, "systemd"), mnt),
			 SF_CGROUP_LEGACY);
	ck_assert_str_eq(mnt, "");
	ck_assert_int_eq(mode_of(SYSFS, mnt), SF_CGROUP_NONE);
	/* a " - " inside no field of interest, a line without one */
	ck_assert_int_eq(mode_of("garbage\n" SYSFS V2("/x"), mnt), SF_CGROUP_UNIFIED);
	ck_assert_str_eq(mnt, "/x");
}
END_TEST

START_TEST(unreadable_mountinfo)
{
	enum sf_cgroup_mode m;
	char mnt[64];

	ck_assert_int_lt(sf_cgroup_mode_read("/nonexistent/mountinfo", &m, mnt, sizeof(mnt)), 0);
}
END_TEST

static void all_present(struct sf_probe *p, const char *mi)
{
	/* The real table, every feature marked present. */
	sf_probe_kernel(p, mi);
	for (size_t i = 0; i < p->n; i++)
		p->f[i].present = true;
	snprintf(p->release, sizeof(p->release), "4.18.0-553.el8_10.x86_64");
}

static struct sf_feature *feature(struct sf_probe *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (strstr(p->f[i].name, name))
			return &p->f[i];
	ck_abort_msg("no feature %s", name);
	return NULL;
}

START_TEST(refusal_names_feature_and_kernel)
{
	struct sf_probe p;
	char why[512];

	all_present(&p, mountinfo(SYSFS V2("/sys/fs/cgroup")));
	ck_assert(!sf_probe_refusal(&p, true, why, sizeof(why)));
	feature(&p, "bpf_set_retval")->present = false;
	feature(&p, "ring buffer")->present = false;
	ck_assert(sf_probe_refusal(&p, false, why, sizeof(why)));
	/* the first one in the table's order, one line */
	ck_assert_str_eq(why, "kernel 4.18.0-553.el8_10.x86_64 lacks the BPF ring buffer (Linux "
			      "5.8), needed for events");
	ck_assert_ptr_null(strchr(why, '\n'));
}
END_TEST

START_TEST(tcx_only_for_interfaces)
{
	struct sf_probe p;
	char why[512];

	all_present(&p, mountinfo(SYSFS V2("/sys/fs/cgroup")));
	feature(&p, "tcx")->present = false;
	ck_assert(!sf_probe_refusal(&p, false, why, sizeof(why)));
	ck_assert(sf_probe_refusal(&p, true, why, sizeof(why)));
	ck_assert_str_eq(why, "kernel 4.18.0-553.el8_10.x86_64 lacks tcx links (Linux 6.6), needed "
			      "for forwarded traffic (interfaces =)");
}
END_TEST

START_TEST(legacy_cgroup_refused)
{
	struct sf_probe p;
	char why[512];

	all_present(&p, mountinfo(SYSFS TMPFS V1(1, "memory")));
	ck_assert_int_eq(p.cgroup_mode, SF_CGROUP_LEGACY);
	ck_assert(sf_probe_refusal(&p, false, why, sizeof(why)));
	ck_assert_ptr_nonnull(strstr(why, "only cgroup v1 is mounted"));
	ck_assert_ptr_nonnull(strstr(why, "systemd.unified_cgroup_hierarchy=1"));
	/* hybrid hosts have a v2 hierarchy: accepted */
	all_present(&p, mountinfo(SYSFS TMPFS V1(1, "memory") V2("/sys/fs/cgroup/unified")));
	ck_assert(!sf_probe_refusal(&p, false, why, sizeof(why)));
}
END_TEST

START_TEST(this_kernel)
{
	struct sf_probe p;
	char line[2048];

	if (geteuid())
		return (void)printf("this_kernel: skipped, probes load programs (root only)\n");
	ck_assert_int_eq(sf_probe_kernel(&p, SF_MOUNTINFO), 0);
	sf_probe_summary(&p, line, sizeof(line));
	printf("probe: %s\n", line);
	/* 6.x with BPF: every feature, tcx included */
	ck_assert_ptr_null(sf_probe_missing(&p, true));
	ck_assert_ptr_nonnull(strstr(line, "every feature present"));
}
END_TEST

int main(void)
{
	return sft_run_tests("probe", NULL, teardown,
			     (const TTest *const[]){cgroup_modes, unreadable_mountinfo,
						    refusal_names_feature_and_kernel,
						    tcx_only_for_interfaces, legacy_cgroup_refused,
						    this_kernel, NULL});
}
