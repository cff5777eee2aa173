// SPDX-License-Identifier: GPL-2.0-only
#include "fixture.h"

#include <check.h>
#include <stdbool.h>

struct sft_env env;
static bool env_up;

void sft_start(const char *name, const char *conf)
{
	sft_env_setup(&env, name, conf);
	env_up = true;
	ck_assert_msg(sft_daemon_start(&env) == 0, "daemon did not start");
}

void sft_mark_up(void)
{
	env_up = true;
}

void sft_teardown(void)
{
	if (env_up)
		sft_env_teardown(&env);
	env_up = false;
}

void sft_cli_ok(const char *args)
{
	int rc = sft_cli(&env, "%s", args);

	ck_assert_msg(rc == 0, "smtpfence %s: exit %d: %s", args, rc, env.err);
}
