// SPDX-License-Identifier: GPL-2.0-only
/* events: every denied, logged or limited connect becomes one record with
 * the process, user, cgroup, destination and deciding rule; in the daemon's
 * history, to followers, to the journal with structured fields; floods are
 * folded as "suppressed N"; ring buffer overflows are counted. */
#include "observe_util.h"

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static const char conf[] = "ports = 25\ndefault = deny\nmetrics_address = off\n"
			   "log_condense_seconds = 0\n[rules]\nlog = cgroup:{CG}/audit\n"
			   "limit = cgroup:{CG}/lim 1/min burst 1\n";
static const char *subs[] = {"bad", "audit", "lim", NULL};

static void start(const char *name, const char *text)
{
	sft_observe_start(name, text, subs);
}

static int count_verdict(json_object *arr, const char *verdict, const char *cgroup_suffix)
{
	int n = 0;

	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		const char *cg = sft_json_str(e, "cgroup");

		if (!strcmp(sft_json_str(e, "verdict"), verdict) &&
		    !strcmp(cg + strlen(cg) - strlen(cgroup_suffix), cgroup_suffix))
			n++;
	}
	return n;
}

START_TEST(history_names_everything)
{
	char want_cg[PATH_MAX], want_rule[PATH_MAX];

	start("history", conf);
	int l = sft_listen("192.0.2.1", 25);

	sft_connect_n(sft_sub("bad"), SFT_TENANT, "192.0.2.1", 25, 3, EPERM);
	sft_connect_n(sft_sub("audit"), SFT_TENANT, "192.0.2.1", 25, 2, 0);
	sft_connect_n(sft_sub("lim"), SFT_OTHER, "192.0.2.1", 25, 1, 0);
	sft_connect_n(sft_sub("lim"), SFT_OTHER, "192.0.2.1", 25, 2, EPERM);
	ck_assert_int_eq(sft_accept_all(l), 3);
	/* allowed connects make no event: 3 denied + 2 logged + 2 limited */
	json_object *arr = sft_cli_json(&obs_env, "events -j");

	ck_assert_int_eq((int)json_object_array_length(arr), 7);
	ck_assert_int_eq(count_verdict(arr, "deny", "/bad"), 3);
	ck_assert_int_eq(count_verdict(arr, "log", "/audit"), 2);
	ck_assert_int_eq(count_verdict(arr, "limit", "/lim"), 2);
	json_object *e = json_object_array_get_idx(arr, 0);

	snprintf(want_cg, sizeof(want_cg), "%s/bad", obs_env.cgroup_rel);
	ck_assert_str_eq(sft_json_str(e, "cgroup"), want_cg);
	ck_assert_str_eq(sft_json_str(e, "tenant"), want_cg);
	ck_assert_str_eq(sft_json_str(e, "comm"), sft_comm());
	ck_assert_int_gt(sft_json_int(e, "pid"), 1);
	ck_assert_int_eq(sft_json_int(e, "uid"), SFT_TENANT);
	ck_assert_str_eq(sft_json_str(e, "user"), "10001");
	ck_assert_str_eq(sft_json_str(e, "daddr"), "192.0.2.1");
	ck_assert_int_eq(sft_json_int(e, "dport"), 25);
	ck_assert_str_eq(sft_json_str(e, "rule"), "default");
	ck_assert_int_eq((int)strlen(sft_json_str(e, "time")), 24);
	e = json_object_array_get_idx(arr, 4);
	snprintf(want_rule, sizeof(want_rule), "cgroup:%s/audit", obs_env.cgroup_rel);
	ck_assert_str_eq(sft_json_str(e, "rule"), want_rule);
	json_object_put(arr);

	/* The text form: one line each, in order, with the process name. */
	ck_assert_int_eq(sft_cli(&obs_env, "events"), 0);
	ck_assert_int_eq(sft_count(obs_env.out, "\n"), 7);
	char line[512];

	snprintf(line, sizeof(line), " deny %s[", sft_comm());
	ck_assert_int_eq(sft_count(obs_env.out, line), 3);
	snprintf(line, sizeof(line), "user 10001(10001) cgroup %s/bad -> 192.0.2.1:25 by default",
		 obs_env.cgroup_rel);
	ck_assert_int_eq(sft_count(obs_env.out, line), 3);
	/* and the daemon logged the same seven (no journal here: stderr) */
	char log[PATH_MAX], text[16384];

	snprintf(log, sizeof(log), "%s/daemon.log", obs_env.dir);
	ck_assert(sft_wait_file(log, "smtpfence: limit ", 2, 2000, text, sizeof(text)));
	ck_assert_int_eq(sft_count(text, "smtpfence: deny "), 3);
	ck_assert_int_eq(sft_count(text, "smtpfence: log "), 2);
}
END_TEST

