// SPDX-License-Identifier: GPL-2.0-only
/* The enforcement core on the real kernel: every policy dimension and each
 * precedence step, asserted on connect()'s errno and on the listener, in a
 * throwaway cgroup and a fresh network namespace. */
#include "fixture.h"
#include "suite.h"
#include "smtpfence.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define TENANT	   10001
#define OTHER	   10002
#define TENANT_GID 20001
#define OTHER_GID  20002

static const char base_conf[] = "[global]\nports = 25 587\ndefault = deny\n"
				"exempt = 198.51.100.0/24 2001:db8::2/128\n";

static int listener(const char *host, int port)
{
	int fd = sft_listen(host, port);

	ck_assert_msg(fd >= 0, "cannot listen on %s:%d", host, port);
	return fd;
}

/* One connect, its errno, and whether the listener saw it (lfd < 0: skip). */
static void expect(const char *cg, uid_t uid, gid_t gid, const char *host, int port,
		   enum sft_connect_mode mode, int want, int lfd)
{
	int got = sft_connect(cg, uid, gid, host, port, mode);

	ck_assert_msg(got == want,
		      "connect %s:%d as %u:%u from %s (mode %d): got %d (%s), want %d (%s)", host,
		      port, uid, gid, cg, mode, got, got > 0 ? strerror(got) : "ok", want,
		      want ? strerror(want) : "ok");
	if (lfd >= 0)
		ck_assert_int_eq(sft_accept_all(lfd), (want ? 0 : 1));
}

START_TEST(default_deny_and_unwatched_port)
{
	sft_start("default_deny", base_conf);
	int l25 = listener("192.0.2.1", 25), l80 = listener("192.0.2.1", 8080);

	expect(env.cgroup, TENANT, TENANT_GID, "192.0.2.1", 25, SFT_BLOCKING, EPERM, l25);
	expect(env.cgroup, TENANT, TENANT_GID, "192.0.2.1", 8080, SFT_BLOCKING, 0, l80);
	/* root is not special without a rule: this config has none for it */
	expect(env.cgroup, 0, 0, "192.0.2.1", 25, SFT_BLOCKING, EPERM, l25);
	/* outside the attach cgroup nothing is judged */
	int got =
		sft_connect(sft_cgroup_mount(), TENANT, TENANT_GID, "192.0.2.1", 25, SFT_BLOCKING);

	ck_assert_int_eq(got, 0);
	ck_assert_int_eq(sft_accept_all(l25), 1);
	/* only the two watched connects were counted */
	ck_assert_int_eq(sft_cli(&env, "status -j"), 0);
	ck_assert_msg(strstr(env.out, "\"attempts\":2,"), "status: %s", env.out);
	ck_assert_msg(strstr(env.out, "\"denied\":2,"), "status: %s", env.out);
	/* the start probe's view of this kernel: nothing missing */
	ck_assert_msg(strstr(env.out, "\"missing\":[]"), "status: %s", env.out);
	ck_assert_int_eq(sft_cli(&env, "status"), 0);
	ck_assert_msg(strstr(env.out, "\nkernel:      ") &&
			      strstr(env.out, "; every feature present\n"),
		      "status: %s", env.out);
}
END_TEST

START_TEST(second_watched_port_and_ipv6)
{
	sft_start("ipv6", base_conf);
	int l587 = listener("192.0.2.1", 587), l6 = listener("2001:db8::1", 25);

	expect(env.cgroup, TENANT, TENANT_GID, "192.0.2.1", 587, SFT_BLOCKING, EPERM, l587);
	expect(env.cgroup, TENANT, TENANT_GID, "2001:db8::1", 25, SFT_BLOCKING, EPERM, l6);
	sft_cli_ok("allow user:10001");
	expect(env.cgroup, TENANT, TENANT_GID, "2001:db8::1", 25, SFT_BLOCKING, 0, l6);
	expect(env.cgroup, OTHER, OTHER_GID, "2001:db8::1", 25, SFT_BLOCKING, EPERM, l6);
}
END_TEST

