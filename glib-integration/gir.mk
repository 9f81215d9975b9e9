# GObject Introspection: XenQmp-1.0.gir and .typelib, for Python and other
# languages (gi.repository.XenQmp).

-include $(INTROSPECTION_MAKEFILE)
INTROSPECTION_GIRS =
INTROSPECTION_SCANNER_ARGS = --warn-all --warn-error
INTROSPECTION_COMPILER_ARGS =

if HAVE_INTROSPECTION
XenQmp-1.0.gir: plugin/libxenqmp-1.0.la
XenQmp_1_0_gir_NAMESPACE = XenQmp
XenQmp_1_0_gir_VERSION = 1.0
XenQmp_1_0_gir_INCLUDES = GObject-2.0 Gio-2.0 Json-1.0
XenQmp_1_0_gir_CFLAGS = $(xenqmp_cppflags) -DXEN_QMP_COMPILATION $(GLIB_CFLAGS) $(JSON_CFLAGS)
XenQmp_1_0_gir_LIBS = plugin/libxenqmp-1.0.la
XenQmp_1_0_gir_EXPORT_PACKAGES = xenqmp-1.0
XenQmp_1_0_gir_SCANNERFLAGS = \
	--identifier-prefix=XenQmp --symbol-prefix=xen_qmp \
	--c-include=xenqmp/xenqmp.h
XenQmp_1_0_gir_FILES = \
	$(xenqmp_public_headers) \
	$(xenqmp_built_headers) \
	plugin/xen-qmp-error.c \
	plugin/xen-qmp-host.c \
	plugin/xen-qmp-host-follow.c \
	plugin/xen-qmp-host-schema.c \
	plugin/xen-qmp-cmd.c \
	plugin/xen-qmp-schema.c \
	plugin/xen-qmp-schema-describe.c \
	plugin/qmp-schema-validate.c \
	glib-integration/xen-qmp-client.c \
	glib-integration/xen-qmp-client-schema.c \
	plugin/xen-qmp-enum-types.c
INTROSPECTION_GIRS += XenQmp-1.0.gir

# Set from $(datadir) and $(libdir), not from pkg-config, so that
# make distcheck installs into its own prefix.
girdir = $(datadir)/gir-1.0
gir_DATA = $(INTROSPECTION_GIRS)
typelibdir = $(libdir)/girepository-1.0
typelib_DATA = $(INTROSPECTION_GIRS:.gir=.typelib)
CLEANFILES += $(gir_DATA) $(typelib_DATA)

# The PyGObject overrides: results and event data as Python values
# (configure's --with-python-overrides-dir). The tests load them from the
# source tree (tests/python.test puts glib-integration/python on PYTHONPATH).
pyoverrides_DATA = glib-integration/python/gi/overrides/XenQmp.py
endif
EXTRA_DIST += glib-integration/python/gi/overrides/XenQmp.py
