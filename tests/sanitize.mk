# SPDX-License-Identifier: GPL-2.0-only
# The controller and the check tests built with AddressSanitizer (and its
# LeakSanitizer) and UndefinedBehaviorSanitizer into $(ASAN_BUILD), then
# the unit, integration, notify and observation tests run against that
# binary, and every CLI command is run once more looking for leaks
# (test_cli_leaks).

ASAN_BUILD := $(BUILD)/asan
ASAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all
# (UNIT_NAMES comes from tests.mk, read after this file.)
ASAN_BINS = smtpfence $(addprefix tests/bin/,$(UNIT_NAMES) test_enforce test_policy \
	test_privilege test_notify test_who test_policy_service $(OBSERVE_TESTS) $(ABUSE_TESTS) \
	$(CONTRACT_TESTS) cli_leaks)
ASAN_ENV := SMTPFENCE_BIN=$(ASAN_BUILD)/smtpfence ASAN_OPTIONS=detect_leaks=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

$(eval $(call sft_test_bin,cli_leaks,$(BUILD)/tests/sanitize/test_cli_leaks.o \
	$(BUILD)/tests/lib/harness.o))

.PHONY: sanitize-build test-sanitize
sanitize-build:
	$(Q)$(MAKE) --no-print-directory BUILD=$(ASAN_BUILD) \
		CFLAGS='-O1 -g -fno-omit-frame-pointer $(ASAN_FLAGS)' LDFLAGS='$(ASAN_FLAGS)' \
		$(addprefix $(ASAN_BUILD)/,$(ASAN_BINS))

test-sanitize: sanitize-build
	$(Q)$(call sft_group,test-sanitize,set -e; for t in $(filter tests/bin/%,$(ASAN_BINS)); do \
		echo "--- $$t (ASan, UBSan)"; $(ASAN_ENV) $(ASAN_BUILD)/$$t; done)

TEST_TARGETS += test-sanitize
