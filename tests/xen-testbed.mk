# The Xen test bed: Debian's real xenstored, oxenstored and xl under a
# hypervisor stand-in, beside fake-xenstored (tests/xen-testbed.h).

# The hypervisor stand-in, an LD_PRELOAD library (tests/xen-standin/).
# Check-only, never installed: -rpath only makes libtool build it shared.
check_LTLIBRARIES += tests/xen-standin/xen-standin.la
tests_xen_standin_xen_standin_la_SOURCES = \
	tests/xen-standin/standin.h \
	tests/xen-standin/state.c \
	tests/xen-standin/xenctrl.c \
	tests/xen-standin/evtchn.c \
	tests/xen-standin/libc.c
tests_xen_standin_xen_standin_la_CFLAGS = $(WARN_CFLAGS) $(XENSTANDIN_CFLAGS)
tests_xen_standin_xen_standin_la_LDFLAGS = -module -avoid-version -shared \
	-rpath $(abs_builddir)/tests/xen-standin
tests_xen_standin_xen_standin_la_LIBADD = -ldl
if ENABLE_SANITIZERS
# Preloaded into uninstrumented programs: the flags without the sanitizers
# (configure.ac), for its objects and its link (GNU make target-specific
# variables). The library is named through a variable: a line that names
# it literally would replace automake's own rule for it.
xen_standin_la = tests/xen-standin/xen-standin.la
$(tests_xen_standin_xen_standin_la_OBJECTS) $(xen_standin_la): CFLAGS = $(XEN_STANDIN_CFLAGS)
$(xen_standin_la): LDFLAGS = $(XEN_STANDIN_LDFLAGS)
endif

AM_TESTS_ENVIRONMENT += \
	export XEN_STANDIN_LIB='$(abs_top_builddir)/tests/xen-standin/.libs/xen-standin.so';
AM_TESTS_ENVIRONMENT += \
	export XEN_TOOLS_DIR='$(XEN_TOOLS_DIR)';

# The test bed's harness, for the tests below and others.
tests_xen_testbed_sources = tests/xen-testbed.c tests/xen-testbed.h \
	tests/xen-testbed-private.h tests/xen-testbed-libxl.c tests/xen-testbed-run.c \
	tests/test-server.c tests/test-server.h

# The test bed itself, with each daemon.
check_PROGRAMS += tests/test-xen-testbed
TESTS += tests/test-xen-testbed
tests_test_xen_testbed_SOURCES = tests/test-xen-testbed.c $(tests_xen_testbed_sources)
tests_test_xen_testbed_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)
tests_test_xen_testbed_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(XENSTORE_CFLAGS)
tests_test_xen_testbed_LDADD = $(GLIB_LIBS) $(XENSTORE_LIBS)

# Real xl and the library on one domain's QMP socket, with a real QEMU.
check_PROGRAMS += tests/test-xl
TESTS += tests/test-xl
tests_xl_fixture_sources = tests/xl-fixture.c tests/xl-fixture.h tests/test-loop.h \
	$(tests_xen_testbed_sources)
tests_test_xl_SOURCES = tests/test-xl.c $(tests_xl_fixture_sources)
tests_test_xl_CPPFLAGS = $(tests_cppflags)
tests_test_xl_CFLAGS = $(tests_cflags) $(XENSTORE_CFLAGS)
tests_test_xl_LDADD = $(tests_ldadd) $(XENSTORE_LIBS)

# Following a domain's events beside real xl: bounded lock holds, the
# event monitor, gaps.
check_PROGRAMS += tests/test-xl-follow
TESTS += tests/test-xl-follow
tests_test_xl_follow_SOURCES = tests/test-xl-follow.c $(tests_xl_fixture_sources)
tests_test_xl_follow_CPPFLAGS = $(tests_cppflags)
tests_test_xl_follow_CFLAGS = $(tests_cflags) $(XENSTORE_CFLAGS)
tests_test_xl_follow_LDADD = $(tests_ldadd) $(XENSTORE_LIBS)

# libxl's lock handed over to a waiter, and the gaps followers are told of.
check_PROGRAMS += tests/test-lock-yield
TESTS += tests/test-lock-yield
tests_test_lock_yield_SOURCES = tests/test-lock-yield.c tests/test-loop.h $(tests_xen_testbed_sources)
tests_test_lock_yield_CPPFLAGS = $(tests_cppflags)
tests_test_lock_yield_CFLAGS = $(tests_cflags) $(XENSTORE_CFLAGS)
tests_test_lock_yield_LDADD = $(tests_ldadd) $(XENSTORE_LIBS)

# Following a domain's events: its event monitor, qmp-libxl-<domid>, and
# monitors that misbehave.
check_PROGRAMS += tests/test-event-follow
TESTS += tests/test-event-follow
tests_test_event_follow_SOURCES = tests/test-event-follow.c tests/test-loop.h $(tests_xen_testbed_sources)
tests_test_event_follow_CPPFLAGS = $(tests_cppflags)
tests_test_event_follow_CFLAGS = $(tests_cflags) $(XENSTORE_CFLAGS)
tests_test_event_follow_LDADD = $(tests_ldadd) $(XENSTORE_LIBS)
