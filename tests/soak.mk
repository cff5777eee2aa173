# SPDX-License-Identifier: GPL-2.0-only
# Soak: tenants connecting concurrently while rules churn, the configuration
# reloads and the daemon is SIGKILLed and restarted (tests/soak/soak.c).
# `make soak` runs SOAK_SECONDS (default 600) with SOAK_RESTARTS restarts;
# the test group runs 30 seconds.

SOAK_SECONDS ?= 600
SOAK_RESTARTS ?= 10

$(eval $(call sft_test_bin,soak,$(BUILD)/tests/soak/soak.o $(BUILD)/tests/soak/load.o \
	$(BUILD)/tests/lib/harness.o $(BUILD)/user/util/cgroupfs.o,-lpthread))

.PHONY: soak test-soak
soak: $(BUILD)/tests/bin/soak $(BUILD)/smtpfence
	$(Q)$(BUILD)/tests/bin/soak --seconds $(SOAK_SECONDS) --restarts $(SOAK_RESTARTS)

test-soak: $(BUILD)/tests/bin/soak $(BUILD)/smtpfence
	$(Q)$(call sft_group,test-soak,$(BUILD)/tests/bin/soak --seconds 30 --restarts 2)

TEST_TARGETS += test-soak
