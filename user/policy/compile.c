// SPDX-License-Identifier: GPL-2.0-only
#include "policy/compile.h"
#include "policy/units.h"
#include "util/cgroupfs.h"
#include "util/log.h"

#include <errno.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sf_rule_key_cmp(const struct sf_rule_key *a, const struct sf_rule_key *b)
{
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return 0;
}

static void rule_value(struct sf_rule_at *v, int action, const struct sf_rate *rate, int origin)
{
	memset(v, 0, sizeof(*v));
	v->action = (__u32)action;
	v->origin = (__u32)origin;
	if (action != SF_ACT_LIMIT || !rate)
		return;
	v->rate_count = rate->count;
	v->period_ns = rate->period_ns;
	v->burst = rate->burst;
	/* Time for an empty bucket to fill: burst connects at count/period. */
	v->fill_ns = rate->period_ns * rate->burst / rate->count;
}

int sf_resolve_id(const char *value, bool is_user, __u64 *id)
{
	uint64_t num;

	if (!sf_parse_uint(value, 0, UINT32_MAX - 1, &num)) {
		*id = num;
		return 0;
	}
	if (is_user) {
		struct passwd *pw = getpwnam(value);

		if (!pw)
			return -ENOENT;
		*id = pw->pw_uid;
	} else {
		struct group *gr = getgrnam(value);

		if (!gr)
			return -ENOENT;
		*id = gr->gr_gid;
	}
	return 0;
}

struct compile_ctx {
	const struct sf_policy *p;
	const char *mount;
	struct sf_compiled *c;
	struct sf_diag *d;
};

/* Resolves a cgroup: or unit: rule to a cgroup id and level. -ENOENT:
 * pending; -ENOTUNIQ or -EINVAL: refused (the message is in *d). */
static int resolve_cgroup(struct compile_ctx *x, const struct sf_rule_spec *r, __u64 *id,
			  unsigned int *level)
{
	char abs[PATH_MAX], rel[PATH_MAX], why[1024];
	const struct sf_policy *p = x->p;
	int err;

	if (r->kind == SF_TARGET_UNIT) {
		err = sf_unit_locate(x->mount, p->units_root, !p->units_root_set, r->value, rel,
				     sizeof(rel), why, sizeof(why));
		if (err == -ENOTUNIQ || err == -EINVAL) {
			sf_diag_add(x->d, r->file, r->line, "%s", why);
			return err;
		}
		if (err)
			return err;
	} else {
		snprintf(rel, sizeof(rel), "%s", r->value);
	}
	if (sf_cgroup_abs(x->mount, rel, abs, sizeof(abs)))
		return -ENAMETOOLONG;
	*level = sf_cgroup_level(rel);
	return sf_cgroup_id_of(abs, id);
}

static int compile_rule(struct compile_ctx *x, size_t i)
{
	const struct sf_rule_spec *r = &x->p->rules[i];
	struct sf_compiled *c = x->c;
	struct sf_rule_key *key = &c->spec_keys[i];
	unsigned int level = 0;
	int err;

	switch (r->kind) {
	case SF_TARGET_DEST:
		key->kind = SF_KIND_EXEMPT;
		if (r->cidr.family == AF_INET) {
			struct sf_lpm4 *e = &c->exempt4[c->n_exempt4++];

			c->settings.flags |= SF_HAVE_EXEMPT4;
			e->prefixlen = r->cidr.prefixlen;
			memcpy(e->addr, r->cidr.addr, 4);
		} else {
			struct sf_lpm6 *e = &c->exempt6[c->n_exempt6++];

			c->settings.flags |= SF_HAVE_EXEMPT6;
			e->prefixlen = r->cidr.prefixlen;
			memcpy(e->addr, r->cidr.addr, 16);
		}
		return 0;
	case SF_TARGET_SOURCE:
		key->kind = SF_KIND_SOURCE;
		key->id = sf_source_rule_id(&r->cidr);
		if (r->cidr.family == AF_INET) {
			c->source4[c->n_source4].prefixlen = r->cidr.prefixlen;
			memcpy(c->source4[c->n_source4].addr, r->cidr.addr, 4);
			c->source4_val[c->n_source4++].rule_id = key->id;
		} else {
			c->source6[c->n_source6].prefixlen = r->cidr.prefixlen;
			memcpy(c->source6[c->n_source6].addr, r->cidr.addr, 16);
			c->source6_val[c->n_source6++].rule_id = key->id;
		}
		break;
	case SF_TARGET_USER:
	case SF_TARGET_GROUP:
		key->kind = r->kind == SF_TARGET_USER ? SF_KIND_UID : SF_KIND_GID;
		if (sf_resolve_id(r->value, r->kind == SF_TARGET_USER, &key->id)) {
			sf_diag_add(x->d, r->file, r->line, "unknown %s '%s'",
				    sf_target_kind_name(r->kind), r->value);
			return -ENOENT;
		}
		c->settings.flags |=
			key->kind == SF_KIND_UID ? SF_HAVE_UID_RULES : SF_HAVE_GID_RULES;
		break;
	case SF_TARGET_CGROUP:
	case SF_TARGET_UNIT:
		key->kind = SF_KIND_CGROUP;
		/* A path's depth is the admin's to get right, before it exists. */
		if (r->kind == SF_TARGET_CGROUP &&
		    sf_cgroup_level(r->value) > SF_MAX_CGROUP_LEVEL) {
			sf_diag_add(x->d, r->file, r->line,
				    "cgroup:%s is %u levels deep (at most %d)", r->value,
				    sf_cgroup_level(r->value), SF_MAX_CGROUP_LEVEL);
			return -E2BIG;
		}
		err = resolve_cgroup(x, r, &key->id, &level);
		if (err == -ENOTUNIQ || err == -EINVAL)
			return err;
		if (!err && level > SF_MAX_CGROUP_LEVEL)
			err = -E2BIG;
		if (err) {
			/* What the tree holds now never fails a change: skip it. */
			if (err != -ENOENT)
				sf_warn("%s:%s is pending: cannot resolve it: %s",
					sf_target_kind_name(r->kind), r->value,
					err == -E2BIG ? "too many levels deep" : strerror(-err));
			c->spec_state[i] = SF_PENDING;
			c->n_pending++;
			return 0;
		}
		c->settings.cgroup_levels |= 1U << level;
		break;
	}
	struct sf_compiled_rule *out = &c->rules[c->n_rules++];

	out->key = *key;
	out->spec = i;
	rule_value(&out->value, r->action, &r->rate, r->origin);
	return 0;
}

