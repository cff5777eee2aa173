/* SPDX-License-Identifier: GPL-2.0-only */
/* One policy change, whole or not at all, for the CLI and the daemon
 * alike: begin (take the lock, finish or undo a change a kill cut short,
 * read both layers), edit the layers in memory (rules on targets, the
 * default, the ports; in the files or only in the runtime layer; the
 * quarantines: policy/quarantine_edit.h), commit
 * (compile once, sync once, then every file at once: policy/journal.h),
 * and a report of each edit: what was there before and what is now.
 *
 * Bad input is reported as it is found (file:line when the edit came from
 * a file) and makes the commit refuse: nothing is written, the kernel's
 * maps keep the policy in force. */
#ifndef SF_CHANGE_H
#define SF_CHANGE_H

#include "policy/session.h"
#include "policy/target_index.h"
#include "policy/text.h"

#include <stdbool.h>
#include <stdint.h>

enum sf_change_what {
	SF_CHANGE_RULE,
	SF_CHANGE_DEFAULT,
	SF_CHANGE_PORT,
};

/* An action in force: SF_ACT_NONE for no rule (a port: 1 watched, 0 not). */
struct sf_change_state {
	int action;
	struct sf_rate rate;
	struct sf_mail_limits mail; /* a rule's messages and recipients */
	bool runtime;		    /* it is the runtime layer's */
};

struct sf_change_item {
	enum sf_change_what what;
	enum sf_target_kind kind; /* SF_CHANGE_RULE */
	char *value;		  /* SF_CHANGE_RULE */
	unsigned int port;	  /* SF_CHANGE_PORT */
	struct sf_change_state before, after;
	const char *file; /* where it is written now (NULL: nowhere) */
	int line;
};

/* Where a rule of the configuration stands in the files, once moved. */
struct sf_change_loc {
	const char *file; /* NULL: as its spec says */
	int line;
};

struct sf_change {
	struct sf_session s;
	const char *command; /* named in a drop-in's header: "allow", "apply" */
	bool runtime;	     /* live only: the runtime layer, not the files */
	struct sf_target_index cfg_ix, rt_ix;
	struct sf_change_loc *loc; /* per rule of s.config */
	size_t cap_loc;
	struct sf_text *texts; /* the files edited */
	size_t n_texts, cap_texts;
	void *text_index; /* tsearch tree of text indexes by path */
	bool runtime_dirty;
	bool poke_daemon; /* a cgroup: or unit: rule (the daemon follows them), or
			   * mail limits (its policy service counts them) */
	size_t n_refused; /* edits refused: the commit refuses */
	struct sf_change_item *items;
	size_t n_items, cap_items;
	bool saved_only;	/* not loaded: saved, in force when smtpfence runs */
	bool quarantines_dirty; /* s.quarantines edited: RUN_DIR/quarantine.json */
	char quarantine_path[PATH_MAX];
	bool quiet;		    /* the quarantines' commands say what they did */
	bool loaded;		    /* sf_change_load: compiled, no edit to make */
	const struct sf_maps *maps; /* the daemon's own (NULL: the pinned ones) */
	int err;		    /* why the commit failed (-errno) */
};

/* Takes the lock and reads the layers. Returns an exit code (SF_EXIT_*);
 * a bad configuration is said and refuses any change (2). */
int sf_change_begin(struct sf_change *c, const struct sf_ctx *ctx, const char *command,
		    bool runtime);
/* A rule on r's target (r->action SF_ACT_NONE: unset it). from and line
 * name where the edit was read (NULL, 0: the command line), for errors
 * and, until the commit, for the compiler's. 0, or -EINVAL (said). */
int sf_change_rule(struct sf_change *c, const struct sf_rule_spec *r, const char *from, int line);
/* The default action (runtime layer); equal to the configuration's, the
 * runtime override goes: none is kept that changes nothing. */
int sf_change_default(struct sf_change *c, int action, const struct sf_rate *rate);
/* Watches (add) or stops watching a port (runtime layer). */
int sf_change_port(struct sf_change *c, unsigned int port, bool add);
/* Compiles the layers as edited so far, for an edit that asks what is in
 * force (the abuse watch: which rule decides). 0, or -EINVAL (said). */
int sf_change_compile(struct sf_change *c);
/* Compiles, syncs and writes: all or nothing. An exit code. */
int sf_change_commit(struct sf_change *c);
/* The same into the daemon's own maps m (not the pinned ones). 0, or the
 * -errno of what failed (said). */
int sf_change_commit_to(struct sf_change *c, const struct sf_maps *m);
void sf_change_end(struct sf_change *c);

/* No edit, what the layers say (the daemon's start and reload): begins
 * and compiles; a problem is said, and with why "WHY refused: the policy
 * in force is unchanged". 0 or -errno (-EINVAL: a bad configuration).
 * Commit it (into the maps) or not, end it either way. */
int sf_change_load(struct sf_change *c, const struct sf_ctx *ctx, const char *why);
/* Loads and commits what the files say (reload). An exit code. */
int sf_change_reload(const struct sf_ctx *ctx);

#endif /* SF_CHANGE_H */
