// SPDX-License-Identifier: GPL-2.0-only
#include "kernel/tclink.h"
#include "smtpfence.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Linux 6.6 uapi; Debian 12's headers predate tcx. */
#define SF_BPF_TCX_EGRESS    47
#define SF_BPF_LINK_TYPE_TCX 11
#define SF_BPF_F_BEFORE	     (1U << 3)

/* The head of struct bpf_link_info with its tcx member. */
struct sf_tcx_link_info {
	__u32 type;
	__u32 id;
	__u32 prog_id;
	union {
		__u64 align;
		struct {
			__u32 ifindex;
			__u32 attach_type;
		} tcx;
	};
};

static int link_info(int fd, struct sf_tcx_link_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return bpf_obj_get_info_by_fd(fd, info, &len) ? -errno : 0;
}

static void pin_path(const char *pin_dir, const char *ifname, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s%s", pin_dir, SF_LINK_TC_PREFIX, ifname);
}

int sf_tclink_attach(struct bpf_program *prog, const char *pin_dir, const char *ifname,
		     bool *adopted)
{
	/* First in line: a program before ours that ends the pipeline with
	 * TCX_PASS would otherwise let SYNs by unjudged. */
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = SF_BPF_F_BEFORE);
	char path[PATH_MAX];
	unsigned int ifindex = if_nametoindex(ifname);
	struct bpf_link *old;
	int fd, err;

	*adopted = false;
	if (!ifindex)
		return -errno;
	pin_path(pin_dir, ifname, path, sizeof(path));
	old = bpf_link__open(path);
	if (old) {
		struct sf_tcx_link_info info;

		/* A dead link (interface gone) reads ifindex 0: attach anew. */
		if (!link_info(bpf_link__fd(old), &info) && info.type == SF_BPF_LINK_TYPE_TCX &&
		    info.tcx.ifindex == ifindex) {
			err = bpf_link__update_program(old, prog);
			bpf_link__destroy(old); /* closes our fd; the pin keeps it */
			*adopted = !err;
			return err;
		}
		bpf_link__destroy(old);
	}
	fd = bpf_link_create(bpf_program__fd(prog), (int)ifindex, SF_BPF_TCX_EGRESS, &opts);
	if (fd < 0)
		return -errno;
	if (unlink(path) && errno != ENOENT) {
		err = -errno;
		close(fd);
		return err;
	}
	err = bpf_obj_pin(fd, path) ? -errno : 0;
	close(fd); /* pinned, or detached again on failure */
	return err;
}

static bool is_tc_pin(const char *name, const char **ifname)
{
	size_t n = strlen(SF_LINK_TC_PREFIX);

	if (strncmp(name, SF_LINK_TC_PREFIX, n) || !name[n])
		return false;
	*ifname = name + n;
	return true;
}

int sf_tclink_prune(const char *pin_dir, const char *const *names, size_t n)
{
	DIR *d = opendir(pin_dir);
	struct dirent *e;
	int err = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		const char *ifname;
		bool wanted = false;

		if (!is_tc_pin(e->d_name, &ifname))
			continue;
		for (size_t i = 0; i < n && !wanted; i++)
			wanted = !strcmp(names[i], ifname);
		if (!wanted && unlinkat(dirfd(d), e->d_name, 0) && !err)
			err = -errno;
	}
	closedir(d);
	return err;
}

int sf_tclink_list(const char *pin_dir, struct sf_tclink_info *out, size_t max)
{
	DIR *d = opendir(pin_dir);
	struct dirent *e;
	size_t n = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d)) && n < max) {
		char path[PATH_MAX];
		struct sf_tcx_link_info info;
		const char *ifname;
		int fd;

		if (!is_tc_pin(e->d_name, &ifname))
			continue;
		snprintf(path, sizeof(path), "%s/%s", pin_dir, e->d_name);
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		snprintf(out[n].ifname, sizeof(out[n].ifname), "%s", ifname);
		if (!link_info(fd, &info)) {
			out[n].ifindex = info.tcx.ifindex;
			out[n].prog_id = info.prog_id;
		}
		close(fd);
		n++;
	}
	closedir(d);
	return (int)n;
}
