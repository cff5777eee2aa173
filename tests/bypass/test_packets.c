// SPDX-License-Identifier: GPL-2.0-only
/* The cgroup_skb and tc programs over tables of packets -> expected
 * verdict, with bpf_prog_test_run: IPv4 and IPv6, SYN versus SYN-ACK versus
 * data, watched and unwatched ports, IPv4 options, IPv6 extension headers,
 * truncated packets, fragments; and what each verdict counted. */
#include "harness.h"
#include "suite.h"
#include "packet_build.h"
#include "util/cgroupfs.h"
#include "smtpfence.h"
#include "egress.skel.h"
#include "tc.skel.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PASS 1 /* cgroup_skb */
#define DROP 0
#define NEXT (-1) /* tc: TC_ACT_UNSPEC, on to the next program */
#define SHOT 2

static struct egress_bpf *egress;
static struct tc_bpf *tc;

/* Unpinned maps: each object gets its own, filled by the test. */
static void unpin_maps(struct bpf_object *obj)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj)
	{
		bpf_map__set_pin_path(map, NULL);
		if (bpf_map__type(map) == BPF_MAP_TYPE_HASH ||
		    bpf_map__type(map) == BPF_MAP_TYPE_LRU_HASH)
			bpf_map__set_max_entries(map, 1024);
	}
}

static void put_rule(struct bpf_map *rules, __u32 kind, __u64 id, __u32 action)
{
	struct sf_rule_key k = {.id = id, .kind = kind};
	struct sf_rule r = {.at = {{.action = action}, {.action = action}}};

	ck_assert_int_eq(bpf_map__update_elem(rules, &k, sizeof(k), &r, sizeof(r), BPF_ANY), 0);
}

static void put_u32(struct bpf_map *m, __u32 key, __u32 val)
{
	ck_assert_int_eq(bpf_map__update_elem(m, &key, sizeof(key), &val, sizeof(val), BPF_ANY), 0);
}

static void put_settings(struct bpf_map *m, __u32 flags, __u32 levels)
{
	struct sf_settings s = {.deny_errno = 1, .flags = flags, .cgroup_levels = levels};
	__u32 zero = 0;

	ck_assert_int_eq(bpf_map__update_elem(m, &zero, sizeof(zero), &s, sizeof(s), BPF_ANY), 0);
}

static void put_source4(struct bpf_map *m, const char *addr, __u32 plen, __u64 id)
{
	struct sf_lpm4 k = {.prefixlen = plen};
	struct sf_source_at v = {.rule_id = {id, id}};

	inet_pton(AF_INET, addr, k.addr);
	ck_assert_int_eq(bpf_map__update_elem(m, &k, sizeof(k), &v, sizeof(v), BPF_ANY), 0);
}

static void put_source6(struct bpf_map *m, const char *addr, __u32 plen, __u64 id)
{
	struct sf_lpm6 k = {.prefixlen = plen};
	struct sf_source_at v = {.rule_id = {id, id}};

	inet_pton(AF_INET6, addr, k.addr);
	ck_assert_int_eq(bpf_map__update_elem(m, &k, sizeof(k), &v, sizeof(v), BPF_ANY), 0);
}

static void put_exempt4(struct bpf_map *m, const char *addr)
{
	struct sf_lpm4 k = {.prefixlen = 32};
	__u32 one = 1;

	inet_pton(AF_INET, addr, k.addr);
	ck_assert_int_eq(bpf_map__update_elem(m, &k, sizeof(k), &one, sizeof(one), BPF_ANY), 0);
}

static struct sf_totals totals(struct bpf_map *m)
{
	int ncpu = libbpf_num_possible_cpus();
	struct sf_totals *per = calloc((size_t)ncpu, sizeof(*per)), sum = {};
	__u32 zero = 0;

	ck_assert_ptr_nonnull(per);
	ck_assert_int_eq(bpf_map__lookup_elem(m, &zero, sizeof(zero), per, sizeof(*per) * ncpu, 0),
			 0);
	for (int i = 0; i < ncpu; i++) {
		sum.c.attempts += per[i].c.attempts;
		sum.c.allowed += per[i].c.allowed;
		sum.c.denied += per[i].c.denied;
		sum.c.limited += per[i].c.limited;
		sum.c.bypass += per[i].c.bypass;
		sum.forwarded += per[i].forwarded;
		sum.malformed += per[i].malformed;
		sum.events += per[i].events;
	}
	free(per);
	return sum;
}

