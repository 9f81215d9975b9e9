/* qmp-schema-cache.h: schemas kept per QEMU build, in memory and on disk
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "xen-qmp-schema.h"

/* What identifies a QEMU build in its greeting (GREETING is the greeting's
 * QMP member): "7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)". NULL when the
 * greeting does not say. */
char         *qmp_schema_cache_key  (JsonObject   *greeting);

/* The schema saved in DIR for KEY, or NULL (with a debug message) when
 * there is none, or the file is corrupt, too large or for another QEMU,
 * or DIR or the file is a link, not a directory or regular file, or not
 * the effective user's alone (owned by another, group/world writable).
 * A schema from here is some QEMU's claiming KEY, not necessarily this
 * one's: it may speed a command's acceptance, never refuse one. */
XenQmpSchema *qmp_schema_cache_load (const char   *dir,
                                     const char   *key);
/* Saves SCHEMA for KEY in DIR (created 0700; used only when it passes
 * the checks of load), through a 0600 temporary file renamed over the
 * old one; a failure is only a debug message: the cache is an
 * optimisation. */
void          qmp_schema_cache_save (const char   *dir,
                                     const char   *key,
                                     XenQmpSchema *schema);
/* The file KEY is kept in, under DIR. */
char         *qmp_schema_cache_path (const char   *dir,
                                     const char   *key);
