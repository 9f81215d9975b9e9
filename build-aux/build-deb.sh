#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Builds the Debian packages from this source tree in a temporary copy (the
# work tree is left alone), checks them with lintian, installs them on this
# machine and runs the examples against fake-qemu from the installed
# packages only.
#
#   build-aux/build-deb.sh [--output DIR]
#
# --output DIR keeps the built .debs, .changes and build log in DIR.
# Needs root (or sudo) for apt-get. Prints one TAP line per check (the plan
# at the end); everything else is a TAP comment. Exits 1 when a check fails.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
output=
while [ $# -gt 0 ]; do
  case "$1" in
    --output) output=$2; shift 2 ;;
    --output=*) output=${1#--output=}; shift ;;
    -h|--help) sed -n '3,12s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
if [ -n "$output" ]; then
  mkdir -p "$output" && output=$(cd "$output" && pwd) || exit 2
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
else
  as_root=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive

n=0
failed=0
ok()     { n=$((n + 1)); echo "ok $n $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n $*"; }
check()  { # DESCRIPTION COMMAND...: ok when COMMAND succeeds
  local what=$1; shift
  if "$@"; then ok "$what"; else not_ok "$what"; fi
}
comment() { sed 's/^/# /'; }
finish() {
  echo "1..$n"
  if [ "$failed" -ne 0 ]; then echo "# $failed of $n checks failed"; exit 1; fi
  exit 0
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/xqmp-deb-XXXXXX") || exit 1
fake=
# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
  if [ -n "$fake" ]; then kill "$fake" 2>/dev/null; wait "$fake" 2>/dev/null; fi
  if [ -n "$output" ] && [ -d "$tmp" ]; then
    cp -f "$tmp"/*.deb "$tmp"/*.changes "$tmp"/*.buildinfo "$tmp"/build.log \
      "$output"/ 2>/dev/null
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

start=$(date +%s)

# 1. The source: the git checkout's files (committed, and changed or new
# files not ignored), or the whole directory outside git.
src=$tmp/src
mkdir "$src"
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  (cd "$top" && git ls-files -z --cached --others --exclude-standard \
     | tar --null --ignore-failed-read -T - -cf - 2>/dev/null) | tar -C "$src" -xf -
else
  cp -a "$top"/. "$src"/
fi
if [ ! -f "$src/debian/control" ]; then
  not_ok "source tree copied with debian/"
  finish
fi

# The version is set once, in configure.ac: a release whose changelog entry
# is not written yet gets one here, in the copy, pointing at NEWS.
upstream=$(sed -n 's/^m4_define(\[xenqmp_\(major\|minor\|micro\)\], \[\([0-9]*\)\])$/\2/p' \
             "$src/configure.ac" | paste -sd.)
logged=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version 2>/dev/null)
if [ -n "$upstream" ] && [ "$upstream" != "$logged" ]; then
  echo "# debian/changelog says $logged, configure.ac $upstream: adding an entry"
  { printf 'libxenqmp (%s) unstable; urgency=medium\n\n' "$upstream"
    printf '  * Release %s: see NEWS.\n\n' "$upstream"
    printf ' -- %s  %s\n\n' "$(dpkg-parsechangelog -l "$src/debian/changelog" -S Maintainer)" \
      "$(date -R)"
    cat "$src/debian/changelog"; } > "$src/debian/changelog.new"
  mv "$src/debian/changelog.new" "$src/debian/changelog"
fi
check "package version $upstream follows configure.ac" \
  test "$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)" = "$upstream"

# 2. The tools and the build dependencies.
need=()
command -v dpkg-buildpackage >/dev/null || need+=(dpkg-dev)
command -v dh >/dev/null || need+=(debhelper)
command -v fakeroot >/dev/null || need+=(fakeroot)
command -v lintian >/dev/null || need+=(lintian)
if [ ${#need[@]} -gt 0 ]; then
  echo "# installing ${need[*]}"
  "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" 2>&1 | comment
fi
if ! (cd "$src" && dpkg-checkbuilddeps) 2>&1 | comment; then
  echo "# installing the missing build dependencies"
  "${as_root[@]}" apt-get build-dep -y -qq "$src" 2>&1 | comment
fi
check "build dependencies installed" sh -c "cd '$src' && dpkg-checkbuilddeps"

# 3. dpkg-buildpackage (builds, runs make check, builds the packages).
if (cd "$src" && dpkg-buildpackage -us -uc -b -j"$(nproc)") > "$tmp/build.log" 2>&1; then
  ok "dpkg-buildpackage -us -uc -b ($(($(date +%s) - start)) s so far)"
  # automake's summary of make check (dh_auto_test)
  echo "# make check: $(grep -E '^# (TOTAL|PASS|SKIP|XFAIL|FAIL|XPASS|ERROR): +[0-9]+$' \
    "$tmp/build.log" | sed 's/^# //' | tr -s '\n ' ' ')"
else
  not_ok "dpkg-buildpackage -us -uc -b"
  # Which test failed, before the tail that may not reach its name.
  grep -E '^(ERROR|FAIL): |Bail out!|^not ok ' "$tmp/build.log" | head -n 20 | comment
  tail -n 150 "$tmp/build.log" | comment
  finish
fi
grep -E '^dpkg-gensymbols: warning' -A20 "$tmp/build.log" | comment

debs=()   # without the -dbgsym packages
for deb in "$tmp"/*.deb; do
  case "$deb" in *-dbgsym_*) ;; *) debs+=("./${deb##*/}") ;; esac
