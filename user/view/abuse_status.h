/* SPDX-License-Identifier: GPL-2.0-only */
/* The quarantined tenants (reason, expiry) and the blocklist summary, as
 * `status` and `top` show them, from the daemon's files in the run dir. */
#ifndef SF_ABUSE_STATUS_H
#define SF_ABUSE_STATUS_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdio.h>

/* "quarantine:  cgroup:/t/a deny until 2026-...Z (alert denied: ...)" lines. */
void sf_abuse_status_text(FILE *f, const char *run_dir);
/* Adds "quarantines": [...] and "dnsbl": {...} to o. */
void sf_abuse_status_json(json_object *o, const char *run_dir);
/* One line per quarantine into buf (for top's header); how many. */
size_t sf_abuse_quarantine_lines(const char *run_dir, char (*lines)[1024], size_t max);

#endif /* SF_ABUSE_STATUS_H */