START_TEST(exempt_destinations)
{
	sft_start("exempt", base_conf);
	int lx = listener("198.51.100.1", 25), l6x = listener("2001:db8::2", 25);
	int l4 = listener("192.0.2.1", 25);

	expect(env.cgroup, TENANT, TENANT_GID, "198.51.100.1", 25, SFT_BLOCKING, 0, lx);
	expect(env.cgroup, TENANT, TENANT_GID, "2001:db8::2", 25, SFT_BLOCKING, 0, l6x);
	/* An AF_INET6 socket to ::ffff:a.b.c.d is IPv4 in every respect. */
	expect(env.cgroup, TENANT, TENANT_GID, "198.51.100.1", 25, SFT_V4_MAPPED, 0, lx);
	expect(env.cgroup, TENANT, TENANT_GID, "192.0.2.1", 25, SFT_V4_MAPPED, EPERM, l4);
	sft_cli_ok("allow user:10001");
	expect(env.cgroup, TENANT, TENANT_GID, "192.0.2.1", 25, SFT_V4_MAPPED, 0, l4);
}
END_TEST

START_TEST(uid_then_gid_then_default)
{
	sft_start("uid_gid", base_conf);
	int l = listener("192.0.2.1", 25);

	sft_cli_ok("allow group:20001");
	expect(env.cgroup, OTHER, TENANT_GID, "192.0.2.1", 25, SFT_BLOCKING, 0, l);
	expect(env.cgroup, OTHER, OTHER_GID, "192.0.2.1", 25, SFT_BLOCKING, EPERM, l);
	/* a UID rule beats a GID rule */
	sft_cli_ok("deny user:10002");
	expect(env.cgroup, OTHER, TENANT_GID, "192.0.2.1", 25, SFT_BLOCKING, EPERM, l);
	sft_cli_ok("unset user:10002");
	expect(env.cgroup, OTHER, TENANT_GID, "192.0.2.1", 25, SFT_BLOCKING, 0, l);
}
END_TEST

START_TEST(cgroup_nearest_ancestor)
{
	char parent[PATH_MAX], child[PATH_MAX], sibling[PATH_MAX], deep[PATH_MAX];

	sft_start("ancestor", base_conf);
	int l = listener("192.0.2.1", 25);

	sft_cgroup_make(&env, "tenants/acme", parent, sizeof(parent));
	sft_cgroup_make(&env, "tenants/acme/web", child, sizeof(child));
	sft_cgroup_make(&env, "tenants/acme/cron", sibling, sizeof(sibling));
	/* a cgroup rule beats a UID rule */
	sft_cli_ok("allow user:10001");
	ck_assert_int_eq(sft_cli(&env, "deny cgroup:%s/tenants/acme", env.cgroup_rel), 0);
	expect(child, TENANT, TENANT_GID, "192.0.2.1", 25, SFT_BLOCKING, EPERM, l);
	expect(parent, TENANT, TENANT_GID, "192.0.2.1", 25, SFT_BLOCKING, EPERM, l);
	/* the nearest ruled ancestor decides */
	ck_assert_int_eq(sft_cli(&env, "allow cgroup:%s/tenants/acme/web", env.cgroup_rel), 0);
	expect(child, OTHER, OTHER_GID, "192.0.2.1", 25, SFT_BLOCKING, 0, l);
	expect(sibling, OTHER, OTHER_GID, "192.0.2.1", 25, SFT_BLOCKING, EPERM, l);
	/* a cgroup created below a ruled one after the rule is covered */
	sft_cgroup_make(&env, "tenants/acme/cron/later/deeper", deep, sizeof(deep));
	expect(deep, TENANT, TENANT_GID, "192.0.2.1", 25, SFT_BLOCKING, EPERM, l);
	sft_cgroup_make(&env, "tenants/acme/web/later", deep, sizeof(deep));
	expect(deep, OTHER, OTHER_GID, "192.0.2.1", 25, SFT_BLOCKING, 0, l);
}
END_TEST

