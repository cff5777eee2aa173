# SPDX-License-Identifier: GPL-2.0-only
# smtpfence: everything generated goes under build/. V=1 shows commands.

CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= gcc
BUILD ?= build
PREFIX ?= /usr/local
DESTDIR ?=

ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
MULTIARCH := $(shell $(CC) -dumpmachine 2>/dev/null)
PKGS := libbpf inih json-c libsystemd libmicrohttpd ncursesw libcares smartcols libmnl

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(BPF_SRCS:bpf/%.bpf.c=$(BUILD)/%.bpf.o)
SKELS := $(BPF_SRCS:bpf/%.bpf.c=$(BUILD)/%.skel.h)
# One folder a layer (see README, Code map); objects mirror the tree.
USER_LAYERS := util kernel policy view daemon cli
USER_SRCS := $(foreach l,$(USER_LAYERS),$(wildcard user/$(l)/*.c))
USER_OBJS := $(USER_SRCS:user/%.c=$(BUILD)/user/%.o)
LIB_OBJS := $(filter-out $(BUILD)/user/cli/main.o,$(USER_OBJS))

CFLAGS ?= -O2 -g
override CFLAGS += -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE -Iinclude -Iuser -I$(BUILD) \
	-MMD -MP $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lelf -lz
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	-Iinclude -I/usr/include/$(MULTIARCH) -MMD -MP

.DELETE_ON_ERROR:
# Keep every intermediate object (test objects come from chained rules).
.SECONDARY:
.PHONY: all deps run test clean format lint

all: $(BUILD)/smtpfence

deps:
	$(Q)scripts/deps.sh

$(BUILD) $(BUILD)/user $(BUILD)/tests:
	$(Q)mkdir -p $@

# Static pattern rules: the objects are real targets, never intermediates.
$(BPF_OBJS): $(BUILD)/%.bpf.o: bpf/%.bpf.c | $(BUILD)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(SKELS): $(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $*_bpf > $@

# Skeletons first; afterwards -MMD records which object includes which.
$(USER_OBJS): $(BUILD)/user/%.o: user/%.c | $(BUILD)/user $(SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/smtpfence: $(USER_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

run: deps all
	$(BUILD)/smtpfence run

# Each concern brings its own targets; test groups append to TEST_TARGETS.
# tests/lib/rules.mk first: it defines how every test binary is built.
TEST_TARGETS :=
include tests/lib/rules.mk
include $(sort $(wildcard tests/*.mk scripts/*.mk bench/*.mk))

# Every test group runs even when an earlier one fails; the summary counts.
test: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)BUILD=$(BUILD) scripts/run-tests.sh $(TEST_TARGETS)

clean:
	rm -rf $(BUILD)

format:
	clang-format -i $(wildcard bpf/*.c bpf/*.h include/*.h user/*/*.c user/*/*.h tests/*/*.c tests/*/*.h)

# cppcheck cannot expand libbpf's option macro: give it a plain equivalent.
lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--inline-suppr -D_GNU_SOURCE -Iinclude -Iuser -I$(BUILD) \
		"-DLIBBPF_OPTS(T,N,...)=struct T N = {__VA_ARGS__}" user/ tests/

-include $(shell find $(BUILD) -name '*.d' -type f 2>/dev/null)
