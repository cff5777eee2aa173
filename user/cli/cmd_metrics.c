// SPDX-License-Identifier: GPL-2.0-only
/* metrics: the Prometheus exposition once, on stdout, for node_exporter's
 * textfile collector (the daemon serves the same over HTTP). */
#include "util/cgroupfs.h"
#include "cli/commands.h"
#include "policy/config.h"
#include "util/log.h"
#include "view/abuse_metrics.h"
#include "view/mail_metrics.h"
#include "view/metrics.h"
#include "view/metrics_json.h"
#include "util/json_out.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the daemon would add from the run dir: quarantines, blocklists. */
static void abuse(FILE *f, void *run_dir)
{
	sf_metrics_abuse(f, run_dir);
	sf_metrics_mail(f, run_dir);
}

static int metrics(const struct sf_ctx *ctx, const void *opts, int argc, char **argv)
{
	struct sf_policy p;
	struct sf_diag d = {};
	struct sf_maps maps;
	struct sf_metrics m = {.maps = &maps,
			       .pin_dir = ctx->pin_dir,
			       .extra = abuse,
			       .extra_arg = (void *)ctx->run_dir};
	char *text = NULL;
	size_t len = 0;
	int err;

	(void)opts, (void)argc, (void)argv;
	/* Only metrics_top_tenants is needed, but a broken file is reported. */
	err = sf_config_load(ctx->config, ctx->config_explicit, &p, &d);
	m.top_tenants = p.metrics_top_tenants;
	sf_policy_free(&p);
	if (err) {
		sf_diag_print(&d);
		sf_diag_free(&d);
		return SF_EXIT_USAGE;
	}
	err = sf_tenants_open(ctx, &maps, &m.tenants);
	if (err)
		return err;
	err = sf_metrics_render(&m, &text, &len);
	if (err) {
		sf_err("failed to read the counters: %s", strerror(-err));
	} else if (ctx->json) {
		json_object *o = sf_metrics_text_json(text, len);

		if (o)
			sf_json_print(o);
		else
			sf_err("failed to read back the exposition: %s", strerror(EPROTO));
		err = o ? 0 : -EPROTO;
	} else {
		fwrite(text, 1, len, stdout);
	}
	free(text);
	sf_tenants_free(m.tenants);
	sf_maps_close(&maps);
	return err ? SF_EXIT_FAIL : SF_EXIT_OK;
}

const struct sf_command sf_cmd_metrics = {
	.name = "metrics",
	.summary = "Prometheus text, once (node_exporter textfile); -j: samples as JSON",
	.json = true,
	.needs_root = true,
	.run = metrics,
};
