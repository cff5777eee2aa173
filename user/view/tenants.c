// SPDX-License-Identifier: GPL-2.0-only
#include "view/tenants.h"
#include "util/cgroupfs.h"
#include "util/context.h"
#include "view/names.h"
#include "util/log.h"
#include "kernel/pins.h"
#include "policy/rules_read.h"

#include <errno.h>
#include <stddef.h>
#include <pwd.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One cached answer per cgroup id or uid: names are looked up once. */
struct cache_entry {
	__u64 id;
	char *name;	    /* cgroup path, or user name */
	const char *tenant; /* into name, into a ruled path, or owned (users) */
	char *owned;
};

/* A ruled cgroup's path, with the id its rule is keyed by just before. */
struct ruled_path {
	__u64 id;
	char path[];
};

static struct ruled_path *ruled_of(const char *path)
{
	return (struct ruled_path *)(path - offsetof(struct ruled_path, path));
}

struct sf_tenants {
	char mount[4096];
	struct sf_namer *namer;
	char **ruled; /* sorted paths of the cgroups that carry rules */
	size_t n_ruled;
	struct sf_compiled_rule *rules; /* the rules map, sorted by key */
	size_t n_rules;
	void *by_cgroup; /* tsearch trees of struct cache_entry */
	void *by_uid;
	time_t names_at; /* CLOCK_MONOTONIC seconds: when the trees started */
};

