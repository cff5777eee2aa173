# SPDX-License-Identifier: GPL-2.0-only
# Observation tests (flows, events, top, metrics, alerts): real traffic
# from throwaway tenant cgroups, figures compared with the connects made.

# tests.mk (the harness) is read after this file: name its object directly.
OBSERVE_UTIL_OBJ := $(BUILD)/tests/observe/observe_util.o
OBSERVE_TESTS := test_flows test_events test_metrics test_alerts test_top

$(OBSERVE_TESTS:%=$(BUILD)/tests/bin/%): $(BUILD)/tests/bin/%: $(BUILD)/tests/observe/%.o \
		$(OBSERVE_UTIL_OBJ) $(BUILD)/tests/lib/harness.o $(LIB_OBJS)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(CHECK_LIBS)

.PHONY: test-observe
test-observe: $(OBSERVE_TESTS:%=$(BUILD)/tests/bin/%) $(BUILD)/smtpfence
	$(Q)for t in $(OBSERVE_TESTS); do $(BUILD)/tests/bin/$$t || exit 1; done

TEST_TARGETS += test-observe