START_TEST(log_action_allows_and_reports)
{
	char log[PATH_MAX + 16], text[8192] = "";
	FILE *f;

	sft_start("log", base_conf);
	int l = listener("192.0.2.1", 25);

	sft_cli_ok("log user:10001");
	expect(env.cgroup, TENANT, TENANT_GID, "192.0.2.1", 25, SFT_BLOCKING, 0, l);
	/* the event reaches the daemon's log with the process name */
	snprintf(log, sizeof(log), "%s/daemon.log", env.dir);
	for (int i = 0; i < 50 && !strstr(text, "log "); i++) {
		usleep(100000);
		f = fopen(log, "r");
		if (f) {
			size_t n = fread(text, 1, sizeof(text) - 1, f);

			text[n] = '\0';
			fclose(f);
		}
	}
	ck_assert_msg(strstr(text, "log ") && strstr(text, "-> 192.0.2.1:25 by user:10001"),
		      "daemon log: %s", text);
}
END_TEST

START_TEST(nonblocking_and_fast_open)
{
	sft_start("connect_modes", base_conf);
	int l = listener("192.0.2.1", 25), l6 = listener("2001:db8::1", 25);

	expect(env.cgroup, TENANT, TENANT_GID, "192.0.2.1", 25, SFT_NONBLOCK, EPERM, l);
	expect(env.cgroup, TENANT, TENANT_GID, "192.0.2.1", 25, SFT_FASTOPEN_SENDTO, EPERM, l);
	expect(env.cgroup, TENANT, TENANT_GID, "192.0.2.1", 25, SFT_FASTOPEN_CONNECT, EPERM, l);
	expect(env.cgroup, TENANT, TENANT_GID, "2001:db8::1", 25, SFT_FASTOPEN_SENDTO, EPERM, l6);
	sft_cli_ok("allow user:10001");
	expect(env.cgroup, TENANT, TENANT_GID, "192.0.2.1", 25, SFT_NONBLOCK, 0, l);
	expect(env.cgroup, TENANT, TENANT_GID, "192.0.2.1", 25, SFT_FASTOPEN_SENDTO, 0, l);
	expect(env.cgroup, TENANT, TENANT_GID, "192.0.2.1", 25, SFT_FASTOPEN_CONNECT, 0, l);
}
END_TEST

START_TEST(configurable_errno)
{
	sft_start("errno", "[global]\nports = 25\ndefault = deny\ndeny_errno = ECONNREFUSED\n");
	int l = listener("192.0.2.1", 25);

	expect(env.cgroup, TENANT, TENANT_GID, "192.0.2.1", 25, SFT_BLOCKING, ECONNREFUSED, l);
}
END_TEST

START_TEST(live_ports_and_default)
{
	sft_start("ports", base_conf);
	int l = listener("192.0.2.1", 2525);

	expect(env.cgroup, TENANT, TENANT_GID, "192.0.2.1", 2525, SFT_BLOCKING, 0, l);
	sft_cli_ok("ports add 2525");
	expect(env.cgroup, TENANT, TENANT_GID, "192.0.2.1", 2525, SFT_BLOCKING, EPERM, l);
	ck_assert_int_eq(sft_cli(&env, "ports list"), 0);
	ck_assert_str_eq(env.out, "25 587 2525\n");
	sft_cli_ok("default allow");
	expect(env.cgroup, TENANT, TENANT_GID, "192.0.2.1", 2525, SFT_BLOCKING, 0, l);
	sft_cli_ok("default deny");
	sft_cli_ok("ports del 2525");
	expect(env.cgroup, TENANT, TENANT_GID, "192.0.2.1", 2525, SFT_BLOCKING, 0, l);
}
END_TEST

