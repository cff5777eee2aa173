// SPDX-License-Identifier: GPL-2.0-only
#include "policy/sync.h"
#include "policy/rules_read.h"
#include "util/log.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BATCH 4096

static bool same_policy(const struct sf_rule *a, const struct sf_rule *b)
{
	return a->action == b->action && a->origin == b->origin && a->rate_count == b->rate_count &&
	       a->period_ns == b->period_ns && a->burst == b->burst;
}

static int update_rules(int fd, struct sf_rule_key *keys, struct sf_rule *vals, size_t n)
{
	for (size_t off = 0; off < n;) {
		LIBBPF_OPTS(bpf_map_batch_opts, opts);
		__u32 count = (__u32)(n - off < BATCH ? n - off : BATCH);

		if (bpf_map_update_batch(fd, keys + off, vals + off, &count, &opts))
			return -errno;
		off += count;
	}
	return 0;
}

static int delete_gone(const struct sf_maps *m, const struct sf_compiled_rule *want, size_t nw,
		       const struct sf_compiled_rule *have, size_t nh, struct sf_sync_stats *st)
{
	for (size_t i = 0, j = 0; j < nh; j++) {
		while (i < nw && sf_rule_key_cmp(&want[i].key, &have[j].key) < 0)
			i++;
		if (i < nw && !sf_rule_key_cmp(&want[i].key, &have[j].key))
			continue;
		if (bpf_map_delete_elem(m->rules, &have[j].key) && errno != ENOENT)
			return -errno;
		bpf_map_delete_elem(m->rule_stats, &have[j].key);
		st->removed++;
	}
	return 0;
}

/* Writes *want into the rules map, whose present contents are *have. New
 * rules go in before old ones leave, so that no connect falls through to
 * a wider rule in between; when the table has no room for both, the old
 * ones leave first (they are going anyway). */
static int apply_rules(const struct sf_maps *m, const struct sf_compiled_rule *want, size_t nw,
		       const struct sf_compiled_rule *have, size_t nh, struct sf_sync_stats *st)
{
	struct sf_rule_key *keys = calloc(nw + 1, sizeof(*keys));
	struct sf_rule *vals = calloc(nw + 1, sizeof(*vals));
	struct bpf_map_info info = {};
	__u32 info_len = sizeof(info);
	size_t nu = 0, fresh = 0, i = 0, j = 0;
	bool delete_first;
	int err = 0;

	if (!keys || !vals || bpf_obj_get_info_by_fd(m->rules, &info, &info_len)) {
		err = keys && vals ? -errno : -ENOMEM;
		goto out;
	}
	/* Merge two sorted lists: the new and changed rules. */
	while (i < nw) {
		int c = j < nh ? sf_rule_key_cmp(&want[i].key, &have[j].key) : -1;

		if (c > 0) {
			j++;
			continue;
		}
		if (c == 0 && same_policy(&want[i].value, &have[j].value)) {
			st->kept++;
		} else {
			keys[nu] = want[i].key;
			vals[nu++] = want[i].value;
			if (c == 0)
				st->changed++;
			else
				fresh++;
		}
		if (c == 0)
			j++;
		i++;
	}
	st->added = fresh;
	delete_first = nh + fresh > info.max_entries;
	if (delete_first)
		err = delete_gone(m, want, nw, have, nh, st);
	if (!err)
		err = update_rules(m->rules, keys, vals, nu);
	if (!err && !delete_first)
		err = delete_gone(m, want, nw, have, nh, st);
out:
	free(keys);
	free(vals);
	return err;
}

static int lpm_contains(const void *want, size_t n, size_t size, const void *key)
{
	for (size_t i = 0; i < n; i++)
		if (!memcmp((const char *)want + i * size, key, size))
			return 1;
	return 0;
}

/* Writes n prefixes (with their values; NULL vals: the value 1) and removes
 * every other. Prefix lists are short: a plain comparison is enough. */
