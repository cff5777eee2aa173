// SPDX-License-Identifier: GPL-2.0-only
#include "mailnode.h"
#include "harness.h"

#include <check.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define POSTFIX_MASTER_CF                                                                          \
	"587       inet  n - n - -    smtpd\n"                                                     \
	"pickup    unix  n - n 60 1   pickup\n"                                                    \
	"cleanup   unix  n - n - 0    cleanup\n"                                                   \
	"qmgr      unix  n - n 300 1  qmgr\n"                                                      \
	"rewrite   unix  - - n - -    trivial-rewrite\n"                                           \
	"bounce    unix  - - n - 0    bounce\n"                                                    \
	"defer     unix  - - n - 0    bounce\n"                                                    \
	"trace     unix  - - n - 0    bounce\n"                                                    \
	"verify    unix  - - n - 1    verify\n"                                                    \
	"flush     unix  n - n 1000? 0 flush\n"                                                    \
	"proxymap  unix  - - n - -    proxymap\n"                                                  \
	"smtp      unix  - - n - -    smtp\n"                                                      \
	"relay     unix  - - n - -    smtp\n"                                                      \
	"showq     unix  n - n - -    showq\n"                                                     \
	"error     unix  - - n - -    error\n"                                                     \
	"retry     unix  - - n - -    error\n"                                                     \
	"discard   unix  - - n - -    discard\n"                                                   \
	"anvil     unix  - - n - 1    anvil\n"                                                     \
	"scache    unix  - - n - 1    scache\n"                                                    \
	"postlog   unix-dgram n - n - 1 postlogd\n"

const char *sft_mailnode_missing(void)
{
	static const char *const tools[] = {"/usr/sbin/postfix", "/usr/sbin/smtp-sink",
					    "/usr/bin/swaks"};

	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		if (access(tools[i], X_OK))
			return tools[i];
	if (!getpwnam("postfix") || !getpwnam("nobody"))
		return "the postfix and nobody users";
	return NULL;
}

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

