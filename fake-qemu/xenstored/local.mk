# fake-qemu/xenstored/: fake-xenstored, a xenstore daemon on a unix socket,
# so that the real libxenstore and xenstore-* tools run without Xen. See
# fake-qemu/xenstored/README.md. It shares no source with fake-qemu.
#
# Built beside fake-qemu, as both are installed in $(bindir): the tests find
# it as FAKE_QEMU's sibling (test_server_sibling() in tests/test-server.c),
# in the build tree and in an installed one alike.
bin_PROGRAMS += fake-qemu/fake-xenstored
fake_qemu_fake_xenstored_SOURCES = \
	fake-qemu/xenstored/xs-main.c \
	fake-qemu/xenstored/xs-server.c fake-qemu/xenstored/xs-server.h \
	fake-qemu/xenstored/xs-hypervisor.c fake-qemu/xenstored/xs-hypervisor.h \
	fake-qemu/xenstored/xs-connection.c fake-qemu/xenstored/xs-connection.h \
	fake-qemu/xenstored/xs-request.c fake-qemu/xenstored/xs-request.h \
	fake-qemu/xenstored/xs-transaction.c fake-qemu/xenstored/xs-transaction.h \
	fake-qemu/xenstored/xs-watch.c fake-qemu/xenstored/xs-watch.h \
	fake-qemu/xenstored/xs-store.c fake-qemu/xenstored/xs-store.h \
	fake-qemu/xenstored/xs-path.c fake-qemu/xenstored/xs-path.h \
	fake-qemu/xenstored/xs-seed.c fake-qemu/xenstored/xs-seed.h \
	fake-qemu/xenstored/xs-wire.c fake-qemu/xenstored/xs-wire.h
fake_qemu_fake_xenstored_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(JSON_CFLAGS)
fake_qemu_fake_xenstored_LDADD = $(GLIB_LIBS) $(JSON_LIBS)
dist_man_MANS += fake-qemu/xenstored/fake-xenstored.1
# Beside fake-qemu's README, which links to it.
fakexenstoreddocdir = $(docdir)/fake-qemu/xenstored
dist_fakexenstoreddoc_DATA = fake-qemu/xenstored/README.md

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
