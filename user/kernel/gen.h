/* SPDX-License-Identifier: GPL-2.0-only */
/* The visible generation (struct sf_gen) and the change journal beside it:
 * mmapped so that the flip is one atomic store, and the grace period that
 * makes sure no program still reads the slot about to be written. */
#ifndef SF_GEN_H
#define SF_GEN_H

#include "smtpfence.h"

#include <stdbool.h>
#include <stddef.h>

struct sf_gen_map {
	struct sf_gen *g; /* the map's page, shared with the kernel */
	size_t len;
};

/* Maps the pinned sf_gen (fd: the map, opened read-write). */
int sf_gen_map(int fd, struct sf_gen_map *gm);
void sf_gen_unmap(struct sf_gen_map *gm);
/* A copy of the generation and journal, read without mapping (views). */
int sf_gen_read(int fd, struct sf_gen *out);
/* The slot of the visible generation (views read the kernel in it). */
__u32 sf_gen_slot(int fd);
/* Opens a change to gen + 1: the journal says PREPARING, by this process. */
void sf_gen_begin(struct sf_gen_map *gm);
/* A write that needs no flip (a rule added alone): what was recorded
 * against the journal as it was is stale from here (since_ns and pid move). */
void sf_gen_touch(struct sf_gen_map *gm);
/* The commit point: PREPARED, then the generation moves on in one store. */
void sf_gen_commit(struct sf_gen_map *gm);
/* Closes a change that could not be prepared: the generation stays. */
void sf_gen_abort(struct sf_gen_map *gm);
/* Resolves a change that a killed process left: one not fully prepared is
 * rolled back (its slot was never visible), a prepared one is completed.
 * Returns 1 when there was one (*completed says which), else 0. */
int sf_gen_recover(struct sf_gen_map *gm, bool *completed);
/* Waits until every BPF program that started before the call has ended
 * (an RCU grace period). */
int sf_grace_period(void);
/* Whether nobody reads the slot of the next generation: a grace period
 * passed since the visible one was made visible. */
bool sf_gen_quiet(const struct sf_gen_map *gm);
/* Records that a grace period passed after the visible generation. */
void sf_gen_set_quiet(struct sf_gen_map *gm);
/* A journal naming a change that is not finished, and whether its process
 * is gone (interrupted) or still at work. */
bool sf_gen_pending(const struct sf_gen *g, bool *interrupted);

#endif /* SF_GEN_H */
