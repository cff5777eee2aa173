// SPDX-License-Identifier: GPL-2.0-only
/* Reads the rules map back, whole: sync compares it with the compiled
 * policy, the views name tenants from it. */
#include "policy/rules_read.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>

#define BATCH 4096

static int cmp_compiled(const void *a, const void *b)
{
	return sf_rule_key_cmp(&((const struct sf_compiled_rule *)a)->key,
			       &((const struct sf_compiled_rule *)b)->key);
}

int sf_rules_dump(int fd, struct sf_compiled_rule **out, size_t *n)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	struct sf_rule_key *keys = NULL;
	struct sf_rule *vals = NULL;
	struct sf_compiled_rule *v = NULL;
	__u32 total = 0, count;
	__u64 batch = 0;
	bool first = true;
	int err;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	keys = calloc(info.max_entries + BATCH, sizeof(*keys));
	vals = calloc(info.max_entries + BATCH, sizeof(*vals));
	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		LIBBPF_OPTS(bpf_map_batch_opts, opts);

		count = BATCH;
		err = bpf_map_lookup_batch(fd, first ? NULL : &batch, &batch, keys + total,
					   vals + total, &count, &opts);
		first = false;
		total += count;
		if (err) {
			err = errno == ENOENT ? 0 : -errno;
			break;
		}
		if (total > info.max_entries) {
			err = -E2BIG;
			break;
		}
	}
	if (err)
		goto out;
	v = calloc(total + 1, sizeof(*v));
	if (!v) {
		err = -ENOMEM;
		goto out;
	}
	for (__u32 i = 0; i < total; i++) {
		v[i].key = keys[i];
		v[i].value = vals[i];
		v[i].spec = SF_SPEC_DEFAULT;
	}
	qsort(v, total, sizeof(*v), cmp_compiled);
	*out = v;
	*n = total;
out:
	free(keys);
	free(vals);
	return err;
}
