/* qmp-property.h: set_property helpers that say whether the value changed
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The objects' properties are G_PARAM_EXPLICIT_NOTIFY: set_property
 * notifies only when one of these returns TRUE.
 */
#pragma once

#include <glib.h>

static inline gboolean
qmp_property_change_uint (guint *field, guint value)
{
  if (*field == value)
    return FALSE;
  *field = value;
  return TRUE;
}

static inline gboolean
qmp_property_change_size (gsize *field, guint64 value)
{
  if (*field == (gsize) value)
    return FALSE;
  *field = (gsize) value;
  return TRUE;
}

static inline gboolean
qmp_property_change_boolean (gboolean *field, gboolean value)
{
  if (!*field == !value)
    return FALSE;
  *field = value != FALSE;
  return TRUE;
}

/* Takes VALUE (a newly allocated string or NULL) either way. */
static inline gboolean
qmp_property_change_string (char **field, char *value)
{
  if (g_strcmp0 (*field, value) == 0)
    {
      g_free (value);
      return FALSE;
    }
  g_free (*field);
  *field = value;
  return TRUE;
}
