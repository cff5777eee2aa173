// SPDX-License-Identifier: GPL-2.0-only
/* run: load or re-adopt, apply the policy, then consume events, follow
 * recreated cgroups and reload on SIGHUP until told to stop. Stopping
 * leaves enforcement pinned and active. */
#include "daemon/daemon.h"
#include "util/cgroupfs.h"
#include "kernel/loader.h"
#include "kernel/probe.h"
#include "util/log.h"
#include "util/plural.h"
#include "daemon/instance.h"
#include "daemon/notify.h"
#include "daemon/dnsbl_watch.h"
#include "daemon/observe.h"
#include "daemon/quarantine_watch.h"
#include "policy/session.h"
#include "kernel/counters.h"
#include "policy/units.h"

#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

#define RESCAN_MS	  250
#define FULL_RESCAN_TICKS 20 /* check path rules at least every 5 s */

/* A path-bound rule as last resolved, to notice a recreated cgroup. */
struct watched_path {
	char abs[PATH_MAX];
	__u64 id;  /* 0: pending */
	bool unit; /* unit: rules are searched again when their path is gone */
	char name[256];
};

struct daemon {
	const struct sf_ctx *ctx;
	const struct sf_daemon_opts *opts;
	char cgroup_mount[PATH_MAX];
	char units_root[PATH_MAX]; /* "" : not set, systemd may be asked */
	struct sf_maps maps;
	struct ring_buffer *rb;
	struct sf_observe *obs;	   /* event log, history, alerts, metrics */
	struct sf_qwatch *qw;	   /* quarantines: alerts start them, time ends them */
	struct sf_dnsbl_watch *dw; /* the node's addresses on blocklists */
	struct watched_path *paths;
	size_t n_paths;
	size_t n_rules;
	char tree_stat[256];	  /* last cgroup.stat of the root */
	int inotify_fd;		  /* parents of resolved path rules: mkdir/rmdir there */
	unsigned int quiet_ticks; /* ticks since path rules were last checked */
	bool reload_refused;	  /* the policy in force is older than the files */
	struct sf_notify notify;
};

static int on_event(void *arg, void *data, size_t size)
{
	struct daemon *d = arg;

	sf_observe_event(d->obs, data, size);
	return 0;
}

/* Watches the parent directory of every resolved path rule, so that a
 * cgroup removed and made anew between two ticks is noticed at once. */
static void watch_parents(struct daemon *d)
{
	char parent[PATH_MAX];

	if (d->inotify_fd >= 0)
		close(d->inotify_fd);
	d->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	for (size_t i = 0; i < d->n_paths && d->inotify_fd >= 0; i++) {
		char *slash;

		if (!d->paths[i].abs[0])
			continue;
		snprintf(parent, sizeof(parent), "%s", d->paths[i].abs);
		/* The nearest existing ancestor: a pending path appears below it.
		 * The same directory twice returns the same watch. */
		while ((slash = strrchr(parent, '/')) && slash != parent &&
		       strlen(parent) > strlen(d->cgroup_mount)) {
			*slash = '\0';
			if (inotify_add_watch(d->inotify_fd, parent,
					      IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM |
						      IN_ONLYDIR) >= 0)
				break;
		}
	}
}

/* Where a unit's cgroup is now, by the same rules compile used. */
static bool unit_dir(const struct daemon *d, const char *unit, char *abs, size_t len)
{
	char rel[PATH_MAX], why[1024];

	return !sf_unit_locate(d->cgroup_mount, d->units_root, !d->units_root[0], unit, rel,
			       sizeof(rel), why, sizeof(why)) &&
	       !sf_cgroup_abs(d->cgroup_mount, rel, abs, len);
}

/* The directory a pending unit was last seen in (by name), if any. */
static const char *last_seen(const struct watched_path *old, size_t n_old, const char *name)
{
	for (size_t i = 0; i < n_old; i++)
		if (old[i].unit && old[i].abs[0] && !strcmp(old[i].name, name))
			return old[i].abs;
	return NULL;
}

