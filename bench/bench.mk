# SPDX-License-Identifier: GPL-2.0-only
# make bench: smtpfence against no filter, an nftables set and iptables
# owner chains, side by side (bench/README in bench/bench.sh's header).
# BENCH_QUICK=1 for a short run. Results go to build/bench/.

BENCH_DIR := $(BUILD)/bench
BENCH_PACKAGES := nftables iptables gnuplot-nox jq
BENCH_TOOLS := $(BENCH_DIR)/loadgen $(BENCH_DIR)/empty $(BENCH_DIR)/fillflows $(BENCH_DIR)/fillpeers

.PHONY: bench bench-deps bench-tools

bench-deps:
	$(Q)scripts/deps.sh $(BENCH_PACKAGES)

$(BENCH_DIR):
	$(Q)mkdir -p $@

$(BENCH_DIR)/empty.bpf.o: bench/empty.bpf.c | $(BENCH_DIR)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BENCH_DIR)/empty.skel.h: $(BENCH_DIR)/empty.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name empty_bpf > $@

$(BENCH_DIR)/empty: bench/empty.c $(BENCH_DIR)/empty.skel.h
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -I$(BENCH_DIR) -o $@ $< $(LDLIBS)

$(BENCH_DIR)/loadgen $(BENCH_DIR)/fillflows: $(BENCH_DIR)/%: bench/%.c | $(BENCH_DIR)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(LDLIBS)

# fillpeers times the project's own lookup (peers.c, sock_diag.c).
FILLPEERS_OBJS := $(BUILD)/user/kernel/peers.o $(BUILD)/user/kernel/sock_diag.o \
	$(BUILD)/user/util/clock.o
$(BENCH_DIR)/fillpeers: bench/fillpeers.c $(FILLPEERS_OBJS) | $(BENCH_DIR)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Iuser -o $@ $< $(FILLPEERS_OBJS) $(LDLIBS)

bench-tools: $(BUILD)/smtpfence $(BENCH_TOOLS)

bench: bench-deps
	$(Q)$(MAKE) --no-print-directory bench-tools
	$(Q)bench/bench.sh

-include $(wildcard $(BENCH_DIR)/*.d)

.PHONY: bench-profile
# perf record of the watched load (bench/profile.sh); perf is in linux-perf.
bench-profile:
	$(Q)scripts/deps.sh $(BENCH_PACKAGES) linux-perf
	$(Q)$(MAKE) --no-print-directory bench-tools
	$(Q)bench/profile.sh

# make bench-swap: a policy change's time and kernel memory at 100,000
# rules (bench/swap_bench.c), in the test sandbox; not part of make bench.
$(eval $(call sft_test_bin,bench_swap,$(BUILD)/bench/swap_bench.o $(HARNESS_OBJ) $(LIB_OBJS)))

$(BUILD)/bench/swap_bench.o: bench/swap_bench.c | $(SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(TEST_CFLAGS) -c $< -o $@

$(BENCH_DIR)/lookup.bpf.o: bench/lookup.bpf.c | $(BENCH_DIR)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BENCH_DIR)/lookup.skel.h: $(BENCH_DIR)/lookup.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name lookup_bpf > $@

$(BENCH_DIR)/lookup: bench/lookup.c $(BENCH_DIR)/lookup.skel.h
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -I$(BENCH_DIR) -o $@ $< $(LDLIBS)

.PHONY: bench-swap
bench-swap: $(BUILD)/tests/bin/bench_swap $(BUILD)/smtpfence $(BENCH_DIR)/lookup
	$(Q)$(BUILD)/tests/bin/bench_swap
	$(Q)$(BENCH_DIR)/lookup
