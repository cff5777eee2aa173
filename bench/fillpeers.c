// SPDX-License-Identifier: GPL-2.0-only
/* fillpeers MAP_PIN N: writes N synthetic connections (127.0.0.0/8
 * clients, distinct ports, in this network namespace) into the pinned
 * sf_peers array, and one real one: a loopback connection it holds open,
 * recorded as the backstop records it. Times the lookup `who` and the
 * policy service make (sf_peer_find: the array slot, then sock_diag
 * asking the kernel whether that socket still holds the port) on the real
 * one. Prints "peers=N lookup_ns=MEDIAN port=P" (P: the real client's
 * port, address 127.0.0.1, for timing `smtpfence who`), then keeps the
 * connection open until its standard input closes. */
#include "kernel/peers.h"
#include "smtpfence.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef SO_COOKIE
#define SO_COOKIE 57
#endif

#define LOOKUPS	 20000
#define ROUNDS	 9
#define PORT_MIN 10000

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

static int put(int fd, const struct sf_peer_key *k, const struct sf_peer *p)
{
	struct sf_peer_slot slot = {.key = *k, .peer = *p};
	__u32 idx = sf_peer_index(k);

	return bpf_map_update_elem(fd, &idx, &slot, BPF_ANY) ? -errno : 0;
}

/* A loopback connection: *cfd the client, its port and cookie. */
static int live_connection(int *lfd, int *cfd, struct sockaddr_in *srv, __u16 *port, __u64 *cookie)
{
	struct sockaddr_in me;
	socklen_t len = sizeof(*srv);

	*lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	*cfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memset(srv, 0, sizeof(*srv));
	srv->sin_family = AF_INET;
	srv->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (*lfd < 0 || *cfd < 0 || bind(*lfd, (struct sockaddr *)srv, sizeof(*srv)) ||
	    listen(*lfd, 1) || getsockname(*lfd, (struct sockaddr *)srv, &len) ||
	    connect(*cfd, (struct sockaddr *)srv, sizeof(*srv)))
		return -errno;
	len = sizeof(me);
	if (getsockname(*cfd, (struct sockaddr *)&me, &len))
		return -errno;
	*port = ntohs(me.sin_port);
	len = sizeof(*cookie);
	return getsockopt(*cfd, SOL_SOCKET, SO_COOKIE, cookie, &len) ? -errno : 0;
}

int main(int argc, char **argv)
{
	struct sf_peer_key k;
	struct sf_peer p = {.cgroup_id = 1000000, .uid = 100000, .pid = 1000}, got;
	struct sockaddr_in srv;
	uint64_t netns = 0;
	__u64 cookie = 0, per[ROUNDS];
	__u16 port = 0;
	char *end, c;
	long n;
	int fd, lfd, cfd, err;

	if (argc != 3 || (n = strtol(argv[2], &end, 10)) <= 0 || *end || n > SF_PEER_SLOTS) {
		fprintf(stderr, "usage: fillpeers MAP_PIN N (N at most %d)\n", SF_PEER_SLOTS);
		return 2;
	}
	if ((err = sf_netns_cookie(&netns))) {
		fprintf(stderr, "fillpeers: no network namespace cookie: %s\n", strerror(-err));
		return 1;
	}
	fd = bpf_obj_get(argv[1]);
	if (fd < 0) {
		fprintf(stderr, "fillpeers: failed to open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	snprintf(p.comm, sizeof(p.comm), "php-fpm");
	for (long i = 0; i < n - 1; i++) {
		__u8 addr[16] = {0};
		__u32 ip = htonl(0x7f000002u + (__u32)(i / 50000)); /* 127.0.0.2, .3, ... */

		memcpy(addr, &ip, 4);
		sf_peer_key_make(netns, AF_INET, addr, (__u16)(PORT_MIN + i % 50000), &k);
		p.socket_cookie = (__u64)i + 1;
		if ((err = put(fd, &k, &p))) {
			fprintf(stderr, "fillpeers: failed to update %s: %s\n", argv[1],
				strerror(-err));
			return 1;
		}
	}
	if ((err = live_connection(&lfd, &cfd, &srv, &port, &cookie))) {
		fprintf(stderr, "fillpeers: no loopback connection: %s\n", strerror(-err));
		return 1;
	}
	__u8 lo[16] = {0};
	__u32 ip = htonl(INADDR_LOOPBACK);

	memcpy(lo, &ip, 4);
	sf_peer_key_make(netns, AF_INET, lo, port, &k);
	p.socket_cookie = cookie;
	p.server.family = AF_INET;
	p.server.dport = srv.sin_port;
	memcpy(p.server.daddr, &srv.sin_addr, 4);
	if ((err = put(fd, &k, &p))) {
		fprintf(stderr, "fillpeers: failed to update %s: %s\n", argv[1], strerror(-err));
		return 1;
	}
	for (int r = 0; r < ROUNDS; r++) {
		__u64 t0 = now_ns();

		for (long i = 0; i < LOOKUPS; i++)
			if ((err = sf_peer_find(fd, &k, NULL, &got))) {
				fprintf(stderr, "fillpeers: the live entry was not found: %s\n",
					strerror(-err));
				return 1;
			}
		per[r] = (now_ns() - t0) / LOOKUPS;
	}
	qsort(per, ROUNDS, sizeof(per[0]), cmp_u64);
	printf("peers=%ld lookup_ns=%llu port=%u\n", n, (unsigned long long)per[ROUNDS / 2], port);
	fflush(stdout);
	while (read(STDIN_FILENO, &c, 1) > 0)
		;
	close(cfd);
	close(lfd);
	close(fd);
	return 0;
}