static int sync_lpm(int fd, const void *want, size_t n, size_t size, const void *vals,
		    size_t val_size)
{
	unsigned char key[sizeof(struct sf_lpm6)], next[sizeof(struct sf_lpm6)];
	__u32 one = 1;
	void *prev = NULL;
	int err = 0;

	for (size_t i = 0; i < n; i++) {
		const void *v = vals ? (const char *)vals + i * val_size : (const void *)&one;

		if (bpf_map_update_elem(fd, (const char *)want + i * size, v, BPF_ANY))
			return -errno;
	}
	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, size);
		prev = key;
		if (lpm_contains(want, n, size, key))
			continue;
		if (bpf_map_delete_elem(fd, key) && errno != ENOENT)
			err = -errno;
		prev = NULL; /* the trie changed under the iteration: restart */
	}
	return err;
}

static int sync_ports(int fd, const uint8_t *bm)
{
	__u32 *keys = calloc(65536, sizeof(*keys)), *vals = calloc(65536, sizeof(*vals));
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u32 count = 65536;
	__u64 batch = 0;
	int err = keys && vals ? 0 : -ENOMEM;

	if (!err && bpf_map_lookup_batch(fd, NULL, &batch, keys, vals, &count, &opts) &&
	    errno != ENOENT)
		err = -errno;
	for (__u32 i = 0; !err && i < count; i++) {
		__u32 want = keys[i] && (bm[keys[i] / 8] & (1U << (keys[i] % 8))) ? 1 : 0;

		if (vals[i] != want && bpf_map_update_elem(fd, &keys[i], &want, BPF_ANY))
			err = -errno;
	}
	free(keys);
	free(vals);
	return err;
}

static int write_settings(int fd, const struct sf_settings *s)
{
	__u32 zero = 0;

	return bpf_map_update_elem(fd, &zero, s, BPF_ANY) ? -errno : 0;
}

int sf_sync(const struct sf_maps *m, const struct sf_compiled *c, struct sf_sync_stats *st)
{
	struct sf_compiled_rule *have = NULL;
	struct sf_settings old = {}, wide;
	struct sf_sync_stats ignored;
	size_t nh = 0;
	__u32 zero = 0;
	int err;

	memset(st, 0, sizeof(*st));
	if (bpf_map_lookup_elem(m->settings, &zero, &old))
		return -errno;
	err = sf_rules_dump(m->rules, &have, &nh);
	if (err)
		return err;
	/* While rules change, the walk must look at old and new levels. */
	wide = c->settings;
	wide.cgroup_levels |= old.cgroup_levels;
	wide.flags |= old.flags;
	err = write_settings(m->settings, &wide);
	if (!err)
		err = apply_rules(m, c->rules, c->n_rules, have, nh, st);
	if (err) {
		sf_err("failed to update the rule table: %s%s; restoring the previous rules",
		       strerror(-err), err == -E2BIG ? " (rule table is full)" : "");
		apply_rules(m, have, nh, c->rules, c->n_rules, &ignored);
		write_settings(m->settings, &old);
		goto out;
	}
	err = sync_lpm(m->exempt4, c->exempt4, c->n_exempt4, sizeof(struct sf_lpm4), NULL, 0);
	if (!err)
		err = sync_lpm(m->exempt6, c->exempt6, c->n_exempt6, sizeof(struct sf_lpm6), NULL,
			       0);
	if (!err)
		err = sync_lpm(m->source4, c->source4, c->n_source4, sizeof(struct sf_lpm4),
			       c->source4_val, sizeof(struct sf_source));
	if (!err)
		err = sync_lpm(m->source6, c->source6, c->n_source6, sizeof(struct sf_lpm6),
			       c->source6_val, sizeof(struct sf_source));
	if (!err)
		err = sync_ports(m->ports, c->ports);
	if (!err)
		err = write_settings(m->settings, &c->settings);
	if (err)
		sf_err("failed to update the maps: %s", strerror(-err));
out:
	free(have);
	return err;
}
