// SPDX-License-Identifier: GPL-2.0-only
#include "view/metrics_json.h"

#include <stdlib.h>
#include <string.h>

/* One label value after its opening quote, unescaped into out; returns
 * the character after the closing quote, or NULL. */
static const char *label_value(const char *p, const char *end, char *out, size_t len)
{
	size_t n = 0;

	for (; p < end && *p != '"'; p++) {
		char c = *p;

		if (c == '\\' && p + 1 < end) {
			c = *++p;
			c = c == 'n' ? '\n' : c;
		}
		if (n + 1 < len)
			out[n++] = c;
	}
	out[n] = '\0';
	return p < end ? p + 1 : NULL;
}

static json_object *labels_of(const char **pp, const char *end)
{
	json_object *labels = json_object_new_object();
	const char *p = *pp;
	char key[128], value[4096];

	while (p < end && *p != '}') {
		size_t k = strcspn(p, "=}");

		if (k >= sizeof(key) || p + k >= end || p[k] != '=' || p[k + 1] != '"')
			goto bad;
		memcpy(key, p, k);
		key[k] = '\0';
		p = label_value(p + k + 2, end, value, sizeof(value));
		if (!p)
			goto bad;
		json_object_object_add(labels, key, json_object_new_string(value));
		if (p < end && *p == ',')
			p++;
	}
	if (p >= end)
		goto bad;
	*pp = p + 1;
	return labels;
bad:
	json_object_put(labels);
	return NULL;
}

/* "# TYPE name type": the type of the samples that follow. */
static void type_line(const char *line, const char *end, char *name, size_t nlen, char *type,
		      size_t tlen)
{
	const char *n = line + 7, *sp = memchr(n, ' ', (size_t)(end - n));

	if (!sp || (size_t)(sp - n) >= nlen || (size_t)(end - sp - 1) >= tlen)
		return;
	memcpy(name, n, (size_t)(sp - n));
	name[sp - n] = '\0';
	memcpy(type, sp + 1, (size_t)(end - sp - 1));
	type[end - sp - 1] = '\0';
}

json_object *sf_metrics_text_json(const char *text, size_t len)
{
	json_object *o = json_object_new_object(), *arr = json_object_new_array();
	const char *p = text, *stop = text + len;
	char family[256] = "", type[32] = "untyped";

	json_object_object_add(o, "samples", arr);
	while (p < stop) {
		const char *end = memchr(p, '\n', (size_t)(stop - p)), *q;
		json_object *s, *labels;
		char name[256], *num_end;
		size_t n;
		double v;

		end = end ? end : stop;
		if (end - p > 7 && !strncmp(p, "# TYPE ", 7))
			type_line(p, end, family, sizeof(family), type, sizeof(type));
		if (p == end || *p == '#') {
			p = end + 1;
			continue;
		}
		n = strcspn(p, "{ ");
		if (n >= sizeof(name) || p + n >= end)
			goto bad;
		memcpy(name, p, n);
		name[n] = '\0';
		q = p + n;
		labels = *q == '{' ? (q++, labels_of(&q, end)) : json_object_new_object();
		if (!labels || q >= end || *q != ' ')
			goto bad_labels;
		v = strtod(q + 1, &num_end);
		if (num_end != end) {
		bad_labels:
			json_object_put(labels);
			goto bad;
		}
		s = json_object_new_object();
		json_object_object_add(s, "name", json_object_new_string(name));
		/* histograms' and summaries' parts have their family's type */
		json_object_object_add(s, "type",
				       json_object_new_string(!strncmp(name, family, strlen(family))
								      ? type
								      : "untyped"));
		json_object_object_add(s, "labels", labels);
		json_object_object_add(s, "value", json_object_new_double(v));
		json_object_array_add(arr, s);
		p = end + 1;
	}
	return o;
bad:
	json_object_put(o);
	return NULL;
}