int sft_run_as(const char *cg_abs, uid_t uid, gid_t gid, char *const argv[], char *out, size_t len)
{
	char path[] = "/tmp/smtpfence-test-run.XXXXXX";
	int fd = mkstemp(path), status;
	pid_t pid;

	if (fd < 0)
		return -1;
	unlink(path);
	pid = fork();
	if (pid < 0) {
		close(fd);
		return -1;
	}
	if (pid == 0) {
		if ((cg_abs && sft_join_cgroup(cg_abs)) || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(126);
		if (uid && sft_become(uid, gid))
			_exit(126);
		setenv("HOME", "/", 1);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		status = -1;
	if (out && len) {
		ssize_t n = pread(fd, out, len - 1, 0);

		out[n > 0 ? n : 0] = '\0';
	}
	close(fd);
	if (status < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static bool can_connect(int family, const char *host, int port)
{
	struct sockaddr_storage ss = {.ss_family = (sa_family_t)family};
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	socklen_t len = family == AF_INET ? sizeof(*in4) : sizeof(*in6);
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok;

	if (family == AF_INET) {
		in4->sin_port = htons((uint16_t)port);
		inet_pton(AF_INET, host, &in4->sin_addr);
	} else {
		in6->sin6_port = htons((uint16_t)port);
		inet_pton(AF_INET6, host, &in6->sin6_addr);
	}
	ok = fd >= 0 && connect(fd, (struct sockaddr *)&ss, len) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

/* Polls until every listener of the node answers (these connects come
 * from the test process, outside the attach cgroup: never judged). */
static bool wait_listening(int timeout_ms)
{
	for (int t = 0; t < timeout_ms; t += 50) {
		if (can_connect(AF_INET, SFT_SINK4, 25) && can_connect(AF_INET6, SFT_SINK6, 25) &&
		    can_connect(AF_INET, "127.0.0.1", 587) && can_connect(AF_INET6, "::1", 587))
			return true;
		usleep(50000);
	}
	return false;
}

static pid_t start_sink(const struct sft_mailnode *m, const char *listen)
{
	char tmpl[PATH_MAX + 32];
	pid_t pid;

	snprintf(tmpl, sizeof(tmpl), "%s/%%H%%M%%S.", m->sink_dir);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (sft_join_cgroup(m->internet_cgroup))
			_exit(126);
		if (null >= 0)
			dup2(null, 1);
		execl("/usr/sbin/smtp-sink", "smtp-sink", "-u", "nobody", "-h", "sink.test", "-d",
		      tmpl, listen, "64", (char *)NULL);
		_exit(127);
	}
	return pid;
}

static int write_postfix_config(const struct sft_mailnode *m, const char *extra)
{
	char path[PATH_MAX + 32], *text = NULL;
	int err;

	if (asprintf(&text,
		     "compatibility_level = 3.6\n"
		     "queue_directory = %1$s/spool\n"
		     "data_directory = %1$s/data\n"
		     "maillog_file = %1$s/maillog\n"
		     "maillog_file_prefixes = %1$s\n"
		     "mail_owner = postfix\n"
		     "setgid_group = postdrop\n"
		     "myhostname = " SFT_NODE_HELO "\n"
		     "mydomain = " SFT_NODE_HELO "\n"
		     "myorigin = " SFT_NODE_HELO "\n"
		     "mydestination =\n"
		     "local_recipient_maps =\n"
		     "alias_maps =\n"
		     "alias_database =\n"
		     "inet_interfaces = loopback-only\n"
		     "inet_protocols = all\n"
		     "mynetworks = 127.0.0.0/8 [::1]/128\n"
		     "relay_domains =\n"
		     "smtpd_relay_restrictions = permit_mynetworks, reject\n"
		     "transport_maps = inline:{v4.test=smtp:[" SFT_SINK4 "]:25, "
		     "v6.test=smtp:[" SFT_SINK6 "]:25}\n"
		     "smtp_dns_support_level = disabled\n"
		     "smtpd_peername_lookup = no\n"
		     "biff = no\n%2$s",
		     m->dir, extra ? extra : "") < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/main.cf", m->conf_dir);
	err = write_text(path, text);
	free(text);
	snprintf(path, sizeof(path), "%s/master.cf", m->conf_dir);
	return err ? err : write_text(path, POSTFIX_MASTER_CF);
}

static int make_dirs(struct sft_mailnode *m, const char *extra)
{
	struct passwd *pw = getpwnam("nobody");
	uid_t nobody = pw->pw_uid;
	gid_t nogroup = pw->pw_gid;
	char path[PATH_MAX + 16];

	/* Others must pass through: Postfix's daemons and the sinks drop root. */
	if (mkdir(m->dir, 0711) || chmod(m->dir, 0711))
		return -1;
	snprintf(m->conf_dir, sizeof(m->conf_dir), "%s/etc", m->dir);
	snprintf(m->sink_dir, sizeof(m->sink_dir), "%s/sink", m->dir);
	snprintf(path, sizeof(path), "%s/spool", m->dir);
	if (mkdir(m->conf_dir, 0755) || mkdir(path, 0755) || mkdir(m->sink_dir, 0700) ||
	    chown(m->sink_dir, nobody, nogroup))
		return -1;
	pw = getpwnam("postfix"); /* the same static buffer: nobody's is copied */
	snprintf(path, sizeof(path), "%s/data", m->dir);
	if (mkdir(path, 0700) || chown(path, pw->pw_uid, pw->pw_gid))
		return -1;
	return write_postfix_config(m, extra);
}

static void print_file(const char *what, const char *path)
{
	char buf[8192] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : 0;

	buf[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
	fprintf(stderr, "%s (%s):\n%s\n", what, path, buf);
}

int sft_mailnode_start(struct sft_mailnode *m, const char *dir, const char *mta_cgroup,
		       const char *internet_cgroup)
{
	return sft_mailnode_start_with(m, dir, mta_cgroup, internet_cgroup, NULL);
}

int sft_mailnode_start_with(struct sft_mailnode *m, const char *dir, const char *mta_cgroup,
			    const char *internet_cgroup, const char *main_cf_extra)
{
	char out[4096], log[PATH_MAX + 16];
	char *const start[] = {"postfix", "-c", m->conf_dir, "start", NULL};

	memset(m, 0, sizeof(*m));
	snprintf(m->dir, sizeof(m->dir), "%s", dir);
	snprintf(m->mta_cgroup, sizeof(m->mta_cgroup), "%s", mta_cgroup);
	snprintf(m->internet_cgroup, sizeof(m->internet_cgroup), "%s", internet_cgroup);
	if (make_dirs(m, main_cf_extra)) {
		fprintf(stderr, "mailnode: failed to prepare %s: %s\n", m->dir, strerror(errno));
		return -1;
	}
	m->sink[0] = start_sink(m, SFT_SINK4 ":25");
	m->sink[1] = start_sink(m, "[" SFT_SINK6 "]:25");
	snprintf(log, sizeof(log), "%s/maillog", m->dir);
	/* The master and every daemon it spawns stay in mta_cgroup. */
	if (sft_run_as(mta_cgroup, 0, 0, start, out, sizeof(out)) != 0) {
		fprintf(stderr, "mailnode: postfix start failed: %s\n", out);
		print_file("postfix log", log);
		return -1;
	}
	m->postfix_up = true;
	if (!wait_listening(15000)) {
		fprintf(stderr, "mailnode: the sinks or postfix never listened\n");
		print_file("postfix log", log);
		return -1;
	}
	return 0;
}

static int read_pids(const char *cg_abs, pid_t *pids, int max)
{
	char path[PATH_MAX + 16];
	FILE *f;
	int n = 0, pid;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg_abs);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (n < max && fscanf(f, "%d", &pid) == 1)
		pids[n++] = pid;
	fclose(f);
	return n;
}

void sft_mailnode_reap_cgroup(const char *abs)
{
	pid_t pids[256];

	/* Every process here was started by this test: killed by pid. */
	for (int round = 0; round < 50; round++) {
		int n = read_pids(abs, pids, 256);

		if (n == 0)
			break;
		for (int i = 0; i < n; i++)
			kill(pids[i], SIGKILL);
		usleep(20000);
	}
	/* Orphans of a daemonized Postfix come to the subreaper: reap them. */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

int sft_swaks(const char *cg, const char *server, const char *port, const char *label,
	      const char *subject, char *out, size_t len)
{
	char to[64], subj[128];
	char *const argv[] = {"swaks",
			      "--server",
			      (char *)server,
			      "--port",
			      (char *)port,
			      "--ehlo",
			      SFT_TENANT_HELO,
			      "--from",
			      "script@" SFT_TENANT_HELO,
			      "--to",
			      to,
			      "--header",
			      subj,
			      "--body",
			      (char *)subject,
			      "--timeout",
			      "10",
			      NULL};

	snprintf(to, sizeof(to), "rcpt@%s.test", label);
	snprintf(subj, sizeof(subj), "Subject: %s", subject);
	return sft_run_as(cg, SFT_TENANT_UID, SFT_TENANT_UID, argv, out, len);
}

void sft_bridge_setup(struct sft_env *env, struct sft_bridge *b)
{
	char path[PATH_MAX + 32], parent[PATH_MAX];
	char *slash = strrchr(env->dir, '/');
	FILE *f;

	ck_assert_int_eq(sft_cgroup_make(env, "tenants/acme", b->acme, sizeof(b->acme)), 0);
	ck_assert_int_eq(sft_cgroup_make(env, "tenants/bad", b->bad, sizeof(b->bad)), 0);
	ck_assert_int_eq(sft_cgroup_make(env, "mta", b->mta, sizeof(b->mta)), 0);
	ck_assert_int_eq(sft_cgroup_make(env, "internet", b->internet, sizeof(b->internet)), 0);
	snprintf(b->acme_rel, sizeof(b->acme_rel), "%s/tenants/acme", env->cgroup_rel);
	snprintf(path, sizeof(path), "%s/acme.conf", env->rules_dir);
	mkdir(env->rules_dir, 0755); /* the daemon makes it, later */
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "[rules]\nredirect = cgroup:%s messages 2/hour\n", b->acme_rel);
	fprintf(f, "deny = cgroup:%s/tenants/bad\n", env->cgroup_rel);
	fclose(f);
	ck_assert_msg(sft_daemon_start(env) == 0, "daemon did not start");
	ck_assert_ptr_nonnull(slash);
	snprintf(parent, sizeof(parent), "%.*s", (int)(slash - env->dir), env->dir);
	ck_assert_int_eq(chmod(parent, 0711), 0);
	ck_assert_int_eq(chmod(env->dir, 0711), 0);
}

void sft_mail_dir(pid_t owner, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "/tmp/smtpfence-test-mail.%d.%s", (int)owner, name);
}

void sft_mailnode_reap_leftovers(pid_t owner, const char *const *names, size_t n)
{
	static const char *const subs[] = {"mta", "internet", "tenants/acme", "tenants/bad"};
	char path[PATH_MAX + 16], cmd[PATH_MAX + 32];

	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < sizeof(subs) / sizeof(subs[0]); j++) {
			snprintf(path, sizeof(path), "%s/smtpfence-test.%d/%s/%s",
				 sft_cgroup_mount(), (int)owner, names[i], subs[j]);
			sft_mailnode_reap_cgroup(path);
		}
		sft_mail_dir(owner, names[i], path, sizeof(path));
		if (access(path, F_OK) == 0) {
			snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
			if (system(cmd)) {
				/* nothing more to do: it is in /tmp */
			}
		}
	}
}

void sft_mailnode_stop(struct sft_mailnode *m)
{
	char *const stop[] = {"postfix", "-c", m->conf_dir, "stop", NULL};
	char cmd[PATH_MAX + 16];
	pid_t pids[16];

	if (m->postfix_up) {
		sft_run_as(NULL, 0, 0, stop, NULL, 0);
		for (int t = 0; t < 100 && read_pids(m->mta_cgroup, pids, 16); t++)
			usleep(50000);
		m->postfix_up = false;
	}
	sft_mailnode_reap_cgroup(m->mta_cgroup);
	for (int i = 0; i < 2; i++) {
		if (m->sink[i] > 0) {
			kill(m->sink[i], SIGTERM);
			waitpid(m->sink[i], NULL, 0);
		}
		m->sink[i] = 0;
	}
	sft_mailnode_reap_cgroup(m->internet_cgroup);
	if (m->dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", m->dir);
		if (system(cmd)) {
			/* a leftover in /tmp is all that remains */
		}
	}
	m->dir[0] = '\0';
}

/* The value of header `name` in a sink dump (one line), or "". */
static void header(const char *text, const char *name, char *buf, size_t len)
{
	size_t n = strlen(name);

	buf[0] = '\0';
	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (!strncmp(p, name, n) && p[n] == ':' && p[n + 1] == ' ') {
			size_t v = strcspn(p + n + 2, "\r\n");

			snprintf(buf, len, "%.*s", (int)(v < len ? v : len - 1), p + n + 2);
			return;
		}
	}
}

/* Calls fn with the text of every message in the sink until it returns
 * non-zero; returns that, or 0 (-1: no sink directory). */
static int each_message(const struct sft_mailnode *m, int (*fn)(const char *text, void *arg),
			void *arg)
{
	DIR *d = opendir(m->sink_dir);
	struct dirent *e;
	int r = 0;

	if (!d)
		return -1;
	while (!r && (e = readdir(d))) {
		char path[PATH_MAX + 256], text[16384];
		int fd;
		ssize_t len;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", m->sink_dir, e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		len = read(fd, text, sizeof(text) - 1);
		close(fd);
		text[len > 0 ? len : 0] = '\0';
		r = fn(text, arg);
	}
	closedir(d);
	return r;
}

struct header_query {
	const char *subject, *name;
	char *buf;
	size_t len;
};

static int header_of(const char *text, void *arg)
{
	struct header_query *q = arg;
	char subj[256];

	header(text, "Subject", subj, sizeof(subj));
	if (strcmp(subj, q->subject))
		return 0;
	header(text, q->name, q->buf, q->len);
	return 1;
}

int sft_sink_header(const struct sft_mailnode *m, const char *subject, const char *name, char *buf,
		    size_t len)
{
	struct header_query q = {subject, name, buf, len};

	buf[0] = '\0';
	return each_message(m, header_of, &q) == 1 ? 0 : -1;
}

static int count_now(const struct sft_mailnode *m, const char *subject, const char *helo)
{
	DIR *d = opendir(m->sink_dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char path[PATH_MAX + 256], text[16384], subj[256], h[256];
		int fd;
		ssize_t len;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", m->sink_dir, e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		len = read(fd, text, sizeof(text) - 1);
		close(fd);
		text[len > 0 ? len : 0] = '\0';
		header(text, "Subject", subj, sizeof(subj));
		header(text, "X-Helo-Args", h, sizeof(h));
		n += !strcmp(subj, subject) && !strcmp(h, helo);
	}
	closedir(d);
	return n;
}

int sft_sink_count(const struct sft_mailnode *m, const char *subject, const char *helo, int want,
		   int timeout_ms)
{
	int n = count_now(m, subject, helo);

	for (int t = 0; n < want && t < timeout_ms; t += 100) {
		usleep(100000);
		n = count_now(m, subject, helo);
	}
	return n;
}