/* Pinned enforcement outlives the daemon; a new daemon re-adopts it. */
START_TEST(daemon_killed_and_restarted)
{
	sft_start("restart", base_conf);
	int l = listener("192.0.2.1", 25);

	sft_cli_ok("allow user:10001 --runtime");
	sft_cli_ok("deny user:10002");
	int status = sft_daemon_stop(&env, SIGKILL);

	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	expect(env.cgroup, OTHER, OTHER_GID, "192.0.2.1", 25, SFT_BLOCKING, EPERM, l);
	expect(env.cgroup, TENANT, TENANT_GID, "192.0.2.1", 25, SFT_BLOCKING, 0, l);
	/* changes without a daemon go straight to the pinned maps */
	sft_cli_ok("allow user:10003");
	expect(env.cgroup, 10003, OTHER_GID, "192.0.2.1", 25, SFT_BLOCKING, 0, l);
	ck_assert_int_eq(sft_cli(&env, "status"), 0);
	char before[512];

	snprintf(before, sizeof(before), "%s", strstr(env.out, "connect4 prog"));
	ck_assert_int_eq(sft_daemon_start(&env), 0);
	/* the pinned links now run the new daemon's programs: swapped, not re-attached */
	ck_assert_int_eq(sft_cli(&env, "status"), 0);
	ck_assert_msg(strstr(env.out, "connect4 prog") &&
			      strcmp(strstr(env.out, "connect4 prog"), before),
		      "programs not swapped: %s", env.out);
	char log[PATH_MAX + 16], text[4096] = "";

	snprintf(log, sizeof(log), "%s/daemon.log", env.dir);
	FILE *f = fopen(log, "r");

	ck_assert_ptr_nonnull(f);
	text[fread(text, 1, sizeof(text) - 1, f)] = '\0';
	fclose(f);
	ck_assert_msg(strstr(text, "re-adopted enforcement on"), "%s", text);
	expect(env.cgroup, OTHER, OTHER_GID, "192.0.2.1", 25, SFT_BLOCKING, EPERM, l);
	expect(env.cgroup, TENANT, TENANT_GID, "192.0.2.1", 25, SFT_BLOCKING, 0, l);
	expect(env.cgroup, 10003, OTHER_GID, "192.0.2.1", 25, SFT_BLOCKING, 0, l);
	ck_assert_int_eq(sft_cli(&env, "status"), 0);
	ck_assert_msg(
		strstr(env.out, "attempts:    6 (allowed 4, denied 2, limited 0, redirected 0)"),
		"%s", env.out);
	/* a clean stop leaves enforcement in place too */
	status = sft_daemon_stop(&env, SIGTERM);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
	expect(env.cgroup, OTHER, OTHER_GID, "192.0.2.1", 25, SFT_BLOCKING, EPERM, l);
	/* unload is the way to remove it */
	sft_cli_ok("unload");
	expect(env.cgroup, OTHER, OTHER_GID, "192.0.2.1", 25, SFT_BLOCKING, 0, l);
	ck_assert_int_eq(access(env.pin_dir, F_OK), -1);
}
END_TEST

struct flow_sum {
	unsigned long long attempts, allowed, denied, limited, redirected;
	int flows;
};

static void sum_flows(const char *pin_dir, const struct sf_flow_key *want, struct flow_sum *sum,
		      struct flow_sum *match)
{
	char path[PATH_MAX];
	struct sf_flow_key key, next;
	struct sf_flow v;
	int fd;
	void *prev = NULL;

	snprintf(path, sizeof(path), "%s/%s", pin_dir, SF_MAP_FLOWS);
	fd = bpf_obj_get(path);
	ck_assert_int_ge(fd, 0);
	memset(sum, 0, sizeof(*sum));
	memset(match, 0, sizeof(*match));
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		ck_assert_int_eq(bpf_map_lookup_elem(fd, &key, &v), 0);
		/* per flow: every attempt has exactly one outcome */
		ck_assert_uint_eq(v.c.attempts,
				  v.c.allowed + v.c.denied + v.c.limited + v.c.redirected);
		sum->attempts += v.c.attempts;
		sum->allowed += v.c.allowed;
		sum->denied += v.c.denied;
		sum->redirected += v.c.redirected;
		sum->flows++;
		if (key.uid == want->uid && key.family == want->family &&
		    key.dport == want->dport && !memcmp(key.daddr, want->daddr, 16)) {
			match->attempts += v.c.attempts;
			match->allowed += v.c.allowed;
			match->denied += v.c.denied;
			match->flows++;
			ck_assert_uint_le(v.first_ns, v.last_ns);
		}
	}
	close(fd);
}

