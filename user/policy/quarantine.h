/* SPDX-License-Identifier: GPL-2.0-only */
/* Quarantines: a tenant's action overridden for a while (by an alert or by
 * hand). They live in RUN_DIR/quarantine.json, the runtime layer, with
 * absolute expiry times, so that they survive restarts and upgrades of
 * the daemon and end on time even when it was down at the expiry. */
#ifndef SF_QUARANTINE_H
#define SF_QUARANTINE_H

#include "policy/policy.h"
#include "policy/quarantine_parse.h"

#include <json-c/json.h>
#include <stdint.h>

#define SF_QUARANTINE_FILE	 "quarantine.json"
#define SF_QUARANTINE_FORMAT	 1 /* "version" in the file */
#define SF_QUARANTINE_REASON_LEN 256

struct sf_quarantine {
	enum sf_target_kind kind;
	char value[SF_TARGET_LEN];
	int action; /* deny or limit */
	struct sf_rate rate;
	char reason[SF_QUARANTINE_REASON_LEN]; /* "alert denied 5/60s", "manual" */
	int64_t started, expires;	       /* Unix seconds */
};

struct sf_quarantines {
	struct sf_quarantine *v;
	size_t n;
};

/* A missing file is an empty list. -EINVAL (said in err) for a bad file. */
int sf_quarantines_load(const char *run_dir, struct sf_quarantines *q, char *err, size_t errlen);
/* RUN_DIR/quarantine.json. */
void sf_quarantines_path(const char *run_dir, char *buf, size_t len);
/* The file's new content (*data malloc'ed): a change writes it with its
 * other files (policy/change.h). 0 or -ENOMEM. */
int sf_quarantines_format(const struct sf_quarantines *q, char **data, size_t *len);
/* {"target","action","reason","started","expires"}: the file's entry. */
json_object *sf_quarantine_json(const struct sf_quarantine *e);
long sf_quarantines_find(const struct sf_quarantines *q, enum sf_target_kind kind,
			 const char *value);
/* Replaces the entry on the same target, or adds one. */
int sf_quarantines_put(struct sf_quarantines *q, const struct sf_quarantine *e);
void sf_quarantines_remove(struct sf_quarantines *q, size_t idx);
void sf_quarantines_free(struct sf_quarantines *q);

/* The tenant's rule takes the action of every quarantine in force at now
 * (a target without a rule gets one); expired ones are left out. */
int sf_quarantine_overlay(struct sf_policy *p, const struct sf_quarantines *q, int64_t now);

#endif /* SF_QUARANTINE_H */
