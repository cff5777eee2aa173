// SPDX-License-Identifier: GPL-2.0-only
/* fillpeers MAP_PIN N: writes N synthetic live connections (127.0.0.0/8
 * clients, distinct ports, in this network namespace) into a pinned
 * sf_peers map, then times the lookup `who` and the policy service make
 * (one bpf_map_lookup_elem by client address and port) over random
 * present keys. Prints "peers=N lookup_ns=MEDIAN port=P" (P: one client
 * port present with address 127.0.0.1, for timing `smtpfence who`). */
#include "smtpfence.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

#define BATCH	 8192
#define LOOKUPS	 200000
#define ROUNDS	 9
#define PORTS	 50000 /* client ports 10000..59999 per address */
#define PORT_MIN 10000

static void key_of(__u64 netns, long id, struct sf_peer_key *k)
{
	__u32 ip = htonl(0x7f000001u + (__u32)(id / PORTS)); /* 127.0.0.1, .2, ... */

	memset(k, 0, sizeof(*k));
	k->netns_cookie = netns;
	k->family = AF_INET;
	k->sport = htons((__u16)(PORT_MIN + id % PORTS));
	memcpy(k->saddr, &ip, 4);
}

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

int main(int argc, char **argv)
{
	struct sf_peer_key *keys;
	struct sf_peer *vals, p;
	__u64 netns = 0, per[ROUNDS];
	socklen_t len = sizeof(netns);
	char *end;
	long n;
	int fd, s;

	if (argc != 3 || (n = strtol(argv[2], &end, 10)) <= 0 || *end) {
		fprintf(stderr, "usage: fillpeers MAP_PIN N\n");
		return 2;
	}
	s = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (s < 0 || getsockopt(s, SOL_SOCKET, SO_NETNS_COOKIE, &netns, &len)) {
		fprintf(stderr, "fillpeers: no network namespace cookie: %s\n", strerror(errno));
		return 1;
	}
	close(s);
	fd = bpf_obj_get(argv[1]);
	if (fd < 0) {
		fprintf(stderr, "fillpeers: failed to open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	keys = calloc(BATCH, sizeof(*keys));
	vals = calloc(BATCH, sizeof(*vals));
	if (!keys || !vals)
		return 1;
	for (long off = 0; off < n; off += BATCH) {
		__u32 count = (__u32)(n - off < BATCH ? n - off : BATCH);
		LIBBPF_OPTS(bpf_map_batch_opts, opts);

		for (__u32 i = 0; i < count; i++) {
			key_of(netns, off + i, &keys[i]);
			vals[i] = (struct sf_peer){.cgroup_id = 1000000 + (__u64)(off + i) % 4000,
						   .socket_cookie = (__u64)(off + i) + 1,
						   .uid = 100000 + (__u32)((off + i) % 4000),
						   .pid = 1000 + (__u32)(off + i),
						   .redirected = 1};
			snprintf(vals[i].comm, sizeof(vals[i].comm), "php-fpm");
		}
		if (bpf_map_update_batch(fd, keys, vals, &count, &opts)) {
			fprintf(stderr, "fillpeers: failed to update %s: %s\n", argv[1],
				strerror(errno));
			return 1;
		}
	}
	srand(1);
	for (int r = 0; r < ROUNDS; r++) {
		long *ids = malloc(LOOKUPS * sizeof(*ids));
		__u64 t0;

		if (!ids)
			return 1;
		for (long i = 0; i < LOOKUPS; i++)
			ids[i] = rand() % n;
		t0 = now_ns();
		for (long i = 0; i < LOOKUPS; i++) {
			struct sf_peer_key k;

			key_of(netns, ids[i], &k);
			if (bpf_map_lookup_elem(fd, &k, &p)) {
				fprintf(stderr, "fillpeers: entry %ld missing\n", ids[i]);
				return 1;
			}
		}
		per[r] = (now_ns() - t0) / LOOKUPS;
		free(ids);
	}
	qsort(per, ROUNDS, sizeof(per[0]), cmp_u64);
	printf("peers=%ld lookup_ns=%llu port=%d\n", n, (unsigned long long)per[ROUNDS / 2],
	       PORT_MIN);
	free(keys);
	free(vals);
	close(fd);
	return 0;
}