static int run(struct bpf_program *prog, const struct sft_pkt *p, __u32 ingress_ifindex)
{
	uint8_t buf[1024];
	size_t len = sft_pkt_build(p, buf, sizeof(buf));
	struct __sk_buff ctx = {.ingress_ifindex = ingress_ifindex};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = buf, .data_size_in = (__u32)len,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = 1);

	ck_assert_int_gt(len, SFT_ETH_HLEN - 1);
	ck_assert_int_eq(bpf_prog_test_run_opts(bpf_program__fd(prog), &opts), 0);
	return (int)opts.retval;
}

#define V4(...)                                                                                    \
	{                                                                                          \
		.family = 4, __VA_ARGS__                                                           \
	}
#define V6(...)                                                                                    \
	{                                                                                          \
		.family = 6, __VA_ARGS__                                                           \
	}
#define SYN    .flags = SFT_TCP_SYN
#define SYNACK .flags = SFT_TCP_SYN | SFT_TCP_ACK
#define DATA   .flags = SFT_TCP_ACK | SFT_TCP_PSH, .payload = "MAIL FROM:<a@b>\r\n"

struct row {
	const char *name;
	struct sft_pkt p;
	int egress; /* PASS or DROP: a local socket never judged at connect */
	int tc;	    /* NEXT or SHOT: forwarded from the source in p */
	/* 1: counted as an attempt; 2: counted as malformed; "n LOCAL(m)":
	 * n by tc, m by the egress program. */
	int judged;
};

/* Sent from this host, a fragment of TCP was made by hand on a raw socket
 * (the kernel fragments its sockets' packets after the cgroup hook). */
#define LOCAL(n)	 | ((n) + 1) << 4
#define TC_JUDGED(r)	 ((r)->judged & 0xf)
#define EGRESS_JUDGED(r) ((r)->judged >> 4 ? ((r)->judged >> 4) - 1 : TC_JUDGED(r))
#define FRAG6(...)	 .fragment = true, __VA_ARGS__

/* Policy: ports 25 and 587 watched, default deny, exempt 198.51.100.25;
 * tc: source 203.0.113.8/29 and 2001:db8:1::/64 allowed. Sources .10 and
 * 2001:db8:1::10 are allowed, .20 and 2001:db8:2::20 are not. */
#define A4 .src = "203.0.113.10", .dst = "192.0.2.1"
#define D4 .src = "203.0.113.20", .dst = "192.0.2.1"
#define A6 .src = "2001:db8:1::10", .dst = "2001:db8::1"
#define D6 .src = "2001:db8:2::20", .dst = "2001:db8::1"

