// SPDX-License-Identifier: GPL-2.0-only
#include "view/flows.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 8192

static int grow(struct sf_flow_table *t, size_t *cap, size_t need)
{
	size_t want = *cap ? *cap : BATCH;
	struct sf_flow_entry *v;

	while (want < need)
		want *= 2;
	if (want == *cap)
		return 0;
	v = realloc(t->v, want * sizeof(*v));
	if (!v)
		return -ENOMEM;
	t->v = v;
	*cap = want;
	return 0;
}

int sf_flows_read(int fd, struct sf_flow_table *t)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), count;
	struct sf_flow_key *keys;
	struct sf_flow *vals;
	size_t cap = 0;
	__u64 batch = 0;
	bool first = true;
	int err = 0;

	t->n = 0;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (info.key_size != sizeof(*keys) || info.value_size != sizeof(*vals))
		return -EPROTO;
	t->max_entries = info.max_entries;
	keys = calloc(BATCH, sizeof(*keys));
	vals = calloc(BATCH, sizeof(*vals));
	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	while (!err) {
		LIBBPF_OPTS(bpf_map_batch_opts, opts);
		int r;

		count = BATCH;
		r = bpf_map_lookup_batch(fd, first ? NULL : &batch, &batch, keys, vals, &count,
					 &opts);
		/* -ENOENT: the last batch (count may still be non-zero). */
		if (r && errno != ENOENT) {
			err = -errno;
			break;
		}
		first = false;
		err = grow(t, &cap, t->n + count);
		for (__u32 i = 0; !err && i < count; i++) {
			t->v[t->n].key = keys[i];
			t->v[t->n].val = vals[i];
			t->n++;
		}
		if (r)
			break;
	}
out:
	free(keys);
	free(vals);
	return err;
}

void sf_flow_table_free(struct sf_flow_table *t)
{
	free(t->v);
	t->v = NULL;
	t->n = 0;
}