done
changes=("$tmp"/*.changes)
packages="libxenqmp-1.0-0 libxenqmp-dev gir1.2-xenqmp-1.0 python3-xenqmp xen-qmp"
case " ${DEB_BUILD_PROFILES:-} " in *" nodoc "*) ;; *) packages="$packages libxenqmp-doc" ;; esac
for p in $packages; do
  built=("$tmp/${p}_"*.deb)
  check "package $p built" test -f "${built[0]}"
done
for deb in "${debs[@]}"; do
  echo "# ${deb#./}: $(dpkg-deb -c "$tmp/$deb" | grep -vc '/$') files"
done

# 4. lintian: errors fail, warnings are shown.
lintian_root=()
[ "$(id -u)" -eq 0 ] && lintian_root=(--allow-root)
lintian "${lintian_root[@]}" --fail-on error --info "${changes[0]}" > "$tmp/lintian.log" 2>&1
lintian_status=$?
comment < "$tmp/lintian.log"
errors=$(grep -c '^E: ' "$tmp/lintian.log")
warnings=$(grep -c '^W: ' "$tmp/lintian.log")
if [ "$lintian_status" -eq 0 ] && [ "$errors" -eq 0 ]; then
  ok "lintian: no errors ($warnings warnings)"
else
  not_ok "lintian: $errors errors, $warnings warnings (exit $lintian_status)"
fi

# 5. Install the packages on this machine.
if (cd "$tmp" && "${as_root[@]}" apt-get install -y -qq --reinstall --no-install-recommends \
      "${debs[@]}") > "$tmp/install.log" 2>&1; then
  ok "apt-get install ${debs[*]}"
else
  not_ok "apt-get install ${debs[*]}"
  comment < "$tmp/install.log"
  finish
fi

# 6. The installed tools and their manual pages.
version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
out=$(/usr/bin/xen-qmp --version 2>&1)
echo "$out" | comment
check "xen-qmp --version reports ${version%%-*}" grep -qF "${version%%-*}" <<<"$out"
for page in xen-qmp fake-qemu fake-xenstored; do
  where=$(man -w "$page" 2>&1)
  check "man -w $page: $where" test "$where" = "/usr/share/man/man1/$page.1.gz"
done
check "fake-qemu scripts installed" test -f /usr/share/fake-qemu/scripts/stop-cont.jsonl

# 7. The examples against the installed fake-qemu, with the installed
# library and typelib: nothing from the build tree on any search path.
unset GI_TYPELIB_PATH LD_LIBRARY_PATH LD_PRELOAD PKG_CONFIG_PATH
run=$tmp/run
mkdir "$run"
/usr/bin/fake-qemu --socket "$run/qmp-libxl-1" --socket "$run/qmp-libxl-2" \
  --timeout 120 > "$tmp/fake-qemu.log" 2>&1 &
fake=$!
for _ in $(seq 500); do
  [ -S "$run/qmp-libxl-1" ] && [ -S "$run/qmp-libxl-2" ] && break
  sleep 0.02
done
check "installed fake-qemu listens on two sockets" \
  test -S "$run/qmp-libxl-1" -a -S "$run/qmp-libxl-2"

typelib=$(/usr/bin/python3 -c '
import gi
gi.require_version("XenQmp", "1.0")
from gi.repository import XenQmp
print(gi.Repository.get_default().get_typelib_path("XenQmp"))
' 2>&1)
echo "# XenQmp typelib: $typelib"
case "$typelib" in
  /usr/lib/*/girepository-1.0/XenQmp-1.0.typelib) ok "Python loads the installed XenQmp-1.0.typelib" ;;
  *) not_ok "Python loads the installed XenQmp-1.0.typelib" ;;
esac

out=$(cd "$src" && timeout 60 /usr/bin/python3 glib-integration/examples/follow_events.py \
        --run-dir "$run" --cycle --count 4 --timeout 30 1 2 2>&1)
status=$?
echo "$out" | comment
check "follow_events.py exits 0 (exit $status)" test "$status" -eq 0
for want in "[domain 1] STOP" "[domain 1] RESUME" "[domain 2] STOP" "[domain 2] RESUME"; do
  check "follow_events.py prints \"$want\"" grep -qF "$want" <<<"$out"
done

# A C consumer built against the installed libxenqmp-dev with nothing but
# pkg-config (so its Depends must bring everything the .pc requires).
# shellcheck disable=SC2086  # $cflags: pkg-config's words
if cflags=$(pkg-config --cflags --libs xenqmp-1.0 2>&1) &&
   cc -std=c11 -Wall -Wextra -Werror -pedantic "$src/tests/consumer.c" \
      -o "$tmp/consumer" $cflags > "$tmp/cc.log" 2>&1; then
  ok "consumer.c builds with pkg-config xenqmp-1.0 from libxenqmp-dev"
  mkdir "$tmp/consumer-run"
  timeout 60 "$tmp/consumer" /usr/bin/fake-qemu "$tmp/consumer-run" > "$tmp/consumer.log" 2>&1
  status=$?
  comment < "$tmp/consumer.log"
  check "consumer runs against the installed fake-qemu (exit $status)" test "$status" -eq 0
else
  not_ok "consumer.c builds with pkg-config xenqmp-1.0 from libxenqmp-dev"
  { echo "$cflags"; cat "$tmp/cc.log"; } | comment
fi

echo "# $(($(date +%s) - start)) s in all"
finish