static const struct row rows[] = {
	{"v4 SYN to 25", V4(D4, .dport = 25, SYN), DROP, SHOT, 1},
	{"v4 SYN to 587", V4(D4, .dport = 587, SYN), DROP, SHOT, 1},
	{"v4 SYN to 25 from an allowed source", V4(A4, .dport = 25, SYN), DROP, NEXT, 1},
	{"v4 SYN to 80", V4(D4, .dport = 80, SYN), PASS, NEXT, 0},
	{"v4 SYN-ACK to 25", V4(D4, .dport = 25, SYNACK), PASS, NEXT, 0},
	{"v4 SYN-ACK from 25", V4(D4, .sport = 25, .dport = 40000, SYNACK), PASS, NEXT, 0},
	{"v4 data to 25", V4(D4, .dport = 25, DATA), PASS, NEXT, 0},
	{"v4 RST to 25", V4(D4, .dport = 25, .flags = 0x04), PASS, NEXT, 0},
	{"v4 SYN+FIN to 25", V4(D4, .dport = 25, .flags = 0x03), DROP, SHOT, 1},
	{"v4 SYN with data to 25 (Fast Open)", V4(D4, .dport = 25, SYN, .payload = "EHLO x\r\n"),
	 DROP, SHOT, 1},
	{"v4 UDP to 25", V4(D4, .proto = 17, .dport = 25), PASS, NEXT, 0},
	{"v4 SYN to exempt 198.51.100.25",
	 V4(.src = "203.0.113.20", .dst = "198.51.100.25", .dport = 25, SYN), PASS, NEXT, 1},
	{"v4 options, SYN to 25", V4(D4, .ip_opts = 20, .dport = 25, SYN), DROP, SHOT, 1},
	{"v4 options, SYN to 80", V4(D4, .ip_opts = 20, .dport = 80, SYN), PASS, NEXT, 0},
	{"v4 options, data to 25", V4(D4, .ip_opts = 8, .dport = 25, DATA), PASS, NEXT, 0},
	{"v4 cut after the IP header", V4(D4, .dport = 25, SYN, .cut = 20), PASS, NEXT, 0},
	{"v4 options cut short", V4(D4, .ip_opts = 20, .dport = 25, SYN, .cut = 36), PASS, NEXT, 0},
	{"v4 cut before the TCP flags", V4(D4, .dport = 25, SYN, .cut = 10), DROP, SHOT, 1},
	{"v4 TCP header of 8 bytes, to 25", V4(D4, .dport = 25, .l4_len = 8), DROP, SHOT, 1},
	{"v4 TCP header of 2 bytes", V4(D4, .dport = 25, .l4_len = 2), PASS, NEXT, 0},
	{"v4 first fragment, SYN to 25",
	 V4(D4, .dport = 25, SYN, .fragment = true, .frag = 0, .more = true), DROP, SHOT,
	 1 LOCAL(2)},
	{"v4 first fragment of 8 bytes, to 25 (RFC 7112)",
	 V4(D4, .dport = 25, .fragment = true, .frag = 0, .more = true, .l4_len = 8), DROP, SHOT,
	 2},
	{"v4 first fragment, data to 25",
	 V4(D4, .dport = 25, DATA, .fragment = true, .frag = 0, .more = true), DROP, NEXT,
	 0 LOCAL(2)},
	{"v4 fragment at 8 bytes (RFC 1858)",
	 V4(D4, .dport = 25, SYN, .fragment = true, .frag = 1, .more = true), DROP, SHOT, 2},
	{"v4 fragment at 16 bytes", V4(D4, .dport = 25, SYN, .fragment = true, .frag = 2), DROP,
	 NEXT, 0 LOCAL(2)},
	{"v4 UDP fragment at 8 bytes",
	 V4(D4, .proto = 17, .dport = 25, .fragment = true, .frag = 1), PASS, NEXT, 0},
	{"v6 SYN to 25", V6(D6, .dport = 25, SYN), DROP, SHOT, 1},
	{"v6 SYN to 25 from an allowed source", V6(A6, .dport = 25, SYN), DROP, NEXT, 1},
	{"v6 SYN to 443", V6(D6, .dport = 443, SYN), PASS, NEXT, 0},
	{"v6 SYN-ACK to 25", V6(D6, .dport = 25, SYNACK), PASS, NEXT, 0},
	{"v6 data to 25", V6(D6, .dport = 25, DATA), PASS, NEXT, 0},
	{"v6 UDP to 25", V6(D6, .proto = 17, .dport = 25), PASS, NEXT, 0},
	{"v6 hop-by-hop, SYN to 25", V6(D6, .ext = {0}, .n_ext = 1, .dport = 25, SYN), DROP, SHOT,
	 1},
	{"v6 hop-by-hop, dest opts, routing, AH, SYN to 25",
	 V6(D6, .ext = {0, 60, 43, 51}, .n_ext = 4, .dport = 25, SYN), DROP, SHOT, 1},
	{"v6 dest opts, SYN to 80", V6(D6, .ext = {60}, .n_ext = 1, .dport = 80, SYN), PASS, NEXT,
	 0},
	{"v6 dest opts, SYN-ACK to 25", V6(D6, .ext = {60}, .n_ext = 1, .dport = 25, SYNACK), PASS,
	 NEXT, 0},
	{"v6 dest opts, UDP to 25", V6(D6, .ext = {60}, .n_ext = 1, .proto = 17, .dport = 25), PASS,
	 NEXT, 0},
	{"v6 seven headers, SYN to 25",
	 V6(D6, .ext = {0, 60, 60, 60, 60, 60, 60}, .n_ext = 7, .dport = 25, SYN), DROP, SHOT, 1},
	{"v6 nine headers hiding TCP",
	 V6(D6, .ext = {0, 60, 60, 60, 60, 60, 60, 60, 60}, .n_ext = 9, .dport = 25, SYN), DROP,
	 SHOT, 2},
	{"v6 first fragment, SYN to 25",
	 V6(D6, .dport = 25, SYN, .fragment = true, .frag = 0, .more = true), DROP, SHOT,
	 1 LOCAL(2)},
	{"v6 dest opts and first fragment, SYN to 25",
	 V6(D6, .ext = {60}, .n_ext = 1, .dport = 25, SYN, .fragment = true, .frag = 0,
	    .more = true),
	 DROP, SHOT, 1 LOCAL(2)},
	{"v6 first fragment, data to 25",
	 V6(D6, .dport = 25, DATA, .fragment = true, .frag = 0, .more = true), DROP, NEXT,
	 0 LOCAL(2)},
	{"v6 fragment at 8 bytes",
	 V6(D6, .dport = 25, SYN, .fragment = true, .frag = 1, .more = true), DROP, SHOT, 2},
	{"v6 fragment at 16 bytes", V6(D6, .dport = 25, SYN, .fragment = true, .frag = 2), DROP,
	 SHOT, 2},
	/* Issue 12 item 6: the SYN behind a first fragment of headers only. */
	{"v6 first fragment holding only dest opts (RFC 7112)",
	 V6(D6, .dport = 25,
	    FRAG6(.frag = 0, .more = true, .frag_ext = {60}, .n_frag_ext = 1, .no_l4 = true)),
	 DROP, SHOT, 2},
	{"v6 fragment at 8 bytes after dest opts, SYN to 25",
	 V6(D6, .dport = 25, SYN, FRAG6(.frag = 1, .frag_next = 60)), DROP, SHOT, 2},
	{"v6 fragment at 16 bytes after dest opts, SYN to 25",
	 V6(D6, .dport = 25, SYN, FRAG6(.frag = 2, .frag_next = 60)), DROP, SHOT, 2},
	{"v6 first fragment, dest opts and an ACK to 25",
	 V6(D6, .dport = 25, DATA,
	    FRAG6(.frag = 0, .more = true, .frag_ext = {60}, .n_frag_ext = 1)),
	 DROP, NEXT, 0 LOCAL(2)},
	{"v6 fragment at 8 bytes overlapping that ACK with a SYN",
	 V6(D6, .dport = 25, .l4_len = 8, .flags = SFT_TCP_SYN, FRAG6(.frag = 1, .frag_next = 60)),
	 DROP, SHOT, 2},
	{"v6 first fragment cut inside dest opts",
	 V6(D6, .dport = 25,
	    FRAG6(.frag = 0, .more = true, .frag_ext = {60}, .n_frag_ext = 1, .no_l4 = true),
	    .cut = 4),
	 DROP, SHOT, 2},
	{"v6 first fragment of 8 TCP bytes, to 25 (RFC 7112)",
	 V6(D6, .dport = 25, FRAG6(.frag = 0, .more = true), .l4_len = 8), DROP, SHOT, 2},
	{"v6 first fragment, UDP to 25", V6(D6, .proto = 17, .dport = 25, FRAG6(.more = true)),
	 PASS, NEXT, 0},
	{"v6 UDP fragment at 16 bytes", V6(D6, .proto = 17, .dport = 25, FRAG6(.frag = 2)), DROP,
	 NEXT, 0 LOCAL(2)},
	{"v6 cut before the TCP flags", V6(D6, .dport = 25, SYN, .cut = 10), DROP, SHOT, 1},
	{"v6 cut after the IPv6 header", V6(D6, .dport = 25, SYN, .cut = 20), PASS, NEXT, 0},
	{"v6 cut inside an extension header",
	 V6(D6, .ext = {0, 60}, .n_ext = 2, .dport = 25, SYN, .cut = 30), PASS, NEXT, 0},
};

