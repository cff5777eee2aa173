# SPDX-License-Identifier: GPL-2.0-only
# Bypass tests: the cgroup_skb and tc programs over packet tables
# (bpf_prog_test_run), and end to end on real sockets, namespaces and
# interfaces (raw-socket SYN, forwarded VM traffic, coexistence).

BYPASS_SUPPORT := $(BUILD)/tests/bypass/packet_build.o $(BUILD)/tests/lib/harness.o
BYPASS_CAP_LIBS := $(shell pkg-config --libs libcap 2>/dev/null || echo -lcap)

$(eval $(call sft_test_bin,bypass_packets,$(BUILD)/tests/bypass/test_packets.o \
	$(BYPASS_SUPPORT) $(LIB_OBJS)))
$(eval $(call sft_test_bin,bypass_source,$(BUILD)/tests/bypass/test_source.o $(LIB_OBJS)))

.PHONY: test-bypass-source test-bypass-packets
test-bypass-source: $(BUILD)/tests/bin/bypass_source
	$(Q)$(BUILD)/tests/bin/bypass_source


test-bypass-packets: $(BUILD)/tests/bin/bypass_packets
	$(Q)$(BUILD)/tests/bin/bypass_packets

TEST_TARGETS += test-bypass-source test-bypass-packets

# Somebody else's programs, for the coexistence tests.
$(BUILD)/tests/bypass/foreign.bpf.o: tests/bypass/foreign.bpf.c
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/tests/bypass/foreign.skel.h: $(BUILD)/tests/bypass/foreign.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name foreign_bpf > $@

$(BUILD)/tests/bypass/test_backstop.o $(BUILD)/tests/bypass/test_forward.o: \
	$(BUILD)/tests/bypass/foreign.skel.h

BYPASS_E2E_SUPPORT := $(BYPASS_SUPPORT) $(BUILD)/tests/bypass/tenant.o \
	$(BUILD)/tests/bypass/status.o

$(foreach t,backstop forward mptcp,$(eval $(call sft_test_bin,bypass_$(t),\
	$(BUILD)/tests/bypass/test_$(t).o $(BYPASS_E2E_SUPPORT) $(LIB_OBJS),$(BYPASS_CAP_LIBS))))

.PHONY: test-bypass-backstop
test-bypass-backstop: $(BUILD)/tests/bin/bypass_backstop $(BUILD)/smtpfence
	$(Q)$(BUILD)/tests/bin/bypass_backstop

TEST_TARGETS += test-bypass-backstop

$(BUILD)/tests/bin/bypass_forward: $(BUILD)/tests/bypass/netns.o

.PHONY: test-bypass-forward
test-bypass-forward: $(BUILD)/tests/bin/bypass_forward $(BUILD)/smtpfence
	$(Q)$(BUILD)/tests/bin/bypass_forward

TEST_TARGETS += test-bypass-forward

$(BUILD)/tests/bin/bypass_mptcp: $(BUILD)/tests/bypass/netns.o

.PHONY: test-bypass-mptcp
test-bypass-mptcp: $(BUILD)/tests/bin/bypass_mptcp $(BUILD)/smtpfence
	$(Q)$(BUILD)/tests/bin/bypass_mptcp

TEST_TARGETS += test-bypass-mptcp
