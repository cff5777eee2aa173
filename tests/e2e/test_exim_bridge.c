// SPDX-License-Identifier: GPL-2.0-only
/* The mail-flow bridge end to end with real Exim (exim4-daemon-light, its
 * own instance and configuration, never the system's) as the relay: a
 * tenant's swaks to an "internet" address on port 25 is redirected to
 * Exim, whose ACLs ask the policy service in its one-line form
 * (${readsocket}); the message reaches the smart host (smtp-sink) with
 * X-Smtpfence-Tenant, past the tenant's `messages` limit Exim defers, a
 * denied tenant gets EPERM. IPv4 and IPv6. The Exim user exists only in
 * this test's private /etc. */
#include "harness.h"
#include "mailnode.h"
#include "suite.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* scripts/deps.sh unpacks it there: the package conflicts with Postfix. */
#define EXIM	  "/opt/smtpfence-test/exim4/usr/sbin/exim4"
#define EXIM_PORT "2587"

static const char node_conf[] = "[global]\nports = 25 587 " EXIM_PORT "\ndefault = deny\n"
				"exempt = 127.0.0.0/8 ::1/128\n"
				"relay = 127.0.0.1:" EXIM_PORT " [::1]:" EXIM_PORT "\n"
				"[rules]\nallow = user:postfix\nallow = user:Debian-exim\n";

/* The ACLs an admin copies (README): one question a recipient, one a
 * message; the answer's first word decides. */
#define EXIM_CONF                                                                                  \
	"primary_hostname = " SFT_NODE_HELO "\n"                                                   \
	"exim_path = " EXIM "\n"                                                                   \
	"spool_directory = %1$s/spool\n"                                                           \
	"log_file_path = %1$s/log/%%slog\n"                                                        \
	"pid_file_path = %1$s/exim.pid\n"                                                          \
	"daemon_smtp_ports = " EXIM_PORT "\n"                                                      \
	"local_interfaces = <; 127.0.0.1 ; ::1\n"                                                  \
	"keep_environment =\n"                                                                     \
	"host_lookup =\n"                                                                          \
	"rfc1413_hosts =\n"                                                                        \
	"acl_smtp_rcpt = acl_rcpt\n"                                                               \
	"acl_smtp_data = acl_data\n"                                                               \
	"begin acl\n"                                                                              \
	"acl_rcpt:\n"                                                                              \
	"  warn set acl_m_sf = ${readsocket{%2$s/policy.sock}"                                     \
	"{rcpt $sender_host_address $sender_host_port $received_ip_address "                       \
	"$received_port\\n}{5s}{}{DUNNO}}\n"                                                       \
	"  defer condition = ${if match{$acl_m_sf}{\\N^DEFER \\N}}\n"                              \
	"        message = ${sg{$acl_m_sf}{\\N^DEFER \\N}{}}\n"                                    \
	"  accept hosts = <; 127.0.0.1 ; ::1\n"                                                    \
	"  deny\n"                                                                                 \
	"acl_data:\n"                                                                              \
	"  warn set acl_m_sf = ${readsocket{%2$s/policy.sock}"                                     \
	"{data $sender_host_address $sender_host_port $received_ip_address "                       \
	"$received_port\\n}{5s}{}{DUNNO}}\n"                                                       \
	"  defer condition = ${if match{$acl_m_sf}{\\N^DEFER \\N}}\n"                              \
	"        message = ${sg{$acl_m_sf}{\\N^DEFER \\N}{}}\n"                                    \
	"  warn condition = ${if match{$acl_m_sf}{\\N^OK \\N}}\n"                                  \
	"       add_header = X-Smtpfence-Tenant: ${sg{$acl_m_sf}{\\N^OK \\N}{}}\n"                 \
	"  accept\n"                                                                               \
	"begin routers\n"                                                                          \
	"to_v4:\n  driver = manualroute\n  domains = v4.test\n"                                    \
	"  route_data = " SFT_SINK4 "\n  transport = remote_smtp\n"                                \
	"to_v6:\n  driver = manualroute\n  domains = v6.test\n"                                    \
	"  route_data = <;" SFT_SINK6 "\n  transport = remote_smtp\n"                              \
	"begin transports\n"                                                                       \
	"remote_smtp:\n  driver = smtp\n  port = 25\n  helo_data = " SFT_NODE_HELO "\n"            \
	"  hosts_try_chunking =\n  hosts_try_fastopen =\n"

