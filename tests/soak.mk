# tests/soak/: make soak, a million commands under chaos (issue 6)
#
# The full run is on demand (a few minutes); make check runs a short one
# (tests/soak.test) so that the soak's code does not rot.

check_PROGRAMS += tests/soak/soak
tests_soak_soak_SOURCES = \
	tests/soak/soak.c \
	tests/soak/soak-fleet.c tests/soak/soak-fleet.h \
	tests/soak/soak-report.c tests/soak/soak-report.h \
	tests/bench/bench-run-dir.c tests/bench/bench-run-dir.h
tests_soak_soak_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir) \
	-I$(top_builddir)/glib-integration/include
tests_soak_soak_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(JSON_CFLAGS)
tests_soak_soak_LDADD = plugin/libxenqmp-1.0.la $(GLIB_LIBS) $(JSON_LIBS)
$(tests_soak_soak_OBJECTS): $(xenqmp_include_stamp)

TESTS += tests/soak.test
dist_check_SCRIPTS += tests/soak.test
EXTRA_DIST += tests/soak/README.md

SOAK_FLAGS =

.PHONY: soak
soak: tests/soak/soak fake-qemu/fake-qemu
	@FAKE_QEMU='$(abs_top_builddir)/fake-qemu/fake-qemu' \
	  $(LIBTOOL) --mode=execute tests/soak/soak $(SOAK_FLAGS)
