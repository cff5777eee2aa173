/* SPDX-License-Identifier: GPL-2.0-only */
/* Where a unit's own cgroup is: systemd says so when it is PID 1 (sd-bus,
 * the unit's ControlGroup); otherwise systemd's naming rules give it, and
 * nothing a tenant made can stand in for it. Never by a search of the tree
 * for a directory of that name. */
#ifndef SF_UNITS_H
#define SF_UNITS_H

#include <stdbool.h>
#include <stddef.h>

/* At most this many slices are looked into for one service or scope. */
#define SF_UNIT_MAX_SLICES 4096

/* rel gets the unit's cgroup, relative to the cgroup-v2 mount. root is
 * where systemd's tree starts, relative to the mount ("/" on a host; set
 * by `units_root`), and ask_systemd says whether systemd may be asked.
 * Returns 0; -ENOENT when the unit has no cgroup now (pending); -ENOTUNIQ
 * when more than one cgroup could be it (err names every one); -EINVAL
 * for a slice name systemd would refuse. */
int sf_unit_locate(const char *mount, const char *root, bool ask_systemd, const char *unit,
		   char *rel, size_t len, char *err, size_t errlen);
/* systemd's own answer over the system bus (DBUS_SYSTEM_BUS_ADDRESS is
 * honoured): GetUnit, then the unit's ControlGroup. 0 and rel; -ENOENT
 * when systemd has no such unit or it has no cgroup now; -EHOSTDOWN when
 * systemd cannot be asked. */
int sf_unit_ask_systemd(const char *unit, char *rel, size_t len);

#endif /* SF_UNITS_H */
