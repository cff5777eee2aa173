/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The pinned maps. Every BPF object includes this file; pinning by name
 * under the pin directory makes all objects share one set of maps. */
#ifndef SF_MAPS_BPF_H
#define SF_MAPS_BPF_H

#include "smtpfence.h"
#include <bpf/bpf_helpers.h>

/* The visible generation (see struct sf_gen): mmapped by the controller,
 * which flips it with one atomic store. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sf_gen);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sf_gen SEC(".maps");

/* Indexed by destination port in host order; the value's SF_SLOT_BIT(slot)
 * set: watched in that slot. Mmapped by the controller, which reads all of
 * it at each change and stores the values it changes. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, SF_PORT_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sf_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SF_SLOTS); /* by SF_SLOT(generation) */
	__type(key, __u32);
	__type(value, struct sf_settings);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sf_settings SEC(".maps");

/* Room for the old and the new policy together (a change holds both until
 * it is made visible); not preallocated, so the room costs only the bucket
 * array until it is used (a lookup is the same code either way). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 2 * SF_MAX_RULES + 1); /* + the default rule */
	__type(key, struct sf_rule_key);
	__type(value, struct sf_rule);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sf_rules SEC(".maps");

/* Per-rule counters live apart from the rules so that rewriting a rule
 * never races with the kernel's increments. Per CPU: a busy tenant's rule
 * is counted on every CPU at once; an entry exists only for a rule that
 * decided something (40 bytes a CPU). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, SF_MAX_RULES + 2);
	__type(key, struct sf_rule_key);
	__type(value, struct sf_counters);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sf_rule_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, SF_MAX_EXEMPT);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct sf_lpm4);
	__type(value, __u32); /* SF_SLOT_BIT()s */
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sf_exempt4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, SF_MAX_EXEMPT);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct sf_lpm6);
	__type(value, __u32); /* SF_SLOT_BIT()s */
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sf_exempt6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SF_MAX_FLOWS);
	__type(key, struct sf_flow_key);
	__type(value, struct sf_flow);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sf_flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sf_totals);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sf_totals SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, SF_RINGBUF_BYTES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sf_events SEC(".maps");

/* The connect hook's verdicts, by socket cookie (see sf_verdict_slot). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SF_VERDICT_SLOTS);
	__type(key, __u32);
	__type(value, struct sf_verdict_slot);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sf_verdicts SEC(".maps");

/* Sockets the backstop judged itself (see struct sf_judged). */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sf_judged);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sf_judged SEC(".maps");

/* What a redirected socket asked for (see struct sf_redirect): socket
 * local storage, so it dies with its socket and costs nothing to clean. */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sf_redirect);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sf_redirects SEC(".maps");

/* Who made each local MTA connection, by sf_peer_index() (see struct
 * sf_peer): written by the backstop at a connection's first SYN. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SF_PEER_SLOTS);
	__type(key, __u32);
	__type(value, struct sf_peer_slot);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sf_peers SEC(".maps");

/* Source prefixes of forwarded traffic (VMs, bridged containers) -> the
 * id of their SF_KIND_SOURCE rule. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, SF_MAX_SOURCES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct sf_lpm4);
	__type(value, struct sf_source_at);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sf_source4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, SF_MAX_SOURCES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct sf_lpm6);
	__type(value, struct sf_source_at);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sf_source6 SEC(".maps");

#endif /* SF_MAPS_BPF_H */