START_TEST(counters_add_up)
{
	struct sf_flow_key want = {.uid = TENANT, .family = AF_INET, .dport = htons(25)};
	struct flow_sum all, mine;

	sft_start("counters", base_conf);
	int l = listener("192.0.2.1", 25);

	inet_pton(AF_INET, "192.0.2.1", want.daddr);
	for (int i = 0; i < 3; i++)
		expect(env.cgroup, TENANT, TENANT_GID, "192.0.2.1", 25, SFT_BLOCKING, EPERM, l);
	sft_cli_ok("allow user:10001");
	for (int i = 0; i < 2; i++)
		expect(env.cgroup, TENANT, TENANT_GID, "192.0.2.1", 25, SFT_BLOCKING, 0, l);
	expect(env.cgroup, TENANT, TENANT_GID, "192.0.2.1", 25, SFT_V4_MAPPED, 0, l);
	expect(env.cgroup, OTHER, OTHER_GID, "2001:db8::1", 25, SFT_BLOCKING, EPERM, -1);
	sum_flows(env.pin_dir, &want, &all, &mine);
	ck_assert_int_eq(mine.flows, 1); /* the mapped connect joined the IPv4 flow */
	ck_assert_uint_eq(mine.attempts, 6);
	ck_assert_uint_eq(mine.allowed, 3);
	ck_assert_uint_eq(mine.denied, 3);
	ck_assert_int_eq(all.flows, 2);
	ck_assert_uint_eq(all.attempts, 7);
	ck_assert_uint_eq(all.attempts, all.allowed + all.denied);
	/* the per-rule counters name who decided */
	ck_assert_int_eq(sft_cli(&env, "rules -j"), 0);
	ck_assert_msg(strstr(env.out,
			     "{\"schema\":1,\"target\":\"default\",\"action\":\"deny\",\"state\":\"active\","
			     "\"origin\":\"config\",\"attempts\":4,\"allowed\":0,\"denied\":4,"),
		      "%s", env.out);
	ck_assert_msg(strstr(env.out, "\"target\":\"user:10001\",\"action\":\"allow\",\"state\":"
				      "\"active\""),
		      "%s", env.out);
	ck_assert_msg(strstr(env.out, "\"attempts\":3,\"allowed\":3,\"denied\":0"), "%s", env.out);
	/* a redirected attempt is its own outcome, not an allowed one */
	int relay = listener("::1", 25);

	sft_cli_ok("redirect user:10002");
	expect(env.cgroup, OTHER, OTHER_GID, "2001:db8::1", 25, SFT_BLOCKING, 0, relay);
	sum_flows(env.pin_dir, &want, &all, &mine);
	ck_assert_uint_eq(all.attempts, 8);
	ck_assert_uint_eq(all.redirected, 1);
	ck_assert_uint_eq(all.allowed, 3);
	ck_assert_uint_eq(all.attempts, all.allowed + all.denied + all.redirected);
}
END_TEST

/* Each bad input: exit 2, a message naming the offending word, and the
 * rules exactly as they were. */