static int cmp_entry(const void *a, const void *b)
{
	const struct cache_entry *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static void free_entry(void *p)
{
	struct cache_entry *e = p;

	free(e->name);
	free(e->owned);
	free(e);
}

/* Names are kept across samples for this long, then looked up afresh (a
 * renamed user or moved cgroup shows within it); every sample re-reading
 * every user was most of a top refresh at 100,000 flows. */
#define SF_NAMES_TTL_S 60

static time_t monotonic_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static void forget_ruled(char **ruled, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(ruled_of(ruled[i]));
	free(ruled);
}

static void forget_names(struct sf_tenants *t)
{
	tdestroy(t->by_cgroup, free_entry);
	tdestroy(t->by_uid, free_entry);
	t->by_cgroup = t->by_uid = NULL;
	t->names_at = monotonic_s();
}

static void forget(struct sf_tenants *t)
{
	forget_names(t);
	forget_ruled(t->ruled, t->n_ruled);
	t->ruled = NULL;
	t->n_ruled = 0;
	free(t->rules);
	t->rules = NULL;
	t->n_rules = 0;
}

struct sf_tenants *sf_tenants_new(const char *cgroup_mount)
{
	struct sf_tenants *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	snprintf(t->mount, sizeof(t->mount), "%s", cgroup_mount);
	t->namer = sf_namer_new(cgroup_mount);
	if (!t->namer) {
		free(t);
		return NULL;
	}
	return t;
}

int sf_tenants_open(const struct sf_ctx *ctx, struct sf_maps *m, struct sf_tenants **t)
{
	char mount[4096];
	int err = sf_cgroup2_mount(mount, sizeof(mount));

	*t = NULL;
	if (err) {
		sf_err("failed to find the cgroup-v2 mount: %s", strerror(-err));
		return SF_EXIT_FAIL;
	}
	err = sf_maps_open(ctx->pin_dir, m);
	if (err)
		return sf_exit_for(err, ctx->pin_dir);
	*t = sf_tenants_new(mount);
	if (!*t) {
		sf_maps_close(m);
		return SF_EXIT_FAIL;
	}
	return SF_EXIT_OK;
}

const char *sf_tenants_mount(const struct sf_tenants *t)
{
	return t->mount;
}

void sf_tenants_free(struct sf_tenants *t)
{
	if (!t)
		return;
	forget(t);
	sf_namer_free(t->namer);
	free(t);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool same_ruled(char *const *a, size_t na, char *const *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (ruled_of(a[i])->id != ruled_of(b[i])->id || strcmp(a[i], b[i]))
			return false;
	return true;
}

/* The paths of the cgroups that rules name, sorted; *n of them. */
static char **ruled_paths(struct sf_tenants *t, const struct sf_compiled_rule *rules, size_t n,
			  size_t n_per_kind[SF_RULE_KINDS], size_t *n_ruled, int *err)
{
	char **ruled = calloc(n + 1, sizeof(*ruled));

	*n_ruled = 0;
	if (!ruled) {
		*err = -ENOMEM;
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		const struct sf_rule_key *k = &rules[i].key;
		const char *path;

		if (n_per_kind && k->kind < SF_RULE_KINDS)
			n_per_kind[k->kind]++;
		if (k->kind != SF_KIND_CGROUP)
			continue;
		path = sf_namer_find(t->namer, k->id);
		if (path) {
			struct ruled_path *rp = malloc(sizeof(*rp) + strlen(path) + 1);

			if (!rp) {
				*err = -ENOMEM;
				continue;
			}
			rp->id = k->id;
			strcpy(rp->path, path);
			ruled[(*n_ruled)++] = rp->path;
		}
	}
	qsort(ruled, *n_ruled, sizeof(*ruled), cmp_str);
	return ruled;
}

int sf_tenants_load_rules(struct sf_tenants *t, int rules_fd, int gen_fd,
			  size_t n_per_kind[SF_RULE_KINDS])
{
	struct sf_compiled_rule *rules = NULL;
	size_t n = 0, n_ruled;
	char **ruled;
	int err;

	if (n_per_kind)
		memset(n_per_kind, 0, SF_RULE_KINDS * sizeof(*n_per_kind));
	err = sf_rules_dump(rules_fd, gen_fd, &rules, &n);
	if (err) {
		forget(t);
		return err;
	}
	ruled = ruled_paths(t, rules, n, n_per_kind, &n_ruled, &err);
	if (!ruled) {
		free(rules);
		forget(t);
		return err;
	}
	free(t->rules);
	t->rules = rules; /* sorted by sf_rules_dump */
	t->n_rules = n;
	if (monotonic_s() - t->names_at >= SF_NAMES_TTL_S) {
		forget_names(t);
	} else if (same_ruled(ruled, n_ruled, t->ruled, t->n_ruled)) {
		/* The cached tenants still point into the ruled paths kept. */
		forget_ruled(ruled, n_ruled);
		return err;
	} else {
		/* Tenants point into the old ruled paths: look them up again. */
		tdestroy(t->by_cgroup, free_entry);
		t->by_cgroup = NULL;
	}
	forget_ruled(t->ruled, t->n_ruled);
	t->ruled = ruled;
	t->n_ruled = n_ruled;
	return err;
}

/* The nearest ruled ancestor of path (itself included), or NULL. */
static const char *ruled_ancestor(const struct sf_tenants *t, const char *path)
{
	char buf[4096];
	size_t len = strlen(path);

	if (!t->n_ruled || len >= sizeof(buf))
		return NULL;
	memcpy(buf, path, len + 1);
	for (;;) {
		const char *key = buf;
		char **hit = bsearch(&key, t->ruled, t->n_ruled, sizeof(*t->ruled), cmp_str);
		char *slash;

		if (hit)
			return *hit;
		slash = strrchr(buf, '/');
		if (!slash || (slash == buf && !buf[1]))
			return NULL;
		if (slash == buf)
			slash[1] = '\0'; /* the root, "/" */
		else
			*slash = '\0';
	}
}

static struct cache_entry *cached(void **tree, __u64 id, bool *fresh)
{
	struct cache_entry key = {.id = id}, *e, **slot;

	slot = tfind(&key, tree, cmp_entry);
	*fresh = !slot;
	if (slot)
		return *slot;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->id = id;
	if (!tsearch(e, tree, cmp_entry)) {
		free(e);
		return NULL;
	}
	return e;
}

static struct cache_entry *cgroup_entry(struct sf_tenants *t, __u64 id)
{
	bool fresh;
	struct cache_entry *e = cached(&t->by_cgroup, id, &fresh);
	const char *path;
	char gone[64];

	if (!e || !fresh)
		return e;
	path = sf_namer_find(t->namer, id);
	if (!path) {
		snprintf(gone, sizeof(gone), "(removed cgroup %llu)", (unsigned long long)id);
		path = gone;
	}
	e->name = strdup(path);
	if (!e->name)
		return NULL;
	e->tenant = ruled_ancestor(t, e->name);
	if (!e->tenant)
		e->tenant = e->name;
	return e;
}

const char *sf_tenants_cgroup(struct sf_tenants *t, __u64 cgroup_id)
{
	struct cache_entry *e;

	if (!cgroup_id)
		return "-"; /* forwarded traffic */
	e = cgroup_entry(t, cgroup_id);

	return e && e->name ? e->name : "?";
}

static const char *tenant_of_cgroup(struct sf_tenants *t, __u64 cgroup_id)
{
	struct cache_entry *e = cgroup_entry(t, cgroup_id);

	return e && e->tenant ? e->tenant : "?";
}

static struct cache_entry *uid_entry(struct sf_tenants *t, __u32 uid)
{
	bool fresh;
	struct cache_entry *e = cached(&t->by_uid, uid, &fresh);
	const struct passwd *pw;
	char num[16];

	if (!e || !fresh)
		return e;
	pw = getpwuid(uid);
	snprintf(num, sizeof(num), "%u", uid);
	e->name = strdup(pw ? pw->pw_name : num);
	if (e->name && asprintf(&e->owned, "user:%s", e->name) < 0)
		e->owned = NULL;
	e->tenant = e->owned;
	return e;
}

static const char *tenant_of_uid(struct sf_tenants *t, __u32 uid)
{
	struct cache_entry *e = uid_entry(t, uid);

	return e && e->tenant ? e->tenant : "?";
}

const char *sf_tenants_user(struct sf_tenants *t, __u32 uid)
{
	struct cache_entry *e;

	if (uid == SF_UID_NONE)
		return "-";
	e = uid_entry(t, uid);

	return e && e->name ? e->name : "?";
}

const char *sf_tenants_of(struct sf_tenants *t, enum sf_group_by by, __u64 cgroup_id, __u32 uid)
{
	/* Forwarded traffic has no local process, cgroup or user. */
	if (uid == SF_UID_NONE)
		return SF_TENANT_FORWARDED;
	return by == SF_BY_USER ? tenant_of_uid(t, uid) : tenant_of_cgroup(t, cgroup_id);
}

static const struct sf_rule_at *rule_of(const struct sf_tenants *t, __u32 kind, __u64 id)
{
	struct sf_rule_key k = {.id = id, .kind = kind};

	for (size_t lo = 0, hi = t->n_rules; lo < hi;) {
		size_t mid = (lo + hi) / 2;
		int cmp = sf_rule_key_cmp(&t->rules[mid].key, &k);

		if (!cmp)
			return &t->rules[mid].value;
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct sf_rule_at *sf_tenants_rule(struct sf_tenants *t, __u64 cgroup_id, __u32 uid,
					 __u32 gid, struct sf_rule_key *key)
{
	const struct sf_rule_at *r = NULL;

	if (uid == SF_UID_NONE)
		return NULL; /* forwarded: judged by source prefix */
	/* the policy's order: nearest cgroup with a rule, the user, the group */
	if (cgroup_id) {
		struct cache_entry *e = cgroup_entry(t, cgroup_id);

		/* a tenant other than the cgroup's own name is a ruled path */
		if (e && e->tenant && e->tenant != e->name) {
			*key = (struct sf_rule_key){.kind = SF_KIND_CGROUP,
						    .id = ruled_of(e->tenant)->id};
			r = rule_of(t, key->kind, key->id);
		}
	}
	if (!r) {
		*key = (struct sf_rule_key){.kind = SF_KIND_UID, .id = uid};
		r = rule_of(t, key->kind, key->id);
	}
	if (!r && gid != SF_UID_NONE) {
		*key = (struct sf_rule_key){.kind = SF_KIND_GID, .id = gid};
		r = rule_of(t, key->kind, key->id);
	}
	if (!r) {
		*key = (struct sf_rule_key){.kind = SF_KIND_DEFAULT};
		r = rule_of(t, key->kind, key->id);
	}
	return r;
}

int sf_tenants_action(struct sf_tenants *t, __u64 cgroup_id, __u32 uid, __u32 gid)
{
	struct sf_rule_key key;
	const struct sf_rule_at *r = sf_tenants_rule(t, cgroup_id, uid, gid, &key);

	return r ? (int)r->action : SF_ACT_NONE;
}
