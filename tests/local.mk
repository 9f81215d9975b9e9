# tests/: GTest programs, run by make check through automake's TAP driver

tests_cppflags = $(AM_CPPFLAGS) -I$(top_srcdir)/plugin -I$(top_builddir)/plugin -I$(top_builddir) \
	-I$(top_srcdir)/glib-integration
tests_cflags = $(AM_CFLAGS) $(GLIB_CFLAGS) $(JSON_CFLAGS)
tests_ldadd = plugin/libxenqmp-1.0.la $(GLIB_LIBS) $(JSON_LIBS)

tests_server_sources = tests/test-server.c tests/test-server.h
tests_peer_sources = tests/test-peer.c tests/test-peer.h
tests_recorded_sources = tests/recorded-session.c tests/recorded-session.h

# Unit tests of internals: they compile the piece under test directly.
check_PROGRAMS += tests/test-framer
TESTS += tests/test-framer
tests_test_framer_SOURCES = tests/test-framer.c plugin/qmp-framer.c plugin/qmp-framer.h
tests_test_framer_CPPFLAGS = $(tests_cppflags) -DG_LOG_DOMAIN=\"XenQmp\"
tests_test_framer_CFLAGS = $(tests_cflags)
tests_test_framer_LDADD = $(GLIB_LIBS)

check_PROGRAMS += tests/test-json-parse tests/test-json-scan
TESTS += tests/test-json-parse tests/test-json-scan
tests_test_json_scan_SOURCES = tests/test-json-scan.c plugin/qmp-json-scan.c plugin/qmp-json-scan.h \
	plugin/qmp-hash.c plugin/qmp-hash.h
tests_test_json_parse_SOURCES = tests/test-json-parse.c plugin/qmp-json-parse.c plugin/qmp-json-parse.h \
	plugin/qmp-json-scan.c plugin/qmp-json-scan.h \
	plugin/qmp-hash.c plugin/qmp-hash.h \
	plugin/qmp-json-reader.c plugin/qmp-json-reader.h
tests_test_json_parse_CPPFLAGS = $(tests_cppflags)
tests_test_json_parse_CFLAGS = $(tests_cflags)
tests_test_json_parse_LDADD = $(GLIB_LIBS) $(JSON_LIBS)
tests_test_json_scan_CPPFLAGS = $(tests_cppflags)
tests_test_json_scan_CFLAGS = $(tests_cflags)
tests_test_json_scan_LDADD = $(GLIB_LIBS)

check_PROGRAMS += tests/test-json-reader
TESTS += tests/test-json-reader
tests_test_json_reader_SOURCES = tests/test-json-reader.c tests/test-json-tree.c tests/test-json-tree.h plugin/qmp-json-reader.c plugin/qmp-json-reader.h
tests_test_json_reader_CPPFLAGS = $(tests_cppflags)
tests_test_json_reader_CFLAGS = $(tests_cflags)
tests_test_json_reader_LDADD = $(GLIB_LIBS) $(JSON_LIBS)

# libxl's QMP socket lock against other processes' flock(), and
# /proc/locks.
check_PROGRAMS += tests/test-domain-lock
TESTS += tests/test-domain-lock
tests_test_domain_lock_SOURCES = tests/test-domain-lock.c \
	plugin/qmp-domain-lock.c plugin/qmp-domain-lock.h \
	plugin/qmp-proc-locks.c plugin/qmp-proc-locks.h \
	plugin/qmp-hash.c plugin/qmp-hash.h
tests_test_domain_lock_CPPFLAGS = $(tests_cppflags) -DG_LOG_DOMAIN=\"XenQmp\"
tests_test_domain_lock_CFLAGS = $(tests_cflags)
tests_test_domain_lock_LDADD = $(GLIB_LIBS)

check_PROGRAMS += tests/test-trace
TESTS += tests/test-trace
tests_test_trace_SOURCES = tests/test-trace.c plugin/qmp-trace.c plugin/qmp-trace.h \
	plugin/qmp-redact.c plugin/qmp-redact.h \
	$(tests_server_sources) $(tests_peer_sources)
tests_test_trace_CPPFLAGS = $(tests_cppflags) -DG_LOG_DOMAIN=\"XenQmp\"
tests_test_trace_CFLAGS = $(tests_cflags)
tests_test_trace_LDADD = $(tests_ldadd)

