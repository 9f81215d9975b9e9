#!/bin/bash
# Breaks each guarantee of the command API, each defence against a hostile
# QEMU and each promise of the schema checks in a copy of the tree, one at
# a time, and checks that the test named for it fails. Not run by CI (it
# rebuilds the library once per mutation); run it after changing a test:
#   build-aux/mutation-check.sh [WORKDIR]
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d /tmp/xenqmp-mutants-XXXXXX)}
rm -rf "$work/tree"; mkdir -p "$work/tree"
(cd "$src" && git ls-files --cached --others --exclude-standard -z | xargs -0 cp --parents -t "$work/tree")
cd "$work/tree" || exit 2
./autogen.sh >/dev/null 2>&1 && make -j"$(nproc)" >/dev/null 2>&1 || { echo "baseline build failed"; exit 2; }

# name | file | python expression applied to the file's text (no '|' in it) | test path
mutants=(
  "callback sees cmd Active|plugin/xen-qmp-cmd.c|s.replace('      cmd->priv[0] = NULL;\n      /* The cmd is Idle', '      /* The cmd is Idle')|/cmd/fake/idle-inside-callback"
  "fd leaks on sync error|plugin/xen-qmp-cmd.c|s.replace('    {\n      close_fd (&fd);\n      return FALSE;\n    }\n\n  binding', '    {\n      return FALSE;\n    }\n\n  binding')|/cmd/peer/connect-failure-is-synchronous"
  "dispose still calls back|plugin/xen-qmp-cmd.c|s.replace('  binding->cmd = NULL;\n', '')|/cmd/fake/dispose-inside-other-callback"
  "no reuse inside callback|plugin/xen-qmp-host.c|s.replace('if (d != NULL && qmp_connection_get_state (d->conn) != QMP_CONNECTION_CLOSED)', 'if (FALSE)')|/cmd/peer/reuses-connection-inside-callback"
  "pending not failed on EOF|plugin/qmp-connection.c|s.replace('  connection_fail_pending (conn, reason);\n  qmp_connection_unref', '  qmp_connection_unref')|/cmd/fake/eof-fails-active-commands-exactly-once"
  "timeouts ignored|plugin/qmp-connection.c|s.replace('  if (timeout_ms > 0)\n    {\n      pending->timeout', '  if (FALSE)\n    {\n      pending->timeout')|/cmd/fake/waits-for-busy-socket"
  "oob never enabled|plugin/qmp-connection.c|s.replace('conn->oob_enabled = offers_oob && conn->config.enable_oob;', 'conn->oob_enabled = FALSE;')|/cmd/peer/negotiation"
  "no idle close|plugin/qmp-connection.c|s.replace('&& conn->config.idle_timeout_ms != G_MAXUINT)', '&& FALSE)')|/cmd/fake/connection-released-when-idle"
  "close without drain|plugin/qmp-connection.c|s.replace('  gboolean draining = !busy && g_hash_table_size (conn->by_id) > 0;', '  gboolean draining = FALSE;')|/cmd/peer/unanswered-command-keeps-connection-open"
  "late reply not dropped|plugin/qmp-connection.c|s.replace('  GTask *task = g_steal_pointer (&pending->task);\n\n  destroy_source', '  GTask *task = pending->task;\n\n  destroy_source')|/cmd/peer/dispose-after-sent-drops-late-reply"
  "fd not sent|plugin/qmp-connection.c|s.replace('      if (send_fd)\n        {\n          struct cmsghdr', '      if (FALSE)\n        {\n          struct cmsghdr')|/cmd/fake/sends-fd"
  "events dropped|plugin/qmp-connection.c|s.replace('      NOTIFY_OBSERVERS (conn, event, msg.event, msg.event_data, msg.timestamp_us);', '')|/cmd/fake/events"
  "many sockets polled one by one|plugin/qmp-connection.c|s.replace('conn->poller = qmp_poller_get (conn->context);', 'conn->poller = qmp_poller_get (g_main_context_new ());')|/cmd/fake/one-polled-fd-for-many-connections"
  "domain checks skipped|plugin/qmp-domain-info.c|s.replace('  if (!qmp_xenstore_exists (xs, dom_path))', '  if (FALSE)')|/xen/refuses-before-connecting"
  "libxl lock ignored|plugin/xen-qmp-host.c|s.replace('*held = qmp_domain_lock_acquire (d->lock, on_lock_acquired, d, &local);', '*held = TRUE;')|/xen/waits-for-libxl-lock"
  "error class lost|plugin/qmp-message.c|s.replace('  msg->error_class = xen_qmp_error_class_from_name (msg->error_class_name);', '  msg->error_class = XEN_QMP_ERROR_CLASS_GENERIC_ERROR;')|/cmd/peer/error-classes-all"
  "trace always formatted|plugin/qmp-trace.c|s.replace('  return !g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN);', '  return TRUE;')|/trace/silent-when-disabled"
  "secrets traced|plugin/qmp-redact.c|s.replace('      if (g_ascii_tolower (*p) == secret_words[i][0]', '      if (FALSE')|/trace/logs-messages-redacted"
  "secret names anywhere traced|plugin/qmp-redact.c|s.replace('      if (g_ascii_tolower (*p) == secret_words[i][0]', '      if (FALSE')|/trace/redacts-secret-names"
  "URL credentials traced|plugin/qmp-redact.c|s.replace('  while ((p = strstr (p, \"://\")) != NULL)', '  while (FALSE)')|/trace/redacts-url-credentials"
  "HMP lines traced|plugin/qmp-redact.c|s.replace('&& strcmp (name, \"command-line\") == 0)', '&& FALSE)')|/trace/redacts-hmp-and-keys"
  "QEMU's error printed raw|glib-integration/tool/exit-status.c|s.replace('tool_escape_text (error->message)', 'g_strdup (error->message)')|/xen-qmp/hostile/error-desc"
  "QEMU's JSON printed raw|glib-integration/tool/output.c|s.replace('  return tool_escape_json (text);', '  return g_steal_pointer (&text);')|/xen-qmp/hostile/result"
  "depth unchecked|plugin/qmp-framer.c|s.replace('if (++framer->depth > framer->max_depth)', 'if (++framer->depth > G_MAXUINT - 1)')|/framer/refuses-deep-nesting-before-newline"
  "fds from QEMU kept|plugin/qmp-connection.c|s.replace('            close (fd);\n', '            (void) fd;\n')|/hostile/server-sends-fds"
  "a flooding domain starves the others|plugin/qmp-connection.c|s.replace('#define READS_PER_DISPATCH 1', '#define READS_PER_DISPATCH 64')|/hostile/event-flood"
  "event flood thinned silently|glib-integration/xen-qmp-client.c|s.replace('  if (g_queue_get_length (&client->early_events) >= client->max_buffered_events)', '  if (FALSE)')|/limits/client-buffered-events-limit"
  "client limits ignored|glib-integration/xen-qmp-client.c|s.replace('      config.limits = client->limits;', '      qmp_limits_init (&config.limits);')|/limits/client-message-size"
  "reader takes leading zeros|plugin/qmp-json-reader.c|s.replace(\"(c->p - digits > 1 && *digits == '0')\", 'FALSE')|/json-reader/the-rest-is-json-glibs"
  "unknown arguments accepted|plugin/qmp-schema-validate.c|s.replace('      return report_unknown (v, type, variant, name);', '      continue;')|/schema/validate/unknown-member"
  "invalid command sent|glib-integration/xen-qmp-client-schema.c|s.replace('  else if (!xen_qmp_schema_validate_command (schema, p->command, p->arguments, &error))\n    g_task_return_error (p->task, g_steal_pointer (&error));\n', '')|/validate/invalid-is-not-sent"
  "schema fetched every time|glib-integration/xen-qmp-client-schema.c|s.replace('  if (key == NULL)\n    return NULL;\n  if (state->schema', '  if (TRUE)\n    return NULL;\n  if (state->schema')|/validate/one-fetch-for-concurrent-executes"
)