struct family {
	const char *name, *server;
};

static const struct family v4 = {"v4", SFT_SINK4};
static const struct family v6 = {"v6", SFT_SINK6};

static struct sft_env env;
static struct sft_mailnode node;
static struct sft_bridge b;
static char exim_dir[PATH_MAX];
static bool env_up, node_up;
static pid_t owner, exim;

static void stop_exim(void)
{
	if (exim > 0) {
		kill(exim, SIGTERM);
		waitpid(exim, NULL, 0);
	}
	exim = 0;
}

static void teardown(void)
{
	stop_exim();
	if (node_up)
		sft_mailnode_stop(&node);
	if (env_up)
		sft_env_teardown(&env);
	node_up = env_up = false;
}

static void mkdir_owned(const char *path, const struct passwd *pw)
{
	ck_assert_int_eq(mkdir(path, 0750), 0);
	ck_assert_int_eq(chown(path, pw->pw_uid, pw->pw_gid), 0);
}

/* Exim in the MTA's cgroup, in the foreground (-bdf): ended by its pid. */
static void start_exim(void)
{
	const struct passwd *pw = getpwnam("Debian-exim");
	char path[PATH_MAX + 32], conf[8192];
	FILE *f;

	ck_assert_ptr_nonnull(pw);
	snprintf(exim_dir, sizeof(exim_dir), "%s/exim", node.dir);
	ck_assert_int_eq(mkdir(exim_dir, 0755), 0);
	snprintf(path, sizeof(path), "%s/spool", exim_dir);
	mkdir_owned(path, pw);
	snprintf(path, sizeof(path), "%s/log", exim_dir);
	mkdir_owned(path, pw);
	snprintf(conf, sizeof(conf), EXIM_CONF, exim_dir, env.run_dir);
	snprintf(path, sizeof(path), "%s/exim.conf", exim_dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(conf, f);
	fclose(f);
	/* trusted (private /etc): its deliveries keep the privilege they need */
	mkdir("/etc/exim4", 0755);
	f = fopen("/etc/exim4/trusted_configs", "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "%s\n", path);
	fclose(f);
	exim = fork();
	if (exim == 0) {
		if (sft_join_cgroup(b.mta))
			_exit(126);
		execl(EXIM, "exim4", "-C", path, "-bdf", (char *)NULL);
		_exit(127);
	}
	for (int t = 0; t < 100; t++) {
		char *const probe[] = {"swaks",	  "--server",	  "127.0.0.1", "--port",
				       EXIM_PORT, "--quit-after", "CONNECT",   NULL};

		if (sft_run_as(NULL, 0, 0, probe, NULL, 0) == 0)
			return;
		usleep(100000);
	}
	snprintf(path, sizeof(path), "cat %s/log/mainlog %s/log/paniclog >&2", exim_dir, exim_dir);
	if (system(path)) {
		/* shown what there is */
	}
	ck_abort_msg("exim never listened on %s", EXIM_PORT);
}

static void start_node(const char *name)
{
	char dir[PATH_MAX];

	sft_env_setup(&env, name, node_conf);
	env_up = true;
	sft_bridge_setup(&env, &b);
	sft_mail_dir(owner, name, dir, sizeof(dir));
	ck_assert_msg(sft_mailnode_start(&node, dir, b.mta, b.internet) == 0,
		      "mail node did not start");
	node_up = true;
	start_exim();
}

static int swaks(const char *cg, const struct family *f, const char *subject, char *out, size_t len)
{
	return sft_swaks(cg, f->server, "25", f->name, subject, out, len);
}

/* The end of Exim's main log, for a failure's message. */
static const char *exim_log(void)
{
	static char text[4096];
	char path[PATH_MAX + 16];
	int fd;
	off_t size;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/log/mainlog", exim_dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return "(no exim log)";
	size = lseek(fd, 0, SEEK_END);
	n = pread(fd, text, sizeof(text) - 1,
		  size > (off_t)sizeof(text) - 1 ? size - (off_t)sizeof(text) + 1 : 0);
	close(fd);
	text[n > 0 ? n : 0] = '\0';
	return text;
}

static void scenario(const struct family *f)
{
	char out[16384], subj[64], h[512];
	int rc;

	for (int i = 1; i <= 2; i++) {
		snprintf(subj, sizeof(subj), "exim-%s-%d", f->name, i);
		rc = swaks(b.acme, f, subj, out, sizeof(out));
		ck_assert_msg(rc == 0, "swaks %d: %s", rc, out);
		ck_assert_msg(sft_sink_count(&node, subj, SFT_NODE_HELO, 1, 20000) == 1,
			      "not delivered; exim: %s", exim_log());
		ck_assert_int_eq(sft_sink_header(&node, subj, "X-Smtpfence-Tenant", h, sizeof(h)),
				 0);
		ck_assert_msg(!strncmp(h, b.acme_rel, strlen(b.acme_rel)) &&
				      !strncmp(h + strlen(b.acme_rel),
					       "; user=10001; process=swaks[", 28),
			      "X-Smtpfence-Tenant: '%s'", h);
	}
	snprintf(subj, sizeof(subj), "exim-%s-3", f->name);
	rc = swaks(b.acme, f, subj, out, sizeof(out));
	ck_assert_msg(rc != 0 && strstr(out, "4.7.1") && strstr(out, "2 messages per hour"),
		      "swaks %d: %s", rc, out);
	ck_assert_int_eq(sft_sink_count(&node, subj, SFT_NODE_HELO, 1, 2000), 0);
	snprintf(subj, sizeof(subj), "exim-%s-denied", f->name);
	rc = swaks(b.bad, f, subj, out, sizeof(out));
	ck_assert_msg(rc != 0 && strstr(out, "Operation not permitted"), "swaks %d: %s", rc, out);
}

START_TEST(exim_ipv4)
{
	start_node("exim_v4");
	scenario(&v4);
}
END_TEST

START_TEST(exim_ipv6)
{
	start_node("exim_v6");
	scenario(&v6);
}
END_TEST

static void reap_leftovers(void)
{
	static const char *const names[] = {"exim_v4", "exim_v6"};

	sft_mailnode_reap_leftovers(owner, names, sizeof(names) / sizeof(names[0]));
}

int main(void)
{
	const char *missing = sft_mailnode_missing();
	TCase *tc;
	int failed;

	if (!missing && access(EXIM, X_OK))
		missing = EXIM;
	if (missing) {
		printf("SKIP: %s is missing (scripts/deps.sh installs it)\n", missing);
		return 77;
	}
	sft_sandbox_enter();
	/* a private /etc: the Exim user is made there, never on the host */
	sft_default_paths_private();
	if (!getpwnam("Debian-exim") &&
	    system("useradd --system --no-create-home --shell /usr/sbin/nologin Debian-exim")) {
		printf("SKIP: cannot make the Debian-exim user in the private /etc\n");
		return 77;
	}
	owner = getpid();
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	tc = tcase_create("exim_bridge");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, exim_ipv4);
	tcase_add_test(tc, exim_ipv6);
	failed = sft_run_tcase("e2e_exim", tc);
	reap_leftovers();
	return failed;
}
