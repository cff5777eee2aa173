// SPDX-License-Identifier: GPL-2.0-only
/* tc egress end to end: a namespace "vm" routed through this test's
 * namespace (the router, where the program is attached to the way out)
 * to a namespace "internet" with a listener on port 25. Denied sources
 * never connect, allowed ones do; whatever else sits on the interface (a
 * tcx program, a clsact qdisc with a filter) keeps working, and stays. */
#include "harness.h"
#include "suite.h"
#include "status.h"
#include "netns.h"
#include "smtpfence.h"
#include "tests/bypass/foreign.skel.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <check.h>
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TCX_EGRESS 47 /* BPF_TCX_EGRESS: Debian 12's uapi headers predate it */
#define OUT_DEV	   "sft-out"

/* 203.0.113.8/29 and 2001:db8:1::8/125 are the allowed VMs' ranges. */
static const char conf[] = "[global]\nports = 25 587\ndefault = deny\ninterfaces = " OUT_DEV
			   "\n[rules]\nallow = source:203.0.113.8/29\n"
			   "allow = source:2001:db8:1::8/125\n";

static struct sft_env env;
static bool env_up;
static struct sft_ns vm, inet;

static void sh(const char *cmd)
{
	ck_assert_msg(system(cmd) == 0, "failed: %s", cmd);
}

/* vm (203.0.113.10 allowed, .20 not) -- sft-vm | router | sft-out -- internet (.130) */
static void topology(void)
{
	char cmd[1024];

	ck_assert_int_eq(sft_ns_new(&vm), 0);
	ck_assert_int_eq(sft_ns_new(&inet), 0);
	snprintf(
		cmd, sizeof(cmd),
		"ip link add sft-vm type veth peer name eth0 netns %d && "
		"ip link add " OUT_DEV " type veth peer name eth0 netns %d && "
		"ip addr add 203.0.113.1/25 dev sft-vm && ip addr add 203.0.113.129/25 dev " OUT_DEV
		" && ip -6 addr add 2001:db8:1::1/64 dev sft-vm nodad && "
		"ip -6 addr add 2001:db8:2::1/64 dev " OUT_DEV " nodad && "
		"ip link set sft-vm up && ip link set " OUT_DEV " up && "
		"sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1",
		(int)vm.holder, (int)inet.holder);
	sh(cmd);
	ck_assert_int_eq(sft_ns_sh(&vm, "ip link set lo up && ip link set eth0 up && "
					"ip addr add 203.0.113.10/25 dev eth0 && "
					"ip addr add 203.0.113.20/25 dev eth0 && "
					"ip -6 addr add 2001:db8:1::a/64 dev eth0 nodad && "
					"ip -6 addr add 2001:db8:1::14/64 dev eth0 nodad && "
					"ip route add default via 203.0.113.1 && "
					"ip -6 route add default via 2001:db8:1::1"),
			 0);
	ck_assert_int_eq(sft_ns_sh(&inet, "ip link set lo up && ip link set eth0 up && "
					  "ip addr add 203.0.113.130/25 dev eth0 && "
					  "ip -6 addr add 2001:db8:2::25/64 dev eth0 nodad && "
					  "ip route add default via 203.0.113.129 && "
					  "ip -6 route add default via 2001:db8:2::1"),
			 0);
}

static void teardown(void)
{
	if (env_up)
		sft_env_teardown(&env);
	env_up = false;
	/* The namespaces go with their holders, and the veth pairs with them,
	 * but asynchronously: the next test needs the names now. */
	if (system("ip link del sft-vm 2>/dev/null; ip link del " OUT_DEV " 2>/dev/null")) {
		/* gone already */
	}
	sft_ns_free(&vm);
	sft_ns_free(&inet);
}

static void expect(const char *src, const char *dst, int port, int lfd, int want)
{
	/* A denied SYN is dropped: the connect would retry; 700 ms tells. */
	int got = sft_ns_connect(&vm, src, dst, port, want ? 700 : 5000);

	ck_assert_msg(got == want, "%s -> %s:%d: got %s, want %s", src, dst, port,
		      got ? strerror(got) : "connected", want ? strerror(want) : "connected");
	ck_assert_int_eq(sft_accept_all(lfd), want ? 0 : 1);
}

START_TEST(forwarded_syns_judged_by_source)
{
	int l4, l6, l80;

	topology();
	l4 = sft_ns_listen(&inet, "203.0.113.130", 25);
	l6 = sft_ns_listen(&inet, "2001:db8:2::25", 25);
	l80 = sft_ns_listen(&inet, "203.0.113.130", 80);
	ck_assert(l4 >= 0 && l6 >= 0 && l80 >= 0);
	/* Before smtpfence, every VM reaches the internet. */
	expect("203.0.113.20", "203.0.113.130", 25, l4, 0);
	sft_env_setup(&env, "forward", conf);
	env_up = true;
	ck_assert_int_eq(sft_daemon_start(&env), 0);
	expect("203.0.113.10", "203.0.113.130", 25, l4, 0);
	expect("203.0.113.20", "203.0.113.130", 25, l4, ETIMEDOUT);
	expect("203.0.113.20", "203.0.113.130", 80, l80, 0);
	expect("2001:db8:1::a", "2001:db8:2::25", 25, l6, 0);
	expect("2001:db8:1::14", "2001:db8:2::25", 25, l6, ETIMEDOUT);
	/* Counted as forwarded attempts; the denied SYN's retransmits too. */
	ck_assert_uint_ge(sft_status_field(&env, "allowed"), 2);
	ck_assert_uint_ge(sft_status_field(&env, "denied"), 2);
	ck_assert_uint_eq(sft_status_field(&env, "forwarded"), sft_status_field(&env, "attempts"));
	ck_assert_uint_eq(sft_status_field(&env, "bypass"), 0);
	ck_assert_int_eq(sft_cli(&env, "rules"), 0);
	ck_assert_ptr_nonnull(strstr(env.out, "source:203.0.113.8/29"));
	/* A source rule takes effect live. */
	ck_assert_int_eq(sft_cli(&env, "allow source:203.0.113.16/28 --runtime"), 0);
	expect("203.0.113.20", "203.0.113.130", 25, l4, 0);
	ck_assert_int_eq(sft_cli(&env, "deny source:2001:db8:1::8/125 --runtime"), 0);
	expect("2001:db8:1::a", "2001:db8:2::25", 25, l6, ETIMEDOUT);
	/* Unload removes the program: everybody connects again. */
	sft_daemon_stop(&env, SIGTERM);
	ck_assert_int_eq(sft_cli(&env, "unload"), 0);
	expect("2001:db8:1::14", "2001:db8:2::25", 25, l6, 0);
	close(l4);
	close(l6);
	close(l80);
}
END_TEST

