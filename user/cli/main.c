// SPDX-License-Identifier: GPL-2.0-only
/* smtpfence: command-line entry. Global options may stand anywhere; each
 * subcommand declares the options it takes, and any other is refused. */
#include "cli/commands.h"
#include "util/context.h"
#include "util/log.h"
#include "kernel/pins.h"
#include "policy/policy.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SF_VERSION "0.1.0"

enum opt_bit {
	OPT_JSON = 1 << 0,
	OPT_CGROUP = 1 << 1,
	OPT_RUNTIME = 1 << 2,
	OPT_SUBJECT = 1 << 3, /* --pid, --uid, --gid */
	OPT_TC_DEV = 1 << 4,
	OPT_SORT = 1 << 5,
	OPT_TARGET = 1 << 6,
	OPT_LIMIT = 1 << 7,
	OPT_FOLLOW = 1 << 8,
	OPT_BATCH = 1 << 9,
	OPT_ITERATIONS = 1 << 10,
	OPT_DELAY = 1 << 11,
	OPT_NOW = 1 << 12,
	OPT_LAST = OPT_NOW,
};

struct command {
	const char *name;
	int (*run)(const struct sf_ctx *ctx, int argc, char **argv);
	unsigned int opts; /* enum opt_bit it accepts */
	bool needs_root;
	const char *usage;
};

static int run_rule(const struct sf_ctx *ctx, int argc, char **argv)
{
	/* argv[-1] is the action word: allow, deny, log, limit or unset. */
	return sf_cmd_rule(ctx, argv[-1], argc, argv);
}

static const struct command commands[] = {
	{"run", sf_cmd_run, OPT_CGROUP | OPT_TC_DEV, true,
	 "run [--cgroup PATH] [--tc-dev DEV]...  daemon: load or re-adopt, enforce, log events"},
	{"allow", run_rule, OPT_RUNTIME, true,
	 "allow TARGET [--runtime]       allow SMTP for a target (dest:CIDR exempts)"},
	{"deny", run_rule, OPT_RUNTIME, true, "deny TARGET [--runtime]        deny SMTP"},
	{"log", run_rule, OPT_RUNTIME, true,
	 "log TARGET [--runtime]         allow and log every attempt (audit)"},
	{"limit", run_rule, OPT_RUNTIME, true,
	 "limit TARGET N/sec|N/min|N/hour [burst B] [--runtime]"},
	{"unset", run_rule, OPT_RUNTIME, true,
	 "unset TARGET [--runtime]       remove the rule on a target"},
	{"rules", sf_cmd_rules, OPT_JSON, true, "rules [-j]                     list the policy"},
	{"status", sf_cmd_status, OPT_JSON, true,
	 "status [-j]                    what is loaded, attached, counted"},
	{"ports", sf_cmd_ports, OPT_JSON, true,
	 "ports add|del PORT... | list   watched destination ports (live)"},
	{"default", sf_cmd_default, 0, true,
	 "default allow|deny|log|limit R set the default action (live)"},
	{"explain", sf_cmd_explain, OPT_JSON | OPT_CGROUP | OPT_SUBJECT, true,
	 "explain (--pid N | --uid U [--gid G] [--cgroup PATH]) HOST:PORT  which rule decides"},
	{"flows", sf_cmd_flows, OPT_JSON | OPT_SORT | OPT_TARGET | OPT_LIMIT, true,
	 "flows [-j] [--sort attempts|denied|limited|last] [--target TARGET] [--limit N]"},
	{"events", sf_cmd_events, OPT_JSON | OPT_FOLLOW, true,
	 "events [-f] [-j]               recent denied/logged/limited attempts; -f follows"},
	{"top", sf_cmd_top, OPT_SORT | OPT_BATCH | OPT_ITERATIONS | OPT_DELAY, true,
	 "top [--sort COL] [--batch [-n N]] [-d SECONDS]  live per-tenant view"},
	{"metrics", sf_cmd_metrics, 0, true,
	 "metrics                        Prometheus text, once (node_exporter textfile)"},
	{"quarantine", sf_cmd_quarantine, 0, true,
	 "quarantine TARGET DURATION [deny|limit R]  contain a tenant for a while"},
	{"release", sf_cmd_release, 0, true,
	 "release TARGET                 end a tenant's quarantine now"},
	{"dnsbl", sf_cmd_dnsbl, OPT_JSON | OPT_NOW, true,
	 "dnsbl [-j] [--now]             the node's addresses on DNS blocklists"},
	{"check-config", sf_cmd_check_config, 0, false,
	 "check-config                   validate the configuration, apply nothing"},
	{"reload", sf_cmd_reload, 0, true,
	 "reload                         re-read and apply the configuration"},
	{"unload", sf_cmd_unload, 0, true,
	 "unload                         detach and remove everything pinned"},
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fprintf(f, "usage: smtpfence [OPTIONS] COMMAND [ARGS]\n\n"
		   "Targets: cgroup:PATH unit:NAME.service|.slice|.scope user:NAME|UID\n"
		   "         group:NAME|GID dest:CIDR source:CIDR\n\nCommands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %s\n", commands[i].usage);
	fprintf(f,
		"\nOptions:\n"
		"  --pin-dir DIR   pinned state (default %s)\n"
		"  --config FILE   main configuration (default %s)\n"
		"  --run-dir DIR   lock, pid file, runtime rules (default %s)\n"
		"  -j, --json      JSON output\n"
		"  -v, --verbose   show libbpf's messages\n"
		"  -h, --help      this text\n"
		"  --version       print the version\n",
		SF_DEFAULT_PIN_DIR, SF_DEFAULT_CONFIG, SF_DEFAULT_RUN_DIR);
}

