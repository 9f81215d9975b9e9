# xen-qmp: the command line tool, built on the public client API only (plus
# plugin/qmp-json-parse.c, which keeps json-glib from taking two values as
# one in what the user types), and its tests.

bin_PROGRAMS += glib-integration/tool/xen-qmp
glib_integration_tool_xen_qmp_SOURCES = \
	glib-integration/tool/main.c \
	glib-integration/tool/arguments.c glib-integration/tool/arguments.h \
	glib-integration/tool/completion.c glib-integration/tool/completion.h \
	glib-integration/tool/escape.c glib-integration/tool/escape.h \
	glib-integration/tool/events.c glib-integration/tool/events.h \
	glib-integration/tool/exit-status.c glib-integration/tool/exit-status.h \
	glib-integration/tool/fd-files.c glib-integration/tool/fd-files.h \
	glib-integration/tool/line-editor.c glib-integration/tool/line-editor.h \
	glib-integration/tool/output.c glib-integration/tool/output.h \
	glib-integration/tool/session.c glib-integration/tool/session.h \
	glib-integration/tool/shell.c glib-integration/tool/shell.h \
	plugin/qmp-json-parse.c plugin/qmp-json-parse.h \
	plugin/qmp-json-scan.c plugin/qmp-json-scan.h \
	plugin/qmp-hash.c plugin/qmp-hash.h \
	plugin/qmp-json-reader.c plugin/qmp-json-reader.h
# config.h for PACKAGE_VERSION; the library's headers as users get them.
glib_integration_tool_xen_qmp_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_builddir) -I$(top_builddir)/glib-integration/include -I$(top_srcdir)
glib_integration_tool_xen_qmp_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(JSON_CFLAGS) \
	$(LIBEDIT_CFLAGS)
glib_integration_tool_xen_qmp_LDADD = plugin/libxenqmp-1.0.la $(GLIB_LIBS) \
	$(JSON_LIBS) $(LIBEDIT_LIBS) -lm
$(glib_integration_tool_xen_qmp_OBJECTS): $(xenqmp_include_stamp)

dist_man_MANS += glib-integration/tool/xen-qmp.1

# The tool against fake-qemu and a real QEMU, as a user runs it.
check_PROGRAMS += tests/test-xen-qmp
TESTS += tests/test-xen-qmp
tests_test_xen_qmp_SOURCES = tests/test-xen-qmp.c tests/test-server.c tests/test-server.h tests/test-backend.h
tests_test_xen_qmp_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)
tests_test_xen_qmp_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(JSON_CFLAGS)
tests_test_xen_qmp_LDADD = $(GLIB_LIBS) $(JSON_LIBS)

# The shell's completion from QEMU's schema, without a terminal.
check_PROGRAMS += tests/test-completion
TESTS += tests/test-completion
tests_test_completion_SOURCES = tests/test-completion.c tests/recorded-schema.h \
	glib-integration/tool/completion.c glib-integration/tool/completion.h \
	glib-integration/tool/escape.c glib-integration/tool/escape.h
tests_test_completion_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir) \
	-I$(top_builddir)/glib-integration/include -I$(top_srcdir)/glib-integration/tool \
	-I$(top_srcdir)/tests
tests_test_completion_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(JSON_CFLAGS)
tests_test_completion_LDADD = plugin/libxenqmp-1.0.la $(GLIB_LIBS) $(JSON_LIBS)
$(tests_test_completion_OBJECTS): $(xenqmp_include_stamp)
