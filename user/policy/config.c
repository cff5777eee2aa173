// SPDX-License-Identifier: GPL-2.0-only
#include "policy/config.h"
#include "policy/parse_cache.h"
#include "policy/abuse_keys.h"
#include "policy/quarantine_parse.h"
#include "smtpfence.h"
#include "util/regular.h"
#include "util/write_file.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum file_role { ROLE_MAIN, ROLE_DROPIN, ROLE_RUNTIME };

struct parse_ctx {
	const char *file;
	FILE *stream;
	int line;
	enum file_role role;
	struct sf_policy *p;   /* where rules go */
	struct sf_runtime *rt; /* ROLE_RUNTIME only */
	struct sf_diag *d;
	char *linebuf;
	size_t linecap;
	struct sf_quarantine_spec quarantine; /* a drop-in's, for all its rules */
	int quarantine_line;
};

/* libinih is built without line numbers in the handler: reading one line
 * per call lets us count them. Leading blanks are dropped so that an
 * indented line is never taken as a continuation of the previous value,
 * and " # ..." comments are cut off. */
static char *read_line(char *str, int num, void *stream)
{
	struct parse_ctx *c = stream;
	ssize_t n = getline(&c->linebuf, &c->linecap, c->stream);
	char *s;

	if (n < 0)
		return NULL;
	c->line++;
	s = c->linebuf;
	/* A C string ends at a NUL: what follows it would be dropped unseen. */
	if (memchr(s, '\0', (size_t)n)) {
		sf_diag_add(c->d, c->file, c->line, "NUL byte in the line");
		s = "\n";
	}
	while (*s == ' ' || *s == '\t')
		s++;
	if (strlen(s) >= (size_t)num) {
		sf_diag_add(c->d, c->file, c->line, "line too long (at most %d characters)",
			    num - 2);
		s = "\n";
	}
	strcpy(str, s);
	/* libinih knows only ';' for inline comments; admins write '#'. */
	for (char *p = str; (p = strchr(p, '#')); p++) {
		if (p > str && (p[-1] == ' ' || p[-1] == '\t')) {
			strcpy(p, "\n");
			break;
		}
	}
	return str;
}

static int for_each_word(const char *value, int (*fn)(struct parse_ctx *c, const char *word),
			 struct parse_ctx *c)
{
	char buf[512], *save = NULL;
	int err = 0;

	if (strlen(value) >= sizeof(buf)) {
		sf_diag_add(c->d, c->file, c->line, "value too long");
		return -EINVAL;
	}
	strcpy(buf, value);
	for (char *w = strtok_r(buf, " \t,", &save); w; w = strtok_r(NULL, " \t,", &save))
		err |= fn(c, w);
	return err;
}

static int add_port(struct parse_ctx *c, const char *word, uint8_t *bm)
{
	char err[SF_ERR_LEN];
	uint16_t port;

	if (sf_parse_port(word, &port, err, sizeof(err))) {
		sf_diag_add(c->d, c->file, c->line, "%s", err);
		return -EINVAL;
	}
	sf_port_set(bm, port, true);
	return 0;
}

static int port_to_policy(struct parse_ctx *c, const char *w)
{
	return add_port(c, w, c->p->ports);
}

static int port_to_add(struct parse_ctx *c, const char *w)
{
	return add_port(c, w, c->rt->ports_add);
}

static int port_to_del(struct parse_ctx *c, const char *w)
{
	return add_port(c, w, c->rt->ports_del);
}

static int interface_word(struct parse_ctx *c, const char *w)
{
	char err[SF_ERR_LEN];

	if (sf_parse_ifname(w, err, sizeof(err))) {
		sf_diag_add(c->d, c->file, c->line, "%s", err);
		return -EINVAL;
	}
	if (sf_policy_add_interface(c->p, w)) {
		sf_diag_add(c->d, c->file, c->line, "too many interfaces (at most %d)",
			    SF_MAX_INTERFACES);
		return -E2BIG;
	}
	return 0;
}

