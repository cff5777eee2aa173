// SPDX-License-Identifier: GPL-2.0-only
#include "view/mail_counts.h"
#include "util/json_out.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void add_count(json_object *o, const struct sf_mail_count *c)
{
	json_object_object_add(o, "messages", json_object_new_uint64(c->messages));
	json_object_object_add(o, "recipients", json_object_new_uint64(c->recipients));
	json_object_object_add(o, "deferred_messages",
			       json_object_new_uint64(c->deferred_messages));
	json_object_object_add(o, "deferred_recipients",
			       json_object_new_uint64(c->deferred_recipients));
}

static json_object *flow_json(const struct sf_mail_flow *f)
{
	json_object *o = json_object_new_object();
	char a[INET6_ADDRSTRLEN] = "";

	inet_ntop(f->key.family == AF_INET ? AF_INET : AF_INET6, f->key.daddr, a, sizeof(a));
	json_object_object_add(o, "cgroup_id", json_object_new_uint64(f->key.cgroup_id));
	json_object_object_add(o, "uid", json_object_new_uint64(f->key.uid));
	json_object_object_add(o, "daddr", json_object_new_string(a));
	json_object_object_add(o, "dport", json_object_new_int(ntohs(f->key.dport)));
	add_count(o, &f->c);
	return o;
}

int sf_mail_counts_write(const char *run_dir, const struct sf_mail_counts *mc)
{
	json_object *o = json_object_new_object(), *t = json_object_new_array(),
		    *f = json_object_new_array();

	json_object_object_add(o, "schema", json_object_new_int(SF_JSON_SCHEMA));
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	const char *text;
	int fd, err = 0;

	for (size_t i = 0; i < mc->n_tenants; i++) {
		json_object *e = json_object_new_object();

		json_object_object_add(e, "tenant", json_object_new_string(mc->tenants[i].tenant));
		add_count(e, &mc->tenants[i].c);
		json_object_array_add(t, e);
	}
	for (size_t i = 0; i < mc->n_flows; i++)
		json_object_array_add(f, flow_json(&mc->flows[i]));
	json_object_object_add(o, "tenants", t);
	json_object_object_add(o, "flows", f);
	text = sf_json_string(o);
	snprintf(path, sizeof(path), "%s/%s", run_dir, SF_MAIL_FILE);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		err = -errno;
	if (fd >= 0 && close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	json_object_put(o);
	return err;
}

static uint64_t u64_of(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_uint64(v) : 0;
}

static void read_count(json_object *o, struct sf_mail_count *c)
{
	c->messages = u64_of(o, "messages");
	c->recipients = u64_of(o, "recipients");
	c->deferred_messages = u64_of(o, "deferred_messages");
	c->deferred_recipients = u64_of(o, "deferred_recipients");
}

static void read_flow(json_object *e, struct sf_mail_flow *f)
{
	json_object *v;
	const char *a = json_object_object_get_ex(e, "daddr", &v) ? json_object_get_string(v) : "";

	memset(f, 0, sizeof(*f));
	f->key.cgroup_id = u64_of(e, "cgroup_id");
	f->key.uid = (__u32)u64_of(e, "uid");
	f->key.dport = htons((uint16_t)u64_of(e, "dport"));
	f->key.family = strchr(a, ':') ? AF_INET6 : AF_INET;
	inet_pton(f->key.family, a, f->key.daddr);
	read_count(e, &f->c);
}

int sf_mail_counts_read(const char *run_dir, struct sf_mail_counts *mc)
{
	char path[PATH_MAX];
	json_object *o, *t = NULL, *f = NULL;

	memset(mc, 0, sizeof(*mc));
	snprintf(path, sizeof(path), "%s/%s", run_dir, SF_MAIL_FILE);
	if (access(path, F_OK))
		return errno == ENOENT ? 0 : -errno;
	o = json_object_from_file(path);
	if (!o)
		return -EINVAL;
	json_object_object_get_ex(o, "tenants", &t);
	json_object_object_get_ex(o, "flows", &f);
	size_t nt = t ? json_object_array_length(t) : 0, nf = f ? json_object_array_length(f) : 0;

	mc->tenants = calloc(nt ? nt : 1, sizeof(*mc->tenants));
	mc->flows = calloc(nf ? nf : 1, sizeof(*mc->flows));
	if (!mc->tenants || !mc->flows) {
		json_object_put(o);
		sf_mail_counts_free(mc);
		return -ENOMEM;
	}
	for (size_t i = 0; i < nt; i++) {
		json_object *e = json_object_array_get_idx(t, i), *v;

		if (json_object_object_get_ex(e, "tenant", &v))
			snprintf(mc->tenants[i].tenant, sizeof(mc->tenants[i].tenant), "%s",
				 json_object_get_string(v));
		read_count(e, &mc->tenants[i].c);
	}
	for (size_t i = 0; i < nf; i++)
		read_flow(json_object_array_get_idx(f, i), &mc->flows[i]);
	mc->n_tenants = nt;
	mc->n_flows = nf;
	json_object_put(o);
	return 0;
}

void sf_mail_counts_free(struct sf_mail_counts *mc)
{
	free(mc->tenants);
	free(mc->flows);
	memset(mc, 0, sizeof(*mc));
}

const struct sf_mail_count *sf_mail_counts_flow(const struct sf_mail_counts *mc,
						const struct sf_flow_key *k)
{
	for (size_t i = 0; i < mc->n_flows; i++)
		if (!memcmp(&mc->flows[i].key, k, sizeof(*k)))
			return &mc->flows[i].c;
	return NULL;
}