START_TEST(follow_streams_new_events)
{
	char path[PATH_MAX], text[16384];

	start("follow", conf);
	sft_connect_n(sft_sub("bad"), SFT_TENANT, "192.0.2.1", 25, 2, EPERM);
	snprintf(path, sizeof(path), "%s/follow.out", obs_env.dir);
	ck_assert_int_eq(sft_cli(&obs_env, "events -f --history -j >'%s' 2>&1 & echo $!", path), 0);
	pid_t follower = atoi(obs_env.out);

	ck_assert_int_gt(follower, 1);
	/* history first */
	ck_assert_msg(sft_wait_file(path, "\"verdict\":\"deny\"", 2, 5000, text, sizeof(text)),
		      "follower printed: %s", text);
	sft_connect_n(sft_sub("bad"), SFT_TENANT, "192.0.2.1", 25, 3, EPERM);
	ck_assert_msg(sft_wait_file(path, "\"verdict\":\"deny\"", 5, 5000, text, sizeof(text)),
		      "follower printed: %s", text);
	kill(follower, SIGTERM);
	/* one JSON object a line */
	ck_assert_int_eq(sft_count(text, "\n"), 5);
	ck_assert_int_eq(sft_count(text, "{\"schema\":1,\"type\":\"event\""), 5);
}
END_TEST

START_TEST(no_daemon_no_events)
{
	sft_env_setup(&obs_env, "nodaemon", "[global]\nports = 25\n");
	obs_env_up = true;
	ck_assert_int_eq(sft_cli(&obs_env, "events"), 1);
	ck_assert_ptr_nonnull(strstr(obs_env.err, "no daemon serves events at"));
	ck_assert_int_eq(sft_cli(&obs_env, "events --sort last"), 2);
}
END_TEST

/* Reads one native-protocol datagram: KEY=value lines. */
static bool journal_field(const char *dgram, const char *key, char *val, size_t len)
{
	size_t kl = strlen(key);

	for (const char *p = dgram; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : "") {
		if (!strncmp(p, key, kl) && p[kl] == '=') {
			size_t n = strcspn(p + kl + 1, "\n");

			snprintf(val, len, "%.*s", (int)n, p + kl + 1);
			return true;
		}
	}
	return false;
}