static int cmp_compiled(const void *a, const void *b)
{
	return sf_rule_key_cmp(&((const struct sf_compiled_rule *)a)->key,
			       &((const struct sf_compiled_rule *)b)->key);
}

/* Two targets written differently may name one key (user:root, user:0). */
static void check_same_key(struct compile_ctx *x)
{
	struct sf_compiled *c = x->c;

	for (size_t i = 1; i < c->n_rules; i++) {
		const struct sf_compiled_rule *a = &c->rules[i - 1], *b = &c->rules[i];

		if (sf_rule_key_cmp(&a->key, &b->key) || a->spec == SF_SPEC_DEFAULT ||
		    b->spec == SF_SPEC_DEFAULT)
			continue;
		const struct sf_rule_spec *ra = &x->p->rules[a->spec], *rb = &x->p->rules[b->spec];

		if (rb->kind == SF_TARGET_SOURCE) {
			sf_diag_add(
				x->d, rb->file, rb->line,
				"source:%s and source:%s at %s:%d map to one rule id; split one "
				"of the two prefixes",
				rb->value, ra->value, ra->file, ra->line);
			continue;
		}
		sf_diag_add(x->d, rb->file, rb->line, "%s:%s is the same %s as %s:%s at %s:%d",
			    sf_target_kind_name(rb->kind), rb->value,
			    rb->kind == SF_TARGET_USER	  ? "user"
			    : rb->kind == SF_TARGET_GROUP ? "group"
							  : "cgroup",
			    sf_target_kind_name(ra->kind), ra->value, ra->file, ra->line);
	}
}

int sf_compile(const struct sf_policy *p, const char *cgroup_mount, struct sf_compiled *c,
	       struct sf_diag *d)
{
	struct compile_ctx x = {.p = p, .mount = cgroup_mount, .c = c, .d = d};
	size_t n = p->n_rules;
	size_t before = d->n;

	memset(c, 0, sizeof(*c));
	c->rules = calloc(n + 1, sizeof(*c->rules));
	c->exempt4 = calloc(n + 1, sizeof(*c->exempt4));
	c->exempt6 = calloc(n + 1, sizeof(*c->exempt6));
	c->spec_keys = calloc(n + 1, sizeof(*c->spec_keys));
	c->spec_state = calloc(n + 1, sizeof(*c->spec_state));
	c->source4 = calloc(n + 1, sizeof(*c->source4));
	c->source4_val = calloc(n + 1, sizeof(*c->source4_val));
	c->source6 = calloc(n + 1, sizeof(*c->source6));
	c->source6_val = calloc(n + 1, sizeof(*c->source6_val));
	if (!c->rules || !c->exempt4 || !c->exempt6 || !c->spec_keys || !c->spec_state ||
	    !c->source4 || !c->source4_val || !c->source6 || !c->source6_val) {
		sf_compiled_free(c);
		return -ENOMEM;
	}
	c->n_specs = n;
	memcpy(c->ports, p->ports, sizeof(c->ports));
	c->settings.deny_errno = (__u32)p->deny_errno;
	memcpy(&c->settings.relay4, p->relay.addr4, 4);
	c->settings.relay4_port = p->relay.port4;
	memcpy(c->settings.relay6, p->relay.addr6, 16);
	c->settings.relay6_port = p->relay.port6;
	for (size_t i = 0; i < n; i++)
		compile_rule(&x, i);
	struct sf_compiled_rule *def = &c->rules[c->n_rules++];

	def->key.kind = SF_KIND_DEFAULT;
	def->spec = SF_SPEC_DEFAULT;
	rule_value(&def->value, p->default_action, &p->default_rate, SF_ORIGIN_CONFIG);
	qsort(c->rules, c->n_rules, sizeof(*c->rules), cmp_compiled);
	check_same_key(&x);
	if (c->n_rules - 1 > p->max_rules) /* the default rule is not counted */
		sf_diag_add(d, NULL, 0, "rule table is full: %zu rules, room for %u (max_rules)",
			    c->n_rules - 1, p->max_rules);
	return d->n > before ? -EINVAL : 0;
}

void sf_compiled_free(struct sf_compiled *c)
{
	free(c->rules);
	free(c->exempt4);
	free(c->exempt6);
	free(c->spec_keys);
	free(c->spec_state);
	free(c->source4);
	free(c->source4_val);
	free(c->source6);
	free(c->source6_val);
	memset(c, 0, sizeof(*c));
}
