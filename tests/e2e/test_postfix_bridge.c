// SPDX-License-Identifier: GPL-2.0-only
/* The mail-flow bridge end to end, with real Postfix: a tenant's script
 * (swaks) speaks SMTP straight to an "internet" address on port 25; it is
 * redirected to the node's Postfix, which asks the policy service
 * (check_policy_service unix:RUN_DIR/policy.sock) and relays it to the
 * smart host (smtp-sink) with X-Smtpfence-Tenant naming the tenant and the
 * script; past the tenant's `messages` limit Postfix defers; a denied
 * tenant still gets EPERM; Postfix's own user delivers. IPv4, IPv6 and
 * v4-mapped. */
#include "harness.h"
#include "mailnode.h"
#include "suite.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

static const char node_conf[] = "[global]\nports = 25 587\ndefault = deny\n"
				"exempt = 127.0.0.0/8 ::1/128\n"
				"relay = 127.0.0.1:587 [::1]:587\n"
				"[rules]\nallow = user:postfix\n";

struct family {
	const char *name;   /* recipient domain label: v4 or v6 */
	const char *server; /* where the script connects */
};

static const struct family v4 = {"v4", SFT_SINK4};
static const struct family v6 = {"v6", SFT_SINK6};
static const struct family mapped = {"v4", "::ffff:" SFT_SINK4};

static struct sft_env env;
static struct sft_mailnode node;
static struct sft_bridge b;
static bool env_up, node_up;
static pid_t owner;

static void teardown(void)
{
	if (node_up)
		sft_mailnode_stop(&node);
	if (env_up)
		sft_env_teardown(&env);
	node_up = env_up = false;
}

/* The node with acme redirected (2 messages an hour) and bad denied, its
 * Postfix asking the policy service. */
static void start_node(const char *name)
{
	char dir[PATH_MAX], extra[1024];

	sft_env_setup(&env, name, node_conf);
	env_up = true;
	sft_bridge_setup(&env, &b);
	snprintf(extra, sizeof(extra),
		 "smtpd_recipient_restrictions = check_policy_service unix:%s/policy.sock, "
		 "permit_mynetworks, reject\n",
		 env.run_dir);
	sft_mail_dir(owner, name, dir, sizeof(dir));
	ck_assert_msg(sft_mailnode_start_with(&node, dir, b.mta, b.internet, extra) == 0,
		      "mail node did not start");
	node_up = true;
}

static int swaks(const char *cg, const struct family *f, const char *subject, char *out, size_t len)
{
	return sft_swaks(cg, f->server, "25", f->name, subject, out, len);
}

static void scenario(const struct family *f, const char *tag)
{
	char out[16384], subj[64], h[512];
	int rc;

	/* redirected, relayed by Postfix, stamped with the tenant */
	for (int i = 1; i <= 2; i++) {
		snprintf(subj, sizeof(subj), "bridge-%s-%d", tag, i);
		rc = swaks(b.acme, f, subj, out, sizeof(out));
		ck_assert_msg(rc == 0, "swaks %d: %s", rc, out);
		ck_assert_int_eq(sft_sink_count(&node, subj, SFT_NODE_HELO, 1, 20000), 1);
		ck_assert_int_eq(sft_sink_header(&node, subj, "X-Smtpfence-Tenant", h, sizeof(h)),
				 0);
		ck_assert_msg(!strncmp(h, b.acme_rel, strlen(b.acme_rel)) &&
				      !strncmp(h + strlen(b.acme_rel),
					       "; user=10001; process=swaks[", 28),
			      "X-Smtpfence-Tenant: '%s'", h);
	}
	/* the third message in the hour: Postfix defers it */
	snprintf(subj, sizeof(subj), "bridge-%s-3", tag);
	rc = swaks(b.acme, f, subj, out, sizeof(out));
	ck_assert_msg(rc != 0 && strstr(out, "4.7.1") && strstr(out, "2 messages per hour"),
		      "swaks %d: %s", rc, out);
	ck_assert_int_eq(sft_sink_count(&node, subj, SFT_NODE_HELO, 1, 2000), 0);
	/* a denied tenant is still refused at connect */
	snprintf(subj, sizeof(subj), "bridge-%s-denied", tag);
	rc = swaks(b.bad, f, subj, out, sizeof(out));
	ck_assert_msg(rc != 0 && strstr(out, "Operation not permitted"), "swaks %d: %s", rc, out);
	/* counted: 2 messages, a deferral */
	char sample[PATH_MAX + 96];

	snprintf(sample, sizeof(sample), "smtpfence_mail_messages_total{tenant=\"%s\"} 2\n",
		 b.acme_rel);
	for (int t = 0; t < 30; t++) {
		ck_assert_int_eq(sft_cli(&env, "metrics"), 0);
		if (strstr(env.out, sample))
			break;
		usleep(100000);
	}
	ck_assert_msg(strstr(env.out, sample), "%.4000s", env.out);
	snprintf(sample, sizeof(sample),
		 "smtpfence_mail_deferred_total{tenant=\"%s\",limit=\"messages\"} 1\n", b.acme_rel);
	ck_assert_msg(strstr(env.out, sample), "%.4000s", env.out);
}

START_TEST(bridge_ipv4)
{
	start_node("bridge_v4");
	scenario(&v4, "v4");
}
END_TEST

START_TEST(bridge_ipv6)
{
	start_node("bridge_v6");
	scenario(&v6, "v6");
}
END_TEST

START_TEST(bridge_v4_mapped)
{
	start_node("bridge_mapped");
	scenario(&mapped, "mapped");
}
END_TEST

static void reap_leftovers(void)
{
	static const char *const names[] = {"bridge_v4", "bridge_v6", "bridge_mapped"};

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
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	tc = tcase_create("postfix_bridge");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, bridge_ipv4);
	tcase_add_test(tc, bridge_ipv6);
	tcase_add_test(tc, bridge_v4_mapped);
	failed = sft_run_tcase("e2e_bridge", tc);
	reap_leftovers();
	return failed;
}
