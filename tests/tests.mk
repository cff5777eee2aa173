# SPDX-License-Identifier: GPL-2.0-only
# Unit tests (tests/unit/<layer>/, mirroring user/<layer>/: the pure
# modules, run without root) and integration tests (tests/integration/:
# real cgroups, namespaces and the CLI), each a check binary built with
# sft_test_bin (tests/lib/rules.mk).

# Unit tests: one binary per file, tests/unit/LAYER/test_NAME.c gives
# unit_LAYER_NAME; they link the controller's objects, not the harness.
UNIT_SRCS := $(sort $(wildcard tests/unit/*/test_*.c))
unit_name = unit_$(subst /test_,_,$(patsubst tests/unit/%.c,%,$(1)))
UNIT_NAMES := $(foreach s,$(UNIT_SRCS),$(call unit_name,$(s)))
UNIT_BINS := $(UNIT_NAMES:%=$(BUILD)/tests/bin/%)
$(foreach s,$(UNIT_SRCS),$(eval $(call sft_test_bin,$(call unit_name,$(s)),\
	$(s:tests/%.c=$(BUILD)/tests/%.o) $(LIB_OBJS))))

INTEGRATION_NAMES := $(basename $(notdir $(wildcard tests/integration/test_*.c)))
$(foreach t,$(INTEGRATION_NAMES),$(eval $(call sft_test_bin,$(t),\
	$(BUILD)/tests/integration/$(t).o $(HARNESS_OBJ) $(LIB_OBJS))))

# As root, the unit tests run as nobody: they must not need privileges.
SFT_NOBODY := setpriv --reuid=65534 --regid=65534 --clear-groups

.PHONY: test-unit test-enforce test-policy test-privilege
test-unit: $(UNIT_BINS)
	$(Q)set -e; as=; [ "$$(id -u)" -ne 0 ] || as="$(SFT_NOBODY)"; \
	for t in $(UNIT_BINS); do echo "--- $$t$${as:+ (as uid 65534)}"; $$as $$t; done

test-enforce: $(BUILD)/tests/bin/test_enforce $(BUILD)/smtpfence
	$(Q)$(BUILD)/tests/bin/test_enforce

test-policy: $(BUILD)/tests/bin/test_policy $(BUILD)/smtpfence
	$(Q)$(BUILD)/tests/bin/test_policy

test-privilege: $(BUILD)/tests/bin/test_privilege $(BUILD)/smtpfence
	$(Q)$(BUILD)/tests/bin/test_privilege

TEST_TARGETS += test-unit test-enforce test-policy test-privilege

# The redirect test reads the views' JSON with the observation helpers.
$(BUILD)/tests/bin/test_redirect: $(BUILD)/tests/observe/observe_util.o

.PHONY: test-redirect
test-redirect: $(BUILD)/tests/bin/test_redirect $(BUILD)/smtpfence
	$(Q)$(BUILD)/tests/bin/test_redirect

TEST_TARGETS += test-redirect

# Changes in one transaction: apply -f, several targets, what was replaced.
.PHONY: test-apply
test-apply: $(BUILD)/tests/bin/test_apply $(BUILD)/smtpfence
	$(Q)$(BUILD)/tests/bin/test_apply

TEST_TARGETS += test-apply

# The layers of user/ depend one way, with no include cycle (README, Code
# map); every export is used by another module or a test (read from the
# objects, so every test is built first).
.PHONY: test-layers
.SECONDEXPANSION:
test-layers: $(BUILD)/smtpfence $$(SFT_ALL_BINS)
	$(Q)python3 scripts/check-layers.py user
	$(Q)python3 scripts/check-exports.py $(BUILD)

TEST_TARGETS += test-layers
