#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Installs the Debian packages smtpfence needs to build, run and test,
# when any is missing. Quiet and quick when everything is there. Extra
# package names given as arguments are added (make bench-deps uses this).
set -eu

PACKAGES="make gcc clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev pkg-config \
check libinih-dev libjson-c-dev libsystemd-dev libncurses-dev libmicrohttpd-dev \
iproute2 tmux libcap-dev python3-prometheus-client \
systemd man-db util-linux \
postfix swaks libio-socket-inet6-perl libclang-rt-14-dev dbus-daemon \
libc-ares-dev libmnl-dev dnsmasq-base libsmartcols-dev libidn12 libgnutls-dane0 libnsl2 libdb5.3 \
debhelper lintian rpm rpmlint mmdebstrap systemd-container prometheus ansible"
# Extra packages from the command line (make bench-deps).
PACKAGES="$PACKAGES $*"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
# Exim for the end-to-end tests: exim4-daemon-light conflicts with Postfix
# (each is the node's MTA), so it is unpacked where the tests look, never
# installed; its libraries are in PACKAGES. The tests run their own
# instance, with its user in a private /etc.
EXIM_DIR=/opt/smtpfence-test/exim4
[ -z "$missing" ] && [ -x "$EXIM_DIR/usr/sbin/exim4" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
unpack_exim() {
	tmp=$(mktemp -d)
	(cd "$tmp" && apt-get download -q exim4-daemon-light) &&
		mkdir -p "$EXIM_DIR" && dpkg-deb -x "$tmp"/exim4-daemon-light_*.deb "$EXIM_DIR"
	rc=$?
	rm -rf "$tmp"
	return $rc
}
if [ -z "$missing" ]; then
	unpack_exim
	exit $?
fi

echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# Postfix is installed for the end-to-end tests, which run their own
# instance: the host's mail system stays unconfigured and stopped.
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
guard=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
	guard=/usr/sbin/policy-rc.d
	printf '#!/bin/sh\nexit 101\n' >"$guard"
	chmod 755 "$guard"
	trap 'rm -f "$guard"' EXIT
fi
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
[ -x "$EXIM_DIR/usr/sbin/exim4" ] || unpack_exim
