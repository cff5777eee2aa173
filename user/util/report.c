// SPDX-License-Identifier: GPL-2.0-only
#include "util/report.h"
#include "util/json_out.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEEP_MAX 1000 /* a panel needs the first problems, not a million */

struct kept {
	char *file;
	int line;
	char *message;
};

static bool json_mode;
static struct kept kept[KEEP_MAX];
static size_t n_kept, n_dropped;

void sf_report_json(bool on)
{
	json_mode = on;
}

void sf_report_keep(const char *file, int line, const char *message)
{
	struct kept *k;

	if (n_kept == KEEP_MAX) {
		n_dropped++;
		return;
	}
	k = &kept[n_kept];
	k->file = file ? strdup(file) : NULL;
	k->line = line;
	k->message = strdup(message);
	if (k->message)
		n_kept++;
}

void sf_report_error(const char *file, int line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (file && line > 0)
		fprintf(stderr, "%s:%d: %s\n", file, line, msg);
	else if (file)
		fprintf(stderr, "%s: %s\n", file, msg);
	else
		fprintf(stderr, "smtpfence: %s\n", msg);
	sf_report_keep(file, line, msg);
}

json_object *sf_report_error_json(const char *file, int line, const char *message)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "error", json_object_new_string(message));
	if (file)
		json_object_object_add(o, "file", json_object_new_string(file));
	if (line > 0)
		json_object_object_add(o, "line", json_object_new_int(line));
	return o;
}

/* The problems kept so far, as a JSON array (caller puts it). */
static json_object *report_errors(void)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; i < n_kept; i++)
		json_object_array_add(
			arr, sf_report_error_json(kept[i].file, kept[i].line, kept[i].message));
	return arr;
}

static void forget(void)
{
	for (size_t i = 0; i < n_kept; i++) {
		free(kept[i].file);
		free(kept[i].message);
	}
	n_kept = n_dropped = 0;
	sf_json_printed_reset();
}

int sf_report_finish(int rc)
{
	json_object *o;

	if (!json_mode || sf_json_printed()) {
		forget();
		return rc;
	}
	o = json_object_new_object();
	if (rc == 0) {
		json_object_object_add(o, "ok", json_object_new_boolean(1));
	} else {
		const struct kept *k = n_kept ? &kept[0] : NULL;

		json_object_object_add(
			o, "error",
			json_object_new_string(k ? k->message
						 : "failed (see the message on stderr)"));
		if (k && k->file)
			json_object_object_add(o, "file", json_object_new_string(k->file));
		if (k && k->line > 0)
			json_object_object_add(o, "line", json_object_new_int(k->line));
		json_object_object_add(o, "exit", json_object_new_int(rc));
		if (n_kept > 1 || n_dropped)
			json_object_object_add(o, "errors", report_errors());
		if (n_dropped)
			json_object_object_add(o, "errors_dropped",
					       json_object_new_uint64(n_dropped));
	}
	sf_json_print(o);
	forget();
	return rc;
}
