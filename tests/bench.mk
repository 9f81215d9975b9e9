# tests/bench/: make bench, the library against the socket's floor (issue 7)
#
# Built with the rest (so that API drift breaks the build), run only on demand:
# make check never runs it.

noinst_PROGRAMS += tests/bench/bench
tests_bench_bench_SOURCES = \
	tests/bench/bench-main.c \
	tests/bench/bench-blob.c tests/bench/bench-blob.h \
	tests/bench/bench-hostile.c tests/bench/bench-hostile.h \
	tests/bench/bench-lib.c tests/bench/bench-lib.h \
	tests/bench/bench-qemu.c tests/bench/bench-qemu.h \
	tests/bench/bench-raw-client.c tests/bench/bench-raw-client.h \
	tests/bench/bench-raw-many.c tests/bench/bench-raw-many.h \
	tests/bench/bench-responder.c tests/bench/bench-responder.h \
	tests/bench/bench-run-dir.c tests/bench/bench-run-dir.h \
	tests/bench/bench-schema.c tests/bench/bench-schema.h \
	tests/bench/bench-table.c tests/bench/bench-table.h
tests_bench_bench_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir) \
	-I$(top_builddir)/glib-integration/include
tests_bench_bench_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(JSON_CFLAGS)
tests_bench_bench_LDADD = plugin/libxenqmp-1.0.la $(GLIB_LIBS) $(JSON_LIBS)
$(tests_bench_bench_OBJECTS): $(xenqmp_include_stamp)
EXTRA_DIST += tests/bench/README.md tests/bench/bench-callgrind.sh

bench_env = QEMU_SYSTEM='$(QEMU_SYSTEM)' \
	XENQMP_BENCH_SCHEMA='$(abs_top_srcdir)/fake-qemu/scripts/qemu-7.2-schema.json'

.PHONY: bench bench-callgrind
bench: tests/bench/bench
	@$(bench_env) $(LIBTOOL) --mode=execute tests/bench/bench

# Instructions per command of the data path under callgrind (see the
# script for what is counted).
BENCH_CALLGRIND_COMMANDS = 20000
bench-callgrind: tests/bench/bench
	@$(SHELL) $(srcdir)/tests/bench/bench-callgrind.sh '$(LIBTOOL)' tests/bench/bench \
	  $(BENCH_CALLGRIND_COMMANDS) tests/bench/callgrind

clean-local: clean-bench
.PHONY: clean-bench
clean-bench:
	rm -rf tests/bench/callgrind
