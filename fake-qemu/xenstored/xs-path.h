/* xs-path.h: xenstore node names: validity, relative paths, ancestry
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

/* Every client of the fake is a dom0 tool: relative paths are relative to
 * dom0's home, as xenstored does for its unix socket clients. */
#define XS_HOME_PATH "/local/domain/0"

/* Whether PATH is an absolute node name xenstored 4.17 accepts
 * (is_valid_nodename() in xenstored_core.c): starts with '/', no "//", no
 * trailing '/' (but "/"), only [A-Za-z0-9/_@-], and at most
 * XENSTORE_REL_PATH_MAX (2048) bytes after a "/local/domain/<domid>/"
 * prefix, or in all when there is none. */
gboolean    xs_path_is_valid       (const char *path);

/* Whether PATH names a special watch ("@releaseDomain"...). */
gboolean    xs_path_is_special     (const char *path);

/* PATH made absolute (relative to XS_HOME_PATH); "@..." is kept as is.
 * The result is not validated. */
char       *xs_path_canonicalize   (const char *path);

/* Whether CHILD is PARENT or lies below it ("/" is above everything). */
gboolean    xs_path_is_below       (const char *child,
                                    const char *parent);

/* The parent of a valid PATH other than "/". */
char       *xs_path_parent         (const char *path);
/* The last component of a valid PATH other than "/". */
const char *xs_path_basename       (const char *path);

/* PATH + '/' + NAME, without doubling the slash of "/". */
char       *xs_path_child          (const char *path,
                                    const char *name);
