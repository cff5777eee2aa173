// SPDX-License-Identifier: GPL-2.0-only
/* A hosting node, end to end, with real mail software: smtp-sink plays the
 * internet, a real Postfix (running as the postfix user) is the node's MTA,
 * swaks is a tenant's script in a tenant cgroup. Every assertion on mail
 * flow is checked on what the sink received, over IPv4 and IPv6. */
#include "harness.h"
#include "suite.h"
#include "mailnode.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

/* A node as an admin would set it up: local submission (port 587 on
 * loopback) is exempt, the MTA's user may relay, everyone else is denied. */
static const char node_conf[] = "[global]\nports = 25 587\ndefault = deny\n"
				"exempt = 127.0.0.0/8 ::1/128\n"
				/* one log line per attempt: counted below */
				"log_condense_seconds = 0\n"
				"[rules]\nallow = user:postfix\n";

struct family {
	const char *name;   /* "v4" or "v6": also the recipient domain's label */
	const char *sink;   /* the internet's mail server */
	const char *submit; /* the node's Postfix, on loopback */
	const char *dest;   /* as events print the destination */
};

static const struct family v4 = {"v4", SFT_SINK4, "127.0.0.1", SFT_SINK4 ":25"};
static const struct family v6 = {"v6", SFT_SINK6, "::1", "[" SFT_SINK6 "]:25"};

static struct sft_env env;
static struct sft_mailnode node;
static char tenant_cg[PATH_MAX], tenant_target[PATH_MAX + 16];
static bool env_up, node_up;
static pid_t owner; /* main's pid: names this run's mail directories */

static void teardown(void)
{
	if (node_up)
		sft_mailnode_stop(&node);
	if (env_up)
		sft_env_teardown(&env);
	node_up = env_up = false;
}

static void cli_ok(const char *fmt, const char *arg)
{
	char args[PATH_MAX + 64];
	int rc;

	snprintf(args, sizeof(args), fmt, arg);
	rc = sft_cli(&env, "%s", args);
	ck_assert_msg(rc == 0, "smtpfence %s: exit %d: %s", args, rc, env.err);
}

