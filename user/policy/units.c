// SPDX-License-Identifier: GPL-2.0-only
#include "policy/units.h"
#include "util/log.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

/* A cgroup directory that is root's and not delegated: what systemd made
 * for itself. One owned by someone else, or marked with a delegate xattr,
 * belongs to a tenant from there down. */
static bool cgroup_trusted(const char *abs)
{
	struct stat st;

	if (lstat(abs, &st) || !S_ISDIR(st.st_mode) || st.st_uid != 0)
		return false;
	/* systemd marks a delegated cgroup (Delegate=yes) with these. */
	return getxattr(abs, "trusted.delegate", NULL, 0) < 0 &&
	       getxattr(abs, "user.delegate", NULL, 0) < 0;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && !strcmp(s + n - m, suffix);
}

static int join(char *buf, size_t len, const char *a, const char *b)
{
	int n = snprintf(buf, len, "%s%s%s", a, a[strlen(a) - 1] == '/' ? "" : "/", b);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* The parent slices of a-b-c.slice are a.slice and a-b.slice: its path
 * below the root is a.slice/a-b.slice/a-b-c.slice ("-.slice" is the root). */
static int slice_path(const char *unit, char *out, size_t len)
{
	size_t n = strlen(unit) - strlen(".slice"), o = 0;

	out[0] = '\0';
	if (!strcmp(unit, "-.slice"))
		return 0;
	if (unit[0] == '-' || unit[n - 1] == '-' || strstr(unit, "--"))
		return -EINVAL;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && unit[i] != '-')
			continue;
		int w = snprintf(out + o, len - o, "%s%.*s.slice", o ? "/" : "", (int)i, unit);

		if (w < 0 || (size_t)w >= len - o)
			return -ENAMETOOLONG;
		o += (size_t)w;
	}
	return 0;
}

/* Each directory from the root down to (not including) the unit's own must
 * be systemd's: a tenant's subtree never holds a unit of the host. */
static int locate_slice(const char *root_abs, const char *unit, char *found, size_t len)
{
	char sub[PATH_MAX], *save = NULL, *part, *next;
	struct stat st;
	size_t o;
	int err = slice_path(unit, sub, sizeof(sub));

	if (err)
		return err;
	if (!cgroup_trusted(root_abs))
		return -ENOENT;
	if (snprintf(found, len, "%s", root_abs) >= (int)len)
		return -ENAMETOOLONG;
	for (part = strtok_r(sub, "/", &save); part; part = next) {
		next = strtok_r(NULL, "/", &save);
		o = strlen(found);
		if (snprintf(found + o, len - o, "/%s", part) >= (int)(len - o))
			return -ENAMETOOLONG;
		if (next && !cgroup_trusted(found))
			return -ENOENT;
	}
	return stat(found, &st) || !S_ISDIR(st.st_mode) ? -ENOENT : 0;
}

/* A direct child slice of `parent` ("-.slice" for the root): a.slice
 * below the root, a-b.slice below a.slice. */
static bool child_slice(const char *parent, const char *name)
{
	size_t pn = strlen(parent) - strlen(".slice");
	const char *rest = name + pn + 1;

	if (!has_suffix(name, ".slice") || !strcmp(name, "-.slice"))
		return false;
	if (!strcmp(parent, "-.slice"))
		return name[0] != '-' && !strchr(name, '-');
	return strlen(name) > pn + 1 && !strncmp(name, parent, pn) && name[pn] == '-' &&
	       rest[0] != '.' && !strchr(rest, '-');
}

struct candidates {
	char paths[8][PATH_MAX];
	size_t n;
	size_t slices_seen;
};

/* A service or scope lives directly in its slice: look in every slice of
 * systemd's own (trusted, named by the rules), bounded, skipping the rest. */
static void find_in_slices(const char *abs, const char *slice, const char *unit, unsigned int depth,
			   struct candidates *c)
{
	char path[PATH_MAX];
	struct dirent *e;
	struct stat st;
	DIR *d;

	if (++c->slices_seen > SF_UNIT_MAX_SLICES || depth > 32)
		return;
	if (!join(path, sizeof(path), abs, unit) && !stat(path, &st) && S_ISDIR(st.st_mode)) {
		if (c->n < sizeof(c->paths) / sizeof(c->paths[0]))
			snprintf(c->paths[c->n], PATH_MAX, "%s", path);
		c->n++;
	}
	d = opendir(abs);
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_type != DT_DIR || !child_slice(slice, e->d_name) ||
		    join(path, sizeof(path), abs, e->d_name) || !cgroup_trusted(path))
			continue;
		find_in_slices(path, e->d_name, unit, depth + 1, c);
	}
	closedir(d);
}

