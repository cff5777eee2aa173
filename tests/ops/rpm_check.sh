#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The EL9 spec as far as a Debian machine can check it: rpmspec parses it,
# the source package builds, the --nodeps binary package holds every file
# where EL9 wants it (and nothing else), its scriptlets restart on upgrade
# and never start on install, and rpmlint finds no error.
# Usage: rpm_check.sh RPM_DIR (after make srpm rpm)
set -eu
dir=$1
spec=packaging/rpm/smtpfence.spec
fail() {
	echo "FAIL: $*" >&2
	exit 1
}
version=$(sed -n 's/^#define SF_VERSION "\(.*\)"/\1/p' user/util/version.h)
[ "$(rpmspec -q --qf '%{VERSION}\n' "$spec" | head -n 1)" = "$version" ] ||
	fail "$spec is not version $version"
rpmspec -P "$spec" >/dev/null || fail "rpmspec cannot parse $spec"
srpm=$(ls "$dir"/SRPMS/smtpfence-"$version"-*.src.rpm) || fail "no source package"
rpm=$(ls "$dir"/RPMS/*/smtpfence-"$version"-*.rpm) || fail "no binary package"
files=$(rpm -qlp "$rpm" | grep -v '^/usr/lib/.build-id' | sort | tr '\n' ' ')
want="/etc/smtpfence /etc/smtpfence/rules.d /etc/smtpfence/smtpfence.conf.example \
/usr/lib/systemd/system/smtpfence.service /usr/sbin/smtpfence \
/usr/share/bash-completion/completions/smtpfence /usr/share/doc/smtpfence-$version \
/usr/share/doc/smtpfence-$version/README.md /usr/share/man/man5/smtpfence.conf.5 \
/usr/share/man/man7/smtpfence-json.7 /usr/share/man/man8/smtpfence.8 "
[ "$files" = "$want" ] || fail "file list: $files; want $want"
rpm -qp --configfiles "$rpm" | grep -qx /etc/smtpfence/smtpfence.conf.example ||
	fail "the example is not %config"
scripts=$(rpm -qp --scripts "$rpm")
echo "$scripts" | grep -q 'try-restart smtpfence.service' || fail "an upgrade does not restart the daemon"
echo "$scripts" | grep -Eq '^ *(/usr/bin/)?systemctl( --no-reload)? (start|enable|restart|reload-or-restart) ' &&
	fail "a scriptlet starts the service: $scripts"
rpm2cpio "$rpm" | cpio -i --quiet --to-stdout ./usr/lib/systemd/system/smtpfence.service |
	grep -q '^ExecStart=/usr/sbin/smtpfence run$' || fail "the unit does not name /usr/sbin/smtpfence"
lint=$(rpmlint -r packaging/rpm/smtpfence.rpmlintrc "$spec" "$srpm" "$rpm" 2>&1) || true
echo "$lint" | grep -q ' 0 errors' || fail "rpmlint: $lint"
echo "rpm: spec parses, $(basename "$srpm") and $(basename "$rpm") (--nodeps) built, layout as EL9's, rpmlint: $(echo "$lint" | grep -o '[0-9]* errors, [0-9]* warnings')"
