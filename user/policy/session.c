// SPDX-License-Identifier: GPL-2.0-only
#include "policy/session.h"
#include "util/cgroupfs.h"
#include "policy/config.h"
#include "policy/dnsbl_state.h"
#include "policy/journal.h"
#include "policy/parse_cache.h"
#include "util/log.h"
#include "util/mkdirs.h"
#include "policy/sync.h"
#include "policy/sync_cache.h"
#include "policy/target_index.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int take_lock(const char *run_dir, int *fd)
{
	char path[PATH_MAX];
	int err = sf_mkdirs(run_dir, 0700);

	if (err)
		return err;
	snprintf(path, sizeof(path), "%s/lock", run_dir);
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (*fd < 0)
		return -errno;
	/* Two controllers changing the maps or files at once would lose one
	 * of the changes: CLI invocations and the daemon serialise here. */
	while (flock(*fd, LOCK_EX)) {
		if (errno != EINTR) {
			err = -errno;
			close(*fd);
			*fd = -1;
			return err;
		}
	}
	return 0;
}

/* Quarantines and the blocklist state are the daemon's: a damaged file is
 * said and left out, never a reason to refuse the policy. */
static void load_abuse_state(struct sf_session *s)
{
	struct sf_dnsbl_state st;
	char err[SF_ERR_LEN];
	int ret = sf_quarantines_load(s->ctx->run_dir, &s->quarantines, err, sizeof(err));

	if (ret == -EINVAL)
		sf_warn("ignoring the quarantines: %s", err);
	else if (ret)
		sf_warn("failed to read the quarantines in %s: %s", s->ctx->run_dir,
			strerror(-ret));
	sf_dnsbl_state_load(s->ctx->run_dir, &st);
	s->listed = sf_dnsbl_state_listed(&st);
	sf_dnsbl_state_free(&st);
}

int sf_session_begin(struct sf_session *s, const struct sf_ctx *ctx, bool lock)
{
	char cache[PATH_MAX];
	int err;

	memset(s, 0, sizeof(*s));
	s->ctx = ctx;
	s->lock_fd = -1;
	sf_policy_init(&s->config);
	sf_policy_init(&s->effective);
	sf_runtime_init(&s->runtime);
	err = lock ? take_lock(ctx->run_dir, &s->lock_fd) : 0;
	if (err) {
		sf_err("failed to lock %s/lock: %s", ctx->run_dir, strerror(-err));
		return err;
	}
	/* A change a kill cut short is finished (or undone) before reading. */
	if (lock && (err = sf_journal_recover(ctx->run_dir)) < 0)
		sf_warn("failed to recover the change journal in %s: %s", ctx->run_dir,
			strerror(-err));
	err = sf_cgroup2_mount(s->cgroup_mount, sizeof(s->cgroup_mount));
	if (err) {
		sf_err("failed to find the cgroup-v2 mount in /proc/self/mountinfo: %s",
		       strerror(-err));
		return err;
	}
	snprintf(s->runtime_path, sizeof(s->runtime_path), "%s/%s", ctx->run_dir, SF_RUNTIME_FILE);
	sf_policy_free(&s->config);
	/* Only under the lock: the run directory is the change's to write. */
	if (lock && snprintf(cache, sizeof(cache), "%s/%s", ctx->run_dir, SF_PARSE_CACHE_FILE) <
			    (int)sizeof(cache))
		sf_config_load_cached(ctx->config, ctx->config_explicit, cache, &s->config,
				      &s->diag);
	else
		sf_config_load(ctx->config, ctx->config_explicit, &s->config, &s->diag);
	sf_runtime_free(&s->runtime);
	if (!lock && geteuid() != 0 && access(s->runtime_path, R_OK) && errno == EACCES) {
		s->runtime_unread = true;
		return s->diag.n ? -EINVAL : 0;
	}
	sf_runtime_load(s->runtime_path, &s->runtime, &s->diag);
	load_abuse_state(s);
	return s->diag.n ? -EINVAL : 0;
}

