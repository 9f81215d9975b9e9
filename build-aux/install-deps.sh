#!/bin/sh
# Installs what libxenqmp needs to build and test on Debian 12 (as root, or
# through sudo). The list is kept here only: .ci/run and the README use it.
set -e

packages="
  build-essential pkg-config autoconf automake libtool autoconf-archive
  libglib2.0-dev libjson-glib-dev libxen-dev libedit-dev
  libjansson-dev
  xenstore-utils libyajl2
  gobject-introspection libgirepository1.0-dev gir1.2-json-1.0 python3-gi
  gi-docgen
  qemu-system-x86
  valgrind
  clang libclang-rt-dev
  debhelper lintian dpkg-dev fakeroot man-db
"

if [ "$(id -u)" -ne 0 ]; then
  exec sudo "$0" "$@"
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $packages

# The Xen test bed (tests/xen-testbed.h) runs Debian's real xenstored,
# oxenstored and xl under a hypervisor stand-in. Their packages are
# unpacked, never installed: installing xen-utils would start Xen's
# services on this machine and make it look like a dom0. They go to one
# folder of their own, which configure looks in by default
# (--with-xen-tools); xl's libraries (libxenmisc4.17, libyajl2) are plain
# libraries, installed above. The version is the one of the installed
# libxenmisc4.17, whose private ABI xl and oxenstored use.
xen_tools_root=/opt/libxenqmp-xen-4.17
xen_version=$(dpkg-query -W -f='${Version}' libxenmisc4.17)
if [ "$(cat "$xen_tools_root/.version" 2>/dev/null)" != "$xen_version" ]; then
  debs=$(mktemp -d)
  chown _apt "$debs" 2>/dev/null || true   # apt-get downloads as _apt if it can
  ( cd "$debs" &&
    apt-get download -qq "xen-utils-4.17=$xen_version" "xen-utils-common=$xen_version" )
  rm -rf "$xen_tools_root"
  mkdir -p "$xen_tools_root"
  for deb in "$debs"/*.deb; do
    dpkg -x "$deb" "$xen_tools_root"
  done
  echo "$xen_version" > "$xen_tools_root/.version"
  rm -rf "$debs"
fi