static void remember_paths(struct daemon *d, const struct sf_session *s)
{
	const struct sf_policy *p = &s->effective;
	struct watched_path *old = d->paths;
	size_t n = 0, n_old = d->n_paths;

	snprintf(d->units_root, sizeof(d->units_root), "%s",
		 p->units_root_set ? p->units_root : "");

	d->paths = calloc(p->n_rules + 1, sizeof(*d->paths));
	if (!d->paths) {
		d->n_paths = 0;
		free(old);
		return;
	}
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct sf_rule_spec *r = &p->rules[i];
		struct watched_path *w = &d->paths[n];
		bool pending = s->compiled.spec_state[i] == SF_PENDING;

		if (r->kind != SF_TARGET_CGROUP && r->kind != SF_TARGET_UNIT)
			continue;
		w->unit = r->kind == SF_TARGET_UNIT;
		snprintf(w->name, sizeof(w->name), "%s", r->value);
		w->id = pending ? 0 : s->compiled.spec_keys[i].id;
		if (!w->unit)
			sf_cgroup_abs(d->cgroup_mount, r->value, w->abs, sizeof(w->abs));
		else if (!pending)
			unit_dir(d, w->name, w->abs, sizeof(w->abs));
		else if (last_seen(old, n_old, w->name))
			/* made anew most likely where it was: watch there */
			snprintf(w->abs, sizeof(w->abs), "%s", last_seen(old, n_old, w->name));
		n++;
	}
	free(old);
	d->n_paths = n;
	watch_parents(d);
}

/* True when a path-bound rule now names another cgroup (or none). */
static bool paths_moved(struct daemon *d)
{
	bool moved = false;

	for (size_t i = 0; i < d->n_paths && !moved; i++) {
		struct watched_path *w = &d->paths[i];
		__u64 id = 0;

		if (w->unit) {
			/* Cheap check first: the unit's directory is usually still there. */
			if (w->id && w->abs[0] && !sf_cgroup_id_of(w->abs, &id) && id == w->id)
				continue;
			if (w->id) { /* its directory went away or was made anew */
				moved = true;
				continue;
			}
			if (w->abs[0] && !sf_cgroup_id_of(w->abs, &id)) { /* back where it was */
				moved = true;
				continue;
			}
			char abs[PATH_MAX];

			moved = unit_dir(d, w->name, abs, sizeof(abs)); /* pending appeared */
			continue;
		}
		if (sf_cgroup_id_of(w->abs, &id))
			id = 0;
		moved = id != w->id;
	}
	return moved;
}

/* cgroup.stat of the root counts live and dying descendants: any mkdir or
 * rmdir in the tree changes it, so path rules are checked only then (and
 * every few seconds as a safety net). */
static bool tree_changed(struct daemon *d)
{
	char path[PATH_MAX + 16], buf[256];
	FILE *f;
	size_t n;
	bool changed;

	snprintf(path, sizeof(path), "%s/cgroup.stat", d->cgroup_mount);
	f = fopen(path, "re");
	if (!f)
		return true;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	changed = strcmp(buf, d->tree_stat) != 0;
	memcpy(d->tree_stat, buf, n + 1);
	return changed;
}

/* Reads, compiles and syncs the policy; keeps the old one on any error. */
static int apply_policy(struct daemon *d, const char *why)
{
	struct sf_session s;
	int err;

	err = sf_session_load(&s, d->ctx, true, why);
	if (!err) {
		err = sf_session_sync(&s, &d->maps);
		if (!err) {
			remember_paths(d, &s);
			d->n_rules = s.compiled.n_rules;
			sf_observe_configure(d->obs, &s.effective, &d->maps, d->cgroup_mount);
			sf_dnsbl_watch_configure(d->dw, &s.effective.dnsbl);
		}
	}
	sf_session_end(&s);
	return err;
}

static int resolve_attach_cgroup(const char *mount, const char *arg, char *abs, size_t len)
{
	struct stat st;

	if (!arg) {
		snprintf(abs, len, "%s", mount);
		return 0;
	}
	/* An absolute path inside the mount, or one relative to the mount. */
	if (!strncmp(arg, mount, strlen(mount)) && !stat(arg, &st) && S_ISDIR(st.st_mode)) {
		snprintf(abs, len, "%s", arg);
		return 0;
	}
	if (sf_cgroup_abs(mount, arg, abs, len) || stat(abs, &st) || !S_ISDIR(st.st_mode)) {
		sf_err("invalid cgroup '%s': no such cgroup below %s", arg, mount);
		return -EINVAL;
	}
	return 0;
}

