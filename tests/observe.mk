# SPDX-License-Identifier: GPL-2.0-only
# Observation tests (flows, events, top, metrics, alerts): real traffic
# from throwaway tenant cgroups, figures compared with the connects made.

OBSERVE_UTIL_OBJ := $(BUILD)/tests/observe/observe_util.o
OBSERVE_TESTS := test_flows test_events test_metrics test_alerts test_top

$(foreach t,$(OBSERVE_TESTS),$(eval $(call sft_test_bin,$(t),$(BUILD)/tests/observe/$(t).o \
	$(OBSERVE_UTIL_OBJ) $(BUILD)/tests/lib/harness.o $(LIB_OBJS))))

.PHONY: test-observe
test-observe: $(OBSERVE_TESTS:%=$(BUILD)/tests/bin/%) $(BUILD)/smtpfence
	$(Q)for t in $(OBSERVE_TESTS); do $(BUILD)/tests/bin/$$t || exit 1; done

TEST_TARGETS += test-observe
