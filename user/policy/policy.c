// SPDX-License-Identifier: GPL-2.0-only
#include "policy/policy.h"
#include "smtpfence.h"

#include <errno.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sf_policy_init(struct sf_policy *p)
{
	memset(p, 0, sizeof(*p));
	/* A configuration without a ports line still watches SMTP. */
	sf_port_set(p->ports, 25, true);
	p->default_action = SF_ACT_ALLOW;
	p->deny_errno = 1; /* EPERM */
	sf_relay_default(&p->relay);
	p->max_rules = SF_MAX_RULES;
	p->max_flows = SF_MAX_FLOWS;
	strcpy(p->rules_dir, SF_DEFAULT_RULES_DIR);
	strcpy(p->units_root, "/");
	strcpy(p->metrics_address, SF_DEFAULT_METRICS_ADDRESS);
	p->metrics_access.n_uids = 1; /* root */
	p->metrics_top_tenants = SF_DEFAULT_METRICS_TOP_TENANTS;
	p->log_condense_seconds = SF_DEFAULT_LOG_CONDENSE_SECONDS;
	p->dnsbl.interval_s = SF_DNSBL_DEFAULT_INTERVAL;
}

static void free_nothing(void *node)
{
	(void)node;
}

/* A rule's text, unless it is borrowed. */
static void free_value(struct sf_rule_spec *r)
{
	if (!r->borrowed)
		free(r->value);
}

void sf_policy_free(struct sf_policy *p)
{
	for (size_t i = 0; i < p->n_rules; i++)
		free_value(&p->rules[i]);
	tdestroy(p->file_index, free_nothing); /* the names are freed below */
	p->file_index = NULL;
	for (size_t i = 0; i < p->n_files; i++)
		free(p->files[i]);
	free(p->rules);
	free(p->files);
	free(p->arena);
	p->arena = NULL;
	p->rules = NULL;
	p->files = NULL;
	p->n_rules = p->cap_rules = p->n_files = p->cap_files = 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Names are found in a search tree: one drop-in per tenant means as many
 * files as rules, and a linear search made 100,000 of them quadratic. */
const char *sf_policy_intern_file(struct sf_policy *p, const char *file)
{
	char *copy, **found;

	if (!file)
		return NULL;
	if (p->n_files && !strcmp(p->files[p->n_files - 1], file))
		return p->files[p->n_files - 1]; /* rules of one file come together */
	found = tfind(file, &p->file_index, cmp_name);
	if (found)
		return *found;
	if (p->n_files == p->cap_files) {
		size_t cap = p->cap_files ? p->cap_files * 2 : 16;
		char **v = realloc(p->files, cap * sizeof(*v));

		if (!v)
			return NULL;
		p->files = v;
		p->cap_files = cap;
	}
	copy = strdup(file);
	if (!copy || !tsearch(copy, &p->file_index, cmp_name)) {
		free(copy);
		return NULL;
	}
	p->files[p->n_files++] = copy;
	return copy;
}

int sf_policy_reserve(struct sf_policy *p, size_t n)
{
	size_t cap = p->cap_rules ? p->cap_rules : 64;
	void *v;

	if (p->n_rules + n <= p->cap_rules)
		return 0;
	while (cap < p->n_rules + n)
		cap *= 2;
	v = realloc(p->rules, cap * sizeof(*p->rules));
	if (!v)
		return -ENOMEM;
	p->rules = v;
	p->cap_rules = cap;
	return 0;
}

int sf_policy_add_rule(struct sf_policy *p, const struct sf_rule_spec *r)
{
	struct sf_rule_spec *slot;

	if (sf_policy_reserve(p, 1))
		return -ENOMEM;
	slot = &p->rules[p->n_rules];
	*slot = *r;
	slot->borrowed = false;
	slot->value = strdup(r->value);
	slot->file = sf_policy_intern_file(p, r->file);
	if (!slot->value || (r->file && !slot->file)) {
		free(slot->value);
		return -ENOMEM;
	}
	p->n_rules++;
	return 0;
}

int sf_policy_borrow(struct sf_policy *dst, const struct sf_policy *src)
{
	struct sf_policy tmp = *src;

	tmp.files = NULL;
	tmp.n_files = tmp.cap_files = 0;
	tmp.file_index = NULL;
	tmp.arena = NULL; /* src's */
	tmp.cap_rules = src->n_rules;
	tmp.rules = malloc((src->n_rules + 1) * sizeof(*tmp.rules));
	if (!tmp.rules)
		return -ENOMEM;
	if (src->n_rules)
		memcpy(tmp.rules, src->rules, src->n_rules * sizeof(*tmp.rules));
	for (size_t i = 0; i < src->n_rules; i++)
		tmp.rules[i].borrowed = true;
	*dst = tmp;
	return 0;
}

long sf_policy_find(const struct sf_policy *p, enum sf_target_kind kind, const char *value)
{
	for (size_t i = 0; i < p->n_rules; i++)
		if (p->rules[i].kind == kind && !strcmp(p->rules[i].value, value))
			return (long)i;
	return -1;
}

void sf_policy_remove(struct sf_policy *p, size_t idx)
{
	free_value(&p->rules[idx]);
	memmove(&p->rules[idx], &p->rules[idx + 1], (p->n_rules - idx - 1) * sizeof(*p->rules));
	p->n_rules--;
}

int sf_policy_add_interface(struct sf_policy *p, const char *name)
{
	for (size_t i = 0; i < p->n_interfaces; i++)
		if (!strcmp(p->interfaces[i], name))
			return 0;
	if (p->n_interfaces == SF_MAX_INTERFACES)
		return -E2BIG;
	snprintf(p->interfaces[p->n_interfaces++], SF_IFNAME_LEN, "%s", name);
	return 0;
}

void sf_policy_drop_removed(struct sf_policy *p)
{
	size_t kept = 0;

	for (size_t i = 0; i < p->n_rules; i++) {
		if (p->rules[i].action == SF_ACT_NONE)
			free_value(&p->rules[i]);
		else
			p->rules[kept++] = p->rules[i];
	}
	p->n_rules = kept;
}

void sf_runtime_init(struct sf_runtime *rt)
{
	memset(rt, 0, sizeof(*rt));
	sf_policy_init(&rt->rules);
}

void sf_runtime_free(struct sf_runtime *rt)
{
	sf_policy_free(&rt->rules);
}