static __u32 bpf_prog_info_id(const struct bpf_program *p)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	ck_assert_int_eq(bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len), 0);
	return info.id;
}

static int tcx_progs(void)
{
	__u32 ids[8], cnt = 8;

	ck_assert_int_eq(
		bpf_prog_query((int)if_nametoindex(OUT_DEV), TCX_EGRESS, 0, NULL, ids, &cnt), 0);
	return (int)cnt;
}

static __u64 foreign_seen(struct foreign_bpf *f, __u32 slot)
{
	__u64 n = 0;

	bpf_map__lookup_elem(f->maps.seen, &slot, sizeof(slot), &n, sizeof(n), 0);
	return n;
}

/* A clsact qdisc with a bpf filter, and a tcx program, are there first. */
START_TEST(others_on_the_interface_keep_running)
{
	struct foreign_bpf *f = foreign_bpf__open_and_load();
	LIBBPF_OPTS(bpf_tc_hook, hook, .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, filter);
	int l4, fd;
	__u64 tcx_before, filter_before;

	ck_assert_ptr_nonnull(f);
	topology();
	l4 = sft_ns_listen(&inet, "203.0.113.130", 25);
	ck_assert_int_ge(l4, 0);
	hook.ifindex = (int)if_nametoindex(OUT_DEV);
	ck_assert_int_eq(bpf_tc_hook_create(&hook), 0);
	filter.prog_fd = bpf_program__fd(f->progs.foreign_filter);
	ck_assert_int_eq(bpf_tc_attach(&hook, &filter), 0);
	fd = bpf_link_create(bpf_program__fd(f->progs.foreign_tc), hook.ifindex, TCX_EGRESS, NULL);
	ck_assert_int_ge(fd, 0);
	sft_env_setup(&env, "coexist", conf);
	env_up = true;
	ck_assert_int_eq(sft_daemon_start(&env), 0);
	ck_assert_int_eq(tcx_progs(), 2);
	tcx_before = foreign_seen(f, 1);
	filter_before = foreign_seen(f, 2);
	expect("203.0.113.10", "203.0.113.130", 25, l4, 0);
	expect("203.0.113.20", "203.0.113.130", 25, l4, ETIMEDOUT);
	/* What smtpfence lets through goes on to both of the others. */
	ck_assert_uint_gt(foreign_seen(f, 1), tcx_before);
	ck_assert_uint_gt(foreign_seen(f, 2), filter_before);
	/* Unloading removes smtpfence's program and nothing else. */
	sft_daemon_stop(&env, SIGTERM);
	ck_assert_int_eq(sft_cli(&env, "unload"), 0);
	ck_assert_int_eq(tcx_progs(), 1);
	filter.prog_fd = filter.prog_id = 0;
	filter.flags = 0;
	ck_assert_int_eq(bpf_tc_query(&hook, &filter), 0);
	ck_assert_uint_eq(filter.prog_id, bpf_prog_info_id(f->progs.foreign_filter));
	tcx_before = foreign_seen(f, 1);
	filter_before = foreign_seen(f, 2);
	expect("203.0.113.20", "203.0.113.130", 25, l4, 0);
	ck_assert_uint_gt(foreign_seen(f, 1), tcx_before);
	ck_assert_uint_gt(foreign_seen(f, 2), filter_before);
	close(fd);
	close(l4);
	foreign_bpf__destroy(f);
}
END_TEST

/* A configured interface that does not exist is a clear failure. */
START_TEST(missing_interface_fails_clearly)
{
	sft_env_setup(&env, "missing", "[global]\nports = 25\ninterfaces = sft-nosuch\n");
	env_up = true;
	ck_assert_int_ne(sft_daemon_start(&env), 0);
	ck_assert_ptr_nonnull(
		strstr(env.err, "failed to attach to interface sft-nosuch: No such device"));
	ck_assert_int_eq(sft_cli(&env, "check-config"), 0);
	sft_env_teardown(&env);
	sft_env_setup(&env, "badname", "[global]\nports = 25\ninterfaces = a/b\n");
	ck_assert_int_eq(sft_cli(&env, "check-config"), 2);
	ck_assert_ptr_nonnull(strstr(env.err, "smtpfence.conf:4: invalid interface name 'a/b'"));
}
END_TEST

int main(void)
{
	TCase *tc = tcase_create("tc");

	sft_sandbox_enter();
	tcase_set_timeout(tc, 90);
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, forwarded_syns_judged_by_source);
	tcase_add_test(tc, others_on_the_interface_keep_running);
	tcase_add_test(tc, missing_interface_fails_clearly);
	return sft_run_tcase("forward", tc);
}
