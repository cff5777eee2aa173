// SPDX-License-Identifier: GPL-2.0-only
/* Reads the rules map back: sync compares it with the compiled policy, the
 * views name tenants from it. */
#include "policy/rules_read.h"
#include "kernel/gen.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>

#define BATCH 4096

/* Sorted by key through a small index: moving 100,000 whole entries
 * around in qsort costs more than the rest of the read. */
struct order {
	struct sf_rule_key key;
	__u32 at;
};

static int cmp_order(const void *a, const void *b)
{
	return sf_rule_key_cmp(&((const struct order *)a)->key, &((const struct order *)b)->key);
}

int sf_rules_dump_raw(int fd, struct sf_kernel_rule **out, size_t *n)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	struct sf_rule_key *keys = NULL;
	struct sf_rule *vals = NULL;
	struct sf_kernel_rule *v = NULL;
	struct order *o = NULL;
	__u32 total = 0, count;
	__u64 batch = 0;
	bool first = true;
	int err;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	keys = malloc((info.max_entries + BATCH) * sizeof(*keys));
	vals = malloc((info.max_entries + BATCH) * sizeof(*vals));
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
	v = malloc((total + 1) * sizeof(*v));
	o = malloc((total + 1) * sizeof(*o));
	if (!v || !o) {
		free(v);
		err = -ENOMEM;
		goto out;
	}
	for (__u32 i = 0; i < total; i++) {
		o[i].key = keys[i];
		o[i].at = i;
	}
	qsort(o, total, sizeof(*o), cmp_order);
	for (__u32 i = 0; i < total; i++) {
		v[i].key = o[i].key;
		v[i].value = vals[o[i].at];
	}
	*out = v;
	*n = total;
out:
	free(o);
	free(keys);
	free(vals);
	return err;
}

int sf_rules_dump(int fd, int gen_fd, struct sf_compiled_rule **out, size_t *n)
{
	struct sf_kernel_rule *raw = NULL;
	struct sf_compiled_rule *v;
	size_t nr = 0, k = 0;
	__u32 slot;
	int err;

	/* A flip during the read would mix two generations: read again. */
	for (int tries = 0;; tries++) {
		slot = sf_gen_slot(gen_fd);
		free(raw);
		raw = NULL;
		err = sf_rules_dump_raw(fd, &raw, &nr);
		if (err)
			return err;
		if (sf_gen_slot(gen_fd) == slot || tries == 3)
			break;
	}
	v = calloc(nr + 1, sizeof(*v));
	if (!v) {
		free(raw);
		return -ENOMEM;
	}
	for (size_t i = 0; i < nr; i++) {
		if (raw[i].value.at[slot].action == SF_ACT_NONE)
			continue;
		v[k].key = raw[i].key;
		v[k].value = raw[i].value.at[slot];
		v[k++].spec = SF_SPEC_DEFAULT;
	}
	free(raw);
	*out = v;
	*n = k;
	return 0;
}

int sf_rule_visible(int fd, int gen_fd, const struct sf_rule_key *k, struct sf_rule_at *out)
{
	struct sf_rule r;
	__u32 slot = sf_gen_slot(gen_fd);

	if (bpf_map_lookup_elem(fd, k, &r))
		return -errno;
	if (r.at[slot].action == SF_ACT_NONE)
		return -ENOENT;
	*out = r.at[slot];
	return 0;
}
