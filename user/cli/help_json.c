// SPDX-License-Identifier: GPL-2.0-only
/* `help -j`: the command table, the global options, the target kinds and
 * the configuration keys as data, for a panel and for `make test-docs`. */
#include "cli/help_json.h"
#include "cli/options.h"
#include "policy/config_keys.h"
#include "policy/parse.h"
#include "util/version.h"

static const char *type_names[] = {
	[SF_OPT_FLAG] = "flag",	      [SF_OPT_STRING] = "string", [SF_OPT_UINT] = "uint",
	[SF_OPT_SECONDS] = "seconds", [SF_OPT_ENUM] = "enum",	  [SF_OPT_LIST] = "list",
};

static json_object *options_json(const struct sf_option *t)
{
	json_object *arr = json_object_new_array();

	for (const struct sf_option *o = t; o && o->name; o++) {
		json_object *j = json_object_new_object();
		char s[2] = {o->short_name, '\0'};

		json_object_object_add(j, "name", json_object_new_string(o->name));
		if (o->short_name)
			json_object_object_add(j, "short", json_object_new_string(s));
		json_object_object_add(j, "type", json_object_new_string(type_names[o->type]));
		if (o->arg)
			json_object_object_add(j, "arg", json_object_new_string(o->arg));
		if (o->type == SF_OPT_ENUM) {
			json_object *c = json_object_new_array();

			for (int i = 0; o->choices[i]; i++)
				json_object_array_add(c, json_object_new_string(o->choices[i]));
			json_object_object_add(j, "choices", c);
		}
		json_object_object_add(j, "help", json_object_new_string(o->help));
		json_object_array_add(arr, j);
	}
	return arr;
}

static json_object *command_json(const struct sf_command *c)
{
	json_object *j = json_object_new_object();

	json_object_object_add(j, "name", json_object_new_string(c->name));
	json_object_object_add(j, "args", json_object_new_string(c->args ? c->args : ""));
	json_object_object_add(j, "summary", json_object_new_string(c->summary));
	json_object_object_add(j, "needs_root", json_object_new_boolean(c->needs_root));
	json_object_object_add(j, "options", options_json(c->options));
	return j;
}

json_object *sf_help_json(const struct sf_command *only)
{
	json_object *o = json_object_new_object(), *cmds = json_object_new_array(),
		    *kinds = json_object_new_array(), *keys = json_object_new_array();
	const char *k;

	if (only) {
		json_object_put(o);
		json_object_put(cmds);
		json_object_put(kinds);
		json_object_put(keys);
		return command_json(only);
	}
	json_object_object_add(o, "version", json_object_new_string(SF_VERSION));
	for (size_t i = 0; i < sf_n_commands; i++)
		json_object_array_add(cmds, command_json(sf_commands[i]));
	json_object_object_add(o, "commands", cmds);
	json_object_object_add(o, "global_options", options_json(sf_global_options));
	for (size_t i = 0; (k = sf_target_kind_at(i)); i++)
		json_object_array_add(kinds, json_object_new_string(k));
	json_object_object_add(o, "target_kinds", kinds);
	for (const struct sf_config_key *c = sf_config_keys; c->name; c++) {
		json_object *j = json_object_new_object();

		json_object_object_add(j, "name", json_object_new_string(c->name));
		json_object_object_add(j, "section", json_object_new_string(c->section));
		json_object_object_add(j, "value", json_object_new_string(c->value));
		json_object_array_add(keys, j);
	}
	json_object_object_add(o, "config_keys", keys);
	return o;
}