# Contract tests of the command API, against fake-qemu, a real QEMU and a
# raw scripted peer.
check_PROGRAMS += tests/test-cmd
TESTS += tests/test-cmd
tests_test_cmd_SOURCES = tests/test-cmd.c tests/test-backend.h tests/test-json-tree.c tests/test-json-tree.h tests/test-loop.h tests/test-fds.h $(tests_server_sources) $(tests_peer_sources)
tests_test_cmd_CPPFLAGS = $(tests_cppflags)
tests_test_cmd_CFLAGS = $(tests_cflags)
tests_test_cmd_LDADD = $(tests_ldadd)

# Commands that open files through fdsets, as libxl does: libxl's CD insert
# and save against a real QEMU 7.2, every path against scripted fake-qemu.
check_PROGRAMS += tests/test-fdsets
TESTS += tests/test-fdsets
tests_test_fdsets_SOURCES = tests/test-fdsets.c tests/test-call.h tests/test-loop.h tests/test-fds.h $(tests_server_sources)
tests_test_fdsets_CPPFLAGS = $(tests_cppflags)
tests_test_fdsets_CFLAGS = $(tests_cflags)
tests_test_fdsets_LDADD = $(tests_ldadd)


# The catalogue of hostile device-model input: one fake-qemu script per
# bad input (tests/hostile/README.md), each played against the command API
# beside a well-behaved domain.
check_PROGRAMS += tests/test-hostile
TESTS += tests/test-hostile
tests_test_hostile_SOURCES = tests/test-hostile.c tests/test-loop.h $(tests_server_sources)
tests_test_hostile_CPPFLAGS = $(tests_cppflags)
tests_test_hostile_CFLAGS = $(tests_cflags)
tests_test_hostile_LDADD = $(tests_ldadd)
EXTRA_DIST += tests/hostile/README.md \
	tests/hostile/foreign-ids.jsonl \
	tests/hostile/comment-nesting.jsonl \
	tests/hostile/single-quote-greeting.jsonl \
	tests/hostile/repeated-names.jsonl \
	tests/hostile/repeated-escaped-names.jsonl \
	tests/hostile/colliding-names.jsonl \
	tests/hostile/many-members.jsonl \
	tests/hostile/amplification.jsonl \
	tests/hostile/nul-escape.jsonl \
	tests/hostile/lone-surrogate.jsonl \
	tests/hostile/overlong-utf8.jsonl \
	tests/hostile/number-overflow.jsonl \
	tests/hostile/bare-words.jsonl \
	tests/hostile/deep-nesting.jsonl \
	tests/hostile/duplicate-id.jsonl \
	tests/hostile/endless-line.jsonl \
	tests/hostile/eof-mid-message.jsonl \
	tests/hostile/error-class-not-string.jsonl \
	tests/hostile/error-without-class.jsonl \
	tests/hostile/event-flood.jsonl \
	tests/hostile/greeting-not-object.jsonl \
	tests/hostile/huge-string.jsonl \
	tests/hostile/invalid-utf8.jsonl \
	tests/hostile/neither.jsonl \
	tests/hostile/never-reads.jsonl \
	tests/hostile/no-greeting.jsonl \
	tests/hostile/nul-bytes.jsonl \
	tests/hostile/one-byte-at-a-time.jsonl \
	tests/hostile/reply-before-greeting.jsonl \
	tests/hostile/reset-mid-message.jsonl \
	tests/hostile/return-and-error.jsonl \
	tests/hostile/second-greeting.jsonl \
	tests/hostile/server-sends-fds.jsonl \
	tests/hostile/many-fds.jsonl \
	tests/hostile/fd-flood.jsonl \
	tests/hostile/lingering-fds-with-event.jsonl \
	tests/hostile/lingering-fds-with-reply.jsonl \
	tests/hostile/more-fds-than-buffer.jsonl \
	tests/hostile/nested-lingering-fd.jsonl \
	tests/hostile/lingering-fds-at-close.jsonl \
	tests/hostile/top-level-array.jsonl \
	tests/hostile/top-level-number.jsonl \
	tests/hostile/top-level-string.jsonl \
	tests/hostile/two-values.jsonl \
	tests/hostile/unknown-id.jsonl \
	tests/hostile/wrong-type-id.jsonl

# A dedicated QMP monitor for event followers (docs/event-monitor.md), as
# xl.cfg's device_model_args_hvm adds it, against QEMU 7.2: events, the
# handshake, dm_restrict's -chroot and -runas, stale sockets.
check_PROGRAMS += tests/test-event-monitor
TESTS += tests/test-event-monitor
tests_test_event_monitor_SOURCES = tests/test-event-monitor.c tests/test-fds.h tests/test-loop.h tests/test-backend.h $(tests_server_sources)
tests_test_event_monitor_CPPFLAGS = $(tests_cppflags)
tests_test_event_monitor_CFLAGS = $(tests_cflags)
tests_test_event_monitor_LDADD = $(tests_ldadd)