enum long_only {
	LO_PIN_DIR = 256,
	LO_CONFIG,
	LO_RUN_DIR,
	LO_CGROUP,
	LO_RUNTIME,
	LO_VERSION,
	LO_PID,
	LO_UID,
	LO_GID,
	LO_TC_DEV,
	LO_SORT,
	LO_TARGET,
	LO_LIMIT,
	LO_BATCH,
	LO_NOW,
};

static const struct option long_opts[] = {
	{"pin-dir", required_argument, NULL, LO_PIN_DIR},
	{"config", required_argument, NULL, LO_CONFIG},
	{"run-dir", required_argument, NULL, LO_RUN_DIR},
	{"cgroup", required_argument, NULL, LO_CGROUP},
	{"runtime", no_argument, NULL, LO_RUNTIME},
	{"pid", required_argument, NULL, LO_PID},
	{"uid", required_argument, NULL, LO_UID},
	{"gid", required_argument, NULL, LO_GID},
	{"tc-dev", required_argument, NULL, LO_TC_DEV},
	{"sort", required_argument, NULL, LO_SORT},
	{"target", required_argument, NULL, LO_TARGET},
	{"limit", required_argument, NULL, LO_LIMIT},
	{"batch", no_argument, NULL, LO_BATCH},
	{"now", no_argument, NULL, LO_NOW},
	{"follow", no_argument, NULL, 'f'},
	{"iterations", required_argument, NULL, 'n'},
	{"delay", required_argument, NULL, 'd'},
	{"json", no_argument, NULL, 'j'},
	{"verbose", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, LO_VERSION},
	{NULL, 0, NULL, 0},
};

static const char *opt_name(unsigned int bit)
{
	switch (bit) {
	case OPT_JSON:
		return "-j";
	case OPT_CGROUP:
		return "--cgroup";
	case OPT_RUNTIME:
		return "--runtime";
	case OPT_TC_DEV:
		return "--tc-dev";
	case OPT_SUBJECT:
		return "--pid/--uid/--gid";
	case OPT_SORT:
		return "--sort";
	case OPT_TARGET:
		return "--target";
	case OPT_LIMIT:
		return "--limit";
	case OPT_FOLLOW:
		return "-f";
	case OPT_BATCH:
		return "--batch";
	case OPT_ITERATIONS:
		return "-n";
	case OPT_NOW:
		return "--now";
	default:
		return "-d";
	}
}

