// SPDX-License-Identifier: GPL-2.0-only
#include "daemon/mail_policy.h"
#include "daemon/alerts.h"
#include "daemon/mail_tx.h"
#include "daemon/observe.h"
#include "kernel/peers.h"
#include "util/clock.h"
#include "util/json_out.h"
#include "util/log.h"
#include "util/walltime.h"
#include "view/mail_counts.h"
#include "view/tenants.h"
#include "view/who.h"

#include <errno.h>
#include <search.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Tenants and flows counted at most (the counts of more are not kept). */
#define MAX_COUNTED 65536
/* Client connections whose message transaction is followed at once (an
 * MTA serves far fewer: Postfix's default process limit is 100). */
#define MAX_TXS	 65536
#define WRITE_NS 1000000000ULL /* mail.json at most once a second */

struct bucket {
	double tokens;
	uint64_t last_ns;
};

/* A rule with mail limits, its buckets shared by everything it decides. */
struct limit {
	struct sf_rule_key key;
	struct sf_mail_limits mail;
	char target[SF_TARGET_LEN + 16];
	struct bucket msg, rcpt;
};

struct counted {
	struct sf_mail_tenant *tenants;
	struct sf_mail_flow *flows;
	size_t n_tenants, n_flows;
	struct hsearch_data tenant_idx, flow_idx;
	char **keys; /* every key handed to the indexes, to free */
	size_t n_keys;
};

struct sf_mail_policy {
	const struct sf_ctx *ctx;
	struct sf_observe *obs;
	struct sf_tenants *tenants;
	int rules_fd, peers_fd;
	uint64_t netns;
	struct limit *limits; /* sorted by key */
	size_t n_limits;
	struct sf_mail_txs *txs;
	struct counted cnt;
	bool dirty;
	uint64_t written_ns;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

struct sf_mail_policy *sf_mail_policy_new(const struct sf_ctx *ctx, struct sf_observe *obs)
{
	struct sf_mail_policy *mp = calloc(1, sizeof(*mp));

