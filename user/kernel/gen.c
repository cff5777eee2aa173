// SPDX-License-Identifier: GPL-2.0-only
#include "kernel/gen.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

int sf_gen_map(int fd, struct sf_gen_map *gm)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p;

	gm->len = (size_t)(page > 0 ? page : 4096);
	p = mmap(NULL, gm->len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		gm->g = NULL;
		return -errno;
	}
	gm->g = p;
	return 0;
}

void sf_gen_unmap(struct sf_gen_map *gm)
{
	if (gm->g)
		munmap(gm->g, gm->len);
	gm->g = NULL;
}

int sf_gen_read(int fd, struct sf_gen *out)
{
	__u32 zero = 0;

	memset(out, 0, sizeof(*out));
	return bpf_map_lookup_elem(fd, &zero, out) ? -errno : 0;
}

__u32 sf_gen_slot(int fd)
{
	struct sf_gen g;

	return sf_gen_read(fd, &g) ? 0 : SF_SLOT(g.gen);
}

static __u64 now_realtime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

/* Journal fields are ordered by release stores: whoever reads the state
 * (a later process, after this one was killed) sees what came before. */
static void set_state(struct sf_gen *g, __u32 state)
{
	__atomic_store_n(&g->state, state, __ATOMIC_SEQ_CST);
}

void sf_gen_begin(struct sf_gen_map *gm)
{
	struct sf_gen *g = gm->g;

	g->target = __atomic_load_n(&g->gen, __ATOMIC_SEQ_CST) + 1;
	g->pid = (__u32)getpid();
	g->since_ns = now_realtime();
	set_state(g, SF_GEN_PREPARING);
}

void sf_gen_touch(struct sf_gen_map *gm)
{
	gm->g->pid = (__u32)getpid();
	__atomic_store_n(&gm->g->since_ns, now_realtime(), __ATOMIC_SEQ_CST);
}

void sf_gen_commit(struct sf_gen_map *gm)
{
	struct sf_gen *g = gm->g;

	set_state(g, SF_GEN_PREPARED);
	/* The one store that makes the new policy visible, all of it. */
	__atomic_store_n(&g->gen, g->target, __ATOMIC_SEQ_CST);
	g->changes++;
	set_state(g, SF_GEN_IDLE);
}

void sf_gen_abort(struct sf_gen_map *gm)
{
	set_state(gm->g, SF_GEN_IDLE);
}

int sf_gen_recover(struct sf_gen_map *gm, bool *completed)
{
	struct sf_gen *g = gm->g;
	__u32 state = __atomic_load_n(&g->state, __ATOMIC_SEQ_CST);

	*completed = false;
	if (state == SF_GEN_IDLE)
		return 0;
	if (state == SF_GEN_PREPARED) {
		/* Everything of the target slot was written before PREPARED. */
		if (__atomic_load_n(&g->gen, __ATOMIC_SEQ_CST) != g->target) {
			__atomic_store_n(&g->gen, g->target, __ATOMIC_SEQ_CST);
			g->changes++;
		}
		*completed = true;
	}
	/* PREPARING: the half-written slot was never visible; the next change
	 * writes it again from what the kernel holds. */
	g->recovered++;
	set_state(g, SF_GEN_IDLE);
	return 1;
}

/* Updating a map-in-map element makes the kernel wait for every running
 * non-sleepable BPF program to end (synchronize_rcu, so that the caller
 * knows no program uses the old inner map): a grace period on demand. */
int sf_grace_period(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts);
	int inner, outer, err = 0;
	__u32 zero = 0;

	inner = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 4, 1, NULL);
	if (inner < 0)
		return -errno;
	opts.inner_map_fd = inner;
	outer = bpf_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, NULL, 4, 4, 1, &opts);
	if (outer < 0)
		err = -errno;
	else if (bpf_map_update_elem(outer, &zero, &inner, BPF_ANY))
		err = -errno;
	if (outer >= 0)
		close(outer);
	close(inner);
	return err;
}

bool sf_gen_quiet(const struct sf_gen_map *gm)
{
	return gm->g->quiet == __atomic_load_n(&gm->g->gen, __ATOMIC_SEQ_CST) && gm->g->gen;
}

void sf_gen_set_quiet(struct sf_gen_map *gm)
{
	gm->g->quiet = __atomic_load_n(&gm->g->gen, __ATOMIC_SEQ_CST);
}

bool sf_gen_pending(const struct sf_gen *g, bool *interrupted)
{
	if (g->state == SF_GEN_IDLE)
		return false;
	*interrupted = !g->pid || (kill((pid_t)g->pid, 0) && errno == ESRCH);
	return true;
}
