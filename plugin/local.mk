# plugin/: the library proper, libxenqmp-1.0

lib_LTLIBRARIES += plugin/libxenqmp-1.0.la

xenqmp_public_headers = \
	plugin/xenqmp.h \
	plugin/xen-qmp-macros.h \
	plugin/xen-qmp-error.h \
	plugin/xen-qmp-host.h \
	plugin/xen-qmp-cmd.h \
	plugin/xen-qmp-schema.h \
	glib-integration/xen-qmp-client.h

xenqmp_built_headers = \
	plugin/xen-qmp-enum-types.h \
	plugin/xen-qmp-version.h

xenqmp_private_sources = \
	plugin/qmp-connection.c plugin/qmp-connection.h \
	plugin/qmp-domain-info.c plugin/qmp-domain-info.h \
	plugin/qmp-domain-lock.c plugin/qmp-domain-lock.h \
	plugin/qmp-proc-locks.c plugin/qmp-proc-locks.h \
	plugin/qmp-fd-close.c plugin/qmp-fd-close.h \
	plugin/qmp-xenstore.c plugin/qmp-xenstore.h \
	plugin/qmp-framer.c plugin/qmp-framer.h \
	plugin/qmp-limits.h \
	plugin/qmp-message.c plugin/qmp-message.h \
	plugin/qmp-json-reader.c plugin/qmp-json-reader.h \
	plugin/qmp-json-parse.c plugin/qmp-json-parse.h \
	plugin/qmp-json-scan.c plugin/qmp-json-scan.h \
	plugin/qmp-hash.c plugin/qmp-hash.h \
	plugin/qmp-pending.c plugin/qmp-pending.h \
	plugin/qmp-poller.c plugin/qmp-poller.h \
	plugin/qmp-property.h \
	plugin/qmp-outbox.c plugin/qmp-outbox.h \
	plugin/qmp-fdsets.c plugin/qmp-fdsets.h \
	plugin/qmp-context.c plugin/qmp-context.h \
	plugin/qmp-io-context.c plugin/qmp-io-context.h \
	plugin/qmp-shared-source.c plugin/qmp-shared-source.h \
	plugin/qmp-cancel-watch.c plugin/qmp-cancel-watch.h \
	plugin/qmp-trace.c plugin/qmp-trace.h \
	plugin/qmp-redact.c plugin/qmp-redact.h \
	plugin/qmp-schema-cache.c plugin/qmp-schema-cache.h \
	plugin/qmp-schema-limits.h \
	plugin/qmp-schema-lru.c plugin/qmp-schema-lru.h \
	plugin/qmp-schema-validate.c \
	plugin/qmp-suggest.c plugin/qmp-suggest.h \
	plugin/xen-qmp-host-internal.h \
	plugin/xen-qmp-host-private.h \
	plugin/xen-qmp-schema-private.h

plugin_libxenqmp_1_0_la_SOURCES = \
	$(xenqmp_public_headers) \
	$(xenqmp_private_sources) \
	plugin/xen-qmp-cmd.c \
	plugin/xen-qmp-error.c \
	plugin/xen-qmp-host.c \
	plugin/xen-qmp-host-follow.c \
	plugin/xen-qmp-host-schema.c \
	plugin/xen-qmp-host-yield.c \
	plugin/xen-qmp-schema.c \
	plugin/xen-qmp-schema-describe.c \
	glib-integration/xen-qmp-client.c \
	glib-integration/xen-qmp-client-schema.c \
	glib-integration/xen-qmp-client-private.h
nodist_plugin_libxenqmp_1_0_la_SOURCES = \
	$(xenqmp_built_headers) \
	plugin/xen-qmp-enum-types.c

xenqmp_cppflags = \
	-I$(top_srcdir)/plugin -I$(top_builddir)/plugin -I$(top_builddir) \
	-I$(top_srcdir)/glib-integration

plugin_libxenqmp_1_0_la_CPPFLAGS = \
	$(AM_CPPFLAGS) $(xenqmp_cppflags) \
	-DXEN_QMP_COMPILATION \
	-DG_LOG_DOMAIN=\"XenQmp\" \
	-DGLIB_VERSION_MIN_REQUIRED=GLIB_VERSION_2_70 \
	-DGLIB_VERSION_MAX_ALLOWED=GLIB_VERSION_2_70 \
	-DJSON_VERSION_MIN_REQUIRED=JSON_VERSION_1_6 \
	-DJSON_VERSION_MAX_ALLOWED=JSON_VERSION_1_6
plugin_libxenqmp_1_0_la_CFLAGS = \
	$(AM_CFLAGS) $(VISIBILITY_CFLAGS) \
	$(GLIB_CFLAGS) $(JSON_CFLAGS) $(XENSTORE_CFLAGS)
plugin_libxenqmp_1_0_la_LIBADD = $(GLIB_LIBS) $(JSON_LIBS) $(XENSTORE_LIBS)
plugin_libxenqmp_1_0_la_LDFLAGS = \
	-version-info $(XEN_QMP_LT_VERSION) \
	-export-symbols-regex '^xen_qmp_' \
	-no-undefined

xenqmpincludedir = $(includedir)/xenqmp-1.0/xenqmp
xenqmpinclude_HEADERS = $(xenqmp_public_headers)
nodist_xenqmpinclude_HEADERS = $(xenqmp_built_headers)

pkgconfig_DATA = plugin/xenqmp-1.0.pc

# glib-mkenums: every public enum is a GType.
xenqmp_enum_headers = plugin/xen-qmp-error.h plugin/xen-qmp-host.h plugin/xen-qmp-cmd.h \
	plugin/xen-qmp-schema.h glib-integration/xen-qmp-client.h

plugin/xen-qmp-enum-types.h: $(xenqmp_enum_headers) plugin/xen-qmp-enum-types.h.template
	$(AM_V_GEN)$(GLIB_MKENUMS) --identifier-prefix XenQmp --symbol-prefix xen_qmp --template $(srcdir)/plugin/xen-qmp-enum-types.h.template \
		$(addprefix $(srcdir)/,$(xenqmp_enum_headers)) > $@.tmp && mv $@.tmp $@
plugin/xen-qmp-enum-types.c: $(xenqmp_enum_headers) plugin/xen-qmp-enum-types.c.template plugin/xen-qmp-enum-types.h
	$(AM_V_GEN)$(GLIB_MKENUMS) --identifier-prefix XenQmp --symbol-prefix xen_qmp --template $(srcdir)/plugin/xen-qmp-enum-types.c.template \
		$(addprefix $(srcdir)/,$(xenqmp_enum_headers)) > $@.tmp && mv $@.tmp $@

BUILT_SOURCES += plugin/xen-qmp-enum-types.h plugin/xen-qmp-enum-types.c
CLEANFILES += plugin/xen-qmp-enum-types.h plugin/xen-qmp-enum-types.c
EXTRA_DIST += \
	plugin/xen-qmp-enum-types.h.template \
	plugin/xen-qmp-enum-types.c.template \
	plugin/xenqmp-1.0.pc.in \
	plugin/xen-qmp-version.h.in