	if (!mp)
		return NULL;
	mp->ctx = ctx;
	mp->obs = obs;
	mp->rules_fd = mp->peers_fd = -1;
	mp->cnt.tenants = calloc(MAX_COUNTED, sizeof(*mp->cnt.tenants));
	mp->cnt.flows = calloc(MAX_COUNTED, sizeof(*mp->cnt.flows));
	mp->cnt.keys = calloc(2 * MAX_COUNTED, sizeof(*mp->cnt.keys));
	mp->txs = sf_mail_txs_new(MAX_TXS);
	if (!mp->txs || !mp->cnt.tenants || !mp->cnt.flows || !mp->cnt.keys ||
	    !hcreate_r(MAX_COUNTED * 2, &mp->cnt.tenant_idx) ||
	    !hcreate_r(MAX_COUNTED * 2, &mp->cnt.flow_idx) || sf_netns_cookie(&mp->netns)) {
		sf_mail_policy_free(mp);
		return NULL;
	}
	return mp;
}

void sf_mail_policy_free(struct sf_mail_policy *mp)
{
	if (!mp)
		return;
	if (mp->cnt.tenants)
		hdestroy_r(&mp->cnt.tenant_idx);
	if (mp->cnt.flows)
		hdestroy_r(&mp->cnt.flow_idx);
	for (size_t i = 0; i < mp->cnt.n_keys; i++)
		free(mp->cnt.keys[i]);
	free(mp->cnt.keys);
	free(mp->cnt.tenants);
	free(mp->cnt.flows);
	free(mp->limits);
	sf_mail_txs_free(mp->txs);
	sf_tenants_free(mp->tenants);
	if (mp->peers_fd >= 0)
		close(mp->peers_fd);
	free(mp);
}

static int cmp_limit(const void *a, const void *b)
{
	return sf_rule_key_cmp(&((const struct limit *)a)->key, &((const struct limit *)b)->key);
}

/* A bucket that keeps its tokens across reloads, within the new limit;
 * a limit new on the rule starts full. */
static void keep_bucket(struct bucket *b, const struct bucket *old, const struct sf_rate *was,
			const struct sf_rate *r)
{
	if (old && was->count) {
		*b = *old;
		if (b->tokens > (double)r->burst)
			b->tokens = (double)r->burst;
	} else {
		b->tokens = (double)r->burst;
		b->last_ns = mono_ns();
	}
}

void sf_mail_policy_configure(struct sf_mail_policy *mp, const struct sf_policy *p,
			      const struct sf_compiled *c, const struct sf_maps *m,
			      const char *cgroup_mount)
{
	struct limit *nl = calloc(p->n_rules ? p->n_rules : 1, sizeof(*nl));
	size_t n = 0;

	if (!mp->tenants)
		mp->tenants = sf_tenants_new(cgroup_mount);
	if (mp->peers_fd < 0)
		mp->peers_fd = sf_peers_open(mp->ctx->pin_dir);
	mp->rules_fd = m->rules;
	if (mp->tenants && sf_tenants_load_rules(mp->tenants, mp->rules_fd, m->gen, NULL))
		sf_warn("policy service: failed to read the rules");
	if (!nl)
		return;
	for (size_t i = 0; i < p->n_rules && i < c->n_specs; i++) {
		const struct sf_rule_spec *r = &p->rules[i];

		if (!sf_mail_limits_any(&r->mail) || c->spec_state[i] != SF_RESOLVED)
			continue;
		nl[n].key = c->spec_keys[i];
		nl[n].mail = r->mail;
		snprintf(nl[n].target, sizeof(nl[n].target), "%s:%s", sf_target_kind_name(r->kind),
			 r->value);
		n++;
	}
	qsort(nl, n, sizeof(*nl), cmp_limit);
	for (size_t i = 0; i < n; i++) {
		const struct limit *old = mp->limits ? bsearch(&nl[i], mp->limits, mp->n_limits,
							       sizeof(*nl), cmp_limit)
						     : NULL;

		keep_bucket(&nl[i].msg, old ? &old->msg : NULL, old ? &old->mail.messages : NULL,
			    &nl[i].mail.messages);
		keep_bucket(&nl[i].rcpt, old ? &old->rcpt : NULL,
			    old ? &old->mail.recipients : NULL, &nl[i].mail.recipients);
	}
	free(mp->limits);
	mp->limits = nl;
	mp->n_limits = n;
}

/* Takes n from the bucket of rate r: false when there are not enough. */
static bool take(struct bucket *b, const struct sf_rate *r, uint64_t n)
{
	uint64_t now = mono_ns();

	b->tokens += (double)(now - b->last_ns) * (double)r->count / (double)r->period_ns;
	if (b->tokens > (double)r->burst)
		b->tokens = (double)r->burst;
	b->last_ns = now;
	if (b->tokens < (double)n)
		return false;
	b->tokens -= (double)n;
	return true;
}

/* Text the MTA copies into a header or a log: no control characters, no
 * blanks, nothing the protocol or a header could take for structure. */
static void clean(char *s)
{
	for (; *s; s++)
		if (*s <= ' ' || *s > '~' || *s == ';' || *s == '=')
			*s = '_';
}

struct client {
	struct sf_who w;
	const struct limit *lim;
	struct sf_mail_count *tenant, *flow;
	char header[sizeof(((struct sf_who *)0)->tenant) + 128];
};

static struct sf_mail_count *counted(struct counted *cn, struct hsearch_data *idx, const char *key,
				     bool tenant, const void *init)
{
	ENTRY e = {.key = (char *)key}, *found = NULL;
	size_t *n = tenant ? &cn->n_tenants : &cn->n_flows;

	if (hsearch_r(e, FIND, &found, idx) && found)
		return tenant ? &cn->tenants[(uintptr_t)found->data].c
			      : &cn->flows[(uintptr_t)found->data].c;
	if (*n == MAX_COUNTED || !(e.key = strdup(key)))
		return NULL;
	e.data = (void *)(uintptr_t)*n;
	if (!hsearch_r(e, ENTER, &found, idx)) {
		free(e.key);
		return NULL;
	}
	cn->keys[cn->n_keys++] = e.key;
	if (tenant) {
		snprintf(cn->tenants[*n].tenant, sizeof(cn->tenants[*n].tenant), "%s",
			 (const char *)init);
		return &cn->tenants[(*n)++].c;
	}
	cn->flows[*n].key = *(const struct sf_flow_key *)init;
	return &cn->flows[(*n)++].c;
}

/* The flow the kernel counted this connection in: what it asked for. */
static void flow_key_of(const struct sf_peer *p, struct sf_flow_key *fk)
{
	memset(fk, 0, sizeof(*fk));
	fk->cgroup_id = p->cgroup_id;
	fk->uid = p->uid;
	fk->family = p->orig.family;
	fk->dport = p->orig.dport;
	memcpy(fk->daddr, p->orig.daddr, sizeof(fk->daddr));
}

/* A port in decimal, 1 to 65535; 0 when it is not one. */
static uint16_t port_of(const char *text)
{
	char *end;
	unsigned long port;

	if (!text)
		return 0;
	errno = 0;
	port = strtoul(text, &end, 10);
	return *end || errno || port > 65535 ? 0 : (uint16_t)port;
}

/* The MTA's side of the connection, when the request says it. */
static const struct sf_redirect *server_of(const char *addr, const char *port_s,
					   struct sf_redirect *server)
{
	int family;
	uint16_t port = port_of(port_s);

