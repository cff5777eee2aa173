# SPDX-License-Identifier: GPL-2.0-only
# Test builds: check-based binaries under build/tests/. Integration tests
# link the controller's objects (all but main.o) and tests/lib/harness.c.

CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null)
# gcc's truncation heuristic flags every path join in test code; the
# paths there are short by construction.
TEST_CFLAGS = $(CFLAGS) -Wno-format-truncation -Itests/lib $(CHECK_CFLAGS)
HARNESS_OBJ := $(BUILD)/tests/lib/harness.o $(BUILD)/tests/lib/fixture.o

$(BUILD)/tests/%.o: tests/%.c | $(SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(TEST_CFLAGS) -c $< -o $@

# A test binary: its own object, the harness and the controller's objects.
$(BUILD)/tests/bin/%: $(BUILD)/tests/unit/%.o $(LIB_OBJS)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(CHECK_LIBS)

$(BUILD)/tests/bin/test_%: $(BUILD)/tests/integration/test_%.o $(HARNESS_OBJ) $(LIB_OBJS)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(CHECK_LIBS)

.PHONY: test-unit test-enforce test-policy test-privilege
test-unit: $(BUILD)/tests/bin/test_parse $(BUILD)/tests/bin/test_config $(BUILD)/tests/bin/test_probe
	$(Q)$(BUILD)/tests/bin/test_parse && $(BUILD)/tests/bin/test_config && \
		$(BUILD)/tests/bin/test_probe

test-enforce: $(BUILD)/tests/bin/test_enforce $(BUILD)/smtpfence
	$(Q)$(BUILD)/tests/bin/test_enforce

test-policy: $(BUILD)/tests/bin/test_policy $(BUILD)/smtpfence
	$(Q)$(BUILD)/tests/bin/test_policy

test-privilege: $(BUILD)/tests/bin/test_privilege $(BUILD)/smtpfence
	$(Q)$(BUILD)/tests/bin/test_privilege

TEST_TARGETS += test-unit test-enforce test-policy test-privilege

# The layers of user/ depend one way, with no include cycle (README, Code map).
.PHONY: test-layers
test-layers:
	$(Q)python3 scripts/check-layers.py user

TEST_TARGETS += test-layers
