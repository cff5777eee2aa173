/* SPDX-License-Identifier: GPL-2.0-only */
/* The pinned state under the pin directory: bpffs, maps, links. */
#ifndef SF_PINS_H
#define SF_PINS_H

#include <stdbool.h>
#include <stdint.h>

#define SF_DEFAULT_BPFFS   "/sys/fs/bpf"
#define SF_DEFAULT_PIN_DIR SF_DEFAULT_BPFFS "/smtpfence"

struct sf_maps {
	int ports;
	int settings;
	int rules;
	int rule_stats;
	int exempt4;
	int exempt6;
	int flows;
	int totals;
	int events;
	int source4;
	int source6;
	int gen; /* the visible generation and the change journal */
};

/* Makes sure the pin directory's parent is a bpffs (mounting the default
 * one when absent) and the directory exists, mode 0700. */
int sf_pin_dir_prepare(const char *pin_dir);
/* Fills every field of *m with open_one(name, &field, arg), the one list
 * of maps and their names; on an error closes what was opened. */
int sf_maps_each(struct sf_maps *m, int (*open_one)(const char *name, int *fd, void *arg),
		 void *arg);
/* Opens every pinned map; -ENOENT when smtpfence is not loaded there. */
int sf_maps_open(const char *pin_dir, struct sf_maps *m);
void sf_maps_close(struct sf_maps *m);
/* The kernel's id of the map behind fd. */
int sf_map_id(int fd, uint32_t *id);
/* Restricts every pin in the directory to root, mode 0600. */
int sf_pins_restrict(const char *pin_dir);
/* Removes every pin and the directory: detaches what the links held. */
int sf_pins_remove(const char *pin_dir);
bool sf_pins_exist(const char *pin_dir);
/* Calls fn for every link pin (link_*) in pin_dir with its path and an fd
 * of the link (or -1, errno set, when it cannot be opened); fn's fd is
 * closed after it returns. Returns the first non-zero fn result, or 0. */
int sf_link_pins_each(const char *pin_dir, int (*fn)(const char *path, int fd, void *arg),
		      void *arg);

#endif /* SF_PINS_H */
