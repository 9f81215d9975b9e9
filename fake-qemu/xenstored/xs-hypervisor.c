/* xs-hypervisor.c: domains and VIRQ_DOM_EXC from the --hypervisor state
 * folder
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define G_LOG_DOMAIN "fake-xenstored"

#include "xs-hypervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <glib/gstdio.h>

struct _XsHypervisor {
  char         *domains_dir;
  int           virq_fd;
  guint         virq_id;
  XsDomExcFunc  on_dom_exc;
  gpointer      user_data;
};

static gboolean
on_virq (int fd, GIOCondition condition, gpointer user_data)
{
  XsHypervisor *hypervisor = user_data;
  char bytes[256];
  ssize_t n;
  gboolean any = FALSE;

  /* Like an event channel, events that arrive together are one: the
   * handler looks at every domain anyway. */
  while ((n = read (fd, bytes, sizeof bytes)) > 0)
    any = TRUE;
  if (n < 0 && errno != EAGAIN && errno != EINTR)
    {
      g_warning ("reading virq-dom-exc: %s; no more domain events", g_strerror (errno));
      hypervisor->virq_id = 0;
      return G_SOURCE_REMOVE;
    }
  if (any)
    {
      g_debug ("VIRQ_DOM_EXC");
      hypervisor->on_dom_exc (hypervisor->user_data);
    }
  return G_SOURCE_CONTINUE;
}

XsHypervisor *
xs_hypervisor_new (const char *dir, XsDomExcFunc on_dom_exc, gpointer user_data,
                   GError **error)
{
  g_autofree char *fifo = g_build_filename (dir, "virq-dom-exc", NULL);
  XsHypervisor *hypervisor;
  GStatBuf st;
  int fd;

  if (g_stat (fifo, &st) < 0 || !S_ISFIFO (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "--hypervisor %s: %s is not a FIFO", dir, fifo);
      return NULL;
    }
  /* Read-write: we are a writer ourselves, so the FIFO never reports
   * end-of-file (and wakes us forever) when the harness's end closes. */
  fd = g_open (fifo, O_RDWR | O_NONBLOCK | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "--hypervisor %s: cannot open %s: %s", dir, fifo, g_strerror (saved));
      return NULL;
    }
  hypervisor = g_new0 (XsHypervisor, 1);
  hypervisor->domains_dir = g_build_filename (dir, "domains", NULL);
  hypervisor->virq_fd = fd;
  hypervisor->on_dom_exc = on_dom_exc;
  hypervisor->user_data = user_data;
  hypervisor->virq_id = g_unix_fd_add (fd, G_IO_IN, on_virq, hypervisor);
  return hypervisor;
}

void
xs_hypervisor_free (XsHypervisor *hypervisor)
{
  if (hypervisor == NULL)
    return;
  g_clear_handle_id (&hypervisor->virq_id, g_source_remove);
  close (hypervisor->virq_fd);
  g_free (hypervisor->domains_dir);
  g_free (hypervisor);
}

/* A key's value as a flag: "1" is set, anything else is not. */
static gboolean
flag (const char *value)
{
  return strcmp (value, "1") == 0;
}

gboolean
xs_hypervisor_get_domain (XsHypervisor *hypervisor, guint domid, XsDomainInfo *info)
{
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  *info = (XsDomainInfo) { FALSE, FALSE };
  if (domid >= XS_DOMID_FIRST_RESERVED)
    return FALSE;
  if (hypervisor == NULL || domid == 0)
    return TRUE;
  name = g_strdup_printf ("%u", domid);
  path = g_build_filename (hypervisor->domains_dir, name, NULL);
  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *eq = strchr (lines[i], '=');

      if (eq == NULL)
        continue;
      *eq = '\0';
      g_strstrip (lines[i]);
      g_strstrip (eq + 1);
      if (strcmp (lines[i], "dying") == 0)
        info->dying = flag (eq + 1);
      else if (strcmp (lines[i], "shutdown") == 0)
        info->shutdown = flag (eq + 1);
    }
  return TRUE;
}
