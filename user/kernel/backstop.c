// SPDX-License-Identifier: GPL-2.0-only
#include "kernel/backstop.h"
#include "util/log.h"
#include "kernel/pins.h"
#include "smtpfence.h"
#include "kernel/tclink.h"
#include "egress.skel.h"
#include "tc.skel.h"

#include <bpf/libbpf.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sf_backstop {
	struct egress_bpf *egress;
	struct tc_bpf *tc;
	const char *pin_dir;
	const char *cgroup;
	const char *const *tc_devs;
	size_t n_tc_devs;
};

void sf_backstop_close(struct sf_backstop *b)
{
	if (!b)
		return;
	egress_bpf__destroy(b->egress);
	tc_bpf__destroy(b->tc);
	free(b);
}

static int load_failed(const char *what, int err)
{
	sf_err("failed to load the %s program: %s%s", what, strerror(-err),
	       sf_verbose ? "" : " (run with -v for the verifier's log)");
	return err;
}

int sf_backstop_load(const struct sf_load_opts *o, struct sf_backstop **out)
{
	LIBBPF_OPTS(bpf_object_open_opts, open_opts, .pin_root_path = o->pin_dir);
	struct sf_backstop *b = calloc(1, sizeof(*b));
	bool reused;
	int err;

	if (!b)
		return -ENOMEM;
	b->pin_dir = o->pin_dir;
	b->cgroup = o->cgroup;
	b->tc_devs = o->tc_devs;
	b->n_tc_devs = o->n_tc_devs;
	b->egress = egress_bpf__open_opts(&open_opts);
	if (!b->egress) {
		err = load_failed("cgroup_skb egress", -errno);
		goto fail;
	}
	err = sf_loader_prepare_maps(b->egress->obj, o, &reused);
	if (!err)
		err = egress_bpf__load(b->egress);
	if (err) {
		load_failed("cgroup_skb egress", err);
		goto fail;
	}
	/* The tc program is loaded only where it is attached. */
	if (o->n_tc_devs) {
		b->tc = tc_bpf__open_opts(&open_opts);
		if (!b->tc) {
			err = load_failed("tc egress", -errno);
			goto fail;
		}
		err = sf_loader_prepare_maps(b->tc->obj, o, &reused);
		if (!err)
			err = tc_bpf__load(b->tc);
		if (err) {
			load_failed("tc egress", err);
			goto fail;
		}
	}
	*out = b;
	return 0;
fail:
	sf_backstop_close(b);
	return err;
}

static int attach_tc(struct sf_backstop *b, bool *adopted)
{
	int err;

	for (size_t i = 0; i < b->n_tc_devs; i++) {
		bool again = false;

		err = sf_tclink_attach(b->tc->progs.sf_tc_egress, b->pin_dir, b->tc_devs[i],
				       &again);
		if (err) {
			sf_err("failed to attach to interface %s: %s%s", b->tc_devs[i],
			       strerror(-err),
			       err == -EINVAL ? " (tc egress links need Linux 6.6 or later)" : "");
			return err;
		}
		*adopted = *adopted && again;
	}
	err = sf_tclink_prune(b->pin_dir, b->tc_devs, b->n_tc_devs);
	if (err)
		sf_err("failed to detach from interfaces no longer configured: %s", strerror(-err));
	return err;
}

int sf_backstop_attach(struct sf_backstop *b, int cgfd, __u64 cgroup_id, bool *adopted)
{
	char path[PATH_MAX];
	bool again = false;
	int err;

	snprintf(path, sizeof(path), "%s/%s", b->pin_dir, SF_LINK_EGRESS);
	err = sf_attach_cgroup_link(b->egress->progs.sf_egress, path, cgfd, cgroup_id, &again);
	if (err) {
		sf_err("failed to attach the egress backstop to cgroup %s: %s", b->cgroup,
		       strerror(-err));
		return err;
	}
	*adopted = *adopted && again;
	return attach_tc(b, adopted);
}
