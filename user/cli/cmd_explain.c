// SPDX-License-Identifier: GPL-2.0-only
/* explain: which rule would decide a connect, and why. It walks the same
 * maps in the same order as the kernel program (bpf/policy.bpf.h). */
#include "cli/commands.h"
#include "view/format.h"
#include "util/json_out.h"
#include "util/cgroupfs.h"
#include "kernel/gen.h"
#include "kernel/linkview.h"
#include "util/log.h"
#include "policy/parse.h"
#include "policy/rules_read.h"
#include "policy/session.h"
#include "smtpfence.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <json-c/json.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct subject {
	uint64_t uid, gid;
	char cgroup[PATH_MAX]; /* relative to the cgroup-v2 mount */
};

struct verdict {
	const char *action; /* allow, deny, log, limit, redirect */
	char rule[PATH_MAX + 16];
	char why[PATH_MAX + 64];
	struct sf_rule_key key;
	bool has_key;
};

/* "HOST:PORT" or "[V6]:PORT"; ::ffff:a.b.c.d becomes IPv4, as in the kernel. */
static int parse_dest(const char *s, struct sf_flow_key *fk, char *err, size_t errlen)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon = strrchr(s, ':');
	uint16_t port;
	struct sf_cidr c;
	size_t n;

	if (!colon || colon == s)
		goto bad;
	n = (size_t)(colon - s);
	if (s[0] == '[') {
		if (n < 3 || s[n - 1] != ']')
			goto bad;
		s++;
		n -= 2;
	}
	if (n >= sizeof(host))
		goto bad;
	memcpy(host, s, n);
	host[n] = '\0';
	if (strchr(host, '/') || sf_parse_cidr(host, &c, err, errlen))
		goto bad;
	if (sf_parse_port(colon + 1, &port, err, errlen))
		return -EINVAL;
	memset(fk, 0, sizeof(*fk));
	fk->family = (__u16)c.family;
	fk->dport = htons(port);
	memcpy(fk->daddr, c.addr, 16);
	return 0;
bad:
	snprintf(err, errlen, "invalid destination '%s': expected HOST:PORT or [IPV6]:PORT", s);
	return -EINVAL;
}

static int subject_from_pid(const char *pid_s, struct subject *who, char *err, size_t errlen)
{
	char path[64], line[PATH_MAX];
	uint64_t pid;
	FILE *f;
	bool have_uid = false, have_cg = false;

	if (sf_parse_uint(pid_s, 1, 4194304, &pid)) {
		snprintf(err, errlen, "invalid pid '%s'", pid_s);
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "/proc/%llu/status", (unsigned long long)pid);
	f = fopen(path, "re");
	if (!f) {
		snprintf(err, errlen, "no process with pid %llu", (unsigned long long)pid);
		return -EINVAL;
	}
	/* The kernel judges by the real uid and gid (bpf_get_current_uid_gid). */
	while (fgets(line, sizeof(line), f)) {
		unsigned long v;

		if (sscanf(line, "Uid: %lu", &v) == 1) {
			who->uid = v;
			have_uid = true;
		} else if (sscanf(line, "Gid: %lu", &v) == 1) {
			who->gid = v;
		}
	}
	fclose(f);
	snprintf(path, sizeof(path), "/proc/%llu/cgroup", (unsigned long long)pid);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = '\0';
		memmove(who->cgroup, line + 3, strlen(line + 3) + 1);
		have_cg = true;
	}
	if (f)
		fclose(f);
	if (!have_uid || !have_cg) {
		snprintf(err, errlen, "cannot read the identity of pid %llu",
			 (unsigned long long)pid);
		return -EINVAL;
	}
	return 0;
}

/* explain's options: who connects. */
struct explain_opts {
	const char *pid, *uid, *gid, *cgroup;
};

/* --cgroup as the kernel names it: relative to the mount (a path given
 * with the mount in front is taken so), and one that exists. */
static int subject_cgroup(const char *arg, const char *mount, struct subject *who, char *err,
			  size_t errlen)
{
	static struct sf_target_spec t; /* large: keep it off the stack */
	char spec[PATH_MAX + 8], abs[PATH_MAX];
	size_t mlen = strlen(mount);
	struct stat st;

	if (!strncmp(arg, mount, mlen) && (arg[mlen] == '/' || !arg[mlen]))
		arg = arg[mlen] ? arg + mlen : "/";
	snprintf(spec, sizeof(spec), "cgroup:%s", arg);
	if (sf_parse_target(spec, &t, err, errlen))
		return -EINVAL;
	if (sf_cgroup_abs(mount, t.value, abs, sizeof(abs)) || stat(abs, &st) ||
	    !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "no such cgroup '%.160s' below %.60s", t.value, mount);
		return -EINVAL;
	}
	snprintf(who->cgroup, sizeof(who->cgroup), "%s", t.value);
	return 0;
}