#define N_ROWS ((int)(sizeof(rows) / sizeof(rows[0])))

static void fill_common(struct bpf_map *ports, struct bpf_map *rules, struct bpf_map *exempt4)
{
	put_u32(ports, 25, 1);
	put_u32(ports, 587, 1);
	put_rule(rules, SF_KIND_DEFAULT, 0, SF_ACT_DENY);
	put_exempt4(exempt4, "198.51.100.25");
}

static void setup(void)
{
	int err;

	egress = egress_bpf__open();
	tc = tc_bpf__open();
	ck_assert_ptr_nonnull(egress);
	ck_assert_ptr_nonnull(tc);
	unpin_maps(egress->obj);
	unpin_maps(tc->obj);
	err = egress_bpf__load(egress);
	ck_assert_msg(!err, "load egress: %s", strerror(-err));
	err = tc_bpf__load(tc);
	ck_assert_msg(!err, "load tc: %s", strerror(-err));
	fill_common(egress->maps.sf_ports, egress->maps.sf_rules, egress->maps.sf_exempt4);
	put_settings(egress->maps.sf_settings, SF_HAVE_EXEMPT4, 0); /* as compiled */
	fill_common(tc->maps.sf_ports, tc->maps.sf_rules, tc->maps.sf_exempt4);
	put_settings(tc->maps.sf_settings, SF_HAVE_EXEMPT4, 0);
	put_source4(tc->maps.sf_source4, "203.0.113.8", 29, 0x4000000108ULL);
	put_rule(tc->maps.sf_rules, SF_KIND_SOURCE, 0x4000000108ULL, SF_ACT_ALLOW);
	put_source6(tc->maps.sf_source6, "2001:db8:1::", 64, 0x6000000001ULL);
	put_rule(tc->maps.sf_rules, SF_KIND_SOURCE, 0x6000000001ULL, SF_ACT_ALLOW);
}

