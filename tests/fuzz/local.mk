# tests/fuzz/: libFuzzer harnesses (see tests/fuzz/README.md).
#
# ./configure CC=clang --enable-fuzzing: each harness is a libFuzzer binary,
# built with ASan and UBSan together with the sources it fuzzes, and
# make fuzz runs them. Otherwise each harness gets a small main
# (fuzz-main.c) and make check replays its seed corpus and its
# regressions.

fuzz_common_sources = tests/fuzz/fuzz-common.c tests/fuzz/fuzz-harness.h

# The receive path: framing, parsing and dispatch of what QEMU sends.
tests_fuzz_fuzz_receive_SOURCES = tests/fuzz/fuzz-receive.c $(fuzz_common_sources) \
	plugin/qmp-connection.c plugin/qmp-connection.h \
	plugin/qmp-context.c plugin/qmp-context.h \
	plugin/qmp-io-context.c plugin/qmp-io-context.h \
	plugin/qmp-shared-source.c plugin/qmp-shared-source.h \
	plugin/qmp-fd-close.c plugin/qmp-fd-close.h \
	plugin/qmp-framer.c plugin/qmp-framer.h \
	plugin/qmp-message.c plugin/qmp-message.h \
	plugin/qmp-json-reader.c plugin/qmp-json-reader.h \
	plugin/qmp-json-parse.c plugin/qmp-json-parse.h \
	plugin/qmp-json-scan.c plugin/qmp-json-scan.h \
	plugin/qmp-hash.c plugin/qmp-hash.h \
	plugin/qmp-pending.c plugin/qmp-pending.h \
	plugin/qmp-poller.c plugin/qmp-poller.h \
	plugin/qmp-outbox.c plugin/qmp-outbox.h \
	plugin/qmp-trace.c plugin/qmp-trace.h \
	plugin/qmp-redact.c plugin/qmp-redact.h \
	plugin/xen-qmp-error.c plugin/xen-qmp-error.h
tests_fuzz_fuzz_receive_CPPFLAGS = $(tests_cppflags) -I$(top_srcdir)/tests/fuzz \
	-DXEN_QMP_COMPILATION -DG_LOG_DOMAIN=\"XenQmp\" \
	-DFUZZ_HARNESS=\"receive\" -DFUZZ_TESTS_SRCDIR=\"$(abs_top_srcdir)/tests\"
tests_fuzz_fuzz_receive_CFLAGS = $(tests_cflags) $(fuzz_cflags)
tests_fuzz_fuzz_receive_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_receive_LDADD = $(GLIB_LIBS) $(JSON_LIBS)

# fake-qemu's script parser.
tests_fuzz_fuzz_script_SOURCES = tests/fuzz/fuzz-script.c $(fuzz_common_sources) \
	fake-qemu/script.c fake-qemu/script.h \
	fake-qemu/hostile-fds.c fake-qemu/hostile-fds.h \
	fake-qemu/json-write.c fake-qemu/json-write.h \
	fake-qemu/utf8.c fake-qemu/utf8.h \
	plugin/qmp-json-parse.c plugin/qmp-json-parse.h \
	plugin/qmp-json-scan.c plugin/qmp-json-scan.h \
	plugin/qmp-hash.c plugin/qmp-hash.h \
	plugin/qmp-json-reader.c plugin/qmp-json-reader.h
tests_fuzz_fuzz_script_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir) -I$(top_srcdir) \
	-I$(top_srcdir)/fake-qemu -I$(top_srcdir)/tests/fuzz \
	-DFUZZ_HARNESS=\"script\" -DFUZZ_TESTS_SRCDIR=\"$(abs_top_srcdir)/tests\"
tests_fuzz_fuzz_script_CFLAGS = $(tests_cflags) $(fuzz_cflags)
tests_fuzz_fuzz_script_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_script_LDADD = $(GLIB_LIBS) $(JSON_LIBS)

