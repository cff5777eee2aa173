/* SPDX-License-Identifier: GPL-2.0-only */
/* Two policies of 50,000 rules each that share no filler rule, for the
 * swap tests (issue 12 item 4), and four probe tenants whose verdicts tell
 * the two apart:
 *   DENIED  denied by both (old: its cgroup; new: its uid, another key)
 *   ALLOWED allowed by both (old: its cgroup, over a deny on its uid;
 *           new: its uid), so a mix of the two denies it
 *   TO_NEW  allowed by the old policy (no rule), denied by the new
 *   TO_OLD  denied by the old policy, allowed by the new (no rule)
 * The default allows: a connect that meets neither policy gets through. */
#ifndef SFT_SWAP_POLICY_H
#define SFT_SWAP_POLICY_H

#include "harness.h"

#include <stdbool.h>

#define SWAP_RULES 50000 /* rules of each policy */
#define SWAP_HOST  "192.0.2.1"
#define SWAP_PORT  25
#define SWAP_CONFIG                                                                                \
	"[global]\nports = 25\ndefault = allow\nmax_rules = 50000\n"                               \
	"metrics_address = off\n"

enum swap_tenant { DENIED, ALLOWED, TO_NEW, TO_OLD, SWAP_TENANTS };

struct swap_tenants {
	char cgroup[SWAP_TENANTS][PATH_MAX];
	unsigned int uid[SWAP_TENANTS];
};

/* Makes the tenants' cgroups below e's. */
void swap_tenants_make(struct sft_env *e, struct swap_tenants *t);
/* Writes policy `which` (0: old, 1: new) as the only drop-in of e. */
void swap_policy_write(struct sft_env *e, const struct swap_tenants *t, int which);
/* From now on both policies have the same filler rules (on) or not: a
 * change between the two is then a few rules. */
void swap_policy_share_fillers(bool on);
/* What policy `which` says about tenant `who`: true for allowed. */
bool swap_allowed(int which, enum swap_tenant who);
/* One connect by the tenant: 0, or the errno. */
int swap_probe(const struct swap_tenants *t, enum swap_tenant who);
/* Which policy the kernel judges by now, from real connects of all four
 * tenants: 0 or 1, or -1 for a mix (msg says what was seen). */
int swap_judged_by(const struct swap_tenants *t, char *msg, size_t len);
/* Which policy `rules -j` says is active for the four tenants' rules: 0 or
 * 1, -1 for a mix, -2 when it failed. */
int swap_rules_say(struct sft_env *e, const struct swap_tenants *t);
/* The listener's accept queue is drained by a child until swap_drain_stop. */
pid_t swap_drain_start(int fd);
void swap_drain_stop(pid_t pid);

#endif /* SFT_SWAP_POLICY_H */
