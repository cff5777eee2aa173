// SPDX-License-Identifier: GPL-2.0-only
/* empty CGROUP: attaches the empty cgroup/connect4 and cgroup_skb/egress
 * programs to CGROUP, prints "connect4=ID egress=ID" (their program ids)
 * and holds them attached until its standard input closes or it is
 * signalled. The input lines "stats on" and "stats off" turn the
 * kernel's BPF run-time statistics (the switch behind the sysctl
 * kernel.bpf_stats_enabled) on and off; each is answered with "ok". They
 * are held by a file descriptor (BPF_ENABLE_STATS), not by writing the
 * sysctl: the kernel turns them off again when this process ends, however
 * it ends, and the sysctl keeps whatever value it had. */
#include "empty.skel.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void on_signal(int sig)
{
	(void)sig;
}

/* Attaches prog to the cgroup; returns its link and sets *id. */
static struct bpf_link *attach(struct bpf_program *prog, int cgfd, const char *cg, __u32 *id)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	struct bpf_link *link = bpf_program__attach_cgroup(prog, cgfd);

	if (!link) {
		fprintf(stderr, "empty: failed to attach %s to %s: %s\n", bpf_program__name(prog),
			cg, strerror(errno));
		return NULL;
	}
	if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len)) {
		fprintf(stderr, "empty: failed to read the id of %s: %s\n", bpf_program__name(prog),
			strerror(errno));
		bpf_link__destroy(link);
		return NULL;
	}
	*id = info.id;
	return link;
}

int main(int argc, char **argv)
{
	struct empty_bpf *skel = NULL;
	struct bpf_link *connect4 = NULL, *egress = NULL;
	int cgfd = -1, stats_fd = -1, err = 1;
	__u32 connect4_id = 0, egress_id = 0;
	char line[64];
	FILE *in = stdin;

	if (argc != 2) {
		fprintf(stderr, "usage: empty CGROUP_DIR\n");
		return 2;
	}
	cgfd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cgfd < 0) {
		fprintf(stderr, "empty: failed to open cgroup %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	skel = empty_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "empty: failed to load the empty programs: %s\n", strerror(errno));
		goto out;
	}
	connect4 = attach(skel->progs.empty_connect4, cgfd, argv[1], &connect4_id);
	egress = connect4 ? attach(skel->progs.empty_egress, cgfd, argv[1], &egress_id) : NULL;
	if (!egress)
		goto out;
	printf("connect4=%u egress=%u\n", connect4_id, egress_id);
	fflush(stdout);
	/* No SA_RESTART: a signal ends the read below. */
	struct sigaction sa = {.sa_handler = on_signal};

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	while (fgets(line, sizeof(line), in)) {
		if (!strcmp(line, "stats on\n") && stats_fd < 0) {
			stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
			if (stats_fd < 0) {
				fprintf(stderr, "empty: failed to enable BPF run-time stats: %s\n",
					strerror(errno));
				goto out;
			}
		} else if (!strcmp(line, "stats off\n") && stats_fd >= 0) {
			close(stats_fd);
			stats_fd = -1;
		} else {
			fprintf(stderr, "empty: unknown command '%.*s'\n", (int)strcspn(line, "\n"),
				line);
			goto out;
		}
		printf("ok\n");
		fflush(stdout);
	}
	err = 0;
out:
	if (stats_fd >= 0)
		close(stats_fd);
	bpf_link__destroy(egress);
	bpf_link__destroy(connect4);
	empty_bpf__destroy(skel);
	close(cgfd);
	return err;
}
