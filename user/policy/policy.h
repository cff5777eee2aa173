/* SPDX-License-Identifier: GPL-2.0-only */
/* The policy as the user wrote it: the configuration files (or the embedded
 * default) overlaid with the runtime layer. The kernel maps are compiled
 * from it (compile.h) and kept in step with it (sync.h). */
#ifndef SF_POLICY_H
#define SF_POLICY_H

#include "policy/listen.h"
#include "policy/mail_limits.h"
#include "policy/parse.h"
#include "policy/relay.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#define SF_DEFAULT_CONFIG    "/etc/smtpfence/smtpfence.conf"
#define SF_DEFAULT_RULES_DIR "/etc/smtpfence/rules.d"
#define SF_DEFAULT_RUN_DIR   "/run/smtpfence"
#define SF_RUNTIME_FILE	     "runtime.conf"
/* The "file" of rules that come from the embedded default. */
#define SF_EMBEDDED_FILE "(embedded default)"
/* Interfaces whose forwarded traffic is judged (tc), at most. */
#define SF_MAX_INTERFACES 64
#define SF_IFNAME_LEN	  16 /* IFNAMSIZ */

/* "quarantine = DURATION [ACTION]": what an alert does to a tenant. */
struct sf_quarantine_spec {
	uint32_t seconds; /* 0: no quarantine */
	int action;	  /* enum sf_action: deny or limit */
	struct sf_rate rate;
};

/* The blocklist watch ([global] dnsbl_*, on_listed). No zones: off. */
#define SF_DNSBL_MAX_ZONES	  16
#define SF_DNSBL_MAX_ADDRESSES	  64
#define SF_DNSBL_ZONE_LEN	  254
#define SF_DNSBL_ADDR_LEN	  46 /* INET6_ADDRSTRLEN */
#define SF_DNSBL_DEFAULT_INTERVAL 3600

struct sf_dnsbl_config {
	char zones[SF_DNSBL_MAX_ZONES][SF_DNSBL_ZONE_LEN];
	size_t n_zones;
	char addresses[SF_DNSBL_MAX_ADDRESSES][SF_DNSBL_ADDR_LEN]; /* besides the interfaces' */
	size_t n_addresses;
	uint32_t interval_s;
	char resolver[SF_LISTEN_LEN]; /* "ADDRESS:PORT" for c-ares; "" = /etc/resolv.conf */
	int on_listed;		      /* SF_ACT_NONE: the default stays */
	struct sf_rate on_listed_rate;
};

struct sf_rule_spec {
	enum sf_target_kind kind;
	int action;		    /* enum sf_action */
	int origin;		    /* enum sf_origin */
	char *value;		    /* canonical target text after "kind:" */
	struct sf_cidr cidr;	    /* SF_TARGET_DEST */
	struct sf_rate rate;	    /* SF_ACT_LIMIT */
	struct sf_mail_limits mail; /* messages and recipients (policy service) */
	const char *file;	    /* where it was written (interned) */
	int line;
	struct sf_quarantine_spec quarantine; /* its drop-in's `quarantine =` */
	bool quarantined;		      /* action and rate are a quarantine's */
	bool borrowed; /* value and file are another policy's (sf_policy_borrow) */
};

struct sf_policy {
	uint8_t ports[65536 / 8]; /* bitmap of watched ports */
	int default_action;
	struct sf_rate default_rate;
	int deny_errno;
	struct sf_relay relay; /* where `redirect` sends a connect */
	uint32_t max_rules;
	uint32_t max_flows;
	char rules_dir[PATH_MAX];
	/* Where systemd's tree starts below the cgroup-v2 mount (`units_root`):
	 * unit: names resolve by its naming rules from there. Unset: "/", and
	 * systemd is asked first when it is PID 1. */
	char units_root[PATH_MAX];
	bool units_root_set;
	bool embedded; /* no main file: the built-in default stands in */
	char interfaces[SF_MAX_INTERFACES][SF_IFNAME_LEN]; /* `interfaces =` */
	size_t n_interfaces;

	/* Observation (metrics, event log, alerts); 0 / "" means off. */
	char metrics_address[SF_LISTEN_LEN]; /* "127.0.0.1:9465", "" = off */
	struct sf_metrics_access metrics_access;
	uint32_t metrics_top_tenants;  /* tenants with their own labels */
	uint32_t log_condense_seconds; /* identical events per flow folded */
	uint32_t alert_denied_per_min;
	uint32_t alert_limited_per_min;
	uint32_t alert_messages_per_min; /* the policy service's counts */
	uint32_t alert_recipients_per_min;
	uint32_t alert_deferred_per_min;
	char alert_command[1024];
	struct sf_quarantine_spec quarantine; /* [global]: for tenants without their own */
	/* Who may ask the policy service besides root (`policy_allow_users`);
	 * not set: the usual MTA users that exist on the node. */
	unsigned int policy_uids[SF_METRICS_ACL_MAX];
	size_t n_policy_uids;
	bool policy_uids_set;
	struct sf_dnsbl_config dnsbl;
	bool default_listed; /* the default is on_listed's: an address is listed */

	struct sf_rule_spec *rules;
	size_t n_rules, cap_rules;
	char **files;
	size_t n_files, cap_files;
	void *file_index; /* tsearch tree over files */
	void *arena;	  /* where borrowed rules' texts live (a parse cache), freed last */
};

/* The runtime layer (--runtime changes, ports and default set live). */
struct sf_runtime {
	uint8_t ports_add[65536 / 8];
	uint8_t ports_del[65536 / 8];
	int default_action; /* SF_ACT_NONE: not overridden */
	struct sf_rate default_rate;
	struct sf_policy rules; /* only its rules are used */
};

static inline bool sf_port_get(const uint8_t *bm, unsigned int port)
{
	return bm[port / 8] & (1U << (port % 8));
}

static inline void sf_port_set(uint8_t *bm, unsigned int port, bool on)
{
	if (on)
		bm[port / 8] |= (uint8_t)(1U << (port % 8));
	else
		bm[port / 8] &= (uint8_t) ~(1U << (port % 8));
}

void sf_policy_init(struct sf_policy *p);
void sf_policy_free(struct sf_policy *p);
const char *sf_policy_intern_file(struct sf_policy *p, const char *file);
/* dst becomes a copy of src whose rules borrow src's target texts and
 * file names (src must outlive it and keep them): 100,000 rules are not
 * duplicated for each compile. Rules added to dst later are its own. */
int sf_policy_borrow(struct sf_policy *dst, const struct sf_policy *src);
/* Room for n more rules without growing. 0 or -ENOMEM. */
int sf_policy_reserve(struct sf_policy *p, size_t n);
/* Adds a copy of *r (value duplicated, file interned). */
int sf_policy_add_rule(struct sf_policy *p, const struct sf_rule_spec *r);
/* Index of the rule on the same target, or -1. */
long sf_policy_find(const struct sf_policy *p, enum sf_target_kind kind, const char *value);
void sf_policy_remove(struct sf_policy *p, size_t idx);
/* Adds an interface to judge forwarded traffic on, once. -E2BIG: full. */
int sf_policy_add_interface(struct sf_policy *p, const char *name);
/* Removes the rules marked removed (action SF_ACT_NONE), in one pass. */
void sf_policy_drop_removed(struct sf_policy *p);

void sf_runtime_init(struct sf_runtime *rt);
void sf_runtime_free(struct sf_runtime *rt);

#endif /* SF_POLICY_H */
