# SPDX-License-Identifier: GPL-2.0-only
# The documentation against the code: every command, option, target kind
# and configuration key (from `smtpfence -j help`, the code's own tables) in
# the man pages and the help, every key the parser knows in the key table,
# every code fence of the README closed. The fence check is first shown
# to fail on pages that are wrong (tests/docs/).

.PHONY: test-docs
test-docs: $(BUILD)/smtpfence
	$(Q)for bad in tests/docs/unclosed.md tests/docs/reopened.md; do \
		if python3 scripts/check-docs.py --fences $$bad >/dev/null 2>&1; then \
			echo "test-docs: the fence check passed $$bad"; exit 1; fi; done
	$(Q)python3 scripts/check-docs.py --fences tests/docs/closed.md >/dev/null
	$(Q)python3 scripts/check-docs.py $(BUILD)/smtpfence

TEST_TARGETS += test-docs