# The plain-JSON reader against json-glib (a differential harness).
tests_fuzz_fuzz_json_SOURCES = tests/fuzz/fuzz-json.c $(fuzz_common_sources) \
	plugin/qmp-json-reader.c plugin/qmp-json-reader.h \
	plugin/qmp-json-parse.c plugin/qmp-json-parse.h \
	plugin/qmp-json-scan.c plugin/qmp-json-scan.h \
	plugin/qmp-hash.c plugin/qmp-hash.h \
	tests/test-json-tree.c tests/test-json-tree.h
tests_fuzz_fuzz_json_CPPFLAGS = $(tests_cppflags) -I$(top_srcdir)/tests/fuzz -I$(top_srcdir)/tests \
	-DFUZZ_HARNESS=\"json\" -DFUZZ_TESTS_SRCDIR=\"$(abs_top_srcdir)/tests\"
tests_fuzz_fuzz_json_CFLAGS = $(tests_cflags) $(fuzz_cflags)
tests_fuzz_fuzz_json_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_json_LDADD = $(GLIB_LIBS) $(JSON_LIBS)

# The strict RFC 8259 scanner against jansson (a differential harness).
tests_fuzz_fuzz_scan_SOURCES = tests/fuzz/fuzz-scan.c $(fuzz_common_sources) \
	plugin/qmp-json-scan.c plugin/qmp-json-scan.h \
	plugin/qmp-hash.c plugin/qmp-hash.h
tests_fuzz_fuzz_scan_CPPFLAGS = $(tests_cppflags) -I$(top_srcdir)/tests/fuzz \
	-DXEN_QMP_COMPILATION -DG_LOG_DOMAIN=\"XenQmp\" \
	-DFUZZ_HARNESS=\"scan\" -DFUZZ_TESTS_SRCDIR=\"$(abs_top_srcdir)/tests\"
tests_fuzz_fuzz_scan_CFLAGS = $(tests_cflags) $(JANSSON_CFLAGS) $(fuzz_cflags)
tests_fuzz_fuzz_scan_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_scan_LDADD = $(GLIB_LIBS) $(JANSSON_LIBS)

# A hostile query-qmp-schema reply: index, describe, validate.
tests_fuzz_fuzz_schema_SOURCES = tests/fuzz/fuzz-schema.c $(fuzz_common_sources) \
	plugin/xen-qmp-schema.c plugin/xen-qmp-schema.h plugin/xen-qmp-schema-private.h \
	plugin/qmp-schema-limits.h \
	plugin/xen-qmp-schema-describe.c plugin/qmp-schema-validate.c \
	plugin/qmp-suggest.c plugin/qmp-suggest.h \
	plugin/qmp-json-parse.c plugin/qmp-json-parse.h \
	plugin/qmp-json-scan.c plugin/qmp-json-scan.h \
	plugin/qmp-hash.c plugin/qmp-hash.h \
	plugin/qmp-json-reader.c plugin/qmp-json-reader.h
nodist_tests_fuzz_fuzz_schema_SOURCES = plugin/xen-qmp-enum-types.c plugin/xen-qmp-enum-types.h
tests_fuzz_fuzz_schema_CPPFLAGS = $(tests_cppflags) -I$(top_srcdir)/tests/fuzz \
	-DXEN_QMP_COMPILATION -DG_LOG_DOMAIN=\"XenQmp\" \
	-DFUZZ_HARNESS=\"schema\" -DFUZZ_TESTS_SRCDIR=\"$(abs_top_srcdir)/tests\"
tests_fuzz_fuzz_schema_CFLAGS = $(tests_cflags) $(fuzz_cflags)
tests_fuzz_fuzz_schema_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_schema_LDADD = $(GLIB_LIBS) $(JSON_LIBS)
# Built before its objects even when make fuzz is the first target.
$(tests_fuzz_fuzz_schema_OBJECTS): plugin/xen-qmp-enum-types.h

fuzz_harnesses = tests/fuzz/fuzz-receive tests/fuzz/fuzz-script tests/fuzz/fuzz-json \
	tests/fuzz/fuzz-schema tests/fuzz/fuzz-scan