static void teardown(void)
{
	egress_bpf__destroy(egress);
	tc_bpf__destroy(tc);
}

/* One row through the egress program: verdict and exactly what it counted. */
START_TEST(egress_table)
{
	const struct row *r = &rows[_i];
	struct sf_totals before = totals(egress->maps.sf_totals), after;
	int got = run(egress->progs.sf_egress, &r->p, 0);
	int judged = EGRESS_JUDGED(r);

	ck_assert_msg(got == r->egress, "%s: egress returned %d, want %d", r->name, got, r->egress);
	after = totals(egress->maps.sf_totals);
	ck_assert_msg(after.c.attempts - before.c.attempts == (judged == 1),
		      "%s: counted %llu attempts", r->name,
		      (unsigned long long)(after.c.attempts - before.c.attempts));
	/* Every attempt judged here came from a socket never judged at connect. */
	ck_assert_uint_eq(after.c.bypass - before.c.bypass, judged == 1);
	ck_assert_msg(after.malformed - before.malformed == (judged == 2), "%s: %llu malformed",
		      r->name, (unsigned long long)(after.malformed - before.malformed));
	ck_assert_uint_eq(after.forwarded, 0);
	ck_assert_uint_eq(after.c.attempts, after.c.allowed + after.c.denied + after.c.limited);
}
END_TEST

/* The same row through the tc program, as forwarded (ingress ifindex 1). */
START_TEST(tc_table)
{
	const struct row *r = &rows[_i];
	struct sf_totals before = totals(tc->maps.sf_totals), after;
	int got = run(tc->progs.sf_tc_egress, &r->p, 1);

	ck_assert_msg(got == r->tc, "%s: tc returned %d, want %d", r->name, got, r->tc);
	after = totals(tc->maps.sf_totals);
	ck_assert_uint_eq(after.c.attempts - before.c.attempts, TC_JUDGED(r) == 1);
	ck_assert_uint_eq(after.forwarded - before.forwarded, TC_JUDGED(r) == 1);
	ck_assert_msg(after.malformed - before.malformed == (TC_JUDGED(r) == 2),
		      "%s: %llu malformed", r->name,
		      (unsigned long long)(after.malformed - before.malformed));
	ck_assert_uint_eq(after.c.bypass, 0);
	ck_assert_uint_eq(after.c.attempts, after.c.allowed + after.c.denied + after.c.limited);
}
END_TEST

/* Generated on this host (no ingress interface): left to the cgroup
 * programs, whatever it is. */
START_TEST(tc_leaves_local_traffic)
{
	for (int i = 0; i < N_ROWS; i++)
		ck_assert_msg(run(tc->progs.sf_tc_egress, &rows[i].p, 0) == NEXT, "%s",
			      rows[i].name);
	ck_assert_uint_eq(totals(tc->maps.sf_totals).c.attempts, 0);
}
END_TEST

static int keep_event(void *ctx, void *data, size_t size)
{
	if (size >= sizeof(struct sf_event))
		memcpy(ctx, data, sizeof(struct sf_event));
	return 0;
}

