#!/bin/sh
# Installs what libxenqmp needs to build and test on Debian 12 (as root, or
# through sudo). The list is kept here only: .ci/run and the README use it.
set -e

packages="
  build-essential pkg-config autoconf automake libtool autoconf-archive
  libglib2.0-dev libjson-glib-dev libxen-dev libedit-dev
  libjansson-dev
  xenstore-utils
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
