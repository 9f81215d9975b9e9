# glib-integration/: examples (and, later, the client API and xen-qmp)

# Programs here include <xenqmp/xenqmp.h> as users do; this tree mirrors the
# installed include directory.
xenqmp_include_stamp = glib-integration/include/xenqmp/.stamp
$(xenqmp_include_stamp): $(xenqmp_public_headers) $(xenqmp_built_headers)
	$(AM_V_GEN)$(MKDIR_P) glib-integration/include/xenqmp && \
	for h in $(xenqmp_public_headers); do \
	  ln -sf $(abs_top_srcdir)/$$h glib-integration/include/xenqmp/; done && \
	for h in $(xenqmp_built_headers); do \
	  ln -sf $(abs_top_builddir)/$$h glib-integration/include/xenqmp/; done && \
	touch $@
BUILT_SOURCES += $(xenqmp_include_stamp)
clean-local: clean-include-mirror
.PHONY: clean-include-mirror
clean-include-mirror:
	rm -rf glib-integration/include

examples_cppflags = -I$(top_builddir)/glib-integration/include
examples_cflags = $(AM_CFLAGS) $(GLIB_CFLAGS) $(JSON_CFLAGS)
examples_ldadd = plugin/libxenqmp-1.0.la $(GLIB_LIBS) $(JSON_LIBS)

noinst_PROGRAMS += glib-integration/examples/cmd-demo
glib_integration_examples_cmd_demo_SOURCES = glib-integration/examples/cmd-demo.c
glib_integration_examples_cmd_demo_CPPFLAGS = $(examples_cppflags)
glib_integration_examples_cmd_demo_CFLAGS = $(examples_cflags)
glib_integration_examples_cmd_demo_LDADD = $(examples_ldadd)

noinst_PROGRAMS += glib-integration/examples/follow-events
glib_integration_examples_follow_events_SOURCES = glib-integration/examples/follow-events.c
glib_integration_examples_follow_events_CPPFLAGS = $(examples_cppflags)
glib_integration_examples_follow_events_CFLAGS = $(examples_cflags)
glib_integration_examples_follow_events_LDADD = $(examples_ldadd)
$(glib_integration_examples_follow_events_OBJECTS): $(xenqmp_include_stamp)
EXTRA_DIST += glib-integration/examples/follow_events.py

# The examples run in make check against fake-qemu.
TESTS += tests/examples.test
dist_check_SCRIPTS += tests/examples.test

# Also when a program is built on its own (make demo, make <program>), not
# only through BUILT_SOURCES.
$(glib_integration_examples_cmd_demo_OBJECTS): $(xenqmp_include_stamp)

# make demo: xen-qmp against fake-qemu playing a demo script: a result, a
# QMP error with its class, events, and fake-qemu's verdict.
demo: all
	@XEN_QMP=glib-integration/tool/xen-qmp FAKE_QEMU=fake-qemu/fake-qemu \
	  $(SHELL) $(srcdir)/glib-integration/demo/demo.sh

# make demo-cmd: the command API driving two fake domains.
demo-cmd: all
	@glib-integration/examples/cmd-demo --fake-qemu fake-qemu/fake-qemu
.PHONY: demo-cmd
EXTRA_DIST += glib-integration/demo/demo.sh glib-integration/demo/demo.jsonl

# The demo is also a test: it exits non-zero when a step goes wrong.
TESTS += tests/demo.test
dist_check_SCRIPTS += tests/demo.test
