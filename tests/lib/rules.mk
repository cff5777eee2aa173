# SPDX-License-Identifier: GPL-2.0-only
# How every test is built and run; the Makefile reads this before the
# test groups (tests/*.mk). Test objects mirror tests/ under
# $(BUILD)/tests/, binaries go to $(BUILD)/tests/bin/.

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

# $(eval $(call sft_test_bin,NAME,OBJECTS[,LIBS])): the test binary
# $(BUILD)/tests/bin/NAME from its objects, linked with the controller's
# libraries, check and LIBS. More prerequisites may be added to it later
# (`$(BUILD)/tests/bin/NAME: more.o`): they are linked too.
define sft_test_bin
SFT_ALL_BINS += $(BUILD)/tests/bin/$(1)
$(BUILD)/tests/bin/$(1): $(2)
	$$(call msg,LD,$$@)
	$$(Q)mkdir -p $$(@D)
	$$(Q)$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS) $$(CHECK_LIBS) $(3)
endef

# $(call sft_group,NAME,COMMAND): runs a test group's command. Exit 77 (the
# machine cannot run it) leaves the marker scripts/run-tests.sh counts as
# skipped; any other failure stays a failure.
sft_group = rm -f $(BUILD)/tests/$(1).skipped; $(2); rc=$$?; \
	if [ $$rc -eq 77 ]; then mkdir -p $(BUILD)/tests && touch $(BUILD)/tests/$(1).skipped; fi; \
	exit $$rc
