#!/bin/sh
# bench-callgrind.sh: instructions per command of the library's data path
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Usage: bench-callgrind.sh LIBTOOL BENCH COMMANDS OUTDIR
#
# Runs BENCH --callgrind COMMANDS (64 in flight against the bench's
# responder) under callgrind, collecting only inside connection_io(): the
# dispatch of a connection's socket source, that is the receive path
# (recvmsg, framing, parsing, matching the id, completing the GTask, the
# callback) plus the sends it triggers. The command the bench's callback
# execs from there is counted too (exec, serialize, sendmsg); its share is
# printed on its own line so that receive+dispatch can be read apart.
# A second run does the same through XenQmpClient (its execute_async
# from the completion callback), with the host's connection open and idle
# beside it as in make bench; only its total is printed.
# Instruction counts are deterministic: compare them across commits.
set -eu
libtool=$1 bench=$2 n=$3 out=$4

# Runs BENCH --callgrind N [ARGS] under callgrind with TOGGLES (callgrind
# options), into DIR; sets $commands, and $file and $total for the
# bench's own profile (the responder is a forked child: its file collects
# nothing).
profile() {
  toggles=$1 dir=$2
  shift 2
  mkdir -p "$dir"
  # shellcheck disable=SC2086 # TOGGLES is a list of options
  if ! $libtool --mode=execute valgrind --tool=callgrind $toggles \
         --callgrind-out-file="$dir/callgrind.out.%p" "$bench" --callgrind "$n" "$@" \
         > "$dir/bench.log" 2>&1; then
    cat "$dir/bench.log"
    exit 1
  fi
  commands=$(sed -n 's/^commands: //p' "$dir/bench.log")
  file=
  for f in "$dir"/callgrind.out.*; do
    if grep -q '^totals: [1-9]' "$f"; then file=$f; fi
  done
  total=$(sed -n 's/^totals: //p' "$file")
}

# LABEL: the profile's total per command.
per_command() {
  awk -v n="$commands" -v total="$total" -v label="$1" 'BEGIN {
    printf "  %-48s %8.0f\n", label, total / n }'
}

rm -rf "$out"
mkdir -p "$out"
dispatch="--toggle-collect=connection_io --toggle-collect=outbox_dispatch"
profile "$dispatch" "$out"
callgrind_annotate --inclusive=yes "$file" > "$out/annotate.txt" 2>/dev/null
  awk -v n="$commands" -v total="$total" '
    function per(label, pattern,    line, ir) {
      while ((getline line < file) > 0)
        if (index(line, pattern) > 0 && index(line, "[") > 0) {
          ir = line; sub(/^ */, "", ir); sub(/ .*/, "", ir); gsub(/,/, "", ir)
          printf "  %-48s %8.0f\n", label, ir / n
          close(file); return
        }
      close(file)
      printf "  %-48s %8s\n", label, "-"
    }
    BEGIN {
      file = ARGV[1]; ARGV[1] = ""
      printf "instructions per command (%d commands, 64 in flight):\n", n
      printf "  %-48s %8.0f\n", "all of the dispatch (socket, then outbox)", total / n
      per("  connection_io (read, parse, match, deliver, send)", ":connection_io [")
      per("  qmp_message_parse (framed reply -> message)", ":qmp_message_parse [")
      per("    json_parser_load_from_data", "json_parser_load_from_data [")
      per("  qmp_message_clear (freeing the tree)", ":qmp_message_clear [")
      per("  pending_complete (bookkeeping, queueing)", ":pending_complete [")
      per("  completion_deliver (GTask, callback, next exec)", ":completion_deliver [")
      per("    g_task_return_pointer", "g_task_return_pointer [")
      per("  completion_free (the task and its reply)", ":completion_free [")
      per("  qmp_outbox_push", ":qmp_outbox_push [")
      per("  qmp_framer_next (newline scan)", ":qmp_framer_next [")
      per("  qmp_trace_enabled", ":qmp_trace_enabled [")
      per("  send side: xen_qmp_cmd_exec (next command)", ":xen_qmp_cmd_exec [")
      per("  send side: connection_flush", ":connection_flush")
    }' "$out/annotate.txt"
echo "(full profile: callgrind_annotate --inclusive=yes $file)"

# The same through XenQmpClient.
profile "$dispatch" "$out/client" client
per_command "XenQmpClient, all of the dispatch"

# The whole of each iteration of the application's loop (prepare, poll,
# check, dispatch of every source): what the library's context costs the
# loop beside the data path (qmp-io-context.h).
profile --toggle-collect=g_main_context_iteration "$out/loop-cmd"
per_command "whole loop iterations"
profile --toggle-collect=g_main_context_iteration "$out/loop-client" client
per_command "XenQmpClient, whole loop iterations"
