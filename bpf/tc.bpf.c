// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* tc egress (tcx link, or clsact): forwarded traffic from VMs and bridged
 * containers has no local socket and no process. A forwarded SYN to a
 * watched port is judged by its source address (source:CIDR rules, then
 * the default) and dropped when denied. Anything else goes on to the next
 * program or filter untouched. */
#include "packet.bpf.h"

#define SF_TC_NEXT (-1) /* TC_ACT_UNSPEC, TCX_NEXT: let the others run */
#define SF_TC_SHOT 2	/* TC_ACT_SHOT */

static __always_inline struct sf_rule *sf_find_source_rule(const struct sf_pkt *p,
							   struct sf_rule_key *key)
{
	struct sf_source_at *src;
	struct sf_rule *r;
	__u64 id;

	if (p->fk.family == SF_AF_INET) {
		struct sf_lpm4 k4 = {.prefixlen = 32};

		__builtin_memcpy(k4.addr, p->saddr, 4);
		src = bpf_map_lookup_elem(&sf_source4, &k4);
	} else {
		struct sf_lpm6 k6 = {.prefixlen = 128};

		__builtin_memcpy(k6.addr, p->saddr, 16);
		src = bpf_map_lookup_elem(&sf_source6, &k6);
	}
	id = src ? src->rule_id[p->slot & 1] : 0;
	if (id && (r = sf_rule_of(key, SF_KIND_SOURCE, id, p->slot)))
		return r;
	/* No source rule in this slot: the default. */
	return sf_rule_of(key, SF_KIND_DEFAULT, 0, p->slot);
}

SEC("tc")
int sf_tc_egress(struct __sk_buff *skb)
{
	/* Generated on this host: the cgroup programs judged it already. */
	if (!skb->ingress_ifindex)
		return SF_TC_NEXT;

	struct sf_pkt p = {};
	int kind = sf_parse_syn(skb, &p, 0);

	if (kind == SF_PKT_OTHER)
		return SF_TC_NEXT;
	if (kind == SF_PKT_MALFORMED) {
		sf_count_malformed();
		return SF_TC_SHOT;
	}
	p.slot = sf_slot();
	if (!sf_port_watched(bpf_ntohs(p.fk.dport), p.slot))
		return SF_TC_NEXT;

	__u32 zero = 0;
	struct sf_totals *t = bpf_map_lookup_elem(&sf_totals, &zero);
	struct sf_identity nobody = {.uid = SF_UID_NONE, .gid = SF_UID_NONE};
	struct sf_rule_key key = {};
	struct sf_rule *r = NULL;
	__u32 verdict;

	p.fk.uid = SF_UID_NONE;
	if (sf_exempt(&p.fk, SF_HAVE_EXEMPT4 | SF_HAVE_EXEMPT6, p.slot)) /* no settings here */
		key.kind = SF_KIND_EXEMPT;
	else
		r = sf_find_source_rule(&p, &key);
	verdict = sf_judge(&p.fk, &key, r, p.slot, &nobody, SF_PATH_FORWARDED, p.saddr, t);
	return sf_verdict_passes(verdict) ? SF_TC_NEXT : SF_TC_SHOT;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