# The GObject client API.
check_PROGRAMS += tests/test-client
TESTS += tests/test-client
tests_test_client_SOURCES = tests/test-client.c tests/test-backend.h tests/test-call.h tests/test-loop.h tests/test-fds.h $(tests_server_sources) $(tests_peer_sources)
tests_test_client_CPPFLAGS = $(tests_cppflags)
tests_test_client_CFLAGS = $(tests_cflags)
tests_test_client_LDADD = $(tests_ldadd)

check_PROGRAMS += tests/test-client-reconnect
TESTS += tests/test-client-reconnect
tests_test_client_reconnect_SOURCES = tests/test-client-reconnect.c tests/test-backend.h tests/test-loop.h $(tests_server_sources)
tests_test_client_reconnect_CPPFLAGS = $(tests_cppflags)
tests_test_client_reconnect_CFLAGS = $(tests_cflags)
tests_test_client_reconnect_LDADD = $(tests_ldadd)

# User code after the I/O step: _sync calls from callbacks and handlers,
# other contexts, connects that give up, the close's order, threads.
check_PROGRAMS += tests/test-reentrancy
TESTS += tests/test-reentrancy
tests_test_reentrancy_SOURCES = tests/test-reentrancy.c tests/test-client-fixture.h tests/test-call.h tests/test-loop.h tests/test-backend.h $(tests_server_sources)
tests_test_reentrancy_CPPFLAGS = $(tests_cppflags)
tests_test_reentrancy_CFLAGS = $(tests_cflags)
tests_test_reentrancy_LDADD = $(tests_ldadd)

# _sync calls iterate the library's context alone: no application source
# runs during them; the library's own steps go on.
check_PROGRAMS += tests/test-sync-context
TESTS += tests/test-sync-context
tests_test_sync_context_SOURCES = tests/test-sync-context.c tests/test-client-fixture.h tests/test-call.h tests/test-loop.h tests/test-backend.h $(tests_server_sources)
tests_test_sync_context_CPPFLAGS = $(tests_cppflags)
tests_test_sync_context_CFLAGS = $(tests_cflags)
tests_test_sync_context_LDADD = $(tests_ldadd)

# ABI: exports = public declarations; the umbrella header stands alone.
TESTS += tests/abi.test
dist_check_SCRIPTS += tests/abi.test

# glib-integration/ builds on plugin/, never the reverse.
TESTS += tests/layers.test
dist_check_SCRIPTS += tests/layers.test

# The introspected API from Python (skips visibly without python3-gi).
TESTS += tests/python.test
dist_check_SCRIPTS += tests/python.test
EXTRA_DIST += tests/python/test_client.py
TESTS += tests/python-fdsets.test
dist_check_SCRIPTS += tests/python-fdsets.test
EXTRA_DIST += tests/python/test_fdsets.py
if HAVE_GI_PYTHON
tests_gi_python = $(GI_PYTHON)
endif

# The Xen glue through the real libxenstore, against each daemon of the
# test bed (tests/xen-testbed.mk).
check_PROGRAMS += tests/test-xen
TESTS += tests/test-xen
tests_test_xen_SOURCES = tests/test-xen.c tests/test-loop.h $(tests_xen_testbed_sources)
tests_test_xen_CPPFLAGS = $(tests_cppflags)
tests_test_xen_CFLAGS = $(tests_cflags) $(XENSTORE_CFLAGS)
tests_test_xen_LDADD = $(tests_ldadd) $(XENSTORE_LIBS)

# Sessions recorded from real QEMU replay through the library.
check_PROGRAMS += tests/test-replay
TESTS += tests/test-replay
tests_test_replay_SOURCES = tests/test-replay.c tests/test-loop.h $(tests_recorded_sources) $(tests_server_sources)
tests_test_replay_CPPFLAGS = $(tests_cppflags)
tests_test_replay_CFLAGS = $(tests_cflags)
tests_test_replay_LDADD = $(tests_ldadd)

