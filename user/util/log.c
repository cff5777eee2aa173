// SPDX-License-Identifier: GPL-2.0-only
#include "util/log.h"
#include "util/report.h"

#include <bpf/libbpf.h>
#include <stdarg.h>
#include <stdio.h>

bool sf_verbose;

/* libbpf speaks only under -v: its dumps are for developers, and every
 * failure it reports is also reported by us in one line. */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level;
	if (!sf_verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

void sf_log_init(bool verbose)
{
	sf_verbose = verbose;
	libbpf_set_print(libbpf_print);
}

static void say(const char *prefix, const char *fmt, va_list ap)
{
	fprintf(stderr, "smtpfence: %s", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void sf_err(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "smtpfence: %s\n", msg);
	sf_report_keep(NULL, 0, msg); /* under -j, for the error document */
}

void sf_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say("warning: ", fmt, ap);
	va_end(ap);
}

void sf_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say("", fmt, ap);
	va_end(ap);
}
