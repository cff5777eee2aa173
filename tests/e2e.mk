# SPDX-License-Identifier: GPL-2.0-only
# End to end on a hosting node with real mail software: Postfix, its
# smtp-sink and swaks (scripts/deps.sh installs them).

$(eval $(call sft_test_bin,e2e_postfix,$(BUILD)/tests/e2e/test_postfix.o \
	$(BUILD)/tests/e2e/mailnode.o $(BUILD)/tests/lib/harness.o))

# The mail-flow bridge: redirect, the policy service, the tenant header.
$(eval $(call sft_test_bin,e2e_postfix_bridge,$(BUILD)/tests/e2e/test_postfix_bridge.o \
	$(BUILD)/tests/e2e/mailnode.o $(BUILD)/tests/lib/harness.o))

# The same with Exim as the relay (its own instance and configuration).
$(eval $(call sft_test_bin,e2e_exim_bridge,$(BUILD)/tests/e2e/test_exim_bridge.o \
	$(BUILD)/tests/e2e/mailnode.o $(BUILD)/tests/lib/harness.o))

.PHONY: test-e2e
test-e2e: $(BUILD)/tests/bin/e2e_postfix $(BUILD)/tests/bin/e2e_postfix_bridge \
	$(BUILD)/tests/bin/e2e_exim_bridge $(BUILD)/smtpfence
	$(Q)$(call sft_group,test-e2e,$(BUILD)/tests/bin/e2e_postfix && \
		$(BUILD)/tests/bin/e2e_postfix_bridge && $(BUILD)/tests/bin/e2e_exim_bridge)

TEST_TARGETS += test-e2e