killed=0; survived=0
for m in "${mutants[@]}"; do
  IFS='|' read -r name file expr tests <<<"$m"
  cp "$file" "$file.orig"
  python3 -c "import sys; p=sys.argv[1]; s=open(p).read(); t=$expr; assert t!=s, 'mutation did not apply'; open(p,'w').write(t)" "$file" || { echo "SETUP  $name"; mv "$file.orig" "$file"; continue; }
  if ! make -j"$(nproc)" >/dev/null 2>&1 || ! make -j"$(nproc)" tests/test-cmd tests/test-trace tests/test-framer tests/test-xen \
         tests/test-hostile tests/test-limits tests/test-faults tests/test-json-reader tests/test-schema \
         tests/test-validate tests/test-xen-qmp >/dev/null 2>&1; then
    echo "KILLED $name (does not build)"; killed=$((killed+1))
  else
    case "$tests" in
      /trace/*) bin=tests/test-trace ;; /framer/*) bin=tests/test-framer ;; /xen/*) bin=tests/test-xen ;;
      /hostile/*) bin=tests/test-hostile ;; /limits/*) bin=tests/test-limits ;; /faults/*) bin=tests/test-faults ;;
      /json-reader/*) bin=tests/test-json-reader ;; /schema/*) bin=tests/test-schema ;;
      /validate/*) bin=tests/test-validate ;; /xen-qmp/*) bin=tests/test-xen-qmp ;;
      *) bin=tests/test-cmd ;;
    esac
    if (FAKE_QEMU=$PWD/fake-qemu/fake-qemu G_TEST_SRCDIR=$PWD/tests G_TEST_BUILDDIR=$PWD/tests \
        timeout 300 "$bin" -p "$tests" >"$work/mutant.log" 2>&1) 2>/dev/null \
       && ! grep -q '^not ok' "$work/mutant.log"; then
      echo "SURVIVED $name ($tests)"; survived=$((survived+1))
    else
      echo "KILLED $name ($tests)"; killed=$((killed+1))
    fi
  fi
  mv "$file.orig" "$file"
done
echo "$killed killed, $survived survived"
test "$survived" -eq 0

