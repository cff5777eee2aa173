// SPDX-License-Identifier: GPL-2.0-only
/* The kernel stamps events and flows with CLOCK_BOOTTIME
 * (bpf_ktime_get_boot_ns); people read wall-clock time. */
#include "util/clock.h"

#include <stdio.h>

__u64 sf_boot_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

__u64 sf_boot_of_mono_ns(__u64 mono_ns)
{
	struct timespec ts;
	__u64 mono_now;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	mono_now = (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
	/* the two clocks differ by the time spent suspended */
	return mono_ns + (sf_boot_now_ns() - mono_now);
}

/* Wall-clock time of a CLOCK_BOOTTIME stamp. */
static struct timespec boot_to_real(__u64 boot_ns)
{
	struct timespec real;
	__u64 now_boot = sf_boot_now_ns(), real_ns;

	clock_gettime(CLOCK_REALTIME, &real);
	real_ns = (__u64)real.tv_sec * 1000000000ULL + (__u64)real.tv_nsec;
	real_ns -= now_boot > boot_ns ? now_boot - boot_ns : 0;
	return (struct timespec){.tv_sec = (time_t)(real_ns / 1000000000ULL),
				 .tv_nsec = (long)(real_ns % 1000000000ULL)};
}

void sf_format_rfc3339(__u64 boot_ns, char *buf, size_t len)
{
	struct timespec ts = boot_to_real(boot_ns);
	struct tm tm;
	char base[32];

	gmtime_r(&ts.tv_sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03ldZ", base, ts.tv_nsec / 1000000);
}

void sf_format_clock(__u64 boot_ns, char *buf, size_t len)
{
	struct timespec ts = boot_to_real(boot_ns);
	struct tm tm;

	localtime_r(&ts.tv_sec, &tm);
	strftime(buf, len, "%H:%M:%S", &tm);
}
