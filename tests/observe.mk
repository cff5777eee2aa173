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

# Fleet monitoring: the alerting rules' own unit tests (promtool), and the
# Grafana dashboard's every query against a real Prometheus server that
# scrapes a running daemon (test_dashboard).
$(eval $(call sft_test_bin,test_dashboard,$(BUILD)/tests/observe/test_dashboard.o \
	$(OBSERVE_UTIL_OBJ) $(BUILD)/tests/lib/harness.o $(LIB_OBJS)))

.PHONY: test-monitoring
test-monitoring: $(BUILD)/tests/bin/test_dashboard $(BUILD)/smtpfence
	$(Q)promtool check rules monitoring/prometheus/smtpfence.rules.yml >/dev/null
	$(Q)cd monitoring/prometheus && promtool test rules smtpfence.rules.test.yml
	$(Q)$(BUILD)/tests/bin/test_dashboard

TEST_TARGETS += test-monitoring