# After make install (distcheck runs it): a consumer built with nothing but
# pkg-config, with -Wall -Wextra -Werror -pedantic, runs against the
# installed fake-qemu.
EXTRA_DIST += tests/consumer.c
installcheck-local:
	$(AM_V_GEN)tmp=$$(mktemp -d "$${TMPDIR:-/tmp}/xqmp-consumer-XXXXXX") && \
	export PKG_CONFIG_PATH="$(DESTDIR)$(libdir)/pkgconfig$${PKG_CONFIG_PATH:+:$$PKG_CONFIG_PATH}" && \
	$(CC) -std=c11 -Wall -Wextra -Werror -pedantic $(srcdir)/tests/consumer.c \
	  -o $$tmp/consumer $$($(PKG_CONFIG) --cflags --libs xenqmp-1.0) && \
	LD_LIBRARY_PATH="$(DESTDIR)$(libdir)" $$tmp/consumer "$(DESTDIR)$(bindir)/fake-qemu" $$tmp; \
	status=$$?; rm -rf $$tmp; exit $$status

# memcheck over the command API tests: definite leaks and invalid accesses
# fail. Children (fake-qemu, QEMU) are not traced.
VALGRIND_TESTS = tests/test-framer tests/test-domain-lock tests/test-json-parse tests/test-json-scan tests/test-trace tests/test-cmd \
	tests/test-client tests/test-limits tests/test-schema tests/test-validate tests/test-hostile \
	tests/test-xen tests/test-fdsets tests/test-reentrancy tests/test-sync-context tests/test-lock-yield tests/test-client-reconnect tests/test-event-follow
VALGRIND_FLAGS = --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite \
	--show-leak-kinds=definite --error-exitcode=99 --num-callers=30 \
	--suppressions=$(abs_top_srcdir)/tests/valgrind.supp
EXTRA_DIST += tests/valgrind.supp tests/lsan.supp

.PHONY: check-valgrind
check-valgrind: all $(check_PROGRAMS)
	@mkdir -p tests/valgrind; failed=0; \
	for t in $(VALGRIND_TESTS); do \
	  log=tests/valgrind/$$(basename $$t).log; \
	  echo "  VALGRIND $$t"; \
	  if ! ( $(AM_TESTS_ENVIRONMENT) export G_SLICE=always-malloc; \
	         $(LIBTOOL) --mode=execute valgrind $(VALGRIND_FLAGS) $$t ) > $$log 2>&1; then \
	    failed=1; echo "FAIL: $$t under valgrind (see $$log)"; tail -60 $$log; \
	  fi; \
	done; test $$failed = 0

clean-local: clean-valgrind
.PHONY: clean-valgrind
clean-valgrind:
	rm -rf tests/valgrind

# Limits on what QEMU may send: client, host, a 256 KiB thread stack.
check_PROGRAMS += tests/test-limits
TESTS += tests/test-limits
tests_test_limits_SOURCES = tests/test-limits.c tests/test-call.h tests/test-loop.h tests/test-fds.h $(tests_server_sources) $(tests_peer_sources)
tests_test_limits_CPPFLAGS = $(tests_cppflags)
tests_test_limits_CFLAGS = $(tests_cflags)
tests_test_limits_LDADD = $(tests_ldadd) -lpthread

# Fault injection: QEMU gone at every byte offset of each recorded session.
check_PROGRAMS += tests/test-faults
TESTS += tests/test-faults
tests_test_faults_SOURCES = tests/test-faults.c tests/test-fds.h tests/test-loop.h \
	$(tests_recorded_sources) $(tests_server_sources)
tests_test_faults_CPPFLAGS = $(tests_cppflags)
tests_test_faults_CFLAGS = $(tests_cflags)
tests_test_faults_LDADD = $(tests_ldadd)

# XenQmpSchema against QEMU 7.2's own schema.
check_PROGRAMS += tests/test-schema
TESTS += tests/test-schema
tests_test_schema_SOURCES = tests/test-schema.c tests/recorded-schema.h
tests_test_schema_CPPFLAGS = $(tests_cppflags)
tests_test_schema_CFLAGS = $(tests_cflags)
tests_test_schema_LDADD = $(tests_ldadd)

# XenQmpClient:validate, the schema fetched once, the caches.
check_PROGRAMS += tests/test-validate
TESTS += tests/test-validate
tests_test_validate_SOURCES = tests/test-validate.c tests/recorded-schema.h tests/test-call.h tests/test-fds.h tests/test-loop.h \
	$(tests_server_sources) $(tests_peer_sources)
tests_test_validate_CPPFLAGS = $(tests_cppflags)
tests_test_validate_CFLAGS = $(tests_cflags)
tests_test_validate_LDADD = $(tests_ldadd)
