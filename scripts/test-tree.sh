#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The minimal Debian 12 tree the package tests install into (dpkg --root)
# and boot (systemd-nspawn): built once with mmdebstrap from this machine's
# own apt sources, cached, and never modified (tests use an overlay on it).
# Prints its path. TREE_CACHE overrides where it is kept. With a .deb as
# argument, the tree also holds every package that .deb depends on, so a
# new library in debian/control needs no edit here.
# Usage: scripts/test-tree.sh [PACKAGE.deb]
set -eu
cache=${TREE_CACHE:-/var/tmp/smtpfence-pkgtest}
tree=$cache/tree
# Runtime dependencies of the package, systemd as PID 1, and a tenant's bash.
include=systemd,systemd-sysv,dbus,init-system-helpers,iproute2,procps,libbpf1,libinih1
include=$include,libjson-c5,libmicrohttpd12,libncursesw6,libsystemd0,libelf1,zlib1g
if [ $# -ge 1 ]; then
	# "libbpf1 (>= 1:0.7.0), libc6 (>= 2.34) | libc6-udeb" -> "libbpf1,libc6"
	depends=$(dpkg-deb -f "$1" Depends | tr ',' '\n' |
		sed -e 's/|.*//' -e 's/(.*)//' -e 's/[[:space:]]//g' | grep . | sort -u | paste -sd, -)
	[ -z "$depends" ] || include=$include,$depends
fi
stamp=$cache/tree.include
if [ -d "$tree" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$include" ]; then
	echo "$tree"
	exit 0
fi
sources=/etc/apt/sources.list.d/debian.sources
[ -f "$sources" ] || sources=/etc/apt/sources.list
mkdir -p "$cache"
rm -rf "$tree" "$tree.new"
echo "test-tree: building $tree with mmdebstrap (minutes, once)" >&2
mmdebstrap --quiet --variant=minbase --include="$include" bookworm "$tree.new" "$sources" >&2
mv "$tree.new" "$tree"
echo "$include" >"$stamp"
echo "$tree"
