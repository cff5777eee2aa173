/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Every type and constant shared by the BPF programs and the controller.
 * Fixed-width types only: this layout is the contract of the pinned maps. */
#ifndef SMTPFENCE_H
#define SMTPFENCE_H

#include <linux/types.h>
#include <linux/bpf.h>

/* Bump when a map's key or value layout changes: the loader migrates.
 * 2: bypass counter, forwarded total, event flags and source address.
 * 4: per-CPU rule counters, the connect hook's verdicts by socket cookie.
 * 5: redirected counter, the relay in the settings, sf_redirects.
 * 6: sf_peers, who made each local MTA connection (sockops).
 * 7: generations (sf_gen): every policy map holds two generations side by
 *    side, the judge reads the generation once per attempt and sees only
 *    its own (rules: struct sf_rule's at[], ports, exempt and source
 *    values: a bit or a value per slot, sf_settings: one entry per slot);
 *    sf_rules is sized for the old and the new policy together.
 * 8: sf_peers is written by the backstop at the first SYN (no sockops
 *    program), least recently used first out, with the MTA's side. */
#define SF_LAYOUT_VERSION 8

/* Default map sizes: 100,000 rules and 200,000 flows, within 64 MiB of
 * kernel memory (a larger node sets max_flows). */
#define SF_MAX_RULES	 100000
#define SF_MAX_FLOWS	 200000
#define SF_MAX_EXEMPT	 4096
#define SF_RINGBUF_BYTES (1U << 22)
#define SF_PORT_SLOTS	 65536
#define SF_MAX_SOURCES	 65536
#define SF_VERDICT_SLOTS 65536 /* a power of two */

/* Deepest cgroup level the ancestor walk looks at (bounded walk). */
#define SF_MAX_CGROUP_LEVEL 31

/* Map names, shared by the BPF objects (pinned by name) and the CLI. */
#define SF_MAP_PORTS	  "sf_ports"
#define SF_MAP_SETTINGS	  "sf_settings"
#define SF_MAP_RULES	  "sf_rules"
#define SF_MAP_RULE_STATS "sf_rule_stats"
#define SF_MAP_EXEMPT4	  "sf_exempt4"
#define SF_MAP_EXEMPT6	  "sf_exempt6"
#define SF_MAP_FLOWS	  "sf_flows"
#define SF_MAP_TOTALS	  "sf_totals"
#define SF_MAP_EVENTS	  "sf_events"
#define SF_MAP_JUDGED	  "sf_judged"
#define SF_MAP_VERDICTS	  "sf_verdicts"
#define SF_MAP_SOURCE4	  "sf_source4"
#define SF_MAP_SOURCE6	  "sf_source6"
#define SF_MAP_GEN	  "sf_gen"
/* The mail-flow bridge (see struct sf_redirect and struct sf_peer). */
#define SF_MAP_REDIRECTS "sf_redirects"
#define SF_MAP_PEERS	 "sf_peers"
#define SF_PEER_SLOTS	 65536 /* one a client port of each client address */

/* Link pins, relative to the pin directory. */
#define SF_LINK_CONNECT4	"link_connect4"
#define SF_LINK_CONNECT6	"link_connect6"
#define SF_LINK_EGRESS		"link_egress"
#define SF_LINK_GETPEERNAME4	"link_getpeername4"
#define SF_LINK_GETPEERNAME6	"link_getpeername6"
#define SF_LINK_SOCKOPS_RETIRED "link_sockops" /* before layout 8: removed at attach */
/* One tc egress link per interface: "link_tc_" followed by its name. */
#define SF_LINK_TC_PREFIX "link_tc_"

enum sf_action {
	SF_ACT_NONE = 0, /* no rule: fall through */
	SF_ACT_ALLOW = 1,
	SF_ACT_DENY = 2,
	SF_ACT_LOG = 3,	     /* allow and emit an event: audit mode */
	SF_ACT_LIMIT = 4,    /* token bucket; over the limit behaves as deny */
	SF_ACT_REDIRECT = 5, /* connect rewritten to the node's relay (MTA) */
};

