// SPDX-License-Identifier: GPL-2.0-only
/* fillflows MAP_PIN N: writes N synthetic flows (distinct cgroup, uid and
 * destination) into a pinned sf_flows map, in batches, so that the flows
 * and top commands can be timed on a full table. Prints how many entries
 * the map holds afterwards (an LRU map may evict before it is full). */
#include "smtpfence.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BATCH 8192

static long count_entries(int fd)
{
	struct sf_flow_key k, next;
	long n = 0;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		k = next;
		prev = &k;
		n++;
	}
	return n;
}

int main(int argc, char **argv)
{
	struct sf_flow_key *keys;
	struct sf_flow *vals;
	struct timespec ts;
	char *end;
	long n;
	int fd;

	if (argc != 3 || (n = strtol(argv[2], &end, 10)) <= 0 || *end) {
		fprintf(stderr, "usage: fillflows MAP_PIN N\n");
		return 2;
	}
	fd = bpf_obj_get(argv[1]);
	if (fd < 0) {
		fprintf(stderr, "fillflows: failed to open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	keys = calloc(BATCH, sizeof(*keys));
	vals = calloc(BATCH, sizeof(*vals));
	if (!keys || !vals)
		return 1;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	__u64 now = (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;

	for (long off = 0; off < n; off += BATCH) {
		__u32 count = (__u32)(n - off < BATCH ? n - off : BATCH);
		LIBBPF_OPTS(bpf_map_batch_opts, opts);

		for (__u32 i = 0; i < count; i++) {
			long id = off + i;
			__u32 ip = htobe32(0xc0000200u + (__u32)(id % 251)); /* 192.0.2.x */

			memset(&keys[i], 0, sizeof(keys[i]));
			keys[i].cgroup_id = 1000000 + (__u64)(id / 251) % 4000;
			keys[i].uid = 100000 + (__u32)(id / 251);
			keys[i].family = 2;
			keys[i].dport = htobe16(25);
			memcpy(keys[i].daddr, &ip, 4);
			vals[i] = (struct sf_flow){
				.c = {.attempts = (__u64)id % 97 + 1,
				      .allowed = (__u64)id % 97 + 1},
				.first_ns = now - (__u64)id * 1000,
				.last_ns = now,
			};
		}
		if (bpf_map_update_batch(fd, keys, vals, &count, &opts)) {
			fprintf(stderr, "fillflows: failed to update %s: %s\n", argv[1],
				strerror(errno));
			return 1;
		}
	}
	printf("flows=%ld\n", count_entries(fd));
	free(keys);
	free(vals);
	close(fd);
	return 0;
}