if ENABLE_FUZZING
noinst_PROGRAMS += $(fuzz_harnesses)
fuzz_cflags = $(FUZZ_CFLAGS)
fuzz_ldflags = $(FUZZ_CFLAGS)
else
check_PROGRAMS += $(fuzz_harnesses)
TESTS += $(fuzz_harnesses)
tests_fuzz_fuzz_receive_SOURCES += tests/fuzz/fuzz-main.c
tests_fuzz_fuzz_script_SOURCES += tests/fuzz/fuzz-main.c
tests_fuzz_fuzz_json_SOURCES += tests/fuzz/fuzz-main.c
tests_fuzz_fuzz_schema_SOURCES += tests/fuzz/fuzz-main.c
tests_fuzz_fuzz_scan_SOURCES += tests/fuzz/fuzz-main.c
endif

# Seeds, regressions (inputs that once crashed a harness), dictionaries.
EXTRA_DIST += \
	tests/fuzz/README.md \
	tests/fuzz/run-fuzzer.sh tests/fuzz/lsan.supp \
	tests/fuzz/qmp.dict \
	tests/fuzz/script.dict \
	tests/fuzz/schema.dict \
	tests/fuzz/scan.dict \
	tests/fuzz/corpus \
	tests/fuzz/regressions

# make fuzz [FUZZ_SECONDS=N]: each harness for N seconds on a copy of its
# corpus (under tests/fuzz/run/), with its dictionary; a crash, leak,
# timeout or sanitizer report fails it and leaves the input in
# tests/fuzz/run/HARNESS/artifacts/. make -j2 fuzz runs both at once.
FUZZ_SECONDS = 60
# The receive harness needs inputs past the 64 KiB message limit it sets.
FUZZ_MAX_LEN_receive = 139264
FUZZ_MAX_LEN_script = 16384
FUZZ_MAX_LEN_json = 8192
FUZZ_MAX_LEN_schema = 16384
# Past nesting of 2,048 (jansson's own limit) and past an object of
# QMP_JSON_MAX_MEMBERS members; at 64 KiB it ran 2.5 times fewer inputs.
FUZZ_MAX_LEN_scan = 8192
fuzz_run = FUZZ_SECONDS='$(FUZZ_SECONDS)' $(SHELL) $(srcdir)/tests/fuzz/run-fuzzer.sh

.PHONY: fuzz fuzz-receive fuzz-script fuzz-json fuzz-schema fuzz-scan
if ENABLE_FUZZING
fuzz: fuzz-receive fuzz-script fuzz-json fuzz-schema fuzz-scan
fuzz-receive: tests/fuzz/fuzz-receive
	@$(fuzz_run) receive $(FUZZ_MAX_LEN_receive) $(srcdir)/tests/fuzz/qmp.dict
fuzz-script: tests/fuzz/fuzz-script
	@$(fuzz_run) script $(FUZZ_MAX_LEN_script) $(srcdir)/tests/fuzz/script.dict
fuzz-json: tests/fuzz/fuzz-json
	@$(fuzz_run) json $(FUZZ_MAX_LEN_json) $(srcdir)/tests/fuzz/qmp.dict
fuzz-schema: tests/fuzz/fuzz-schema
	@$(fuzz_run) schema $(FUZZ_MAX_LEN_schema) $(srcdir)/tests/fuzz/schema.dict
fuzz-scan: tests/fuzz/fuzz-scan
	@$(fuzz_run) scan $(FUZZ_MAX_LEN_scan) $(srcdir)/tests/fuzz/scan.dict
else
fuzz fuzz-receive fuzz-script fuzz-json fuzz-schema fuzz-scan:
	@echo "make fuzz needs a build configured with CC=clang --enable-fuzzing" >&2; exit 1
endif

clean-local: clean-fuzz
.PHONY: clean-fuzz
clean-fuzz:
	rm -rf tests/fuzz/run
