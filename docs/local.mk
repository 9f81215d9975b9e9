# docs/: API reference built with gi-docgen from XenQmp-1.0.gir
# (./configure --enable-docs; CI builds it so that broken docs fail).

EXTRA_DIST += docs/xenqmp.toml.in docs/urlmap.js docs/command-api.md docs/client-api.md docs/event-monitor.md

if ENABLE_DOCS
docs/xenqmp.toml: docs/xenqmp.toml.in Makefile
	$(AM_V_GEN)$(MKDIR_P) docs && sed -e 's|@VERSION[@]|$(VERSION)|' $< > $@

docs/html/index.html: XenQmp-1.0.gir docs/xenqmp.toml docs/urlmap.js docs/command-api.md docs/client-api.md docs/event-monitor.md
	$(AM_V_GEN)$(GI_DOCGEN) generate --quiet --fatal-warnings \
		--config docs/xenqmp.toml --content-dir $(srcdir)/docs \
		--add-include-path $(top_builddir) \
		--output-dir docs/html --no-namespace-dir XenQmp-1.0.gir
	@touch $@

all-local: docs/html/index.html

# gi-docgen's own coverage check: every public symbol documented.
check-local: check-docs
check-docs: XenQmp-1.0.gir
	$(AM_V_GEN)! $(GI_DOCGEN) check --add-include-path $(top_builddir) XenQmp-1.0.gir 2>&1 \
		| grep -E 'WARNING|ERROR'

docsdir = $(docdir)/html
install-data-local: docs/html/index.html
	$(MKDIR_P) $(DESTDIR)$(docsdir)
	cp -r docs/html/. $(DESTDIR)$(docsdir)/
uninstall-local:
	rm -rf $(DESTDIR)$(docsdir)
endif
.PHONY: check-docs
CLEANFILES += docs/xenqmp.toml
clean-local: clean-docs
.PHONY: clean-docs
clean-docs:
	rm -rf docs/html
