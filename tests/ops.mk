# SPDX-License-Identifier: GPL-2.0-only
# Running on a hosting node: the systemd unit, make install, bash
# completion, the sd_notify protocol, and no gap in enforcement across
# restarts, reloads, kills and upgrades.

# The "rebuilt binary" of the upgrade test: the same sources with the BPF
# programs compiled for another instruction set (-mcpu=v2), so the upgrade
# swaps in programs with other instructions and another tag.
UPGRADE_BUILD := $(BUILD)/upgrade
UPGRADE_BPF_CFLAGS = $(subst -mcpu=v3,-mcpu=v2,$(BPF_CFLAGS))

.PHONY: upgrade-build test-unit-file test-install test-completion test-notify test-no-gap

upgrade-build:
	$(Q)$(MAKE) --no-print-directory BUILD=$(UPGRADE_BUILD) \
		BPF_CFLAGS='$(UPGRADE_BPF_CFLAGS)' $(UPGRADE_BUILD)/smtpfence

test-unit-file: $(BUILD)/smtpfence
	$(Q)tests/ops/unit_file.sh

test-install: $(BUILD)/smtpfence
	$(Q)BUILD=$(BUILD) tests/ops/install.sh

test-completion: $(BUILD)/smtpfence
	$(Q)tests/ops/completion.sh $(BUILD)

test-notify: $(BUILD)/tests/bin/test_notify $(BUILD)/smtpfence
	$(Q)$(BUILD)/tests/bin/test_notify

test-no-gap: $(BUILD)/tests/bin/test_no_gap $(BUILD)/smtpfence upgrade-build
	$(Q)SMTPFENCE_UPGRADE_BIN=$(UPGRADE_BUILD)/smtpfence $(BUILD)/tests/bin/test_no_gap

TEST_TARGETS += test-unit-file test-install test-completion test-notify test-no-gap

# smtpfence import csf over csf.conf files the test writes.
.PHONY: test-import
test-import: $(BUILD)/smtpfence
	$(Q)tests/ops/import_csf.sh $(BUILD)

TEST_TARGETS += test-import

# The Ansible role, ansible-playbook -c local against a staging root.
.PHONY: test-ansible
test-ansible: $(BUILD)/smtpfence
	$(Q)tests/ops/ansible.sh $(BUILD)

TEST_TARGETS += test-ansible

# The start probe refuses a cgroup-v1-only host (a mount namespace without
# the cgroup2 mount) in one line.
.PHONY: test-probe
test-probe: $(BUILD)/smtpfence
	$(Q)tests/ops/probe_refusal.sh $(BUILD)

TEST_TARGETS += test-probe
