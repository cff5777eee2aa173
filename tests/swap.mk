# SPDX-License-Identifier: GPL-2.0-only
# Policy changes open nothing (issue 12 item 4): 50,000 -> 50,000 rule
# reloads under a connect loop (test-swap), and the CLI and the daemon
# SIGKILLed at any moment of one (test-swap-kill).
SWAP_SUPPORT := $(BUILD)/tests/swap/swap_policy.o $(HARNESS_OBJ)

$(foreach t,swap swap_kill,$(eval $(call sft_test_bin,$(t),\
	$(BUILD)/tests/swap/test_$(t).o $(SWAP_SUPPORT) $(LIB_OBJS))))

.PHONY: test-swap test-swap-kill
test-swap: $(BUILD)/tests/bin/swap $(BUILD)/smtpfence
	$(Q)$(call sft_group,test-swap,$(BUILD)/tests/bin/swap)

test-swap-kill: $(BUILD)/tests/bin/swap_kill $(BUILD)/smtpfence
	$(Q)$(call sft_group,test-swap-kill,$(BUILD)/tests/bin/swap_kill)

TEST_TARGETS += test-swap test-swap-kill
