// SPDX-License-Identifier: GPL-2.0-only
#include "view/abuse_status.h"
#include "policy/dnsbl_state.h"
#include "policy/quarantine.h"
#include "util/walltime.h"

#include <time.h>

static void describe(const struct sf_quarantine *e, char *buf, size_t len)
{
	char action[96], until[40];

	sf_action_text(e->action, &e->rate, action, sizeof(action));
	sf_format_utc(e->expires, until, sizeof(until));
	snprintf(buf, len, "%s:%s %s until %s (%s)", sf_target_kind_name(e->kind), e->value, action,
		 until, e->reason);
}

size_t sf_abuse_quarantine_lines(const char *run_dir, char (*lines)[1024], size_t max)
{
	struct sf_quarantines q;
	char err[256];
	size_t n = 0;
	int64_t now = (int64_t)time(NULL);

	if (sf_quarantines_load(run_dir, &q, err, sizeof(err)))
		return 0;
	for (size_t i = 0; i < q.n && n < max; i++)
		if (q.v[i].expires > now)
			describe(&q.v[i], lines[n++], 1024);
	sf_quarantines_free(&q);
	return n;
}

void sf_abuse_status_text(FILE *f, const char *run_dir)
{
	static char lines[32][1024];
	size_t n = sf_abuse_quarantine_lines(run_dir, lines, 32);
	struct sf_dnsbl_state st;
	char t[40];

	for (size_t i = 0; i < n; i++)
		fprintf(f, "quarantine:  %s\n", lines[i]);
	sf_dnsbl_state_load(run_dir, &st);
	if (st.checked) {
		size_t listed = 0;

		for (size_t i = 0; i < st.n; i++)
			listed += st.v[i].status == SF_DNSBL_LISTED;
		sf_format_utc(st.checked, t, sizeof(t));
		fprintf(f, "dnsbl:       %zu of %zu address/zone pairs listed, checked %s\n",
			listed, st.n, t);
	}
	sf_dnsbl_state_free(&st);
}

void sf_abuse_status_json(json_object *o, const char *run_dir)
{
	json_object *arr = json_object_new_array(), *d = json_object_new_object();
	struct sf_quarantines q;
	struct sf_dnsbl_state st;
	char err[256];
	int64_t now = (int64_t)time(NULL);

	if (!sf_quarantines_load(run_dir, &q, err, sizeof(err))) {
		for (size_t i = 0; i < q.n; i++)
			if (q.v[i].expires > now)
				json_object_array_add(arr, sf_quarantine_json(&q.v[i]));
		sf_quarantines_free(&q);
	}
	json_object_object_add(o, "quarantines", arr);
	sf_dnsbl_state_load(run_dir, &st);
	json_object_object_add(d, "checked", json_object_new_int64(st.checked));
	json_object_object_add(d, "listed", json_object_new_boolean(sf_dnsbl_state_listed(&st)));
	json_object_object_add(o, "dnsbl", d);
	sf_dnsbl_state_free(&st);
}