/* Overlays the runtime layer: its rules replace same-target rules. */
static int overlay(struct sf_policy *p, const struct sf_runtime *rt)
{
	struct sf_target_index ix;
	int err = 0;

	for (unsigned int port = 1; port < 65536; port++) {
		if (sf_port_get(rt->ports_add, port))
			sf_port_set(p->ports, port, true);
		if (sf_port_get(rt->ports_del, port))
			sf_port_set(p->ports, port, false);
	}
	if (rt->default_action != SF_ACT_NONE) {
		p->default_action = rt->default_action;
		p->default_rate = rt->default_rate;
	}
	if (!rt->rules.n_rules)
		return 0;
	sf_target_index_init(&ix);
	/* A runtime rule replaces its target's rule: the old one is marked,
	 * the new one goes last, and the marked ones go once at the end. */
	for (size_t i = 0; !err && i < rt->rules.n_rules; i++) {
		const struct sf_rule_spec *r = &rt->rules.rules[i];
		long at = sf_target_index_find(&ix, p, r->kind, r->value);

		if (at >= 0)
			p->rules[at].action = SF_ACT_NONE;
		err = sf_policy_add_rule(p, r);
		if (!err)
			err = sf_target_index_put(&ix, p, p->n_rules - 1);
	}
	sf_target_index_free(&ix);
	sf_policy_drop_removed(p);
	return err;
}

int sf_session_compile(struct sf_session *s)
{
	int err;

	sf_compiled_free(&s->compiled);
	sf_policy_free(&s->effective);
	s->compiled_ok = false;
	/* The configuration outlives the effective policy (sf_session_end). */
	err = sf_policy_borrow(&s->effective, &s->config);
	if (!err)
		err = overlay(&s->effective, &s->runtime);
	if (!err)
		err = sf_quarantine_overlay(&s->effective, &s->quarantines, (int64_t)time(NULL));
	if (err)
		return err;
	if (s->listed && s->effective.dnsbl.on_listed != SF_ACT_NONE &&
	    s->effective.dnsbl.n_zones) {
		s->effective.default_action = s->effective.dnsbl.on_listed;
		s->effective.default_rate = s->effective.dnsbl.on_listed_rate;
		s->effective.default_listed = true;
	}
	err = sf_compile(&s->effective, s->cgroup_mount, &s->compiled, &s->diag);
	s->compiled_ok = !err;
	return err;
}

int sf_session_load(struct sf_session *s, const struct sf_ctx *ctx, bool lock, const char *refused)
{
	int err = sf_session_begin(s, ctx, lock);

	if (!err)
		err = sf_session_compile(s);
	if (err) {
		sf_diag_print(&s->diag);
		if (refused)
			sf_err("%s refused: the policy in force is unchanged", refused);
	}
	return err;
}

int sf_session_sync(struct sf_session *s, const struct sf_maps *m)
{
	struct sf_sync_stats st;
	char cache[PATH_MAX];

	if (!s->compiled_ok)
		return -EINVAL;
	if (snprintf(cache, sizeof(cache), "%s/%s", s->ctx->run_dir, SF_SYNC_CACHE_FILE) >=
	    (int)sizeof(cache))
		return sf_sync(m, &s->compiled, &st);
	return sf_sync_cached(m, &s->compiled, cache, &st);
}

void sf_session_end(struct sf_session *s)
{
	sf_compiled_free(&s->compiled);
	sf_policy_free(&s->effective);
	sf_policy_free(&s->config);
	sf_runtime_free(&s->runtime);
	sf_quarantines_free(&s->quarantines);
	sf_diag_free(&s->diag);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	s->lock_fd = -1;
}

int sf_daemon_pid(const struct sf_ctx *ctx)
{
	char path[PATH_MAX];
	FILE *f;
	int pid = 0;

	snprintf(path, sizeof(path), "%s/smtpfence.pid", ctx->run_dir);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fscanf(f, "%d", &pid) != 1 || pid <= 1)
		pid = 0;
	fclose(f);
	/* A stale file may name a recycled pid: signal only smtpfence. */
	if (pid) {
		char comm[32] = "";

		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
		f = fopen(path, "re");
		if (!f || !fgets(comm, sizeof(comm), f) || strcmp(comm, "smtpfence\n"))
			pid = 0;
		if (f)
			fclose(f);
	}
	return pid;
}

int sf_session_lock_held(const struct sf_ctx *ctx)
{
	char path[PATH_MAX];
	int fd, held;

	snprintf(path, sizeof(path), "%s/lock", ctx->run_dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	held = flock(fd, LOCK_SH | LOCK_NB) ? errno == EWOULDBLOCK : 0;
	close(fd); /* releases a lock taken for the test */
	return held;
}

void sf_session_poke_daemon(const struct sf_ctx *ctx)
{
	int pid = sf_daemon_pid(ctx);

	if (pid > 0)
		kill(pid, SIGHUP);
}
