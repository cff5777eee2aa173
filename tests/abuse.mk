# SPDX-License-Identifier: GPL-2.0-only
# Acting on abuse: quarantines driven by real connects, and the blocklist
# watch against a real DNS server (dnsmasq) inside the test's namespace.
# (The pure parts are unit tests: tests/unit/policy/test_quarantine.c and
# tests/unit/daemon/test_dnsbl_names.c.)

ABUSE_TESTS := test_quarantine test_dnsbl

$(BUILD)/tests/abuse/%.o: TEST_CFLAGS += -Itests/observe
$(foreach t,$(ABUSE_TESTS),$(eval $(call sft_test_bin,$(t),$(BUILD)/tests/abuse/$(t).o \
	$(BUILD)/tests/observe/observe_util.o $(BUILD)/tests/lib/harness.o $(LIB_OBJS))))

.PHONY: test-abuse test-dnsbl test-alert-examples
test-abuse: $(BUILD)/tests/bin/test_quarantine $(BUILD)/smtpfence
	$(Q)$(BUILD)/tests/bin/test_quarantine

# Exit 77 (no dnsmasq) is a skip, counted as such.
test-dnsbl: $(BUILD)/tests/bin/test_dnsbl $(BUILD)/smtpfence
	$(Q)$(call sft_group,test-dnsbl,$(BUILD)/tests/bin/test_dnsbl)

test-alert-examples:
	$(Q)tests/abuse/alert_examples.sh

TEST_TARGETS += test-abuse test-dnsbl test-alert-examples
