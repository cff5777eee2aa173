/* SPDX-License-Identifier: GPL-2.0-only */
/* Extra network namespaces for end-to-end tests ("vm", "internet"): each
 * is held by a child process and vanishes with it, veth ends included,
 * when the test ends in any way (the holder dies with its parent). */
#ifndef SFT_NETNS_H
#define SFT_NETNS_H

#include <sys/types.h>

struct sft_ns {
	pid_t holder;
	int hold_fd;   /* closing it lets the holder exit */
	char path[64]; /* /proc/PID/ns/net */
};

int sft_ns_new(struct sft_ns *ns);
void sft_ns_free(struct sft_ns *ns);
/* Runs a shell command inside the namespace; returns its exit status. */
int sft_ns_sh(struct sft_ns *ns, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A non-blocking TCP listener on host:port inside the namespace. */
int sft_ns_listen(struct sft_ns *ns, const char *host, int port);
/* A TCP connect from src to dst:port inside the namespace: 0 when it
 * connected within timeout_ms, ETIMEDOUT or the errno it failed with. */
int sft_ns_connect(struct sft_ns *ns, const char *src, const char *dst, int port, int timeout_ms);

#endif /* SFT_NETNS_H */