/* A denied forwarded SYN is reported with its source; an allowed one is not. */
START_TEST(tc_event_names_the_source)
{
	struct ring_buffer *rb;
	struct sf_event got = {};
	const struct sft_pkt deny = V4(D4, .dport = 25, SYN), allow = V4(A4, .dport = 25, SYN);
	int n;

	rb = ring_buffer__new(bpf_map__fd(tc->maps.sf_events), keep_event, &got, NULL);
	ck_assert_ptr_nonnull(rb);
	ck_assert_int_eq(run(tc->progs.sf_tc_egress, &allow, 1), NEXT);
	ck_assert_int_eq(ring_buffer__consume(rb), 0);
	ck_assert_int_eq(run(tc->progs.sf_tc_egress, &deny, 1), SHOT);
	n = ring_buffer__consume(rb);
	ring_buffer__free(rb);
	ck_assert_int_eq(n, 1);
	ck_assert_uint_eq(got.flags, SF_EVENT_FORWARDED);
	ck_assert_uint_eq(got.verdict, SF_VERDICT_DENIED);
	ck_assert_uint_eq(got.rule_kind, SF_KIND_DEFAULT);
	ck_assert_uint_eq(got.pid, 0);
	ck_assert_mem_eq(got.saddr, ((const uint8_t[]){203, 0, 113, 20}), 4);
	ck_assert_mem_eq(got.daddr, ((const uint8_t[]){192, 0, 2, 1}), 4);
}
END_TEST

/* The backstop judges with the socket's identity: here bpf_prog_test_run's
 * socket, owned by uid 0 in this test's cgroup. A uid rule decides, and a
 * rule on the cgroup (nearest ancestor) decides before it. */
START_TEST(egress_judges_by_socket_identity)
{
	static struct sft_env e;
	char cg[PATH_MAX], procs[PATH_MAX + 16];
	const struct sft_pkt syn = V4(D4, .dport = 25, SYN);
	__u64 id;
	int fd;

	sft_env_setup(&e, "identity", NULL);
	ck_assert_int_eq(sft_cgroup_make(&e, "tenant", cg, sizeof(cg)), 0);
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg);
	fd = open(procs, O_WRONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "0\n", 2), 2); /* this forked test process only */
	close(fd);
	ck_assert_int_eq(sf_cgroup_id_of(cg, &id), 0);
	unsigned int level = sf_cgroup_level(cg + strlen(sft_cgroup_mount()));

	ck_assert_int_eq(run(egress->progs.sf_egress, &syn, 0), DROP);
	put_rule(egress->maps.sf_rules, SF_KIND_UID, 0, SF_ACT_ALLOW);
	put_settings(egress->maps.sf_settings, SF_HAVE_UID_RULES | SF_HAVE_EXEMPT4, 0);
	ck_assert_int_eq(run(egress->progs.sf_egress, &syn, 0), PASS);
	put_rule(egress->maps.sf_rules, SF_KIND_CGROUP, id, SF_ACT_DENY);
	put_settings(egress->maps.sf_settings, SF_HAVE_UID_RULES | SF_HAVE_EXEMPT4, 1U << level);
	ck_assert_int_eq(run(egress->progs.sf_egress, &syn, 0), DROP);
	put_rule(egress->maps.sf_rules, SF_KIND_CGROUP, id, SF_ACT_LOG);
	ck_assert_int_eq(run(egress->progs.sf_egress, &syn, 0), PASS);
	struct sf_totals t = totals(egress->maps.sf_totals);

	ck_assert_uint_eq(t.c.attempts, 4);
	ck_assert_uint_eq(t.c.bypass, 4);
	ck_assert_uint_eq(t.c.denied, 2);
	ck_assert_uint_eq(t.c.allowed, 2);
	ck_assert_uint_eq(t.events, 4); /* every bypass attempt is reported */
}
END_TEST

int main(void)
{
	TCase *tcase = tcase_create("tables");

	sft_sandbox_enter();
	tcase_add_checked_fixture(tcase, setup, teardown);
	tcase_add_loop_test(tcase, egress_table, 0, N_ROWS);
	tcase_add_loop_test(tcase, tc_table, 0, N_ROWS);
	tcase_add_test(tcase, tc_leaves_local_traffic);
	tcase_add_test(tcase, tc_event_names_the_source);
	tcase_add_test(tcase, egress_judges_by_socket_identity);
	return sft_run_tcase("packets", tcase);
}