static int add_rule(struct parse_ctx *c, const struct sf_rule_spec *r)
{
	struct sf_rule_spec copy = *r;

	copy.file = c->file;
	copy.line = c->line;
	copy.origin = c->role == ROLE_RUNTIME ? SF_ORIGIN_RUNTIME : SF_ORIGIN_CONFIG;
	if (sf_policy_add_rule(c->p, &copy)) {
		sf_diag_add(c->d, c->file, c->line, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

static int exempt_word(struct parse_ctx *c, const char *w)
{
	struct sf_rule_spec r = {.kind = SF_TARGET_DEST, .action = SF_ACT_ALLOW};
	char err[SF_ERR_LEN], canon[64];

	if (sf_parse_cidr(w, &r.cidr, err, sizeof(err))) {
		sf_diag_add(c->d, c->file, c->line, "%s", err);
		return -EINVAL;
	}
	sf_cidr_format(&r.cidr, canon, sizeof(canon));
	r.value = canon;
	return add_rule(c, &r);
}

/* "deny", "allow", "log" or "limit N/PERIOD [burst B]". */
static int parse_default(struct parse_ctx *c, const char *value, int *action, struct sf_rate *rate)
{
	char err[SF_ERR_LEN], word[16];
	size_t n = strcspn(value, " \t");

	if (n >= sizeof(word))
		n = sizeof(word) - 1;
	memcpy(word, value, n);
	word[n] = '\0';
	if (sf_parse_action(word, action, err, sizeof(err))) {
		sf_diag_add(c->d, c->file, c->line, "%s", err);
		return -EINVAL;
	}
	const char *rest = value + strcspn(value, " \t");

	while (isspace((unsigned char)*rest))
		rest++;
	if (*action == SF_ACT_LIMIT) {
		if (sf_parse_rate(rest, rate, err, sizeof(err))) {
			sf_diag_add(c->d, c->file, c->line, "%s", err);
			return -EINVAL;
		}
	} else if (*rest) {
		sf_diag_add(c->d, c->file, c->line, "unexpected '%s' after '%s'", rest, word);
		return -EINVAL;
	}
	return 0;
}

static int set_u32(struct parse_ctx *c, const char *name, const char *value, uint64_t min,
		   uint64_t max, uint32_t *out)
{
	uint64_t v;

	if (sf_parse_uint(value, min, max, &v)) {
		sf_diag_add(c->d, c->file, c->line, "invalid %s '%s': expected %llu to %llu", name,
			    value, (unsigned long long)min, (unsigned long long)max);
		return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

static int metrics_user_word(struct parse_ctx *c, const char *w)
{
	struct sf_metrics_access *a = &c->p->metrics_access;
	struct passwd *pw = getpwnam(w);
	uint64_t uid;

	if (!pw && sf_parse_uint(w, 0, UINT32_MAX - 1, &uid)) {
		sf_diag_add(c->d, c->file, c->line, "metrics_allow_users: unknown user '%s'", w);
		return -EINVAL;
	}
	if (a->n_uids == SF_METRICS_ACL_MAX) {
		sf_diag_add(c->d, c->file, c->line, "metrics_allow_users: at most %d users",
			    SF_METRICS_ACL_MAX);
		return -E2BIG;
	}
	a->uids[a->n_uids++] = pw ? pw->pw_uid : (unsigned int)uid;
	return 0;
}

static int policy_user_word(struct parse_ctx *c, const char *w)
{
	struct sf_policy *p = c->p;
	struct passwd *pw = getpwnam(w);
	uint64_t uid;

	if (!pw && sf_parse_uint(w, 0, UINT32_MAX - 1, &uid)) {
		sf_diag_add(c->d, c->file, c->line, "policy_allow_users: unknown user '%s'", w);
		return -EINVAL;
	}
	if (p->n_policy_uids == SF_METRICS_ACL_MAX) {
		sf_diag_add(c->d, c->file, c->line, "policy_allow_users: at most %d users",
			    SF_METRICS_ACL_MAX);
		return -E2BIG;
	}
	p->policy_uids[p->n_policy_uids++] = pw ? pw->pw_uid : (unsigned int)uid;
	return 0;
}

static int metrics_from_word(struct parse_ctx *c, const char *w)
{
	struct sf_metrics_access *a = &c->p->metrics_access;
	char err[SF_ERR_LEN];

	if (a->n_from == SF_METRICS_ACL_MAX) {
		sf_diag_add(c->d, c->file, c->line, "metrics_allow_from: at most %d prefixes",
			    SF_METRICS_ACL_MAX);
		return -E2BIG;
	}
	if (sf_parse_cidr(w, &a->from[a->n_from], err, sizeof(err))) {
		sf_diag_add(c->d, c->file, c->line, "metrics_allow_from: %s", err);
		return -EINVAL;
	}
	a->n_from++;
	return 0;
}

/* Keys of the observation side: metrics endpoint, event log, alerts. */
static int observe_key(struct parse_ctx *c, const char *name, const char *value)
{
	struct sf_policy *p = c->p;
	char err[SF_ERR_LEN];

	if (!strcmp(name, "metrics_address")) {
		if (sf_parse_listen(value, NULL, err, sizeof(err))) {
			sf_diag_add(c->d, c->file, c->line, "%s", err);
			return -EINVAL;
		}
		snprintf(p->metrics_address, sizeof(p->metrics_address), "%s",
			 strcmp(value, "off") ? value : "");
		return 0;
	}
	if (!strcmp(name, "metrics_allow_users")) {
		p->metrics_access.n_uids = 0; /* the list replaces root */
		return for_each_word(value, metrics_user_word, c);
	}
	if (!strcmp(name, "policy_allow_users")) {
		p->n_policy_uids = 0;
		p->policy_uids_set = true;
		return for_each_word(value, policy_user_word, c);
	}
	if (!strcmp(name, "metrics_allow_from")) {
		p->metrics_access.n_from = 0;
		return for_each_word(value, metrics_from_word, c);
	}
	if (!strcmp(name, "metrics_top_tenants"))
		return set_u32(c, name, value, 1, 10000, &p->metrics_top_tenants);
	if (!strcmp(name, "log_condense_seconds"))
		return set_u32(c, name, value, 0, 3600, &p->log_condense_seconds);
	if (!strcmp(name, "alert_denied_per_min"))
		return set_u32(c, name, value, 0, 100000000, &p->alert_denied_per_min);
	if (!strcmp(name, "alert_limited_per_min"))
		return set_u32(c, name, value, 0, 100000000, &p->alert_limited_per_min);
	if (!strcmp(name, "alert_messages_per_min"))
		return set_u32(c, name, value, 0, 100000000, &p->alert_messages_per_min);
	if (!strcmp(name, "alert_recipients_per_min"))
		return set_u32(c, name, value, 0, 100000000, &p->alert_recipients_per_min);
	if (!strcmp(name, "alert_deferred_per_min"))
		return set_u32(c, name, value, 0, 100000000, &p->alert_deferred_per_min);
	if (!strcmp(name, "alert_command")) {
		if (strlen(value) >= sizeof(p->alert_command)) {
			sf_diag_add(c->d, c->file, c->line, "alert_command too long (at most %zu)",
				    sizeof(p->alert_command) - 1);
			return -EINVAL;
		}
		strcpy(p->alert_command, value);
		return 0;
	}
	sf_diag_add(c->d, c->file, c->line, "unknown key '%s'", name);
	return -EINVAL;
}

static int global_key(struct parse_ctx *c, const char *name, const char *value)
{
	struct sf_policy *p = c->p;
	char err[SF_ERR_LEN];

	if (c->role == ROLE_RUNTIME) {
		if (!strcmp(name, "ports_add"))
			return for_each_word(value, port_to_add, c);
		if (!strcmp(name, "ports_del"))
			return for_each_word(value, port_to_del, c);
		if (!strcmp(name, "default"))
			return parse_default(c, value, &c->rt->default_action,
					     &c->rt->default_rate);
		sf_diag_add(c->d, c->file, c->line, "unknown key '%s'", name);
		return -EINVAL;
	}
	if (!strcmp(name, "ports")) {
		memset(p->ports, 0, sizeof(p->ports));
		return for_each_word(value, port_to_policy, c);
	}
	if (!strcmp(name, "default"))
		return parse_default(c, value, &p->default_action, &p->default_rate);
	if (!strcmp(name, "deny_errno")) {
		if (sf_parse_errno(value, &p->deny_errno, err, sizeof(err))) {
			sf_diag_add(c->d, c->file, c->line, "%s", err);
			return -EINVAL;
		}
		return 0;
	}
	if (!strcmp(name, "exempt"))
		return for_each_word(value, exempt_word, c);
	if (!strcmp(name, "relay")) {
		if (sf_parse_relay(value, &p->relay, err, sizeof(err))) {
			sf_diag_add(c->d, c->file, c->line, "%s", err);
			return -EINVAL;
		}
		return 0;
	}
	if (!strcmp(name, "interfaces")) {
		p->n_interfaces = 0;
		return for_each_word(value, interface_word, c);
	}
	if (!strcmp(name, "rules_dir")) {
		if (value[0] != '/' || strlen(value) >= sizeof(p->rules_dir)) {
			sf_diag_add(c->d, c->file, c->line,
				    "invalid rules_dir '%s': expected an absolute path", value);
			return -EINVAL;
		}
		strcpy(p->rules_dir, value);
		return 0;
	}
	if (!strcmp(name, "units_root")) {
		if (sf_target_check(SF_TARGET_CGROUP, value, err, sizeof(err))) {
			sf_diag_add(c->d, c->file, c->line, "units_root: %s", err);
			return -EINVAL;
		}
		strcpy(p->units_root, value);
		p->units_root_set = true;
		return 0;
	}
	if (!strcmp(name, "max_rules"))
		return set_u32(c, name, value, 16, 10000000, &p->max_rules);
	if (!strcmp(name, "max_flows"))
		return set_u32(c, name, value, 1024, 100000000, &p->max_flows);
	int ret = sf_abuse_key(p, name, value, err, sizeof(err));

	if (ret <= 0) {
		if (ret)
			sf_diag_add(c->d, c->file, c->line, "%s", err);
		return ret;
	}
	return observe_key(c, name, value);
}

int sf_rule_from_words(const char *action, const char *rest, struct sf_rule_spec *r, char *err,
		       size_t errlen)
{
	struct sf_target_spec t;
	char target[SF_TARGET_LEN], words[512];
	size_t n;

	memset(r, 0, sizeof(*r));
	if (sf_parse_action(action, &r->action, err, errlen))
		return -EINVAL;
	while (isspace((unsigned char)*rest))
		rest++;
	n = strcspn(rest, " \t");
	if (n == 0 || n >= sizeof(target)) {
		snprintf(err, errlen, "expected a target after '%s'", action);
		return -EINVAL;
	}
	memcpy(target, rest, n);
	target[n] = '\0';
	rest += n;
	while (isspace((unsigned char)*rest))
		rest++;
	if (sf_parse_target(target, &t, err, errlen))
		return -EINVAL;
	snprintf(words, sizeof(words), "%s", rest);
	if (sf_mail_limits_take(words, &r->mail, err, errlen))
		return -EINVAL;
	rest = words;
	if (sf_mail_limits_any(&r->mail) &&
	    (t.kind == SF_TARGET_DEST || t.kind == SF_TARGET_SOURCE)) {
		snprintf(err, errlen,
			 "'%s': mail limits belong to a tenant (cgroup, unit, user, group)",
			 target);
		return -EINVAL;
	}
	if (t.kind == SF_TARGET_DEST && r->action != SF_ACT_ALLOW) {
		snprintf(err, errlen, "'%s': dest: targets can only be exempted with allow",
			 target);
		return -EINVAL;
	}
	if (r->action == SF_ACT_LIMIT) {
		if (sf_parse_rate(rest, &r->rate, err, errlen))
			return -EINVAL;
	} else if (*rest) {
		snprintf(err, errlen, "unexpected '%s' after '%s'", rest, target);
		return -EINVAL;
	}
	r->kind = t.kind;
	r->cidr = t.cidr;
	r->value = strdup(t.value);
	return r->value ? 0 : -ENOMEM;
}

void sf_rule_format(const struct sf_rule_spec *r, char *buf, size_t len)
{
	char rate[64] = "", mail[96];

	if (r->action == SF_ACT_LIMIT) {
		rate[0] = ' ';
		sf_rate_format(&r->rate, rate + 1, sizeof(rate) - 1);
	}
	sf_mail_limits_format(&r->mail, mail, sizeof(mail));
	snprintf(buf, len, "%s = %s:%s%s%s", sf_action_name(r->action),
		 sf_target_kind_name(r->kind), r->value, rate, mail);
}

/* "quarantine = DURATION [ACTION]" in a drop-in: for every rule in it. */
static int rules_quarantine(struct parse_ctx *c, const char *value)
{
	char err[SF_ERR_LEN];

	if (c->role != ROLE_DROPIN) {
		sf_diag_add(c->d, c->file, c->line,
			    "quarantine in [rules] belongs in a tenant's drop-in; "
			    "write it in [global] for every tenant");
		return -EINVAL;
	}
	if (c->quarantine_line) {
		sf_diag_add(c->d, c->file, c->line, "quarantine is already set at line %d",
			    c->quarantine_line);
		return -EINVAL;
	}
	if (sf_parse_quarantine(value, &c->quarantine, err, sizeof(err))) {
		sf_diag_add(c->d, c->file, c->line, "%s", err);
		return -EINVAL;
	}
	c->quarantine_line = c->line;
	return 0;
}

static int rules_key(struct parse_ctx *c, const char *name, const char *value)
{
	struct sf_rule_spec r;
	char err[SF_ERR_LEN];
	int ret;

	if (!strcmp(name, "quarantine"))
		return rules_quarantine(c, value);
	if (sf_rule_from_words(name, value, &r, err, sizeof(err))) {
		sf_diag_add(c->d, c->file, c->line, "%s", err);
		return -EINVAL;
	}
	ret = add_rule(c, &r);
	free(r.value);
	return ret;
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
	struct parse_ctx *c = user;

	if (!strcmp(section, "rules"))
		rules_key(c, name, value);
	else if (!strcmp(section, "global") && c->role != ROLE_DROPIN)
		global_key(c, name, value);
	else if (c->role == ROLE_DROPIN)
		sf_diag_add(c->d, c->file, c->line,
			    "a drop-in holds only a [rules] section, not [%s]", section);
	else
		sf_diag_add(c->d, c->file, c->line, "unknown section [%s]", section);
	return 1; /* keep going: report every problem */
}

static int parse_file(const char *path, enum file_role role, struct sf_policy *p,
		      struct sf_runtime *rt, struct sf_diag *d)
{
	struct parse_ctx c = {.role = role, .p = p, .rt = rt, .d = d};
	size_t first_rule = p->n_rules;
	int line;

	c.file = sf_policy_intern_file(p, path);
	c.stream = sf_fopen_regular(path);
	if (!c.stream && errno == SF_ENOTREG) {
		sf_diag_add(d, path, 0, "not a regular file (%s): not read", sf_file_kind(path));
		return 0;
	}
	if (!c.stream)
		return -errno;
	line = ini_parse_stream(read_line, &c, on_key, &c);
	if (line > 0)
		sf_diag_add(d, path, line, "syntax error: expected [section] or KEY = VALUE");
	else if (line < 0)
		sf_diag_add(d, path, 0, "out of memory");
	free(c.linebuf);
	fclose(c.stream);
	for (size_t i = first_rule; c.quarantine_line && i < p->n_rules; i++)
		p->rules[i].quarantine = c.quarantine;
	return 0;
}

static int dropin_filter(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return e->d_name[0] != '.' && n > 5 && !strcmp(e->d_name + n - 5, ".conf");
}

/* One drop-in, from the cache when it holds the file as it is, else
 * parsed; *sp says which rules it gave and whether they may be recorded. */
static void load_dropin(const char *path, const struct sf_parse_cache *pc, struct sf_policy *p,
			struct sf_diag *d, struct sf_parse_span *sp)
{
	size_t diags = d->n;
	struct stat after;
	bool stated = pc && !stat(path, &sp->st) && S_ISREG(sp->st.st_mode);
	int err;

	sp->first = p->n_rules;
	if (stated && sf_parse_cache_take(pc, path, &sp->st, p)) {
		sp->ok = sp->cached = true;
		sp->n = p->n_rules - sp->first;
		return;
	}
	err = parse_file(path, ROLE_DROPIN, p, NULL, d);
	if (err)
		sf_diag_add(d, path, 0, "cannot read: %s", strerror(-err));
	sp->n = p->n_rules - sp->first;
	sp->ok = stated && d->n == diags && !stat(path, &after) &&
		 sf_parse_cache_stable(&sp->st, &after);
}

/* With cache (NULL: none), drop-ins unchanged since it was written are
 * not parsed again; it is written again when a drop-in parsed now may go
 * in (a failure to write only costs the next change a parse). */
static void load_dropins(struct sf_policy *p, struct sf_diag *d, const char *cache)
{
	struct sf_parse_cache pc = {0};
	struct sf_parse_span *spans = NULL;
	struct dirent **names;
	int n = scandir(p->rules_dir, &names, dropin_filter, alphasort);
	size_t fresh = 0; /* rules parsed now that may be recorded */
	bool taken = false;

	if (n < 0) {
		if (errno != ENOENT)
			sf_diag_add(d, p->rules_dir, 0, "cannot read: %s", strerror(errno));
		return;
	}
	/* The texts of rules taken from the cache stay in its buffer (p->arena). */
	if (cache && !p->arena && (spans = calloc((size_t)n + 1, sizeof(*spans))))
		sf_parse_cache_load(cache, &pc);
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX + 256];
		struct sf_parse_span none = {0};
		struct sf_parse_span *sp = spans ? &spans[i] : &none;

		snprintf(path, sizeof(path), "%s/%s", p->rules_dir, names[i]->d_name);
		load_dropin(path, spans ? &pc : NULL, p, d, sp);
		sp->path = sf_policy_intern_file(p, path);
		sp->ok = sp->ok && sp->path;
		fresh += sp->ok && !sp->cached ? sp->n : 0;
		taken |= sp->cached;
		free(names[i]);
	}
	free(names);
	if (fresh >= SF_PARSE_CACHE_FRESH)
		sf_parse_cache_save(cache, p, spans, (size_t)n);
	if (taken)
		sf_parse_cache_keep(&pc, p);
	sf_parse_cache_free(&pc);
	free(spans);
}

static void embedded_default(struct sf_policy *p)
{
	static const char *const mta_users[] = {"postfix", "Debian-exim", "exim", "mail"};
	static const char *const localhost[] = {"127.0.0.0/8", "::1/128"};
	struct sf_rule_spec r = {.action = SF_ACT_ALLOW, .file = SF_EMBEDDED_FILE};

	p->embedded = true;
	sf_port_set(p->ports, 25, true);
	p->default_action = SF_ACT_DENY;
	r.kind = SF_TARGET_DEST;
	for (size_t i = 0; i < 2; i++) {
		char err[SF_ERR_LEN];

		sf_parse_cidr(localhost[i], &r.cidr, err, sizeof(err));
		r.value = (char *)localhost[i];
		sf_policy_add_rule(p, &r);
	}
	r.kind = SF_TARGET_USER;
	r.value = "root";
	sf_policy_add_rule(p, &r);
	for (size_t i = 0; i < sizeof(mta_users) / sizeof(mta_users[0]); i++) {
		if (!getpwnam(mta_users[i]))
			continue;
		r.value = (char *)mta_users[i];
		sf_policy_add_rule(p, &r);
	}
}

static int cmp_rule_target(const void *a, const void *b)
{
	const struct sf_rule_spec *x = *(const struct sf_rule_spec *const *)a;
	const struct sf_rule_spec *y = *(const struct sf_rule_spec *const *)b;

	if (x->kind != y->kind)
		return (int)x->kind - (int)y->kind;
	return strcmp(x->value, y->value);
}

/* The same target ruled twice is ambiguous: name both places. */
static void check_duplicates(const struct sf_policy *p, struct sf_diag *d)
{
	const struct sf_rule_spec **v = malloc(p->n_rules * sizeof(*v) + 1);

	if (!v)
		return;
	for (size_t i = 0; i < p->n_rules; i++)
		v[i] = &p->rules[i];
	qsort(v, p->n_rules, sizeof(*v), cmp_rule_target);
	for (size_t i = 1; i < p->n_rules; i++) {
		const struct sf_rule_spec *a = v[i - 1], *b = v[i];

		if (cmp_rule_target(&v[i - 1], &v[i]))
			continue;
		if (a > b) { /* the one read first is the one already there */
			const struct sf_rule_spec *t = a;

			a = b;
			b = t;
		}
		sf_diag_add(d, b->file, b->line, "%s:%s is already ruled at %s:%d",
			    sf_target_kind_name(b->kind), b->value, a->file, a->line);
	}
	free(v);
}

/* A drop-in may override a rule of the embedded default (there is no file
 * to edit it in); the default's rule gives way. */
static void drop_overridden_defaults(struct sf_policy *p, size_t n_default)
{
	for (size_t i = n_default; i-- > 0;) {
		for (size_t j = n_default; j < p->n_rules; j++) {
			if (p->rules[j].kind == p->rules[i].kind &&
			    !strcmp(p->rules[j].value, p->rules[i].value)) {
				sf_policy_remove(p, i);
				n_default--;
				break;
			}
		}
	}
}

int sf_config_load(const char *main_path, bool explicit_path, struct sf_policy *p,
		   struct sf_diag *d)
{
	return sf_config_load_cached(main_path, explicit_path, NULL, p, d);
}

int sf_config_load_cached(const char *main_path, bool explicit_path, const char *cache,
			  struct sf_policy *p, struct sf_diag *d)
{
	int err;

	sf_policy_init(p);
	err = parse_file(main_path, ROLE_MAIN, p, NULL, d);
	if (err == -ENOENT && !explicit_path)
		embedded_default(p);
	else if (err)
		sf_diag_add(d, main_path, 0, "cannot read: %s", strerror(-err));
	size_t n_main = p->n_rules;

	load_dropins(p, d, cache);
	if (p->embedded)
		drop_overridden_defaults(p, n_main);
	check_duplicates(p, d);
	return d->n ? -EINVAL : 0;
}

int sf_runtime_load(const char *path, struct sf_runtime *rt, struct sf_diag *d)
{
	int err;

	sf_runtime_init(rt);
	err = parse_file(path, ROLE_RUNTIME, &rt->rules, rt, d);
	if (err && err != -ENOENT)
		sf_diag_add(d, path, 0, "cannot read: %s", strerror(-err));
	return d->n ? -EINVAL : 0;
}

int sf_write_atomic(const char *path, const char *data, size_t len)
{
	return sf_write_replace(path, data, len, true);
}

static void append_ports(FILE *f, const char *key, const uint8_t *bm)
{
	bool any = false;

	for (unsigned int port = 1; port < 65536; port++) {
		if (!sf_port_get(bm, port))
			continue;
		fprintf(f, "%s%u", any ? " " : key, port);
		any = true;
	}
	if (any)
		fputc('\n', f);
}

int sf_runtime_format(const struct sf_runtime *rt, char **buf, size_t *len)
{
	char line[1024];
	FILE *f = open_memstream(buf, len);

	if (!f)
		return -errno;
	fprintf(f, "# smtpfence runtime layer: live changes made with --runtime, kept\n"
		   "# until unset or reboot. Written by smtpfence; do not edit.\n[global]\n");
	append_ports(f, "ports_add = ", rt->ports_add);
	append_ports(f, "ports_del = ", rt->ports_del);
	if (rt->default_action != SF_ACT_NONE) {
		char rate[64] = "";

		if (rt->default_action == SF_ACT_LIMIT)
			sf_rate_format(&rt->default_rate, rate, sizeof(rate));
		fprintf(f, "default = %s %s\n", sf_action_name(rt->default_action), rate);
	}
	fprintf(f, "[rules]\n");
	for (size_t i = 0; i < rt->rules.n_rules; i++) {
		sf_rule_format(&rt->rules.rules[i], line, sizeof(line));
		fprintf(f, "%s\n", line);
	}
	if (fclose(f)) {
		free(*buf);
		*buf = NULL;
		return -errno;
	}
	return 0;
}
