/* SPDX-License-Identifier: GPL-2.0-only */
/* Errors as the caller asked for them. Every error a command reports
 * (sf_err, a configuration problem) goes to stderr as one line; under -j it
 * is also kept (always: -j may come later on the line), and when the command ends having printed no
 * JSON document of its own, sf_report_finish prints one on stdout:
 *   {"schema":1,"error":"...","file":"...","line":N,"exit":2,"errors":[...]}
 * or, on success, {"schema":1,"ok":true}. The schema is smtpfence-json(7). */
#ifndef SF_REPORT_H
#define SF_REPORT_H

#include "util/json_out.h"

#include <json-c/json.h>
#include <stdbool.h>


/* -j given: keep errors for the JSON document. */
void sf_report_json(bool on);
/* One problem, at file:line when known (file NULL, line 0: none): one line
 * "file:line: message" on stderr, and kept under -j. */
void sf_report_error(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Keeps a problem already said on stderr (sf_err, sf_diag_print). */
void sf_report_keep(const char *file, int line, const char *message);
/* {"file","line","error"} of one problem: the element of "errors". */
json_object *sf_report_error_json(const char *file, int line, const char *message);
/* At the end of a command with exit code rc: under -j and when nothing was
 * printed, the error document (rc != 0) or {"schema":1,"ok":true}. Frees
 * what was kept; returns rc. */
int sf_report_finish(int rc);

#endif /* SF_REPORT_H */