static int subject_from_ids(const struct explain_opts *o, const char *mount, struct subject *who,
			    char *err, size_t errlen)
{
	struct passwd *pw;

	if (sf_parse_uint(o->uid, 0, UINT32_MAX - 1, &who->uid)) {
		pw = getpwnam(o->uid);
		if (!pw) {
			snprintf(err, errlen, "unknown user '%s'", o->uid);
			return -EINVAL;
		}
		who->uid = pw->pw_uid;
	}
	pw = getpwuid((uid_t)who->uid);
	who->gid = pw ? pw->pw_gid : who->uid;
	if (o->gid && sf_parse_uint(o->gid, 0, UINT32_MAX - 1, &who->gid)) {
		snprintf(err, errlen, "invalid gid '%s'", o->gid);
		return -EINVAL;
	}
	snprintf(who->cgroup, sizeof(who->cgroup), "/");
	return o->cgroup ? subject_cgroup(o->cgroup, mount, who, err, errlen) : 0;
}

static bool below(const char *cg, const char *mount, __u64 at_id)
{
	char at[PATH_MAX];
	size_t alen;

	if (sf_cgroup_path_of(mount, at_id, at, sizeof(at)))
		return true; /* cannot tell: explain by the maps */
	alen = strlen(at);
	return !strcmp(at, "/") || (!strncmp(cg, at, alen) && (!cg[alen] || cg[alen] == '/'));
}

enum judged { JUDGED, BACKSTOP_ONLY, NOT_JUDGED };

/* The kernel judges only connects made at or below the cgroup its link for
 * this family is attached to, and without that link only the egress
 * backstop sees the SYN: elsewhere nothing decides, and it allows. */
static enum judged judged_here(const struct sf_maps *m, const char *pin_dir, const char *mount,
			       const struct subject *who, const struct sf_flow_key *fk,
			       struct verdict *v)
{
	const char *hook = fk->family == AF_INET ? "connect4" : "connect6";
	struct sf_link_view kv[64];
	int n = sf_links_in_kernel(m, pin_dir, kv, 64);
	const struct sf_link_view *l, *eg;

	if (n < 0)
		return JUDGED; /* cannot tell: explain by the maps */
	l = sf_link_find(kv, (size_t)n,
			 fk->family == AF_INET ? SF_HOOK_CONNECT4 : SF_HOOK_CONNECT6);
	eg = sf_link_find(kv, (size_t)n, SF_HOOK_EGRESS);
	if (l && below(who->cgroup, mount, l->cgroup_id))
		return JUDGED;
	if (!l && eg && below(who->cgroup, mount, eg->cgroup_id))
		return BACKSTOP_ONLY;
	v->action = "allow";
	snprintf(v->rule, sizeof(v->rule), "none");
	if (l)
		snprintf(v->why, sizeof(v->why),
			 "not judged: %s is outside the cgroup %s is "
			 "attached to",
			 who->cgroup, hook);
	else
		snprintf(v->why, sizeof(v->why), "not judged: no %s program is attached", hook);
	return NOT_JUDGED;
}

static bool lpm_match(const __u8 *addr, const __u8 *prefix, unsigned int len)
{
	for (unsigned int i = 0; i < len; i++)
		if ((addr[i / 8] ^ prefix[i / 8]) & (0x80 >> (i % 8)))
			return false;
	return true;
}

/* The longest exempt prefix holding the destination, written as dest:CIDR,
 * when it is exempt in the visible generation's slot (as the kernel's
 * longest match decides). */
static bool find_exempt(const struct sf_maps *m, const struct sf_flow_key *fk, __u32 slot,
			char *out, size_t len)
{
	struct sf_lpm6 key, next, best = {};
	bool v4 = fk->family == AF_INET, found = false;
	int fd = v4 ? m->exempt4 : m->exempt6;
	void *prev = NULL;
	__u32 on = 0;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (lpm_match(fk->daddr, key.addr, key.prefixlen) &&
		    (!found || key.prefixlen > best.prefixlen)) {
			best = key;
			found = true;
		}
	}
	found = found && !bpf_map_lookup_elem(fd, &best, &on) && (on & SF_SLOT_BIT(slot));
	if (found) {
		struct sf_cidr c = {.family = v4 ? AF_INET : AF_INET6, .prefixlen = best.prefixlen};
		char cidr[64];

		memcpy(c.addr, best.addr, v4 ? 4 : 16);
		sf_cidr_format(&c, cidr, sizeof(cidr));
		snprintf(out, len, "dest:%s", cidr);
	}
	return found;
}