static int locate_in_slices(const char *root_abs, const char *unit, char *found, size_t len,
			    char *err, size_t errlen)
{
	struct candidates *c = calloc(1, sizeof(*c));
	int ret = 0;

	if (!c)
		return -ENOMEM;
	if (cgroup_trusted(root_abs))
		find_in_slices(root_abs, "-.slice", unit, 0, c);
	if (c->slices_seen > SF_UNIT_MAX_SLICES)
		sf_warn("unit:%s: looked into the first %d slices only", unit, SF_UNIT_MAX_SLICES);
	if (c->n == 0) {
		ret = -ENOENT;
	} else if (c->n > 1) {
		size_t o = (size_t)snprintf(err, errlen,
					    "unit:%s is ambiguous: %zu cgroups have "
					    "that name:",
					    unit, c->n);

		for (size_t i = 0; i < c->n && i < 8 && o < errlen; i++)
			o += (size_t)snprintf(err + o, errlen - o, " %s", c->paths[i]);
		ret = -ENOTUNIQ;
	} else if (snprintf(found, len, "%s", c->paths[0]) >= (int)len) {
		ret = -ENAMETOOLONG;
	}
	free(c);
	return ret;
}

/* One connection for the daemon's lifetime: a rescan may ask for many
 * units. Dropped and made anew when it broke. */
static sd_bus *system_bus(bool fresh)
{
	static sd_bus *bus;

	if (bus && (fresh || sd_bus_is_open(bus) <= 0))
		bus = sd_bus_flush_close_unref(bus);
	if (!bus && sd_bus_open_system(&bus) < 0)
		bus = NULL;
	return bus;
}

static int ask(sd_bus *bus, const char *unit, char *rel, size_t len)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	const char *object, *iface = has_suffix(unit, ".slice") ? "org.freedesktop.systemd1.Slice"
				     : has_suffix(unit, ".scope")
					     ? "org.freedesktop.systemd1.Scope"
					     : "org.freedesktop.systemd1.Service";
	char *cg = NULL;
	int err;

	err = sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
				 "org.freedesktop.systemd1.Manager", "GetUnit", &e, &reply, "s",
				 unit);
	if (err < 0) {
		err = sd_bus_error_has_name(&e, "org.freedesktop.systemd1.NoSuchUnit") ? -ENOENT
										       : -EHOSTDOWN;
		goto out;
	}
	err = sd_bus_message_read(reply, "o", &object);
	if (err >= 0)
		err = sd_bus_get_property_string(bus, "org.freedesktop.systemd1", object, iface,
						 "ControlGroup", &e, &cg);
	if (err < 0) {
		err = -EHOSTDOWN;
		goto out;
	}
	err = !cg[0] ? -ENOENT : snprintf(rel, len, "%s", cg) >= (int)len ? -ENAMETOOLONG : 0;
out:
	free(cg);
	sd_bus_message_unref(reply);
	sd_bus_error_free(&e);
	return err;
}

int sf_unit_ask_systemd(const char *unit, char *rel, size_t len)
{
	sd_bus *bus = system_bus(false);
	int err = bus ? ask(bus, unit, rel, len) : -EHOSTDOWN;

	if (err == -EHOSTDOWN && bus && (bus = system_bus(true)))
		err = ask(bus, unit, rel, len); /* the old connection may have broken */
	return err;
}

int sf_unit_locate(const char *mount, const char *root, bool ask_systemd, const char *unit,
		   char *rel, size_t len, char *err, size_t errlen)
{
	char root_abs[PATH_MAX], found[PATH_MAX];
	size_t mlen = strlen(mount);
	int ret;

	err[0] = '\0';
	if (ask_systemd && sd_booted() > 0) {
		ret = sf_unit_ask_systemd(unit, rel, len);
		if (ret != -EHOSTDOWN)
			return ret;
		sf_warn("failed to ask systemd where unit:%s is; following its naming rules", unit);
	}
	if (snprintf(root_abs, sizeof(root_abs), "%s%s", mount, strcmp(root, "/") ? root : "") >=
	    (int)sizeof(root_abs))
		return -ENAMETOOLONG;
	if (has_suffix(unit, ".slice"))
		ret = locate_slice(root_abs, unit, found, sizeof(found));
	else
		ret = locate_in_slices(root_abs, unit, found, sizeof(found), err, errlen);
	if (ret == -EINVAL)
		snprintf(err, errlen, "invalid slice name '%s': systemd refuses empty parts", unit);
	if (ret)
		return ret;
	return snprintf(rel, len, "%s", found[mlen] ? found + mlen : "/") >= (int)len
		       ? -ENAMETOOLONG
		       : 0;
}
