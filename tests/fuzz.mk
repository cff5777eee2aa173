# SPDX-License-Identifier: GPL-2.0-only
# libFuzzer harnesses for the configuration parser, the target, CIDR,
# port and rate parsers, and the rule round trip through the files (every
# accepted rule written as a drop-in and read back is the same rule), built
# with clang under ASan and UBSan into
# $(BUILD)/fuzz/. `make fuzz` runs each for FUZZ_SECONDS (default 600);
# the test group runs each for FUZZ_SHORT seconds after its regressions.

FUZZ_DIR := $(BUILD)/fuzz
FUZZERS := config target cidr port rate roundtrip
FUZZ_SECONDS ?= 600
FUZZ_SHORT ?= 8
FUZZ_SAN := address,undefined
FUZZ_CFLAGS := -MMD -MP -g -O1 -fno-omit-frame-pointer -fno-sanitize-recover=all -Wall -Wextra -Werror \
	-std=gnu11 -D_GNU_SOURCE -Iinclude -Iuser -Itests/fuzz \
	$(shell pkg-config --cflags inih json-c 2>/dev/null)
FUZZ_LIB_OBJS := $(patsubst %,$(FUZZ_DIR)/obj/%.o,policy/parse policy/config policy/policy util/diag \
	policy/listen policy/abuse_keys policy/quarantine_parse policy/dropin policy/text policy/relay \
	policy/mail_limits policy/parse_cache util/mkdirs util/regular util/report util/json_out \
	util/write_file)

# The code under test carries coverage instrumentation; only the harness
# links libFuzzer's main.
$(FUZZ_DIR)/obj/%.o: user/%.c
	$(call msg,FUZZCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,$(FUZZ_SAN) -c $< -o $@

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_LIB_OBJS)
	$(call msg,FUZZLD,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer,$(FUZZ_SAN) -o $@ $< $(FUZZ_LIB_OBJS) \
		$(shell pkg-config --libs inih json-c 2>/dev/null) -lz

.PHONY: fuzz test-fuzz fuzz-build
fuzz-build: $(FUZZERS:%=$(FUZZ_DIR)/fuzz_%)

fuzz: fuzz-build
	$(Q)tests/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZERS)

test-fuzz: fuzz-build
	$(Q)tests/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SHORT) $(FUZZERS)

TEST_TARGETS += test-fuzz
