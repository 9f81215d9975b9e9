#!/bin/sh
# run-fuzzer.sh HARNESS MAX_LEN DICT: what make fuzz runs for one harness,
# from the build directory. It fuzzes a copy of the seed corpus and the
# regressions (libFuzzer adds what it finds to its first directory; the
# checked-in corpus stays as it is) for $FUZZ_SECONDS seconds, then prints
# one line: "ok - fuzz-HARNESS: ..." with the figures, or "not ok - ..."
# and the end of the log. The same line goes to tests/fuzz/run/HARNESS/result.
set -u

name=$1
max_len=$2
dict=$3
seconds=${FUZZ_SECONDS:-60}
fuzzdir=$(cd "$(dirname "$0")" && pwd)
harness=tests/fuzz/fuzz-$name
work=tests/fuzz/run/$name

rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
for dir in "$fuzzdir/corpus/$name" "$fuzzdir/regressions/$name"; do
  [ -d "$dir" ] && cp "$dir"/* "$work/corpus/" 2>/dev/null
done

# -timeout: an input that runs this long is a hang (the harness takes
# milliseconds); -rss_limit_mb bounds what one input may cost. Leaks are
# checked after each input that allocated more than it freed.
# shellcheck disable=SC2086
ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=1:fast_unwind_on_malloc=0" \
UBSAN_OPTIONS="${UBSAN_OPTIONS:-}${UBSAN_OPTIONS:+:}print_stacktrace=1" \
LSAN_OPTIONS="${LSAN_OPTIONS:-}${LSAN_OPTIONS:+:}suppressions=$fuzzdir/lsan.supp" \
"$harness" -max_total_time="$seconds" -max_len="$max_len" -dict="$dict" \
  -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" ${FUZZ_FLAGS:-} \
  "$work/corpus" > "$work/fuzz.log" 2>&1
status=$?

stat() { sed -n "s/^stat::$1: *//p" "$work/fuzz.log" | tail -n 1; }
execs=$(stat number_of_executed_units)
per_second=$(stat average_exec_per_sec)
done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$work/fuzz.log" | tail -n 1)
cov=$(echo "$done_line" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
ft=$(echo "$done_line" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
corp=$(echo "$done_line" | sed -n 's/.*corp: \([0-9]*\).*/\1/p')

if [ "$status" -eq 0 ]; then
  line="ok - fuzz-$name: ${execs:-?} executions in ${seconds} s (${per_second:-?} exec/s), cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?} inputs, no crash"
else
  artifact=$(ls "$work/artifacts" 2>/dev/null | head -n 1)
  line="not ok - fuzz-$name: failed (exit $status) after ${execs:-?} executions; input: $work/artifacts/${artifact:-none}; log: $work/fuzz.log"
  grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|.*ERROR:|.*CRITICAL)' "$work/fuzz.log" | head -n 20
  tail -n 40 "$work/fuzz.log"
fi
echo "$line" > "$work/result"
echo "$line"
exit "$status"