START_TEST(journal_structured_fields)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char dgram[8192], val[PATH_MAX], want[PATH_MAX];
	struct timeval tv = {.tv_sec = 5};
	ssize_t n;
	int fd;

	/* A journal of our own: journald's socket in a private /run. */
	ck_assert_int_eq(unshare(CLONE_NEWNS), 0);
	ck_assert_int_eq(mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	ck_assert_int_eq(mount("tmpfs", "/run", "tmpfs", 0, "mode=0755"), 0);
	ck_assert_int_eq(mkdir("/run/systemd", 0755), 0);
	ck_assert_int_eq(mkdir("/run/systemd/journal", 0755), 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/run/systemd/journal/socket");
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	start("journal", conf);
	sft_connect_n(sft_sub("bad"), SFT_TENANT, "192.0.2.1", 25, 1, EPERM);
	for (;;) {
		n = recv(fd, dgram, sizeof(dgram) - 1, 0);
		ck_assert_msg(n > 0, "no journal record: %s", strerror(errno));
		dgram[n] = '\0';
		if (journal_field(dgram, "SMTPFENCE_VERDICT", val, sizeof(val)))
			break; /* skip the daemon's own start-up lines, if any */
	}
	ck_assert_str_eq(val, "deny");
	ck_assert(journal_field(dgram, "PRIORITY", val, sizeof(val)));
	ck_assert_str_eq(val, "4");
	ck_assert(journal_field(dgram, "SYSLOG_IDENTIFIER", val, sizeof(val)));
	ck_assert_str_eq(val, "smtpfence");
	ck_assert(journal_field(dgram, "SMTPFENCE_COMM", val, sizeof(val)));
	ck_assert_str_eq(val, sft_comm());
	ck_assert(journal_field(dgram, "SMTPFENCE_UID", val, sizeof(val)));
	ck_assert_str_eq(val, "10001");
	ck_assert(journal_field(dgram, "SMTPFENCE_CGROUP", val, sizeof(val)));
	snprintf(want, sizeof(want), "%s/bad", obs_env.cgroup_rel);
	ck_assert_str_eq(val, want);
	ck_assert(journal_field(dgram, "SMTPFENCE_DADDR", val, sizeof(val)));
	ck_assert_str_eq(val, "192.0.2.1");
	ck_assert(journal_field(dgram, "SMTPFENCE_DPORT", val, sizeof(val)));
	ck_assert_str_eq(val, "25");
	ck_assert(journal_field(dgram, "SMTPFENCE_RULE", val, sizeof(val)));
	ck_assert_str_eq(val, "default");
	ck_assert(journal_field(dgram, "SMTPFENCE_PID", val, sizeof(val)));
	ck_assert_int_gt(atoi(val), 1);
	ck_assert(journal_field(dgram, "MESSAGE", val, sizeof(val)));
	ck_assert_ptr_nonnull(strstr(val, "deny "));
	close(fd);
}
END_TEST

START_TEST(flood_is_folded_not_dropped)
{
	char log[PATH_MAX], text[65536], line[PATH_MAX];

	start("flood", "ports = 25\ndefault = deny\nmetrics_address = off\n"
		       "log_condense_seconds = 1\n");
	ck_assert_int_eq(sft_flood(obs_env.cgroup, SFT_TENANT, "192.0.2.1", 25, 30), 30);
	snprintf(log, sizeof(log), "%s/daemon.log", obs_env.dir);
	ck_assert_msg(sft_wait_file(log, "suppressed 29 more identical events", 1, 5000, text,
				    sizeof(text)),
		      "daemon log: %s", text);
	snprintf(line, sizeof(line), "smtpfence: deny %s[", sft_comm());
	ck_assert_int_eq(sft_count(text, line), 1);
	/* the history keeps every event; only the log folds them */
	json_object *arr = sft_cli_json(&obs_env, "events -j");

	ck_assert_int_eq((int)json_object_array_length(arr), 30);
	json_object_put(arr);
	/* a new flood after the window: one line again, then its count */
	ck_assert_int_eq(sft_flood(obs_env.cgroup, SFT_TENANT, "192.0.2.1", 25, 5), 5);
	ck_assert_msg(sft_wait_file(log, "suppressed 4 more identical events", 1, 5000, text,
				    sizeof(text)),
		      "daemon log: %s", text);
	ck_assert_int_eq(sft_count(text, line), 2);
}
END_TEST

START_TEST(ring_overflow_counted)
{
	/* 4 MiB of 96-byte records: 60,000 denied connects with no reader
	 * overflow it. events + events_lost must equal the connects. */
	const int n = 60000;

	start("overflow", "ports = 25\ndefault = deny\nmetrics_address = off\n");
	sft_daemon_stop(&obs_env, SIGTERM); /* enforcement stays pinned; nobody reads */
	ck_assert_int_eq(sft_flood(obs_env.cgroup, SFT_TENANT, "192.0.2.1", 25, n), n);
	json_object *st = sft_cli_json(&obs_env, "status -j");
	long long events = sft_json_int(st, "events"), lost = sft_json_int(st, "events_lost");

	ck_assert_int_eq(sft_json_int(st, "denied"), n);
	ck_assert_int_gt(lost, 0);
	ck_assert_int_eq(events + lost, n);
	json_object_put(st);
	ck_assert_int_eq(sft_cli(&obs_env, "metrics"), 0);
	char want[128];

	snprintf(want, sizeof(want), "\nsmtpfence_events_lost_total %lld\n", lost);
	ck_assert_msg(strstr(obs_env.out, want), "metrics: %s", obs_env.out);
	snprintf(want, sizeof(want), "\nsmtpfence_events_total %lld\n", events);
	ck_assert_msg(strstr(obs_env.out, want), "metrics: %s", obs_env.out);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		history_names_everything,  follow_streams_new_events,	no_daemon_no_events,
		journal_structured_fields, flood_is_folded_not_dropped, ring_overflow_counted,
	};

	return sft_obs_run("events", tests, sizeof(tests) / sizeof(tests[0]), NULL);
}