static const char *action_verb(__u32 action)
{
	return sf_action_name((int)action);
}

static int lookup(const struct sf_maps *m, __u32 kind, __u64 id, struct sf_rule_at *r,
		  struct verdict *v)
{
	v->key = (struct sf_rule_key){.kind = kind, .id = id};
	if (sf_rule_visible(m->rules, m->gen, &v->key, r))
		return 0;
	v->has_key = true;
	v->action = action_verb(r->action);
	return 1;
}

static void walk(const struct sf_maps *m, const char *mount, const struct subject *who,
		 const struct sf_flow_key *fk, struct verdict *v)
{
	struct sf_settings s = {};
	struct sf_rule_at r;
	__u32 slot = sf_gen_slot(m->gen), port = ntohs(fk->dport), watched = 0;
	char path[PATH_MAX];

	bpf_map_lookup_elem(m->settings, &slot, &s);
	if (bpf_map_lookup_elem(m->ports, &port, &watched) || !(watched & SF_SLOT_BIT(slot))) {
		v->action = "allow";
		snprintf(v->rule, sizeof(v->rule), "none");
		snprintf(v->why, sizeof(v->why), "port %u is not watched (not counted)", port);
		return;
	}
	if (find_exempt(m, fk, slot, v->rule, sizeof(v->rule))) {
		v->action = "allow";
		snprintf(v->why, sizeof(v->why), "the destination is exempt");
		return;
	}
	/* Nearest ruled ancestor first, only at levels that have cgroup rules. */
	snprintf(path, sizeof(path), "%s", who->cgroup);
	for (;;) {
		unsigned int level = sf_cgroup_level(path);
		char abs[PATH_MAX];
		__u64 id;

		if (level <= SF_MAX_CGROUP_LEVEL && (s.cgroup_levels & (1U << level)) &&
		    !sf_cgroup_abs(mount, path, abs, sizeof(abs)) && !sf_cgroup_id_of(abs, &id) &&
		    lookup(m, SF_KIND_CGROUP, id, &r, v)) {
			snprintf(v->rule, sizeof(v->rule), "cgroup:%s", path);
			snprintf(v->why, sizeof(v->why), "nearest ruled cgroup of %s", who->cgroup);
			return;
		}
		char *slash = strrchr(path, '/');

		if (!slash || !strcmp(path, "/"))
			break;
		if (slash == path)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	if ((s.flags & SF_HAVE_UID_RULES) && lookup(m, SF_KIND_UID, who->uid, &r, v)) {
		sf_format_rule(NULL, SF_KIND_UID, who->uid, v->rule, sizeof(v->rule));
		snprintf(v->why, sizeof(v->why), "no cgroup rule; rule on the uid");
		return;
	}
	if ((s.flags & SF_HAVE_GID_RULES) && lookup(m, SF_KIND_GID, who->gid, &r, v)) {
		sf_format_rule(NULL, SF_KIND_GID, who->gid, v->rule, sizeof(v->rule));
		snprintf(v->why, sizeof(v->why), "no cgroup or uid rule; rule on the gid");
		return;
	}
	snprintf(v->rule, sizeof(v->rule), "default");
	snprintf(v->why, sizeof(v->why), "no cgroup, uid or gid rule");
	if (!lookup(m, SF_KIND_DEFAULT, 0, &r, v))
		v->action = "allow";
}

/* What a redirect does with this destination, as the kernel does it: the
 * relay it goes to, or a denial (implicit TLS; only the backstop judges). */
static void redirect_note(const struct sf_maps *m, const struct sf_flow_key *fk, bool backstop,
			  struct verdict *v)
{
	struct sf_settings s = {};
	size_t n = strlen(v->why);
	__u32 slot = sf_gen_slot(m->gen);
	char to[64];

	if (strcmp(v->action, "redirect"))
		return;
	if (backstop || fk->dport == htons(SF_PORT_SMTPS)) {
		v->action = "deny";
		snprintf(v->why + n, sizeof(v->why) - n, "; redirect denies %s",
			 backstop ? "what only the backstop sees"
				  : "implicit TLS (port 465): the relay's certificate would not "
				    "match");
		return;
	}
	bpf_map_lookup_elem(m->settings, &slot, &s);
	if (fk->family == AF_INET)
		sf_format_dest(AF_INET, (const __u8 *)&s.relay4, s.relay4_port, to, sizeof(to));
	else
		sf_format_dest(AF_INET6, s.relay6, s.relay6_port, to, sizeof(to));
	snprintf(v->why + n, sizeof(v->why) - n, "; sent to the relay %s", to);
}

static int explain(const struct sf_ctx *ctx, const void *opts, int argc, char **argv)
{
	const struct explain_opts *o = opts;
	struct subject who = {};
	struct sf_flow_key fk;
	struct verdict v = {};
	struct sf_maps m;
	char err[SF_ERR_LEN], mount[PATH_MAX];
	int e;

	(void)argc;
	if ((!o->pid && !o->uid) || (o->pid && (o->uid || o->gid || o->cgroup)))
		return sf_command_usage_error(&sf_cmd_explain);
	e = sf_cgroup2_mount(mount, sizeof(mount));
	if (e) {
		sf_err("failed to find the cgroup-v2 mount: %s", strerror(-e));
		return SF_EXIT_FAIL;
	}
	if (parse_dest(argv[0], &fk, err, sizeof(err)) ||
	    (o->pid ? subject_from_pid(o->pid, &who, err, sizeof(err))
		    : subject_from_ids(o, mount, &who, err, sizeof(err)))) {
		sf_err("%s", err);
		return SF_EXIT_USAGE;
	}
	e = sf_maps_open(ctx->pin_dir, &m);
	if (e)
		return sf_exit_for(e, ctx->pin_dir);
	switch (judged_here(&m, ctx->pin_dir, mount, &who, &fk, &v)) {
	case JUDGED:
		walk(&m, mount, &who, &fk, &v);
		redirect_note(&m, &fk, false, &v);
		break;
	case BACKSTOP_ONLY:
		walk(&m, mount, &who, &fk, &v);
		redirect_note(&m, &fk, true, &v);
		/* no connect hook: a refused connect times out instead of EPERM */
		snprintf(v.why + strlen(v.why), sizeof(v.why) - strlen(v.why),
			 " (no %s link: only the egress backstop judges the SYN)",
			 fk.family == AF_INET ? "connect4" : "connect6");
		break;
	case NOT_JUDGED:
		break;
	}
	sf_maps_close(&m);
	if (ctx->json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "verdict", json_object_new_string(v.action));
		json_object_object_add(o, "rule", json_object_new_string(v.rule));
		json_object_object_add(o, "why", json_object_new_string(v.why));
		json_object_object_add(o, "uid", json_object_new_uint64(who.uid));
		json_object_object_add(o, "gid", json_object_new_uint64(who.gid));
		json_object_object_add(o, "cgroup", json_object_new_string(who.cgroup));
		sf_json_print(o);
	} else {
		printf("%s by %s: %s (uid %llu, gid %llu, cgroup %s)\n", v.action, v.rule, v.why,
		       (unsigned long long)who.uid, (unsigned long long)who.gid, who.cgroup);
	}
	return SF_EXIT_OK;
}

#define O(field) SF_OPT_AT(struct explain_opts, field)

static const struct sf_option options[] = {
	{.name = "pid",
	 .type = SF_OPT_STRING,
	 .arg = "N",
	 .offset = O(pid),
	 .help = "as this process (not with --uid, --gid, --cgroup)"},
	{.name = "uid",
	 .type = SF_OPT_STRING,
	 .arg = "U",
	 .offset = O(uid),
	 .help = "as this user (name or number)"},
	{.name = "gid",
	 .type = SF_OPT_STRING,
	 .arg = "G",
	 .offset = O(gid),
	 .help = "with this group (default: the user's)"},
	{.name = "cgroup",
	 .type = SF_OPT_STRING,
	 .arg = "PATH",
	 .offset = O(cgroup),
	 .help = "in this cgroup (default: the root)"},
	{NULL},
};

const struct sf_command sf_cmd_explain = {
	.name = "explain",
	.args = "HOST:PORT",
	.min_args = 1,
	.max_args = 1,
	.summary = "which rule decides a connect (--pid, or --uid), and why",
	.json = true,
	.needs_root = true,
	.options = options,
	.opts_size = sizeof(struct explain_opts),
	.run = explain,
};
