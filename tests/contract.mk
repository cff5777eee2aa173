# SPDX-License-Identifier: GPL-2.0-only
# The panel's contract: -j and the exit codes of every command against a
# real daemon (test_contract), and events' filters and following
# (test_event_filters), with real connects from throwaway tenants.

CONTRACT_TESTS := test_contract test_event_filters

$(foreach t,$(CONTRACT_TESTS),$(eval $(call sft_test_bin,$(t),$(BUILD)/tests/contract/$(t).o \
	$(BUILD)/tests/observe/observe_util.o $(BUILD)/tests/lib/harness.o $(LIB_OBJS))))

$(CONTRACT_TESTS:%=$(BUILD)/tests/contract/%.o): TEST_CFLAGS += -Itests/observe

.PHONY: test-contract
test-contract: $(CONTRACT_TESTS:%=$(BUILD)/tests/bin/%) $(BUILD)/smtpfence
	$(Q)for t in $(CONTRACT_TESTS); do $(BUILD)/tests/bin/$$t || exit 1; done

TEST_TARGETS += test-contract
