// SPDX-License-Identifier: GPL-2.0-only
/* The sd-bus half of unit: resolution, against a stand-in for systemd on a
 * private bus (dbus-daemon): GetUnit and the unit's ControlGroup, a unit
 * systemd does not know, one with no cgroup now, a bus that is gone. The
 * real systemd as PID 1 (and the choice to ask it, sd_booted()) is
 * test-systemd's, which boots it in a container. */
#include "policy/units.h"
#include "suite.h"

#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#define UNIT_PATH "/org/freedesktop/systemd1/unit/"

static char dir[64];
static pid_t bus_daemon;
static pthread_t server;

static int get_unit(sd_bus_message *m, void *data, sd_bus_error *e)
{
	const char *name;
	char path[256];

	(void)data;
	if (sd_bus_message_read(m, "s", &name) < 0)
		return -EINVAL;
	if (strcmp(name, "victim.service") && strcmp(name, "stopped.service"))
		return sd_bus_error_setf(e, "org.freedesktop.systemd1.NoSuchUnit",
					 "Unit %s not loaded.", name);
	snprintf(path, sizeof(path), UNIT_PATH "%s", name[0] == 'v' ? "victim" : "stopped");
	return sd_bus_reply_method_return(m, "o", path);
}

static int control_group(sd_bus *bus, const char *path, const char *iface, const char *prop,
			 sd_bus_message *reply, void *data, sd_bus_error *e)
{
	(void)bus, (void)iface, (void)prop, (void)data, (void)e;
	return sd_bus_message_append(reply, "s",
				     strstr(path, "victim") ? "/system.slice/victim.service" : "");
}

static const sd_bus_vtable manager[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("GetUnit", "s", "o", get_unit, 0),
	SD_BUS_VTABLE_END,
};

static const sd_bus_vtable service[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("ControlGroup", "s", control_group, 0, 0),
	SD_BUS_VTABLE_END,
};

static void *serve(void *arg)
{
	sd_bus *bus = arg;

	for (;;) {
		int r = sd_bus_process(bus, NULL);

		if (r < 0)
			break;
		if (r == 0 && sd_bus_wait(bus, (uint64_t)-1) < 0)
			break;
	}
	sd_bus_flush_close_unref(bus); /* its vtables' slots go with it */
	return NULL;
}

static void start_fake_systemd(void)
{
	char addr[128], path[96];
	sd_bus *bus = NULL;

	snprintf(dir, sizeof(dir), "/tmp/sf-bus.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/bus", dir);
	snprintf(addr, sizeof(addr), "unix:path=%s", path);
	bus_daemon = fork();
	if (bus_daemon == 0) {
		execlp("dbus-daemon", "dbus-daemon", "--session", "--nofork", "--nopidfile",
		       "--address", addr, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100 && access(path, F_OK); i++)
		usleep(20000);
	ck_assert_msg(!access(path, F_OK), "dbus-daemon did not start");
	setenv("DBUS_SYSTEM_BUS_ADDRESS", addr, 1);
	ck_assert_int_ge(sd_bus_open_system(&bus), 0);
	ck_assert_int_ge(sd_bus_add_object_vtable(bus, NULL, "/org/freedesktop/systemd1",
						  "org.freedesktop.systemd1.Manager", manager,
						  NULL),
			 0);
	ck_assert_int_ge(sd_bus_add_fallback_vtable(bus, NULL, "/org/freedesktop/systemd1/unit",
						    "org.freedesktop.systemd1.Service", service,
						    NULL, NULL),
			 0);
	ck_assert_int_ge(sd_bus_request_name(bus, "org.freedesktop.systemd1", 0), 0);
	ck_assert_int_eq(pthread_create(&server, NULL, serve, bus), 0);
}

static void stop_fake_systemd(void)
{
	char path[96];

	if (bus_daemon > 0) {
		kill(bus_daemon, SIGTERM);
		waitpid(bus_daemon, NULL, 0);
		pthread_join(server, NULL); /* the bus gone, the server ends */
	}
	snprintf(path, sizeof(path), "%s/bus", dir);
	unlink(path);
	rmdir(dir);
}

START_TEST(systemd_says_where_a_unit_is)
{
	char rel[4096];

	start_fake_systemd();
	ck_assert_int_eq(sf_unit_ask_systemd("victim.service", rel, sizeof(rel)), 0);
	ck_assert_str_eq(rel, "/system.slice/victim.service");
	ck_assert_int_eq(sf_unit_ask_systemd("stopped.service", rel, sizeof(rel)), -ENOENT);
	ck_assert_int_eq(sf_unit_ask_systemd("nosuch.service", rel, sizeof(rel)), -ENOENT);
	stop_fake_systemd();
	/* the bus gone: systemd cannot be asked, and the caller falls back */
	ck_assert_int_eq(sf_unit_ask_systemd("victim.service", rel, sizeof(rel)), -EHOSTDOWN);
}
END_TEST

int main(void)
{
	TCase *tc = tcase_create("units-bus");

	if (access("/usr/bin/dbus-daemon", X_OK)) {
		printf("SKIP: no dbus-daemon for a private bus (scripts/deps.sh installs it)\n");
		return 77;
	}
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, systemd_says_where_a_unit_is);
	return sft_run_tcase("units-bus", tc);
}