/* Implicit TLS (SMTPS): a redirected connect would meet the relay's
 * certificate, not the one the client asked for, so redirect denies it. */
#define SF_PORT_SMTPS 465

/* What decided a verdict; also the kind part of a rule key. */
enum sf_rule_kind {
	SF_KIND_DEFAULT = 0,
	SF_KIND_EXEMPT = 1,
	SF_KIND_CGROUP = 2,
	SF_KIND_UID = 3,
	SF_KIND_GID = 4,
	SF_KIND_SOURCE = 5, /* forwarded traffic, by source prefix (tc) */
};

enum sf_verdict {
	SF_VERDICT_ALLOWED = 0,
	SF_VERDICT_LOGGED = 1, /* allowed, with an event */
	SF_VERDICT_DENIED = 2,
	SF_VERDICT_LIMITED = 3,
	SF_VERDICT_REDIRECTED = 4, /* let through, to the relay instead */
};

/* Where a rule in the kernel came from (shown by `rules`). */
enum sf_origin {
	SF_ORIGIN_CONFIG = 0,
	SF_ORIGIN_RUNTIME = 1,
};

struct sf_rule_key {
	__u64 id;   /* cgroup id, uid or gid; 0 for the default rule */
	__u32 kind; /* enum sf_rule_kind */
	__u32 pad;
};

/* Generations. A policy change is prepared in the slot the judge does not
 * read, then made visible at once by one aligned store to sf_gen.gen (the
 * commit point); each attempt reads the generation once and judges by slot
 * gen & 1 of every map, so it meets the old policy or the new one, whole.
 * Before a slot is written again, the controller waits for every program
 * that may still read it to finish (an RCU grace period). */
#define SF_SLOTS	  2
#define SF_SLOT(gen)	  ((__u32)((gen)&1))
#define SF_SLOT_BIT(slot) (1U << (slot))

/* sf_gen.state: the change journal, in the same page as the generation
 * (the map is mmapped by the controller; programs read gen only). */
enum sf_gen_state {
	SF_GEN_IDLE = 0,
	SF_GEN_PREPARING = 1, /* slot of target being written: not visible */
	SF_GEN_PREPARED = 2,  /* slot of target complete: may be flipped */
};

struct sf_gen {
	__u64 gen;	 /* the visible generation; written atomically */
	__u64 target;	 /* the generation being prepared (gen + 1) */
	__u32 state;	 /* enum sf_gen_state */
	__u32 pid;	 /* who prepares it */
	__u64 since_ns;	 /* CLOCK_REALTIME, when it started */
	__u64 changes;	 /* flips so far */
	__u64 recovered; /* interrupted changes found and resolved */
	__u64 quiet;	 /* a grace period passed since this generation was made
			  * visible: the other slot is read by nobody */
};

/* One generation's rule: what an attempt judged at that generation meets.
 * action SF_ACT_NONE: no rule of this key in that generation. */
struct sf_rule_at {
	__u32 action; /* enum sf_action */
	__u32 origin; /* enum sf_origin */
	/* Token bucket, in units where one connect costs period_ns: refilled
	 * at rate_count units per nanosecond up to burst * period_ns. */
	__u64 rate_count;
	__u64 period_ns;
	__u64 burst;
	__u64 fill_ns; /* time from empty to full, precomputed in userspace */
};

/* A rules map entry: the rule in both slots, and one token bucket. The
 * controller writes an entry in place (BPF_F_LOCK), so the slot being read
 * keeps its bytes through any write. */
struct sf_rule {
	struct bpf_spin_lock lock; /* guards the token bucket */
	__u32 pad;
	struct sf_rule_at at[SF_SLOTS]; /* by SF_SLOT(generation) */
	__u64 tokens;
	__u64 last_ns;
};

/* attempts = allowed + denied + limited + redirected, always: a
 * redirected attempt is its own outcome, not counted as allowed (it did
 * not reach what it asked for). bypass is a separate
 * tally, not a fourth outcome: of those attempts, how many came from a
 * socket the connect hook never judged (a raw socket, say) and were
 * judged by the cgroup_skb backstop instead. A bypass attempt is counted
 * in attempts and in its verdict (denied, usually) like any other. */
