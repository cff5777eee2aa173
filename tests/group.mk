# SPDX-License-Identifier: GPL-2.0-only
# $(call sft_group,NAME,COMMAND): runs a test group's command. Exit 77 (the
# machine cannot run it) leaves the marker scripts/run-tests.sh counts as
# skipped; any other failure stays a failure.
sft_group = rm -f build/tests/$(1).skipped; $(2); rc=$$?; \
	if [ $$rc -eq 77 ]; then mkdir -p build/tests && touch build/tests/$(1).skipped; fi; \
	exit $$rc