/* words has room for every argument: the non-option ones land there. */
static int parse_and_run(int argc, char **argv, char **words)
{
	struct sf_ctx ctx = {.pin_dir = SF_DEFAULT_PIN_DIR,
			     .config = SF_DEFAULT_CONFIG,
			     .run_dir = SF_DEFAULT_RUN_DIR};
	const struct command *cmd = NULL;
	unsigned int given = 0;
	bool verbose = false;
	int c, n_words = 0;

	/* "-" keeps words in order and reports them as option 1, so that
	 * options may follow the command while its words stay in place. */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "-jvhfn:d:", long_opts, NULL)) != -1) {
		switch (c) {
		case 1:
			words[n_words++] = optarg;
			break;
		case 'j':
			ctx.json = true;
			given |= OPT_JSON;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			usage(stdout);
			return SF_EXIT_OK;
		case LO_VERSION:
			printf("smtpfence %s\n", SF_VERSION);
			return SF_EXIT_OK;
		case LO_PIN_DIR:
			ctx.pin_dir = optarg;
			break;
		case LO_CONFIG:
			ctx.config = optarg;
			ctx.config_explicit = true;
			break;
		case LO_RUN_DIR:
			ctx.run_dir = optarg;
			break;
		case LO_CGROUP:
			ctx.cgroup = optarg;
			given |= OPT_CGROUP;
			break;
		case LO_RUNTIME:
			ctx.runtime_only = true;
			given |= OPT_RUNTIME;
			break;
		case LO_PID:
			ctx.explain_pid = optarg;
			given |= OPT_SUBJECT;
			break;
		case LO_UID:
			ctx.explain_uid = optarg;
			given |= OPT_SUBJECT;
			break;
		case LO_GID:
			ctx.explain_gid = optarg;
			given |= OPT_SUBJECT;
			break;
		case LO_TC_DEV: {
			char err[SF_ERR_LEN];

			if (sf_parse_ifname(optarg, err, sizeof(err))) {
				fprintf(stderr, "smtpfence: --tc-dev: %s\n", err);
				return SF_EXIT_USAGE;
			}
			if (ctx.n_tc_devs == SF_CTX_MAX_TC_DEVS) {
				fprintf(stderr, "smtpfence: --tc-dev: at most %d interfaces\n",
					SF_CTX_MAX_TC_DEVS);
				return SF_EXIT_USAGE;
			}
			ctx.tc_devs[ctx.n_tc_devs++] = optarg;
			given |= OPT_TC_DEV;
			break;
		}
		case LO_SORT:
			ctx.sort = optarg;
			given |= OPT_SORT;
			break;
		case LO_TARGET:
			ctx.target = optarg;
			given |= OPT_TARGET;
			break;
		case LO_LIMIT:
			ctx.limit = optarg;
			given |= OPT_LIMIT;
			break;
		case LO_BATCH:
			ctx.batch = true;
			given |= OPT_BATCH;
			break;
		case LO_NOW:
			ctx.now = true;
			given |= OPT_NOW;
			break;
		case 'f':
			ctx.follow = true;
			given |= OPT_FOLLOW;
			break;
		case 'n':
			ctx.iterations = optarg;
			given |= OPT_ITERATIONS;
			break;
		case 'd':
			ctx.delay = optarg;
			given |= OPT_DELAY;
			break;
		case ':':
			fprintf(stderr, "smtpfence: option '%s' needs a value\n", argv[optind - 1]);
			return SF_EXIT_USAGE;
		default:
			fprintf(stderr, "smtpfence: unknown option '%s' (see smtpfence --help)\n",
				argv[optind - 1]);
			return SF_EXIT_USAGE;
		}
	}
	sf_log_init(verbose);
	if (n_words == 0) {
		usage(stderr);
		return SF_EXIT_USAGE;
	}
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (!strcmp(words[0], commands[i].name))
			cmd = &commands[i];
	if (!cmd) {
		fprintf(stderr, "smtpfence: unknown command '%s' (see smtpfence --help)\n",
			words[0]);
		return SF_EXIT_USAGE;
	}
	for (unsigned int bit = 1; bit <= OPT_LAST; bit <<= 1) {
		if ((given & bit) && !(cmd->opts & bit)) {
			fprintf(stderr, "smtpfence: option %s does not apply to '%s'\n",
				opt_name(bit), cmd->name);
			return SF_EXIT_USAGE;
		}
	}
	if (cmd->needs_root && sf_require_root())
		return SF_EXIT_FAIL;
	return cmd->run(&ctx, n_words - 1, words + 1);
}

int main(int argc, char **argv)
{
	char **words = calloc((size_t)argc + 1, sizeof(*words));
	int rc;

	if (!words)
		return SF_EXIT_FAIL;
	rc = parse_and_run(argc, argv, words);
	free(words);
	return rc;
}