struct sf_counters {
	__u64 attempts;
	__u64 allowed;
	__u64 denied;
	__u64 limited;
	__u64 bypass;
	__u64 redirected; /* sent to the relay instead (SF_ACT_REDIRECT) */
};

/* Bit in sf_settings.flags: a kind has at least one rule (skip lookups). */
#define SF_HAVE_UID_RULES (1U << 0)
#define SF_HAVE_GID_RULES (1U << 1)
#define SF_HAVE_EXEMPT4	  (1U << 2) /* some IPv4 destination is exempt */
#define SF_HAVE_EXEMPT6	  (1U << 3)

/* sf_settings holds one per slot (key SF_SLOT(gen)); sf_ports' value is
 * a __u32 of SF_SLOT_BIT()s: the port is watched in that slot. */
struct sf_settings {
	__u32 deny_errno; /* errno a denied caller sees (EPERM default) */
	__u32 flags;
	__u32 cgroup_levels; /* bit L set: some cgroup rule sits at level L */
	__u32 pad;
	/* Where a redirected connect goes (`relay`), network byte order: an
	 * IPv4 connect (also ::ffff:a.b.c.d) to relay4, IPv6 to relay6. */
	__u8 relay6[16];
	__be32 relay4;
	__be16 relay4_port;
	__be16 relay6_port;
};

/* Host-wide totals, per CPU. */
struct sf_totals {
	struct sf_counters c;
	__u64 events;
	__u64 events_lost; /* ring buffer full */
	__u64 flows_lost;  /* flow table update failed */
	__u64 forwarded;   /* of c.attempts: forwarded SYNs judged by tc */
	__u64 malformed;   /* packets that cannot be judged (fragments, chains): dropped */
};

struct sf_lpm4 {
	__u32 prefixlen;
	__u8 addr[4];
};

struct sf_lpm6 {
	__u32 prefixlen;
	__u8 addr[16];
};

/* Value of the source tries: the id of the SF_KIND_SOURCE rule in
 * sf_rules. The id is made from the prefix (see sf_source_rule_id), so a
 * rule keeps its id, bucket and counters across reloads. */
struct sf_source {
	__u64 rule_id;
};

/* A source trie's value: the rule id the longest source prefix of each
 * generation gives this entry's prefix (0: none). The exempt tries' value
 * is a __u32 of SF_SLOT_BIT()s: the prefix is exempt in that slot. */
struct sf_source_at {
	__u64 rule_id[SF_SLOTS];
};

/* Socket local storage: the cgroup_skb backstop judged this TCP socket's
 * SYN to this destination itself; its retransmits get the same verdict. */
struct sf_judged {
	__u16 family;
	__be16 dport;
	__u32 verdict; /* enum sf_verdict */
	__u8 daddr[16];
};

/* The connect hook's verdict on a socket it let through, in the slot of
 * the socket's cookie (sf_verdicts, SF_VERDICT_SLOTS of them): the
 * cgroup_skb backstop passes the SYN of a socket whose slot names it and
 * the destination of the SYN. A slot taken over by a later socket only
 * makes the backstop judge the first socket's next SYN itself. */
struct sf_verdict_slot {
	__u64 cookie; /* 0: empty */
	__u16 family;
	__be16 dport;
	__u32 verdict; /* enum sf_verdict */
	__u8 daddr[16];
};

/* Flows of forwarded traffic have no local cgroup or user. */
#define SF_UID_NONE 0xffffffffU

/* An IPv4 destination (also one reached through ::ffff:a.b.c.d) is stored
 * with family AF_INET in the first four bytes of daddr, the rest zero. */
struct sf_flow_key {
	__u64 cgroup_id;
	__u32 uid;
	__u16 family;
	__be16 dport;
	__u8 daddr[16];
};

#define SF_COMM_LEN 16

struct sf_flow {
	struct sf_counters c;
	__u64 first_ns; /* CLOCK_BOOTTIME */
	__u64 last_ns;
	/* The process of the latest attempt made through connect (0 and ""
	 * for forwarded traffic): top names it even for allowed tenants. */
	__u32 last_pid;
	__u32 pad;
	char last_comm[SF_COMM_LEN];
};