/* What `systemctl status` shows: rules in force and what they stopped. */
static const char *status_line(const struct daemon *d, char *buf, size_t len)
{
	struct sf_totals t = {};

	sf_totals_read(d->maps.totals, &t);
	snprintf(buf, len, "enforcing: %zu %s, %llu denied, %llu limited, %llu redirected%s",
		 d->n_rules, sf_plural(d->n_rules, "rule", "rules"), (unsigned long long)t.c.denied,
		 (unsigned long long)t.c.limited, (unsigned long long)t.c.redirected,
		 d->reload_refused ? "; last reload refused, see the log" : "");
	return buf;
}

/* The interfaces named by `interfaces =` and by --tc-dev, each once. */
static size_t tc_devices(const struct sf_daemon_opts *o, const struct sf_policy *p,
			 const char **out)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n_interfaces; i++)
		out[n++] = p->interfaces[i];
	for (size_t i = 0; i < o->n_tc_devs; i++) {
		bool seen = false;

		for (size_t j = 0; j < n && !seen; j++)
			seen = !strcmp(out[j], o->tc_devs[i]);
		if (!seen)
			out[n++] = o->tc_devs[i];
	}
	return n;
}

/* Refuses, in one line, a kernel or cgroup setup the programs cannot run
 * on, before anything is loaded (interfaces: tc devices are wanted). */
static int probe_kernel(bool interfaces)
{
	struct sf_probe p;
	char why[512];
	int err = sf_probe_kernel(&p, SF_MOUNTINFO);

	if (err) {
		sf_err("failed to read %s: %s", SF_MOUNTINFO, strerror(-err));
		return err;
	}
	if (!sf_probe_refusal(&p, interfaces, why, sizeof(why)))
		return 0;
	sf_err("cannot enforce here: %s", why);
	return -EOPNOTSUPP;
}

static int setup(struct daemon *d, char *attach, size_t len)
{
	const char *tc_devs[SF_MAX_INTERFACES + SF_DAEMON_MAX_TC_DEVS];
	struct sf_session s;
	struct sf_load_opts lo;
	struct sf_loader *loader = NULL;
	bool reused = false, adopted = false;
	int err;

	err = sf_session_load(&s, d->ctx, true, NULL);
	if (err) {
		sf_session_end(&s);
		return err;
	}
	snprintf(d->cgroup_mount, sizeof(d->cgroup_mount), "%s", s.cgroup_mount);
	err = resolve_attach_cgroup(s.cgroup_mount, d->opts->cgroup, attach, len);
	if (err)
		goto out;
	lo = (struct sf_load_opts){.pin_dir = d->ctx->pin_dir,
				   .cgroup = attach,
				   .max_rules = s.effective.max_rules,
				   .max_flows = s.effective.max_flows,
				   .tc_devs = tc_devs,
				   .n_tc_devs = tc_devices(d->opts, &s.effective, tc_devs),
				   .move = d->opts->move};
	if (lo.n_tc_devs && (err = probe_kernel(true)))
		goto out;
	err = sf_loader_load(&lo, &loader, &reused);
	if (err)
		goto out;
	/* The maps these programs use: the pinned ones, or new ones when the
	 * pinned layout is another build's. */
	err = sf_loader_maps(loader, &d->maps);
	if (err) {
		sf_err("failed to open the maps: %s", strerror(-err));
		goto out;
	}
	/* Fill the maps before attaching: the first connect judged sees the
	 * whole policy. */
	err = sf_session_sync(&s, &d->maps);
	if (err)
		goto out;
	err = sf_loader_attach(loader, &adopted);
	if (err)
		goto out;
	remember_paths(d, &s);
	d->n_rules = s.compiled.n_rules;
	sf_observe_configure(d->obs, &s.effective, &d->maps, d->cgroup_mount);
	sf_dnsbl_watch_configure(d->dw, &s.effective.dnsbl);
	sf_info("%s %s, %zu %s (%zu pending), pinned at %s",
		adopted ? "re-adopted enforcement on" : "enforcing on", attach, s.compiled.n_rules,
		sf_plural(s.compiled.n_rules, "rule", "rules"), s.compiled.n_pending,
		d->ctx->pin_dir);
	for (size_t i = 0; i < lo.n_tc_devs; i++)
		sf_info("judging forwarded SYNs leaving %s", lo.tc_devs[i]);
out:
	sf_loader_close(loader);
	sf_session_end(&s);
	return err;
}