START_TEST(bad_cli_input_changes_nothing)
{
	static const struct {
		const char *args, *msg;
	} cases[] = {
		{"allow user:no-such-user-xyz", "unknown user 'no-such-user-xyz'"},
		{"deny group:no-such-group-xyz", "unknown group 'no-such-group-xyz'"},
		{"allow dest:10.0.0.0/33", "invalid prefix length '/33'"},
		{"allow dest:10.0.0.1/8", "has host bits set"},
		{"allow dest:300.0.0.0/8", "invalid address '300.0.0.0'"},
		{"deny dest:10.0.0.0/8", "dest: targets can only be exempted with allow"},
		{"allow host:foo", "unknown target kind 'host'"},
		{"allow postfix", "invalid target 'postfix'"},
		{"allow cgroup:../etc", "invalid cgroup path"},
		{"allow unit:acme", "invalid unit name 'acme'"},
		{"ports add 0", "invalid port '0'"},
		{"ports add 65536", "invalid port '65536'"},
		{"ports add smtp", "invalid port 'smtp'"},
		{"ports remove 25", "usage: smtpfence ports"},
		{"default maybe", "unknown action 'maybe'"},
		{"limit user:10001 5/fortnight", "invalid rate period 'fortnight'"},
		{"limit user:10001", "usage: smtpfence limit TARGET"},
		{"unset user:10001", "no rule on user:10001"},
		{"allow user:10001 extra", "usage: smtpfence allow TARGET"},
		{"frobnicate", "unknown command 'frobnicate'"},
		{"stauts", "unknown command 'stauts' (did you mean status?)"},
		{"help stauts", "unknown command 'stauts' (did you mean status?)"},
		{"default allow extra", "usage: smtpfence default allow|deny|log|limit"},
		{"rules --runtime", "option --runtime does not apply to 'rules'"},
		{"status --bogus", "unknown option '--bogus'"},
	};
	char before[SFT_OUT_LEN], ports_before[256];

	sft_start("bad_input", base_conf);
	sft_cli_ok("allow user:10002");
	ck_assert_int_eq(sft_cli(&env, "rules -j"), 0);
	snprintf(before, sizeof(before), "%s", env.out);
	ck_assert_int_eq(sft_cli(&env, "ports list"), 0);
	snprintf(ports_before, sizeof(ports_before), "%s", env.out);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = sft_cli(&env, "%s", cases[i].args);

		ck_assert_msg(rc == 2, "'%s': exit %d, want 2 (%s)", cases[i].args, rc, env.err);
		ck_assert_msg(strstr(env.err, cases[i].msg), "'%s': message '%s' lacks '%s'",
			      cases[i].args, env.err, cases[i].msg);
		ck_assert_msg(!strchr(env.err, '\n') || strchr(env.err, '\n')[1] == '\0',
			      "'%s': more than one line: %s", cases[i].args, env.err);
		ck_assert_int_eq(sft_cli(&env, "rules -j"), 0);
		ck_assert_msg(!strcmp(env.out, before), "'%s' changed the rules:\n%s\nwas\n%s",
			      cases[i].args, env.out, before);
		ck_assert_int_eq(sft_cli(&env, "ports list"), 0);
		ck_assert_str_eq(env.out, ports_before);
	}
	/* and the policy in force is still the old one */
	int l = listener("192.0.2.1", 25);

	expect(env.cgroup, OTHER, OTHER_GID, "192.0.2.1", 25, SFT_BLOCKING, 0, l);
	expect(env.cgroup, TENANT, TENANT_GID, "192.0.2.1", 25, SFT_BLOCKING, EPERM, l);
}
END_TEST

START_TEST(not_root_gets_one_line)
{
	sft_start("not_root", base_conf);
	pid_t pid = fork();

	if (pid == 0) {
		char out[PATH_MAX + 16];

		snprintf(out, sizeof(out), "%s/nonroot.err", env.dir);
		if (!freopen(out, "w", stderr) || setgid(65534) || setuid(65534))
			_exit(99);
		execl("build/smtpfence", "smtpfence", "--pin-dir", env.pin_dir, "status",
		      (char *)NULL);
		_exit(98);
	}
	int status;

	waitpid(pid, &status, 0);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 1);
	char path[PATH_MAX + 16], text[1024] = "";

	snprintf(path, sizeof(path), "%s/nonroot.err", env.dir);
	FILE *f = fopen(path, "r");

	ck_assert_ptr_nonnull(f);
	size_t n = fread(text, 1, sizeof(text) - 1, f);

	text[n] = '\0';
	fclose(f);
	ck_assert_str_eq(text, "smtpfence: permission denied: smtpfence needs root (CAP_BPF and "
			       "CAP_NET_ADMIN)\n");
}
END_TEST

int main(void)
{
	TCase *tc = tcase_create("connect");

	sft_sandbox_enter();
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, NULL, sft_teardown);
	tcase_add_test(tc, default_deny_and_unwatched_port);
	tcase_add_test(tc, second_watched_port_and_ipv6);
	tcase_add_test(tc, exempt_destinations);
	tcase_add_test(tc, uid_then_gid_then_default);
	tcase_add_test(tc, cgroup_nearest_ancestor);
	tcase_add_test(tc, log_action_allows_and_reports);
	tcase_add_test(tc, nonblocking_and_fast_open);
	tcase_add_test(tc, configurable_errno);
	tcase_add_test(tc, live_ports_and_default);
	tcase_add_test(tc, daemon_killed_and_restarted);
	tcase_add_test(tc, counters_add_up);
	tcase_add_test(tc, bad_cli_input_changes_nothing);
	tcase_add_test(tc, not_root_gets_one_line);
	return sft_run_tcase("enforce", tc);
}
