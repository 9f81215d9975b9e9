#!/bin/sh
# make demo: xen-qmp against fake-qemu playing demo.jsonl, in a temp dir.
# Shows a result, a QMP error with its class and events, then fake-qemu's
# verdict; nothing is left running. XEN_QMP and FAKE_QEMU name the
# programs (defaults: from PATH).
set -u
here=$(cd "$(dirname "$0")" && pwd)
xen_qmp=${XEN_QMP:-xen-qmp}
fake_qemu=${FAKE_QEMU:-fake-qemu}
# QEMU 7.2's schema: fake-qemu answers query-qmp-schema with it, and
# xen-qmp checks its commands against it before sending them.
schema=${FAKE_QEMU_SCHEMA:-$here/../../fake-qemu/scripts/qemu-7.2-schema.json}

dir=$(mktemp -d "${TMPDIR:-/tmp}/xen-qmp-demo-XXXXXX")
# The schema cache too, so that the demo starts cold and leaves nothing.
export XDG_CACHE_HOME="$dir/cache"
fake=
cleanup() {
  [ -n "$fake" ] && kill "$fake" 2>/dev/null && wait "$fake" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT INT TERM

"$fake_qemu" --socket "$dir/qmp-libxl-1" --script "$here/demo.jsonl" --schema "$schema" --timeout 60 \
  2> "$dir/fake-qemu.log" &
fake=$!
i=0
while [ ! -S "$dir/qmp-libxl-1" ] && [ $i -lt 1000 ]; do sleep 0.01; i=$((i+1)); done

status=0
run() {   # EXPECTED-STATUS ARGS...
  want=$1; shift
  echo "\$ xen-qmp --domain 1 --run-dir \$DIR $*"
  "$xen_qmp" --domain 1 --run-dir "$dir" --timeout 10 "$@" 2>&1
  got=$?
  echo "  (exit status $got)"
  echo
  [ "$got" -eq "$want" ] || status=1
}

echo "fake-qemu plays domain 1 in \$DIR=$dir"
echo
run 0 query-status
run 2 device_del idd=nic0
run 1 device_del id=nic0
run 0 --describe device_del
run 0 --events --count 2

# fake-qemu exits once its script is played: 0 means xen-qmp did exactly
# what the script expected.
wait "$fake"
verdict=$?
fake=
if [ "$verdict" -eq 0 ]; then
  echo "fake-qemu: the session went exactly as scripted"
else
  echo "fake-qemu: the session did not go as scripted (exit $verdict):"
  cat "$dir/fake-qemu.log"
  status=1
fi
exit $status
