/* SPDX-License-Identifier: GPL-2.0-only */
/* A tenant's process for the bypass tests: placed in a cgroup, running as
 * an unprivileged uid that kept CAP_NET_RAW, sending a hand-made SYN on a
 * raw socket. */
#ifndef SFT_TENANT_H
#define SFT_TENANT_H

#include "packet_build.h"

#include <sys/types.h>

/* Sends p (IPv4, with IP_HDRINCL) from a child in cgroup cg_abs running as
 * uid/gid with only CAP_NET_RAW. Returns 0 when sendto() succeeded, the
 * errno it failed with, or -1 when the harness itself failed. */
int sft_raw_send(const char *cg_abs, uid_t uid, gid_t gid, const struct sft_pkt *p);

/* A non-blocking TCP (or MPTCP: protocol 262) connect to host:port from a
 * child in cg_abs running as uid/gid: 0 when connected within timeout_ms,
 * ETIMEDOUT, the errno it failed with, or -1 when the harness failed. */
int sft_stream_connect(const char *cg_abs, uid_t uid, gid_t gid, const char *host, int port,
		       int protocol, int timeout_ms);

/* Waits up to timeout_ms for a connection on a non-blocking listener;
 * returns the accepted fd or -1. */
int sft_accept_wait(int lfd, int timeout_ms);

#endif /* SFT_TENANT_H */
