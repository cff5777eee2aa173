# SPDX-License-Identifier: GPL-2.0-only
# Packages: make deb (Debian 12, debhelper 13), make srpm / make rpm (EL9
# spec, built here with --nodeps). Each builds from a copy of the working
# tree under build/, so the packages hold what is checked out, and the
# output stays in build/deb and build/rpm.

VERSION := $(shell sed -n 's/^\#define SF_VERSION "\(.*\)"/\1/p' user/util/version.h)
DEB_DIR := $(BUILD)/deb
RPM_DIR := $(BUILD)/rpm
DEB_FILE := $(DEB_DIR)/smtpfence_$(VERSION)_$(shell dpkg --print-architecture 2>/dev/null).deb
# The outer make's variables must not leak into the package's own build.
CLEAN_ENV := env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u BUILD

.PHONY: deb srpm rpm

# The tree as checked out, without build output or git metadata.
define copy_tree
	$(Q)rm -rf $(1) && mkdir -p $(1)
	$(Q)tar --exclude=./build --exclude=./.git -cf - . | tar -xf - -C $(1)
endef

deb:
	$(call msg,DEB,$(DEB_FILE))
	$(Q)test "$$(dpkg-parsechangelog -S Version)" = "$(VERSION)" || \
		{ echo "debian/changelog is not version $(VERSION) (user/util/version.h)" >&2; exit 1; }
	$(call copy_tree,$(DEB_DIR)/smtpfence-$(VERSION))
	$(Q)cd $(DEB_DIR)/smtpfence-$(VERSION) && DEB_BUILD_OPTIONS=parallel=2 \
		$(CLEAN_ENV) dpkg-buildpackage -us -uc -b $(if $(V),,>../build.log 2>&1) || \
		{ tail -n 40 ../build.log; exit 1; }
	$(Q)test -f $(DEB_FILE)

# rpmbuild wants its sources as a tarball named by the spec.
$(RPM_DIR)/SOURCES/smtpfence-$(VERSION).tar.gz:
	$(call copy_tree,$(RPM_DIR)/tree/smtpfence-$(VERSION))
	$(Q)mkdir -p $(RPM_DIR)/SOURCES
	$(Q)tar -czf $@ -C $(RPM_DIR)/tree smtpfence-$(VERSION)

.PHONY: $(RPM_DIR)/SOURCES/smtpfence-$(VERSION).tar.gz

RPMBUILD = $(CLEAN_ENV) rpmbuild --define '_topdir $(abspath $(RPM_DIR))'

srpm: $(RPM_DIR)/SOURCES/smtpfence-$(VERSION).tar.gz
	$(call msg,SRPM,$(RPM_DIR)/SRPMS)
	$(Q)$(RPMBUILD) -bs packaging/rpm/smtpfence.spec $(if $(V),,>$(RPM_DIR)/srpm.log 2>&1) || \
		{ cat $(RPM_DIR)/srpm.log; exit 1; }

# --nodeps: Debian has none of the spec's EL9 BuildRequires as rpms; the
# build uses Debian's libraries, which proves the file layout, not EL9.
rpm: $(RPM_DIR)/SOURCES/smtpfence-$(VERSION).tar.gz
	$(call msg,RPM,$(RPM_DIR)/RPMS)
	$(Q)$(RPMBUILD) -bb --nodeps packaging/rpm/smtpfence.spec \
		$(if $(V),,>$(RPM_DIR)/rpm.log 2>&1) || { tail -n 40 $(RPM_DIR)/rpm.log; exit 1; }

# Separate from `make test` (it builds a Debian tree once, then packages
# for a minute or two); .ci/run runs it after make test.
.PHONY: test-packages
test-packages: deb srpm rpm
	$(Q)tests/ops/deb_lifecycle.sh $(DEB_FILE)
	$(Q)tests/ops/rpm_check.sh $(RPM_DIR)

# The .deb booted under a real systemd (systemd-nspawn of the cached tree):
# start, bad reload, restart/upgrade/watchdog under a tenant's connect
# loop, stop. About 30 s once the tree is cached; .ci/run runs it.
.PHONY: test-systemd
test-systemd: deb
	$(Q)tests/systemd/nspawn.sh $(DEB_FILE)
