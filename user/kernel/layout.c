// SPDX-License-Identifier: GPL-2.0-only
#include "kernel/layout.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <string.h>

/* Type graphs are shallow (structs of integers and arrays); a bound keeps a
 * malformed pinned BTF from recursing for ever. */
#define MAX_DEPTH 16

struct btf_pair {
	const struct btf *a, *b;
};

static const struct btf_type *skip_mods(const struct btf *btf, __u32 *id)
{
	const struct btf_type *t = btf__type_by_id(btf, *id);

	while (t && (btf_is_typedef(t) || btf_is_mod(t))) {
		*id = t->type;
		t = btf__type_by_id(btf, *id);
	}
	return t;
}

static bool same_name(const struct btf_pair *p, __u32 off_a, __u32 off_b)
{
	const char *na = btf__name_by_offset(p->a, off_a), *nb = btf__name_by_offset(p->b, off_b);

	return na && nb && !strcmp(na, nb);
}

/* Same shape: kinds, sizes, member names and offsets, element counts. Type
 * names and typedefs may differ; a renamed member counts as a change. */
static bool same_type(const struct btf_pair *p, __u32 ia, __u32 ib, int depth)
{
	const struct btf_type *ta = skip_mods(p->a, &ia), *tb = skip_mods(p->b, &ib);

	if (!ta || !tb || depth > MAX_DEPTH || btf_kind(ta) != btf_kind(tb))
		return false;
	switch (btf_kind(ta)) {
	case BTF_KIND_INT:
		return ta->size == tb->size && btf_int_encoding(ta) == btf_int_encoding(tb) &&
		       btf_int_offset(ta) == btf_int_offset(tb) &&
		       btf_int_bits(ta) == btf_int_bits(tb);
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		return ta->size == tb->size;
	case BTF_KIND_ARRAY:
		return btf_array(ta)->nelems == btf_array(tb)->nelems &&
		       same_type(p, btf_array(ta)->type, btf_array(tb)->type, depth + 1);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		if (ta->size != tb->size || btf_vlen(ta) != btf_vlen(tb))
			return false;
		for (__u16 i = 0; i < btf_vlen(ta); i++) {
			const struct btf_member *ma = btf_members(ta) + i,
						*mb = btf_members(tb) + i;

			if (ma->offset != mb->offset || !same_name(p, ma->name_off, mb->name_off) ||
			    !same_type(p, ma->type, mb->type, depth + 1))
				return false;
		}
		return true;
	default:
		/* Pointers, functions and the like have no place in a map value. */
		return false;
	}
}

static bool same_btf_types(const struct bpf_map_info *info, const struct bpf_map *map,
			   const struct btf *ours)
{
	__u32 key = bpf_map__btf_key_type_id(map), value = bpf_map__btf_value_type_id(map);
	struct btf *theirs;
	bool same;

	/* Maps without key and value types (ring buffers) have sizes only. */
	if (!key && !value && !info->btf_key_type_id && !info->btf_value_type_id)
		return true;
	if (!ours || !info->btf_id || !info->btf_value_type_id)
		return false; /* no way to tell: treat it as another layout */
	/* Reading another object's BTF takes CAP_SYS_ADMIN, which the unit
	 * does not grant: then the sizes and SF_LAYOUT_VERSION decide. */
	theirs = btf__load_from_kernel_by_id(info->btf_id);
	if (!theirs)
		return errno == EPERM;
	struct btf_pair p = {.a = theirs, .b = ours};

	same = same_type(&p, info->btf_value_type_id, value, 0) &&
	       (!key || same_type(&p, info->btf_key_type_id, key, 0));
	btf__free(theirs);
	return same;
}

int sf_map_layout_same(int fd, const struct bpf_map *map, const struct btf *btf, bool *same)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	*same = info.type == bpf_map__type(map) && info.key_size == bpf_map__key_size(map) &&
		info.value_size == bpf_map__value_size(map) &&
		info.map_flags == bpf_map__map_flags(map) && same_btf_types(&info, map, btf);
	return 0;
}