static void start_node(const char *name)
{
	char mta[PATH_MAX], internet[PATH_MAX], dir[PATH_MAX];

	sft_env_setup(&env, name, node_conf);
	env_up = true;
	ck_assert_msg(sft_daemon_start(&env) == 0, "daemon did not start");
	ck_assert_int_eq(sft_cgroup_make(&env, "tenants/acme", tenant_cg, sizeof(tenant_cg)), 0);
	ck_assert_int_eq(sft_cgroup_make(&env, "mta", mta, sizeof(mta)), 0);
	ck_assert_int_eq(sft_cgroup_make(&env, "internet", internet, sizeof(internet)), 0);
	snprintf(tenant_target, sizeof(tenant_target), "cgroup:%s/tenants/acme", env.cgroup_rel);
	sft_mail_dir(owner, name, dir, sizeof(dir));
	ck_assert_msg(sft_mailnode_start(&node, dir, mta, internet) == 0, "mail node did not "
									  "start");
	node_up = true;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* swaks as the tenant, from the tenant's cgroup; its output in *out. */
static int swaks(const char *server, const char *port, const struct family *f, const char *subject,
		 char *out, size_t len)
{
	return sft_swaks(tenant_cg, server, port, f->name, subject, out, len);
}

static int direct(const struct family *f, const char *subject, char *out, size_t len)
{
	return swaks(f->sink, "25", f, subject, out, len);
}

static int submit(const struct family *f, const char *subject, char *out, size_t len)
{
	return swaks(f->submit, "587", f, subject, out, len);
}

/* Event lines in the daemon's log holding every one of a, b and c; waits up
 * to 5 s for `want` of them. */
static int events(const char *a, const char *b, const char *c, int want)
{
	char path[PATH_MAX + 16];
	static char text[1 << 20];
	int n = 0;

	snprintf(path, sizeof(path), "%s/daemon.log", env.dir);
	for (int t = 0; t < 50; t++) {
		FILE *fp = fopen(path, "r");
		size_t len = fp ? fread(text, 1, sizeof(text) - 1, fp) : 0;

		if (fp)
			fclose(fp);
		text[len] = '\0';
		n = 0;
		for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
			n += strstr(line, a) && strstr(line, b) && strstr(line, c);
		if (n >= want)
			break;
		usleep(100000);
	}
	return n;
}

/* "allowed" of the rule on `target` in `rules -j`. */
static long rule_allowed(const char *target)
{
	char pat[PATH_MAX + 32];
	const char *p;

	ck_assert_int_eq(sft_cli(&env, "rules -j"), 0);
	snprintf(pat, sizeof(pat), "\"target\":\"%s\"", target);
	p = strstr(env.out, pat);
	ck_assert_msg(p, "no rule %s in %s", target, env.out);
	p = strstr(p, "\"allowed\":");
	ck_assert_ptr_nonnull(p);
	return strtol(p + strlen("\"allowed\":"), NULL, 10);
}

static void scenario(const struct family *f)
{
	char out[16384], subj[64], who[PATH_MAX + 32];
	double t0;
	int rc, refused = 0;

	snprintf(who, sizeof(who), "cgroup %s/tenants/acme -> %s", env.cgroup_rel, f->dest);

	/* (a) straight to the internet: refused at once, with an event */
	snprintf(subj, sizeof(subj), "direct-denied-%s", f->name);
	t0 = now_s();
	rc = direct(f, subj, out, sizeof(out));
	ck_assert_msg(rc != 0 && strstr(out, "Operation not permitted"), "swaks %d: %s", rc, out);
	ck_assert_msg(now_s() - t0 < 3.0, "the refusal took %.1f s", now_s() - t0);
	ck_assert_int_eq(sft_sink_count(&node, subj, SFT_TENANT_HELO, 0, 0), 0);
	ck_assert_int_eq(events("deny swaks[", who, "by default", 1), 1);

	/* (b) the same message through the node's Postfix arrives */
	snprintf(subj, sizeof(subj), "via-postfix-%s", f->name);
	rc = submit(f, subj, out, sizeof(out));
	ck_assert_msg(rc == 0, "submission: swaks %d: %s", rc, out);
	ck_assert_int_eq(sft_sink_count(&node, subj, SFT_NODE_HELO, 1, 20000), 1);
	ck_assert_int_eq(sft_sink_count(&node, subj, SFT_TENANT_HELO, 0, 0), 0);
	/* Postfix's own connect was judged, and its user rule let it through */
	ck_assert_int_ge(rule_allowed("user:postfix"), 1);

	/* (c) allowed: the direct send works at once */
	cli_ok("allow %s", tenant_target);
	snprintf(subj, sizeof(subj), "direct-allowed-%s", f->name);
	rc = direct(f, subj, out, sizeof(out));
	ck_assert_msg(rc == 0, "allowed: swaks %d: %s", rc, out);
	ck_assert_int_eq(sft_sink_count(&node, subj, SFT_TENANT_HELO, 1, 2000), 1);

	/* (d) 3 per minute: exactly 3 of 10 get through */
	cli_ok("limit %s 3/min", tenant_target);
	snprintf(subj, sizeof(subj), "limited-%s", f->name);
	for (int i = 0; i < 10; i++) {
		rc = direct(f, subj, out, sizeof(out));
		if (rc != 0) {
			ck_assert_msg(strstr(out, "Operation not permitted"), "send %d: %s", i,
				      out);
			refused++;
		}
	}
	ck_assert_int_eq(refused, 7);
	ck_assert_int_eq(sft_sink_count(&node, subj, SFT_TENANT_HELO, 4, 1000), 3);
	ck_assert_int_eq(events("limit swaks[", who, tenant_target, 7), 7);

	/* (e) audit mode: mail flows, every tenant attempt is logged */
	cli_ok("unset %s", tenant_target);
	cli_ok("default %s", "log");
	snprintf(subj, sizeof(subj), "audit-%s", f->name);
	for (int i = 0; i < 3; i++) {
		rc = direct(f, subj, out, sizeof(out));
		ck_assert_msg(rc == 0, "audit send %d: swaks %d: %s", i, rc, out);
	}
	ck_assert_int_eq(sft_sink_count(&node, subj, SFT_TENANT_HELO, 3, 2000), 3);
	ck_assert_int_eq(events("log swaks[", who, "by default", 4), 3);
	snprintf(subj, sizeof(subj), "audit-via-postfix-%s", f->name);
	ck_assert_int_eq(submit(f, subj, out, sizeof(out)), 0);
	ck_assert_int_eq(sft_sink_count(&node, subj, SFT_NODE_HELO, 1, 20000), 1);
	/* nothing else reached the sink: every message is accounted for */
	ck_assert_int_eq(sft_sink_count(&node, "direct-denied-v4", SFT_TENANT_HELO, 0, 0) +
				 sft_sink_count(&node, "direct-denied-v6", SFT_TENANT_HELO, 0, 0),
			 0);
}

START_TEST(mail_flow_ipv4)
{
	start_node("e2e_v4");
	scenario(&v4);
}
END_TEST

START_TEST(mail_flow_ipv6)
{
	start_node("e2e_v6");
	scenario(&v6);
}
END_TEST

static void reap_leftovers(void)
{
	static const char *const names[] = {"e2e_v4", "e2e_v6"};

	sft_mailnode_reap_leftovers(owner, names, sizeof(names) / sizeof(names[0]));
}

int main(void)
{
	const char *missing = sft_mailnode_missing();
	TCase *tc;
	int failed;

	if (missing) {
		printf("SKIP: %s is missing (scripts/deps.sh installs it)\n", missing);
		return 77;
	}
	sft_sandbox_enter();
	owner = getpid();
	/* Postfix daemonizes: its orphans come back here to be reaped. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	tc = tcase_create("postfix");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, mail_flow_ipv4);
	tcase_add_test(tc, mail_flow_ipv6);
	failed = sft_run_tcase("e2e", tc);
	reap_leftovers();
	return failed;
}
