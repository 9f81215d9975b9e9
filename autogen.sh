#!/bin/sh
# Generate the build system from a git checkout.  Set NOCONFIGURE=1 to stop
# before running configure; other arguments are passed to configure.
set -e
srcdir=$(dirname "$0")
test -n "$srcdir" || srcdir=.
cd "$srcdir"
autoreconf --force --install --verbose
cd - >/dev/null
if test -z "$NOCONFIGURE"; then
  exec "$srcdir/configure" "$@"
fi
