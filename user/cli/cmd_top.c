// SPDX-License-Identifier: GPL-2.0-only
/* top: per-tenant SMTP activity, live. Full screen on a terminal, or
 * --batch frames of plain text for scripts. It reads the pinned maps, so
 * it works with or without the daemon (which adds process names). */
#include "util/cgroupfs.h"
#include "cli/commands.h"
#include "view/abuse_status.h"
#include "util/log.h"
#include "policy/parse.h"
#include "kernel/pins.h"
#include "view/top_text.h"
#include "view/top_view.h"
#include "view/top_json.h"
#include "util/json_out.h"

#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct top_opts {
	int sort; /* enum sf_top_sort */
	bool batch;
	uint64_t frames; /* 0: until quit */
	double delay;	 /* seconds between frames */
};

static void sleep_s(double s)
{
	struct timespec ts = {.tv_sec = (time_t)s,
			      .tv_nsec = (long)((s - (double)(time_t)s) * 1e9)};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void print_frame(const struct sf_top_model *m, const struct sf_top_state *st)
{
	char header[SF_TOP_HEADER_LINES][SF_TOP_LINE], line[SF_TOP_LINE];
	const struct sf_top_row *rows;
	size_t n;
	int tw;

	rows = sf_top_model_rows(m, &n);
	sf_top_text_header(m, st, header);
	for (int i = 0; i < SF_TOP_HEADER_LINES; i++)
		printf("%s\n", header[i]);
	static char quarantined[32][1024];
	size_t nq = sf_abuse_quarantine_lines(sf_top_model_run_dir(m), quarantined, 32);

	for (size_t i = 0; i < nq; i++)
		printf("quarantine: %s\n", quarantined[i]);
	tw = sf_top_text_tenant_width(rows, n, 120);
	sf_top_text_titles(tw, line, sizeof(line));
	printf("\n%s\n", line);
	for (size_t i = 0; i < n; i++) {
		sf_top_text_row(&rows[i], tw, line, sizeof(line));
		printf("%s\n", line);
	}
	printf("\n");
	fflush(stdout);
}

/* Each frame's rates cover the interval before it: the first is printed
 * one interval after the start. */
static int run_batch(struct sf_top_model *m, const struct sf_top_state *st, long frames, bool json)
{
	int err = sf_top_model_sample(m);

	for (long i = 0; !err && (frames == 0 || i < frames); i++) {
		sleep_s(st->interval_s);
		err = sf_top_model_sample(m);
		if (!err && json) {
			sf_json_print(sf_top_frame_json(m, st));
			fflush(stdout);
		} else if (!err) {
			print_frame(m, st);
		}
	}
	if (err)
		sf_err("failed to read the maps: %s", strerror(-err));
	return err;
}

static int top(const struct sf_ctx *ctx, const void *opts, int argc, char **argv)
{
	const struct top_opts *o = opts;
	struct sf_top_state st = {.interval_s = o->delay};
	long frames = (long)o->frames;
	struct sf_top_model *m;
	struct sf_tenants *t;
	struct sf_maps maps;
	int err;

	(void)argc, (void)argv;
	setlocale(LC_CTYPE, ""); /* a UTF-8 locale draws the trend in blocks */
	if (!o->batch && !ctx->json && !(isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))) {
		sf_err("top needs a terminal; use 'top --batch' for plain text");
		return SF_EXIT_USAGE;
	}
	err = sf_tenants_open(ctx, &maps, &t);
	if (err)
		return err;
	m = sf_top_model_new(&maps, t, ctx->run_dir);
	if (!m) {
		sf_tenants_free(t);
		sf_maps_close(&maps);
		return SF_EXIT_FAIL;
	}
	sf_top_model_sort(m, (enum sf_top_sort)o->sort, false);
	/* -j: frames of JSON, one a line, as --batch */
	err = o->batch || ctx->json ? run_batch(m, &st, frames, ctx->json)
				    : sf_top_view_run(m, &st, frames);
	sf_top_model_free(m);
	sf_maps_close(&maps);
	return err ? SF_EXIT_FAIL : SF_EXIT_OK;
}

#define O(field) SF_OPT_AT(struct top_opts, field)

static const struct sf_option options[] = {
	{.name = "sort",
	 .type = SF_OPT_ENUM,
	 .arg = "COLUMN",
	 .choices = sf_top_sort_names,
	 .offset = O(sort),
	 .what = "sort column",
	 .help = "largest first by this column (default attempts)"},
	{.name = "batch",
	 .type = SF_OPT_FLAG,
	 .offset = O(batch),
	 .help = "frames of plain text, no terminal needed"},
	{.name = "count",
	 .short_name = 'n',
	 .type = SF_OPT_UINT,
	 .arg = "N",
	 .offset = O(frames),
	 .what = "number of frames",
	 .min = 1,
	 .max = 1000000,
	 .help = "stop after N frames"},
	{.name = "delay",
	 .short_name = 'd',
	 .type = SF_OPT_SECONDS,
	 .arg = "SECONDS",
	 .offset = O(delay),
	 .what = "delay",
	 .min = 0.1,
	 .max = 3600,
	 .help = "between frames (default 2)"},
	{NULL},
};

const struct sf_command sf_cmd_top = {
	.name = "top",
	.summary = "live per-tenant view (-j: JSON frames)",
	.json = true,
	.needs_root = true,
	.options = options,
	.opts_size = sizeof(struct top_opts),
	.defaults = &(const struct top_opts){.sort = SF_TOP_SORT_ATTEMPTS, .delay = 2.0},
	.run = top,
};