/* SIGHUP: re-read everything; a refused reload keeps the policy in force. */
static void reload(struct daemon *d)
{
	char status[SF_STATUS_LEN];

	sf_notify_reloading();
	d->reload_refused = apply_policy(d, "reload") != 0;
	sf_observe_reloaded(d->obs, !d->reload_refused);
	if (!d->reload_refused)
		sf_info("reloaded: %zu %s", d->n_rules, sf_plural(d->n_rules, "rule", "rules"));
	sf_notify_ready(&d->notify, status_line(d, status, sizeof(status)));
}

static int event_loop(struct daemon *d, int sfd)
{
	struct itimerspec its = {.it_interval = {0, RESCAN_MS * 1000000L},
				 .it_value = {0, RESCAN_MS * 1000000L}};
	char status[SF_STATUS_LEN];
	struct signalfd_siginfo si;
	struct pollfd fds[6];
	int tfd, err = 0;
	uint64_t ticks;

	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (tfd < 0 || timerfd_settime(tfd, 0, &its, NULL)) {
		err = -errno;
		if (tfd >= 0)
			close(tfd);
		return err;
	}
	fds[0] = (struct pollfd){.fd = sfd, .events = POLLIN};
	fds[1] = (struct pollfd){.fd = tfd, .events = POLLIN};
	fds[2] = (struct pollfd){.fd = ring_buffer__epoll_fd(d->rb), .events = POLLIN};
	fds[5] = (struct pollfd){.fd = sf_dnsbl_watch_fd(d->dw), .events = POLLIN};
	for (;;) {
		bool check_paths = false;

		fds[3] = (struct pollfd){.fd = d->inotify_fd, .events = POLLIN};
		fds[4] = (struct pollfd){.fd = sf_observe_fd(d->obs), .events = POLLIN};
		if (poll(fds, 6, -1) < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		/* Redirected events do not wake us (bpf/judge.bpf.h): collect them
		 * on every tick and before a client is answered. */
		if (fds[2].revents & POLLIN || fds[1].revents & POLLIN || fds[4].revents & POLLIN)
			ring_buffer__consume(d->rb);
		if (fds[4].revents & POLLIN)
			sf_observe_io(d->obs);
		/* on_listed: the default follows whether an address is listed */
		if ((fds[5].revents & POLLIN) && sf_dnsbl_watch_done(d->dw))
			apply_policy(d, "blocklist change");
		if (fds[3].revents & POLLIN) {
			char buf[4096];

			while (read(d->inotify_fd, buf, sizeof(buf)) > 0)
				check_paths = true;
		}
		if ((fds[1].revents & POLLIN) && read(tfd, &ticks, sizeof(ticks)) > 0) {
			if (!sf_pins_exist(d->ctx->pin_dir)) {
				/* `smtpfence unload` removed enforcement: nothing to keep. */
				sf_info("pinned state at %s was removed; stopping",
					d->ctx->pin_dir);
				break;
			}
			if (d->n_paths &&
			    (tree_changed(d) || ++d->quiet_ticks >= FULL_RESCAN_TICKS))
				check_paths = true;
			sf_observe_tick(d->obs);
			sf_qwatch_tick(d->qw);
			sf_dnsbl_watch_tick(d->dw);
			sf_notify_tick(&d->notify, status_line(d, status, sizeof(status)));
		}
		if (check_paths) {
			d->quiet_ticks = 0;
			/* Watches are set anew after each apply: a change in that
			 * instant is caught by checking once more. */
			for (int round = 0; round < 3 && paths_moved(d); round++)
				apply_policy(d, "cgroup rescan");
		}
		if (!(fds[0].revents & POLLIN) || read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo == SIGHUP) {
			reload(d);
			continue;
		}
		if (si.ssi_signo == SIGUSR1) { /* smtpfence dnsbl --now */
			sf_dnsbl_watch_now(d->dw);
			sf_dnsbl_watch_tick(d->dw);
			continue;
		}
		sf_info("stopping on signal %u; enforcement stays pinned at %s", si.ssi_signo,
			d->ctx->pin_dir);
		break;
	}
	ring_buffer__consume(d->rb);
	close(tfd);
	return err;
}

/* Blocked from the start: a SIGHUP from `systemctl reload` right after
 * READY=1, or a SIGTERM during setup, is handled by the loop, never by the
 * default action (which would kill the daemon half-way). */
static int signals_to_fd(void)
{
	sigset_t mask;
	int fd;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &mask, NULL))
		return -errno;
	fd = signalfd(-1, &mask, SFD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int sf_daemon_run(const struct sf_ctx *ctx, const struct sf_daemon_opts *opts)
{
	struct daemon d = {.ctx = ctx, .opts = opts, .inotify_fd = -1};
	char attach[PATH_MAX], status[SF_STATUS_LEN];
	struct sf_instance self;
	int sfd, err;

	sf_notify_init(&d.notify, RESCAN_MS * 1000ULL);
	memset(&d.maps, -1, sizeof(d.maps));
	sfd = signals_to_fd();
	if (sfd < 0) {
		sf_err("failed to set up signal handling: %s", strerror(-sfd));
		sf_notify_failed(sfd, "signal handling");
		return SF_EXIT_FAIL;
	}
	/* A kernel we cannot enforce on is refused before anything is made. */
	err = probe_kernel(false);
	if (err) {
		sf_notify_failed(err, strerror(-err));
		close(sfd);
		return SF_EXIT_FAIL;
	}
	/* Before anything is touched: pins, event socket, pid file. */
	err = sf_instance_claim(ctx, &self);
	if (err) {
		sf_notify_failed(err, err == -EBUSY ? "already running" : strerror(-err));
		close(sfd);
		return SF_EXIT_FAIL;
	}
	d.obs = sf_observe_new(ctx);
	d.dw = d.obs ? sf_dnsbl_watch_new(ctx, d.obs) : NULL;
	err = d.dw ? setup(&d, attach, sizeof(attach)) : -ENOMEM;
	if (err) {
		/* The reason is in the log; systemd shows this line with it. */
		sf_notify_failed(err, err == -EINVAL ? "bad configuration" : strerror(-err));
		sf_instance_release(ctx, &self);
		close(sfd);
		sf_dnsbl_watch_free(d.dw);
		sf_observe_free(d.obs);
		sf_maps_close(&d.maps);
		return err == -EINVAL ? SF_EXIT_USAGE : SF_EXIT_FAIL;
	}
	d.rb = ring_buffer__new(d.maps.events, on_event, &d, NULL);
	if (!d.rb) {
		err = errno ? -errno : -ENOMEM;
		sf_err("failed to open the event ring buffer: %s", strerror(-err));
		sf_notify_failed(err, "event ring buffer");
		goto out;
	}
	d.qw = sf_qwatch_new(ctx, d.obs);
	if (!d.qw) {
		err = -ENOMEM;
		sf_notify_failed(err, "quarantines");
		goto out;
	}
	sf_observe_reloaded(d.obs, true);
	err = sf_instance_publish(&self);
	if (err)
		sf_warn("failed to write the pid file in %s: %s", ctx->run_dir, strerror(-err));
	/* Programs attached, whole policy in the maps: enforcement is on. */
	sf_notify_ready(&d.notify, status_line(&d, status, sizeof(status)));
	err = event_loop(&d, sfd);
	sf_notify_stopping();
out:
	sf_instance_release(ctx, &self);
	close(sfd);
	ring_buffer__free(d.rb);
	sf_qwatch_free(d.qw);
	sf_dnsbl_watch_free(d.dw);
	sf_observe_free(d.obs);
	free(d.paths);
	if (d.inotify_fd >= 0)
		close(d.inotify_fd);
	sf_maps_close(&d.maps);
	return err ? SF_EXIT_FAIL : SF_EXIT_OK;
}
