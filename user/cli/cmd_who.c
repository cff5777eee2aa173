// SPDX-License-Identifier: GPL-2.0-only
/* who: which tenant, user and process made a local MTA connection, from
 * the client's address and port as the MTA logged them. */
#include "cli/commands.h"
#include "kernel/peers.h"
#include "kernel/pins.h"
#include "util/json_out.h"
#include "util/log.h"
#include "view/tenants.h"
#include "view/who.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void print_json(const struct sf_who *w)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "client", json_object_new_string(w->client));
	json_object_object_add(o, "tenant", json_object_new_string(w->tenant));
	json_object_object_add(o, "cgroup", json_object_new_string(w->cgroup));
	json_object_object_add(o, "cgroup_id", json_object_new_uint64(w->peer.cgroup_id));
	json_object_object_add(o, "uid", json_object_new_uint64(w->peer.uid));
	json_object_object_add(o, "user", json_object_new_string(w->user));
	json_object_object_add(o, "gid", json_object_new_uint64(w->peer.gid));
	json_object_object_add(o, "pid", json_object_new_uint64(w->peer.pid));
	json_object_object_add(o, "comm", json_object_new_string(w->peer.comm));
	json_object_object_add(o, "socket_cookie", json_object_new_uint64(w->peer.socket_cookie));
	json_object_object_add(o, "ts_ns", json_object_new_uint64(w->peer.ts_ns));
	json_object_object_add(o, "redirected", json_object_new_boolean(w->peer.redirected));
	json_object_object_add(o, "orig_dest", w->orig[0] ? json_object_new_string(w->orig) : NULL);
	sf_json_print(o);
}

static void print_text(const struct sf_who *w)
{
	printf("client:  %s\n", w->client);
	printf("tenant:  %s\n", w->tenant);
	printf("cgroup:  %s\n", w->cgroup);
	printf("user:    %s (uid %u, gid %u)\n", w->user, w->peer.uid, w->peer.gid);
	printf("process: %s\n", w->process);
	printf("asked:   %s\n",
	       w->orig[0] ? w->orig : "(not redirected: it connected to the MTA itself)");
}

static int who(const struct sf_ctx *ctx, const void *opts, int argc, char **argv)
{
	struct sf_tenants *t;
	struct sf_maps m;
	struct sf_who w;
	char err[256];
	uint8_t addr[16];
	uint16_t port;
	uint64_t netns;
	int family, fd, e, code;

	(void)opts;
	(void)argc;
	if (sf_who_parse_client(argv[0], &family, addr, &port, err, sizeof(err))) {
		sf_err("%s", err);
		return SF_EXIT_USAGE;
	}
	e = sf_netns_cookie(&netns);
	if (e) {
		sf_err("failed to read this network namespace's cookie: %s", strerror(-e));
		return SF_EXIT_FAIL;
	}
	code = sf_tenants_open(ctx, &m, &t);
	if (code)
		return code;
	fd = sf_peers_open(ctx->pin_dir);
	e = fd < 0 ? fd : sf_tenants_load_rules(t, m.rules, m.gen, NULL);
	if (!e)
		e = sf_who_find(t, fd, netns, family, addr, port, NULL, &w);
	if (fd >= 0)
		close(fd);
	if (!e)
		ctx->json ? print_json(&w) : print_text(&w);
	else if (e == -ENOENT)
		sf_err("no live connection from %s to the relay or a local MTA in this network "
		       "namespace (unknown client, or it has closed)",
		       argv[0]);
	else
		sf_err("failed to look up %s: %s", argv[0], strerror(-e));
	sf_tenants_free(t);
	sf_maps_close(&m);
	return e ? SF_EXIT_FAIL : SF_EXIT_OK;
}

const struct sf_command sf_cmd_who = {
	.name = "who",
	.args = "ADDRESS:PORT",
	.min_args = 1,
	.max_args = 1,
	.summary = "which tenant, user and process a local MTA's client is",
	.json = true,
	.needs_root = true,
	.run = who,
};
