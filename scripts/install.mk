# SPDX-License-Identifier: GPL-2.0-only
# make install / make uninstall, honouring PREFIX (default /usr/local) and
# DESTDIR. Nothing under /etc is ever overwritten: the example
# configuration goes in only where no file of that name exists.

SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
# systemd reads units from /usr/local/lib/systemd/system and /usr/lib/...
UNITDIR ?= $(PREFIX)/lib/systemd/system
BASH_COMPLETION_DIR ?= $(PREFIX)/share/bash-completion/completions
# The binary reads /etc/smtpfence whatever the prefix.
SYSCONFDIR ?= /etc
INSTALL ?= install

INSTALLED_FILES := $(SBINDIR)/smtpfence $(UNITDIR)/smtpfence.service \
	$(MANDIR)/man8/smtpfence.8 $(MANDIR)/man5/smtpfence.conf.5 \
	$(MANDIR)/man7/smtpfence-json.7 $(BASH_COMPLETION_DIR)/smtpfence

.PHONY: install uninstall

# The unit names the binary where it is installed.
$(BUILD)/smtpfence.service: scripts/smtpfence.service | $(BUILD)
	$(call msg,GEN,$@)
	$(Q)sed 's|@SBINDIR@|$(SBINDIR)|g' $< > $@

# Rebuilt whenever SBINDIR changes, not only when the template does.
.PHONY: $(BUILD)/smtpfence.service

install: $(BUILD)/smtpfence $(BUILD)/smtpfence.service
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(BASH_COMPLETION_DIR)
	$(Q)$(INSTALL) -m 0755 $(BUILD)/smtpfence $(DESTDIR)$(SBINDIR)/smtpfence
	$(Q)$(INSTALL) -m 0644 $(BUILD)/smtpfence.service $(DESTDIR)$(UNITDIR)/smtpfence.service
	$(Q)$(INSTALL) -m 0644 man/smtpfence.8 $(DESTDIR)$(MANDIR)/man8/smtpfence.8
	$(Q)$(INSTALL) -m 0644 man/smtpfence.conf.5 $(DESTDIR)$(MANDIR)/man5/smtpfence.conf.5
	$(Q)$(INSTALL) -m 0644 man/smtpfence-json.7 $(DESTDIR)$(MANDIR)/man7/smtpfence-json.7
	$(Q)$(INSTALL) -m 0644 scripts/smtpfence.bash-completion \
		$(DESTDIR)$(BASH_COMPLETION_DIR)/smtpfence
	$(Q)$(INSTALL) -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/smtpfence/rules.d
	$(Q)if [ -e $(DESTDIR)$(SYSCONFDIR)/smtpfence/smtpfence.conf.example ]; then \
		echo "  kept     $(DESTDIR)$(SYSCONFDIR)/smtpfence/smtpfence.conf.example"; \
	else \
		$(INSTALL) -m 0644 scripts/smtpfence.conf.example \
			$(DESTDIR)$(SYSCONFDIR)/smtpfence/smtpfence.conf.example; \
	fi

# Configuration stays unless it is the untouched example; empty
# directories go.
uninstall:
	$(call msg,REMOVE,$(DESTDIR)$(PREFIX))
	$(Q)rm -f $(addprefix $(DESTDIR),$(INSTALLED_FILES))
	$(Q)if cmp -s scripts/smtpfence.conf.example \
		$(DESTDIR)$(SYSCONFDIR)/smtpfence/smtpfence.conf.example; then \
		rm -f $(DESTDIR)$(SYSCONFDIR)/smtpfence/smtpfence.conf.example; \
	fi
	$(Q)rmdir $(DESTDIR)$(SYSCONFDIR)/smtpfence/rules.d $(DESTDIR)$(SYSCONFDIR)/smtpfence \
		2>/dev/null || true
