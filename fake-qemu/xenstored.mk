# fake-xenstored: a xenstore daemon on a unix socket, so that the real
# libxenstore and xenstore-* tools run without Xen. See
# fake-qemu/xenstored-README.md.

bin_PROGRAMS += fake-qemu/fake-xenstored
fake_qemu_fake_xenstored_SOURCES = \
	fake-qemu/xs-main.c \
	fake-qemu/xs-server.c fake-qemu/xs-server.h \
	fake-qemu/xs-hypervisor.c fake-qemu/xs-hypervisor.h \
	fake-qemu/xs-connection.c fake-qemu/xs-connection.h \
	fake-qemu/xs-request.c fake-qemu/xs-request.h \
	fake-qemu/xs-transaction.c fake-qemu/xs-transaction.h \
	fake-qemu/xs-watch.c fake-qemu/xs-watch.h \
	fake-qemu/xs-store.c fake-qemu/xs-store.h \
	fake-qemu/xs-path.c fake-qemu/xs-path.h \
	fake-qemu/xs-seed.c fake-qemu/xs-seed.h \
	fake-qemu/xs-wire.c fake-qemu/xs-wire.h
fake_qemu_fake_xenstored_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(JSON_CFLAGS)
fake_qemu_fake_xenstored_LDADD = $(GLIB_LIBS) $(JSON_LIBS)
dist_man_MANS += fake-qemu/fake-xenstored.1
EXTRA_DIST += fake-qemu/xenstored-README.md

# The fake against the real libxenstore and, when installed, the real
# xenstore-* tools.
check_PROGRAMS += tests/test-fake-xenstored
TESTS += tests/test-fake-xenstored
tests_test_fake_xenstored_SOURCES = tests/test-fake-xenstored.c tests/test-xenstore.h \
	tests/test-server.c tests/test-server.h
tests_test_fake_xenstored_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)
tests_test_fake_xenstored_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(XENSTORE_CFLAGS)
tests_test_fake_xenstored_LDADD = $(GLIB_LIBS) $(XENSTORE_LIBS)

# One sequence of xenstore operations against fake-xenstored and the real
# daemons: the transcripts must agree (see the file's head).
check_PROGRAMS += tests/test-xenstore-compare
TESTS += tests/test-xenstore-compare
tests_test_xenstore_compare_SOURCES = tests/test-xenstore-compare.c tests/test-xenstore.h \
	$(tests_xen_testbed_sources)
tests_test_xenstore_compare_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)
tests_test_xenstore_compare_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(XENSTORE_CFLAGS)
tests_test_xenstore_compare_LDADD = $(GLIB_LIBS) $(XENSTORE_LIBS)
