# fake-qemu/: an idle QEMU 7.2 on QMP sockets, the test peer of libxenqmp.
# It shares no wire code with plugin/: see fake-qemu/README.md.

bin_PROGRAMS += fake-qemu/fake-qemu
fake_qemu_fake_qemu_SOURCES = \
	fake-qemu/main.c \
	fake-qemu/listener.c fake-qemu/listener.h \
	fake-qemu/monitor.c fake-qemu/monitor.h \
	fake-qemu/request.c fake-qemu/request.h \
	fake-qemu/builtins.c fake-qemu/builtins.h \
	fake-qemu/arguments.c fake-qemu/arguments.h \
	fake-qemu/fdstore.c fake-qemu/fdstore.h \
	fake-qemu/qmp-message.c fake-qemu/qmp-message.h \
	fake-qemu/json-stream.c fake-qemu/json-stream.h \
	fake-qemu/json-parse.c fake-qemu/json-parse.h \
	fake-qemu/json-write.c fake-qemu/json-write.h \
	fake-qemu/utf8.c fake-qemu/utf8.h
fake_qemu_fake_qemu_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(JSON_CFLAGS)
fake_qemu_fake_qemu_LDADD = $(GLIB_LIBS) $(JSON_LIBS)
EXTRA_DIST += fake-qemu/README.md

# The fake itself, over raw sockets (no libxenqmp).
check_PROGRAMS += tests/test-fake-qemu
TESTS += tests/test-fake-qemu
tests_test_fake_qemu_SOURCES = tests/test-fake-qemu.c tests/test-server.c tests/test-server.h
tests_test_fake_qemu_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)
tests_test_fake_qemu_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS)
tests_test_fake_qemu_LDADD = $(GLIB_LIBS)
