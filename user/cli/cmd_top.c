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

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_INTERVAL_S 2.0

static int parse_options(const struct sf_ctx *ctx, struct sf_top_state *st, long *frames, int *sort)
{
	uint64_t n;

	*frames = 0;
	*sort = SF_TOP_SORT_ATTEMPTS;
	st->interval_s = DEFAULT_INTERVAL_S;
	if (ctx->sort && (*sort = sf_top_sort_parse(ctx->sort)) < 0) {
		sf_err("invalid sort column '%s': expected attempts, denied, limited, total, last "
		       "or tenant",
		       ctx->sort);
		return -EINVAL;
	}
	if (ctx->delay) {
		char *end;

		st->interval_s = strtod(ctx->delay, &end);
		if (*end || end == ctx->delay || st->interval_s < 0.1 || st->interval_s > 3600) {
			sf_err("invalid delay '%s': expected 0.1 to 3600 seconds", ctx->delay);
			return -EINVAL;
		}
	}
	if (ctx->iterations) {
		if (sf_parse_uint(ctx->iterations, 1, 1000000, &n)) {
			sf_err("invalid number of frames '%s': expected 1 to 1000000",
			       ctx->iterations);
			return -EINVAL;
		}
		*frames = (long)n;
	}
	if (!ctx->batch && !(isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))) {
		sf_err("top needs a terminal; use 'top --batch' for plain text");
		return -EINVAL;
	}
	return 0;
}

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
static int run_batch(struct sf_top_model *m, const struct sf_top_state *st, long frames)
{
	int err = sf_top_model_sample(m);

	for (long i = 0; !err && (frames == 0 || i < frames); i++) {
		sleep_s(st->interval_s);
		err = sf_top_model_sample(m);
		if (!err)
			print_frame(m, st);
	}
	if (err)
		sf_err("failed to read the maps: %s", strerror(-err));
	return err;
}

int sf_cmd_top(const struct sf_ctx *ctx, int argc, char **argv)
{
	struct sf_top_state st = {};
	struct sf_top_model *m;
	struct sf_tenants *t;
	struct sf_maps maps;
	long frames;
	int sort, err;

	if (argc) {
		sf_err("unexpected '%s' (usage: smtpfence top [--sort COLUMN] [--batch] [-n N] "
		       "[-d SECONDS])",
		       argv[0]);
		return SF_EXIT_USAGE;
	}
	if (parse_options(ctx, &st, &frames, &sort))
		return SF_EXIT_USAGE;
	err = sf_tenants_open(ctx, &maps, &t);
	if (err)
		return err;
	m = sf_top_model_new(&maps, t, ctx->run_dir);
	if (!m) {
		sf_tenants_free(t);
		sf_maps_close(&maps);
		return SF_EXIT_FAIL;
	}
	sf_top_model_sort(m, (enum sf_top_sort)sort, false);
	err = ctx->batch ? run_batch(m, &st, frames) : sf_top_view_run(m, &st, frames);
	sf_top_model_free(m);
	sf_maps_close(&maps);
	return err ? SF_EXIT_FAIL : SF_EXIT_OK;
}