	memset(server, 0, sizeof(*server));
	if (!addr || !port || sf_who_parse_address(addr, &family, server->daddr))
		return NULL;
	server->family = (__u16)family;
	server->dport = htons(port);
	return server;
}

static bool find_client(struct sf_mail_policy *mp, const char *addr, const char *port_s,
			const struct sf_redirect *server, struct client *cl)
{
	uint8_t a[16];
	int family;
	char key[128];
	uint16_t port;
	struct sf_rule_key rk;
	struct sf_flow_key fk;

	memset(cl, 0, sizeof(*cl));
	if (!addr || !port_s || !mp->tenants || mp->peers_fd < 0 ||
	    sf_who_parse_address(addr, &family, a))
		return false;
	port = port_of(port_s);
	if (!port ||
	    sf_who_find(mp->tenants, mp->peers_fd, mp->netns, family, a, port, server, &cl->w))
		return false;
	clean(cl->w.tenant);
	clean(cl->w.user);
	clean(cl->w.process);
	snprintf(cl->header, sizeof(cl->header), "%s; user=%s; process=%s", cl->w.tenant,
		 cl->w.user, cl->w.process);
	if (sf_tenants_rule(mp->tenants, cl->w.peer.cgroup_id, cl->w.peer.uid, cl->w.peer.gid,
			    &rk)) {
		struct limit k = {.key = rk};

		cl->lim = mp->n_limits ? bsearch(&k, mp->limits, mp->n_limits, sizeof(k), cmp_limit)
				       : NULL;
	}
	cl->tenant = counted(&mp->cnt, &mp->cnt.tenant_idx, cl->w.tenant, true, cl->w.tenant);
	if (cl->w.peer.redirected) {
		flow_key_of(&cl->w.peer, &fk);
		char hex[33];

		for (size_t i = 0; i < 16; i++)
			snprintf(hex + 2 * i, 3, "%02x", fk.daddr[i]);
		snprintf(key, sizeof(key), "%llu/%u/%u/%u/%s", (unsigned long long)fk.cgroup_id,
			 fk.uid, fk.family, fk.dport, hex);
		cl->flow = counted(&mp->cnt, &mp->cnt.flow_idx, key, false, &fk);
	}
	return true;
}

static void add(struct sf_mail_policy *mp, struct client *cl, uint64_t messages,
		uint64_t recipients, bool deferred)
{
	struct sf_mail_count *cs[] = {cl->tenant, cl->flow};
	struct sf_alert_mail am = {cl->w.tenant,
				   cl->w.user,
				   cl->w.process,
				   cl->w.client,
				   sf_boot_now_ns(),
				   deferred ? 0 : messages,
				   deferred ? 0 : recipients,
				   deferred ? messages + recipients : 0};
	struct sf_alerts *alerts = mp->obs ? sf_observe_alerts(mp->obs) : NULL;

	if (alerts)
		sf_alerts_mail(alerts, &am);

	for (size_t i = 0; i < 2; i++) {
		if (!cs[i])
			continue;
		if (deferred) {
			cs[i]->deferred_messages += messages;
			cs[i]->deferred_recipients += recipients;
		} else {
			cs[i]->messages += messages;
			cs[i]->recipients += recipients;
		}
	}
}

/* Past a limit: the reply text, an event and a log line. */
static void deferred(struct sf_mail_policy *mp, struct client *cl, bool messages, char *text,
		     size_t len)
{
	const struct sf_rate *r = messages ? &cl->lim->mail.messages : &cl->lim->mail.recipients;
	const char *what = messages ? "messages" : "recipients";
	char when[64];
	json_object *o = json_object_new_object();

	snprintf(text, len, "4.7.1 smtpfence: %.300s may send %llu %s per %s; try again later",
		 cl->lim->target, (unsigned long long)r->count, what, sf_rate_unit(r, true));
	sf_info("mail deferred: %s (tenant %s, user %s, process %s, client %s)", text + 6,
		cl->w.tenant, cl->w.user, cl->w.process, cl->w.client);
	sf_format_utc((int64_t)time(NULL), when, sizeof(when));
	json_object_object_add(o, "type", json_object_new_string("mail"));
	json_object_object_add(o, "time", json_object_new_string(when));
	json_object_object_add(o, "event", json_object_new_string("defer"));
	json_object_object_add(o, "limit", json_object_new_string(what));
	json_object_object_add(o, "target", json_object_new_string(cl->lim->target));
	json_object_object_add(o, "tenant", json_object_new_string(cl->w.tenant));
	json_object_object_add(o, "user", json_object_new_string(cl->w.user));
	json_object_object_add(o, "process", json_object_new_string(cl->w.process));
	json_object_object_add(o, "client", json_object_new_string(cl->w.client));
	json_object_object_add(o, "message", json_object_new_string(text + 6));
	sf_observe_publish(mp->obs, sf_json_string(o));
	json_object_put(o);
	mp->dirty = true;
}

/* Counts n messages or recipients within their limit; false past it. */
static bool admit(struct sf_mail_policy *mp, struct client *cl, bool messages, uint64_t n,
		  char *text, size_t len)
{
	const struct sf_rate *r;
	struct bucket *b;

	mp->dirty = true;
	if (cl->lim) {
		r = messages ? &cl->lim->mail.messages : &cl->lim->mail.recipients;
		b = (struct bucket *)(messages ? &cl->lim->msg : &cl->lim->rcpt);
		if (r->count && !take(b, r, n)) {
			add(mp, cl, messages ? n : 0, messages ? 0 : n, true);
			deferred(mp, cl, messages, text, len);
			return false;
		}
	}
	add(mp, cl, messages ? n : 0, messages ? 0 : n, false);
	return true;
}

void sf_mail_policy_postfix(struct sf_mail_policy *mp, const struct sf_mail_request *r,
			    char *action, size_t len)
{
	const char *state = r->protocol_state ? r->protocol_state : "";
	const char *inst = r->instance ? r->instance : "";
	bool rcpt = !strcmp(state, "RCPT"), data = !strcmp(state, "DATA"),
	     eom = !strcmp(state, "END-OF-MESSAGE");
	char text[512];
	struct client cl;
	struct sf_mail_tx *tx;
	bool fresh;

	struct sf_redirect server;

	snprintf(action, len, "DUNNO");
	if ((!rcpt && !data && !eom) ||
	    !find_client(mp, r->client_address, r->client_port,
			 server_of(r->server_address, r->server_port, &server), &cl))
		return;
	tx = sf_mail_txs_get(mp->txs, cl.w.peer.socket_cookie, false);
	fresh = !tx || !*inst || strcmp(tx->instance, inst);
	if (fresh) {
		uint64_t n = r->recipient_count ? strtoull(r->recipient_count, NULL, 10) : 0;

		if (!admit(mp, &cl, true, 1, text, sizeof(text)) ||
		    (!rcpt && n && !admit(mp, &cl, false, n, text, sizeof(text)))) {
			snprintf(action, len, "DEFER_IF_PERMIT %s", text);
			return;
		}
		tx = sf_mail_txs_get(mp->txs, cl.w.peer.socket_cookie, true);
		snprintf(tx->instance, sizeof(tx->instance), "%s", inst);
		tx->prepended = false;
	}
	if (rcpt && !admit(mp, &cl, false, 1, text, sizeof(text))) {
		snprintf(action, len, "DEFER_IF_PERMIT %s", text);
		return;
	}
	/* once a message, and never after its content (Postfix cannot then) */
	if (!tx->prepended && !eom) {
		tx->prepended = true;
		snprintf(action, len, "PREPEND " SF_MAIL_HEADER ": %s", cl.header);
	}
}

void sf_mail_policy_line(struct sf_mail_policy *mp, const char *line, char *reply, size_t len)
{
	char verb[8] = "", addr[64] = "", port[8] = "", saddr[64] = "", sport[8] = "", text[512];
	struct sf_redirect server;
	struct client cl;
	int n = sscanf(line, "%7s %63s %7s %63s %7s", verb, addr, port, saddr, sport);

	if ((n != 3 && n != 5) ||
	    (strcmp(verb, "who") && strcmp(verb, "rcpt") && strcmp(verb, "data"))) {
		snprintf(reply, len,
			 "ERROR expected: who|rcpt|data ADDRESS PORT [SERVER_ADDRESS SERVER_PORT]");
		return;
	}
	if (!find_client(mp, addr, port, n == 5 ? server_of(saddr, sport, &server) : NULL, &cl)) {
		snprintf(reply, len, "DUNNO");
		return;
	}
	if ((!strcmp(verb, "rcpt") && !admit(mp, &cl, false, 1, text, sizeof(text))) ||
	    (!strcmp(verb, "data") && !admit(mp, &cl, true, 1, text, sizeof(text)))) {
		snprintf(reply, len, "DEFER %s", text);
		return;
	}
	snprintf(reply, len, "OK %s", cl.header);
}

void sf_mail_policy_tick(struct sf_mail_policy *mp)
{
	uint64_t now = mono_ns();
	struct sf_mail_counts mc;
	int err;

	if (!mp->dirty || now - mp->written_ns < WRITE_NS)
		return;
	mc = (struct sf_mail_counts){mp->cnt.tenants, mp->cnt.n_tenants, mp->cnt.flows,
				     mp->cnt.n_flows};
	err = sf_mail_counts_write(mp->ctx->run_dir, &mc);
	if (err)
		sf_warn("failed to write %s/%s: %s", mp->ctx->run_dir, SF_MAIL_FILE,
			strerror(-err));
	mp->dirty = false;
	mp->written_ns = now;
}
