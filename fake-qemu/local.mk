# fake-qemu/: an idle QEMU 7.2 on QMP sockets, the test peer of libxenqmp.
# It shares no wire code with plugin/: see fake-qemu/README.md.

bin_PROGRAMS += fake-qemu/fake-qemu
fake_qemu_fake_qemu_SOURCES = \
	fake-qemu/main.c \
	fake-qemu/listener.c fake-qemu/listener.h \
	fake-qemu/monitor.c fake-qemu/monitor.h \
	fake-qemu/request.c fake-qemu/request.h \
	fake-qemu/script.c fake-qemu/script.h \
	fake-qemu/script-run.c fake-qemu/script-run.h \
	fake-qemu/hostile-fds.c fake-qemu/hostile-fds.h \
	fake-qemu/record.c fake-qemu/record.h \
	fake-qemu/builtins.c fake-qemu/builtins.h \
	fake-qemu/xen-device-model.c fake-qemu/xen-device-model.h \
	fake-qemu/command-line-options.c fake-qemu/command-line-options.h \
	fake-qemu/arguments.c fake-qemu/arguments.h \
	fake-qemu/fdstore.c fake-qemu/fdstore.h \
	fake-qemu/qmp-message.c fake-qemu/qmp-message.h \
	fake-qemu/json-stream.c fake-qemu/json-stream.h \
	fake-qemu/json-parse.c fake-qemu/json-parse.h \
	fake-qemu/json-write.c fake-qemu/json-write.h \
	fake-qemu/utf8.c fake-qemu/utf8.h \
	fake-qemu/schema.c fake-qemu/schema.h \
	fake-qemu/schema-visit.c fake-qemu/schema-visit.h \
	fake-qemu/schema-dispatch.c fake-qemu/schema-dispatch.h \
	fake-qemu/schema-script.c fake-qemu/schema-script.h \
	plugin/qmp-json-parse.c plugin/qmp-json-parse.h \
	plugin/qmp-json-scan.c plugin/qmp-json-scan.h \
	plugin/qmp-hash.c plugin/qmp-hash.h \
	plugin/qmp-json-reader.c plugin/qmp-json-reader.h
# --schema uses the library's XenQmpSchema (not wire code: the fake still
# frames and parses everything itself), through the public headers; script
# lines and recordings go through plugin/qmp-json-parse.c, which holds
# them to RFC 8259 before anything is built (not wire code either: what
# clients send is framed and parsed by the fake's own json-stream.c).
fake_qemu_fake_qemu_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)/glib-integration/include \
	-I$(top_srcdir)
fake_qemu_fake_qemu_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(JSON_CFLAGS)
fake_qemu_fake_qemu_LDADD = plugin/libxenqmp-1.0.la $(GLIB_LIBS) $(JSON_LIBS)
$(fake_qemu_fake_qemu_OBJECTS): $(xenqmp_include_stamp)
# The full rules of scripts and of what the fake answers, for users of an
# installed fake-qemu: fake-qemu(1) and the README point here.
fakeqemudocdir = $(docdir)/fake-qemu
dist_fakeqemudoc_DATA = fake-qemu/README.md

# Scripts recorded from a real QEMU 7.2 (fake-qemu --record): examples,
# and the replay test's input.
fakeqemuscriptsdir = $(datadir)/fake-qemu/scripts
dist_fakeqemuscripts_DATA = \
	fake-qemu/scripts/handshake.jsonl \
	fake-qemu/scripts/query-version.jsonl \
	fake-qemu/scripts/query-qmp-schema.jsonl \
	fake-qemu/scripts/stop-cont.jsonl \
	fake-qemu/scripts/errors.jsonl \
	fake-qemu/scripts/fdsets.jsonl \
	fake-qemu/scripts/qemu-7.2-schema.json

# The fake itself, over raw sockets (no libxenqmp).
check_PROGRAMS += tests/test-fake-qemu
TESTS += tests/test-fake-qemu
tests_test_fake_qemu_SOURCES = tests/test-fake-qemu.c \
	tests/test-fake-qemu-client.c tests/test-fake-qemu-client.h \
	tests/test-server.c tests/test-server.h
tests_test_fake_qemu_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)
tests_test_fake_qemu_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS)
tests_test_fake_qemu_LDADD = $(GLIB_LIBS)

# Scripts: every step kind, the verdict and its report.
check_PROGRAMS += tests/test-fake-qemu-script
TESTS += tests/test-fake-qemu-script
tests_test_fake_qemu_script_SOURCES = tests/test-fake-qemu-script.c \
	tests/test-fake-qemu-client.c tests/test-fake-qemu-client.h \
	tests/test-fake-qemu-run.c tests/test-fake-qemu-run.h \
	tests/test-server.c tests/test-server.h
tests_test_fake_qemu_script_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)
tests_test_fake_qemu_script_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(JSON_CFLAGS)
tests_test_fake_qemu_script_LDADD = $(GLIB_LIBS) $(JSON_LIBS)
# --schema: QEMU 7.2's schema as the judge of commands and scripts.
check_PROGRAMS += tests/test-fake-qemu-schema
TESTS += tests/test-fake-qemu-schema
tests_test_fake_qemu_schema_SOURCES = tests/test-fake-qemu-schema.c \
	tests/test-fake-qemu-client.c tests/test-fake-qemu-client.h \
	tests/test-fake-qemu-run.c tests/test-fake-qemu-run.h \
	tests/test-server.c tests/test-server.h
tests_test_fake_qemu_schema_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir) \
	-I$(top_builddir)/glib-integration/include
tests_test_fake_qemu_schema_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(JSON_CFLAGS)
tests_test_fake_qemu_schema_LDADD = plugin/libxenqmp-1.0.la $(GLIB_LIBS) $(JSON_LIBS)
$(tests_test_fake_qemu_schema_OBJECTS): $(xenqmp_include_stamp)
dist_man_MANS += fake-qemu/fake-qemu.1
