// SPDX-License-Identifier: GPL-2.0-only
#include "util/walltime.h"

#include <time.h>

void sf_format_utc(int64_t unix_s, char *buf, size_t len)
{
	time_t t = (time_t)unix_s;
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		buf[0] = len ? '\0' : buf[0];
}
