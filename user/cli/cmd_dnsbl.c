// SPDX-License-Identifier: GPL-2.0-only
/* dnsbl [-j] [--now]: the last blocklist check per address and zone, from
 * the daemon's RUN_DIR/dnsbl.json; --now has the daemon check at once (or
 * checks here when no daemon runs) and waits for the result. */
#include "cli/commands.h"
#include "daemon/dnsbl_check.h"
#include "policy/dnsbl_state.h"
#include "policy/session.h"
#include "util/json_out.h"
#include "util/log.h"
#include "util/walltime.h"

#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define NOW_TIMEOUT_MS 60000

static ino_t state_ino(const struct sf_ctx *ctx)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", ctx->run_dir, SF_DNSBL_FILE);
	return stat(path, &st) ? 0 : st.st_ino;
}

/* The daemon writes the file anew (rename: a new inode) when done. */
static int ask_daemon(const struct sf_ctx *ctx, int pid)
{
	ino_t before = state_ino(ctx);
	struct timespec pause = {0, 50 * 1000000L};

	if (kill(pid, SIGUSR1))
		return -errno;
	for (int waited = 0; waited < NOW_TIMEOUT_MS; waited += 50) {
		if (state_ino(ctx) != before)
			return 0;
		nanosleep(&pause, NULL);
	}
	sf_err("the daemon (pid %d) did not finish the check within %d s", pid,
	       NOW_TIMEOUT_MS / 1000);
	return -ETIMEDOUT;
}

/* No daemon: read the configuration and check from here. */
static int check_here(const struct sf_ctx *ctx)
{
	struct sf_dnsbl_state st;
	struct sf_session s;
	int err = sf_session_begin(&s, ctx, false);

	if (err) {
		sf_diag_print(&s.diag);
		sf_session_end(&s);
		return err;
	}
	if (!s.config.dnsbl.n_zones) {
		sf_err("no dnsbl_zones configured in %s", ctx->config);
		sf_session_end(&s);
		return -EINVAL;
	}
	err = sf_dnsbl_check(&s.config.dnsbl, &st);
	sf_session_end(&s);
	if (err) {
		sf_err("failed to check the blocklists: %s", strerror(-err));
		return err;
	}
	err = sf_dnsbl_state_save(ctx->run_dir, &st);
	sf_dnsbl_state_free(&st);
	if (err)
		sf_err("failed to write %s/%s: %s", ctx->run_dir, SF_DNSBL_FILE, strerror(-err));
	return err;
}

static void print_json(const struct sf_dnsbl_state *st)
{
	json_object *o = json_object_new_object(), *arr = json_object_new_array();
	char t[40] = "";

	if (st->checked)
		sf_format_utc(st->checked, t, sizeof(t));
	json_object_object_add(o, "checked", json_object_new_string(t));
	json_object_object_add(o, "checked_timestamp", json_object_new_int64(st->checked));
	json_object_object_add(o, "duration_ms", json_object_new_int64(st->duration_ms));
	json_object_object_add(o, "listed", json_object_new_boolean(sf_dnsbl_state_listed(st)));
	json_object_object_add(o, "checks", json_object_new_uint64(st->checks));
	json_object_object_add(o, "errors", json_object_new_uint64(st->errors));
	json_object_object_add(o, "timeouts", json_object_new_uint64(st->timeouts));
	for (size_t i = 0; i < st->n; i++)
		json_object_array_add(arr, sf_dnsbl_result_json(&st->v[i]));
	json_object_object_add(o, "results", arr);
	sf_json_print(o);
}

static void print_text(const struct sf_dnsbl_state *st)
{
	char t[40];

	if (!st->checked) {
		printf("never checked (set dnsbl_zones; see smtpfence.conf(5))\n");
		return;
	}
	sf_format_utc(st->checked, t, sizeof(t));
	printf("last check %s, %u ms: %s (errors %llu, timeouts %llu since start)\n", t,
	       st->duration_ms, sf_dnsbl_state_listed(st) ? "LISTED" : "not listed",
	       (unsigned long long)st->errors, (unsigned long long)st->timeouts);
	printf("%-39s %-28s %-8s %-16s %s\n", "ADDRESS", "ZONE", "STATUS", "ANSWER", "DETAIL");
	for (size_t i = 0; i < st->n; i++) {
		const struct sf_dnsbl_result *r = &st->v[i];

		printf("%-39s %-28s %-8s %-16s %s\n", r->address, r->zone,
		       sf_dnsbl_status_name(r->status), r->answer[0] ? r->answer : "-", r->detail);
	}
}

struct dnsbl_opts {
	bool now;
};

static int dnsbl(const struct sf_ctx *ctx, const void *opts, int argc, char **argv)
{
	struct sf_dnsbl_state st;
	int pid, err = 0;

	(void)argc, (void)argv;
	if (((const struct dnsbl_opts *)opts)->now) {
		pid = sf_daemon_pid(ctx);
		err = pid > 0 ? ask_daemon(ctx, pid) : check_here(ctx);
		if (err)
			return err == -EINVAL ? SF_EXIT_USAGE : SF_EXIT_FAIL;
	}
	sf_dnsbl_state_load(ctx->run_dir, &st);
	if (ctx->json)
		print_json(&st);
	else
		print_text(&st);
	sf_dnsbl_state_free(&st);
	return SF_EXIT_OK;
}

static const struct sf_option options[] = {
	{.name = "now",
	 .type = SF_OPT_FLAG,
	 .offset = SF_OPT_AT(struct dnsbl_opts, now),
	 .help = "check at once (the daemon does, if it runs) and wait for the result"},
	{NULL},
};

const struct sf_command sf_cmd_dnsbl = {
	.name = "dnsbl",
	.summary = "the node's addresses on DNS blocklists, per address and zone",
	.json = true,
	.needs_root = true,
	.options = options,
	.opts_size = sizeof(struct dnsbl_opts),
	.run = dnsbl,
};