/* sf_event.flags */
#define SF_EVENT_BYPASS	   (1U << 0) /* socket never judged at connect */
#define SF_EVENT_FORWARDED (1U << 1) /* forwarded, judged by source; no process */

struct sf_event {
	__u64 ts_ns; /* CLOCK_BOOTTIME */
	__u64 cgroup_id;
	__u64 rule_id;
	__u32 pid;
	__u32 tid;
	__u32 uid;
	__u32 gid;
	__u32 rule_kind; /* enum sf_rule_kind */
	__u32 verdict;	 /* enum sf_verdict */
	__u16 family;
	__be16 dport;
	__u32 flags; /* SF_EVENT_* */
	__u8 daddr[16];
	char comm[SF_COMM_LEN];
	__u8 saddr[16]; /* SF_EVENT_FORWARDED: the source, as daddr is stored */
};

/* Mail-flow bridge, part 1 (redirect): what a redirected socket asked
 * for. sf_redirects is socket local storage (BPF_MAP_TYPE_SK_STORAGE):
 * the connect hook stores it on every socket it redirects, the kernel
 * frees it with the socket; the getpeername hooks answer with it, and
 * sockops finds it on the socket (bpf_sk_storage_get on skops->sk), the
 * socket cookie naming the connection. Stored as sf_flow_key stores a
 * destination (IPv4 in the first four bytes, family AF_INET). */
struct sf_redirect {
	__u16 family;
	__be16 dport;
	__u32 pad;
	__u8 daddr[16];
};

/* Mail-flow bridge, part 2 (who): a TCP connection made on this host to
 * the relay or to one of the node's MTA addresses, keyed as the MTA sees
 * its client: the client's address and port in the connection's network
 * namespace. Written by the cgroup_skb backstop at the connection's first
 * SYN (in the connecting task: its port is chosen, its process still
 * known) into the slot sf_peer_index() gives its key; kept after the
 * close until another connection takes the slot. A reader takes it only
 * while the socket it names (socket_cookie, to server) is the one
 * connected from that address and port. */
struct sf_peer_key {
	__u64 netns_cookie;
	__u16 family;
	__be16 sport; /* the client's port, as the MTA logs it */
	__u32 pad;
	__u8 saddr[16];
};

struct sf_peer {
	__u64 cgroup_id;
	__u64 socket_cookie; /* 0: being written; tells a reused port from the old connection */
	/* when connected: CLOCK_MONOTONIC (coarse) in the map, CLOCK_BOOTTIME
	 * once sf_peer_find read it */
	__u64 ts_ns;
	__u32 uid;
	__u32 gid;
	__u32 pid;
	__u32 redirected; /* 1: orig holds the destination it asked for */
	struct sf_redirect orig;
	struct sf_redirect server; /* where the SYN went: the MTA's side */
	char comm[SF_COMM_LEN];
};

struct sf_peer_slot {
	struct sf_peer_key key;
	struct sf_peer peer;
};

/* The slot of a client in sf_peers (an array: a write costs no
 * allocation and no lock, where a hash with eviction cost a watched
 * connect about 0.7 us). A slot per port of one client address and
 * network namespace: two live connections from the same address never
 * share one; other addresses share slots at an offset of their own. */
static inline __u32 sf_peer_index(const struct sf_peer_key *k)
{
	__u64 a[2], h;

	__builtin_memcpy(a, k->saddr, sizeof(a));
	h = (k->netns_cookie ^ a[0] ^ (a[1] * 0x9e3779b97f4a7c15ULL) ^ k->family) *
	    0x9e3779b97f4a7c15ULL;
	/* The port's bytes swapped (host order on x86): the kernel picks
	 * nearby ports for successive connects, which land on nearby slots. */
	return ((__u32)(h >> 40) + (__u32)((k->sport >> 8) | (k->sport << 8))) &
	       (SF_PEER_SLOTS - 1);
}

#endif /* SMTPFENCE_H */
