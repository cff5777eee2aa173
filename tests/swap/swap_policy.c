// SPDX-License-Identifier: GPL-2.0-only
#include "swap_policy.h"

#include <check.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define FILLER_BASE 300000 /* uids of the filler rules: policy p at + p * 100000 */

static bool shared_fillers;

void swap_policy_share_fillers(bool on)
{
	shared_fillers = on;
}

static const char *const names[SWAP_TENANTS] = {"denied", "allowed", "to-new", "to-old"};

void swap_tenants_make(struct sft_env *e, struct swap_tenants *t)
{
	for (int i = 0; i < SWAP_TENANTS; i++) {
		ck_assert_int_eq(sft_cgroup_make(e, names[i], t->cgroup[i], sizeof(t->cgroup[i])),
				 0);
		t->uid[i] = 20001 + (unsigned int)i;
	}
}

static const char *rel(const struct sft_env *e, int who, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", e->cgroup_rel, names[who]);
	return buf;
}

void swap_policy_write(struct sft_env *e, const struct swap_tenants *t, int which)
{
	char path[PATH_MAX + 32], tmp[PATH_MAX + 32], cg[PATH_MAX];
	FILE *f;
	int fillers = SWAP_RULES - 3;

	mkdir(e->rules_dir, 0755);
	snprintf(path, sizeof(path), "%s/swap.conf", e->rules_dir);
	snprintf(tmp, sizeof(tmp), "%s/swap.tmp", e->rules_dir);
	f = fopen(tmp, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "[rules]\n");
	if (which == 0) {
		fprintf(f, "deny = cgroup:%s\n", rel(e, DENIED, cg, sizeof(cg)));
		fprintf(f, "allow = cgroup:%s\n", rel(e, ALLOWED, cg, sizeof(cg)));
		fprintf(f, "deny = user:%u\n", t->uid[ALLOWED]);
		fprintf(f, "deny = user:%u\n", t->uid[TO_OLD]);
		fillers--;
	} else {
		fprintf(f, "deny = user:%u\n", t->uid[DENIED]);
		fprintf(f, "allow = user:%u\n", t->uid[ALLOWED]);
		fprintf(f, "deny = user:%u\n", t->uid[TO_NEW]);
	}
	for (int i = 0; i < fillers; i++)
		fprintf(f, "allow = user:%d\n",
			FILLER_BASE + (shared_fillers ? 0 : which) * 100000 + i);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(rename(tmp, path), 0);
}

bool swap_allowed(int which, enum swap_tenant who)
{
	switch (who) {
	case DENIED:
		return false;
	case ALLOWED:
		return true;
	case TO_NEW:
		return which == 0;
	default:
		return which == 1;
	}
}

int swap_probe(const struct swap_tenants *t, enum swap_tenant who)
{
	return sft_connect(t->cgroup[who], t->uid[who], t->uid[who], SWAP_HOST, SWAP_PORT,
			   SFT_BLOCKING);
}

int swap_judged_by(const struct swap_tenants *t, char *msg, size_t len)
{
	bool ok[SWAP_TENANTS], fits[2] = {true, true};
	size_t n = 0;

	msg[0] = '\0';
	for (int i = 0; i < SWAP_TENANTS; i++) {
		int r = swap_probe(t, i);

		ck_assert_msg(r == 0 || r == EPERM, "%s: connect failed: %s", names[i],
			      strerror(r));
		ok[i] = r == 0;
		n += (size_t)snprintf(msg + n, n < len ? len - n : 0, "%s%s %s", i ? ", " : "",
				      names[i], ok[i] ? "allowed" : "denied");
		for (int p = 0; p < 2; p++)
			if (ok[i] != swap_allowed(p, i))
				fits[p] = false;
	}
	return fits[0] ? 0 : fits[1] ? 1 : -1;
}

/* The "state" of the rule whose target contains `target` in rules -j. */
static bool rule_active(const char *json, const char *target)
{
	const char *at = strstr(json, target), *state, *end;

	if (!at)
		return false;
	end = strchr(at, '}');
	state = strstr(at, "\"state\"");
	return state && (!end || state < end) && !strncmp(strchr(state, ':') + 1, "\"active\"", 8);
}

int swap_rules_say(struct sft_env *e, const struct swap_tenants *t)
{
	char cg[PATH_MAX], target[PATH_MAX + 32];
	bool fits[2] = {true, true};
	/* Each policy's own rules about the tenants (the files hold one). */
	struct {
		int which;
		const char *fmt;
		int who;
	} rules[] = {
		{0, "cgroup:%s", DENIED}, {0, "cgroup:%s", ALLOWED}, {0, "user:%u", TO_OLD},
		{1, "user:%u", DENIED},	  {1, "user:%u", TO_NEW},
	};

	if (sft_cli(e, "-j rules | jq -c '.[] | select(.target | test(\"^(cgroup:.*/(denied|"
		       "allowed|to-new|to-old)|user:2000[1-4])$\")) | {target, state}'"))
		return -2;
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		if (rules[i].fmt[0] == 'c')
			snprintf(target, sizeof(target), "\"cgroup:%s\"",
				 rel(e, rules[i].who, cg, sizeof(cg)));
		else
			snprintf(target, sizeof(target), "\"user:%u\"", t->uid[rules[i].who]);
		/* Only the rules of the file in place are listed. */
		if (!strstr(e->out, target))
			continue;
		bool active = rule_active(e->out, target);

		fits[rules[i].which] &= active;
		fits[!rules[i].which] &= !active;
	}
	return fits[0] ? 0 : fits[1] ? 1 : -1;
}

pid_t swap_drain_start(int fd)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};

		if (poll(&p, 1, 50) > 0)
			sft_accept_all(fd);
	}
}

void swap_drain_stop(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}
