# SPDX-License-Identifier: GPL-2.0-only
# Acting on abuse: quarantines driven by real connects, and the blocklist
# watch against a real DNS server (dnsmasq) inside the test's namespace.

ABUSE_TESTS := test_quarantine test_dnsbl

$(ABUSE_TESTS:%=$(BUILD)/tests/bin/%): $(BUILD)/tests/bin/%: $(BUILD)/tests/abuse/%.o \
		$(BUILD)/tests/observe/observe_util.o $(BUILD)/tests/lib/harness.o $(LIB_OBJS)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(CHECK_LIBS)

$(BUILD)/tests/abuse/%.o: TEST_CFLAGS += -Itests/observe

.PHONY: test-abuse test-dnsbl test-alert-examples
test-abuse: $(BUILD)/tests/bin/test_quarantine $(BUILD)/tests/bin/test_abuse_parse \
		$(BUILD)/smtpfence
	$(Q)$(BUILD)/tests/bin/test_abuse_parse && $(BUILD)/tests/bin/test_quarantine

# Exit 77 (no dnsmasq) is a skip, counted as such.
test-dnsbl: $(BUILD)/tests/bin/test_dnsbl $(BUILD)/smtpfence
	$(Q)$(call sft_group,test-dnsbl,$(BUILD)/tests/bin/test_dnsbl)

test-alert-examples:
	$(Q)tests/abuse/alert_examples.sh

TEST_TARGETS += test-abuse test-dnsbl test-alert-examples
