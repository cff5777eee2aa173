# SPDX-License-Identifier: GPL-2.0-only
# Attacks by tenants and faults of the node (issue 12), each a real test:
# a fresh node's default paths, target injection, unit: takeover, tenants
# that stall operations, and files or processes that hang or mislead.
HARDEN_TESTS := test_fresh_node test_inject test_units test_faults test_metrics_access

.PHONY: test-harden $(HARDEN_TESTS:test_%=test-%)
$(HARDEN_TESTS:test_%=test-%): test-%: $(BUILD)/tests/bin/test_% $(BUILD)/smtpfence
	$(Q)$(BUILD)/tests/bin/test_$*

test-harden: $(HARDEN_TESTS:%=$(BUILD)/tests/bin/%) $(BUILD)/smtpfence
	$(Q)st=0; for t in $(HARDEN_TESTS); do $(BUILD)/tests/bin/$$t || st=1; done; exit $$st

TEST_TARGETS += test-harden
