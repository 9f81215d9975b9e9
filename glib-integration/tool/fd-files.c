/* fd-files.c: the files xen-qmp opens for QEMU (--fd, --fd-read, ...)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * As libxl opens them: a CD image O_RDONLY (Xen 4.17
 * tools/libs/light/libxl_disk.c cdrom_insert_ejected), the device
 * model's save file O_WRONLY|O_CREAT, 0600 (libxl_qmp.c dm_stopped).
 * --fd-write truncates too: QEMU writes through a dup of our fd and
 * cannot truncate it, so an older, longer file would keep a stale tail.
 */
#include "config.h"

#include "fd-files.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

typedef struct {
  ToolFdMode  mode;
  char       *path;
} FdFile;

struct _ToolFdFiles {
  GArray *files;   /* FdFile, in the order given */
};

static void
fd_file_clear (gpointer data)
{
  g_free (((FdFile *) data)->path);
}

ToolFdFiles *
tool_fd_files_new (void)
{
  ToolFdFiles *files = g_new0 (ToolFdFiles, 1);

  files->files = g_array_new (FALSE, TRUE, sizeof (FdFile));
  g_array_set_clear_func (files->files, fd_file_clear);
  return files;
}

void
tool_fd_files_free (ToolFdFiles *files)
{
  if (files == NULL)
    return;
  g_array_unref (files->files);
  g_free (files);
}

void
tool_fd_files_add (ToolFdFiles *files, ToolFdMode mode, const char *path)
{
  FdFile file = { mode, g_strdup (path) };

  g_array_append_val (files->files, file);
}

gboolean
tool_fd_files_is_empty (ToolFdFiles *files)
{
  return files->files->len == 0;
}

gboolean
tool_fd_files_use_fdsets (ToolFdFiles *files)
{
  for (guint i = 0; i < files->files->len; i++)
    if (g_array_index (files->files, FdFile, i).mode != TOOL_FD_SEND)
      return TRUE;
  return FALSE;
}

gboolean
tool_fd_files_check (ToolFdFiles *files, GError **error)
{
  gboolean send = FALSE;

  for (guint i = 0; i < files->files->len; i++)
    send |= g_array_index (files->files, FdFile, i).mode == TOOL_FD_SEND;
  if (send && tool_fd_files_use_fdsets (files))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           "--fd sends files with the command; --fd-read, --fd-write "
                           "and --fd-rw put them in fdsets: use one kind per command");
      return FALSE;
    }
  return TRUE;
}

static int
open_file (const FdFile *file, GError **error)
{
  int fd = -1;

  switch (file->mode)
    {
    case TOOL_FD_READ:
      fd = g_open (file->path, O_RDONLY | O_CLOEXEC | O_NOCTTY, 0);
      break;
    case TOOL_FD_WRITE:
      fd = g_open (file->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0600);
      break;
    case TOOL_FD_RW:
      fd = g_open (file->path, O_RDWR | O_CLOEXEC | O_NOCTTY, 0);
      break;
    case TOOL_FD_SEND:
      /* For getfd (a socket, a chardev) and for add-fd into an fdset
       * that QEMU opens read-write; QEMU opening it read-only or
       * write-only needs --fd-read or --fd-write. */
      fd = g_open (file->path, O_RDWR | O_CLOEXEC | O_NOCTTY, 0);
      if (fd < 0 && (errno == EACCES || errno == EPERM || errno == EROFS ||
                     errno == EISDIR || errno == ETXTBSY))
        fd = g_open (file->path, O_RDONLY | O_CLOEXEC | O_NOCTTY, 0);
      break;
    }
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot open %s: %s", file->path, g_strerror (saved));
    }
  return fd;
}

GUnixFDList *
tool_fd_files_open (ToolFdFiles *files, GError **error)
{
  g_autoptr(GUnixFDList) list = g_unix_fd_list_new ();

  for (guint i = 0; i < files->files->len; i++)
    {
      int fd = open_file (&g_array_index (files->files, FdFile, i), error);

      if (fd < 0)
        return NULL;
      /* The list dups it: ours is closed either way. */
      if (g_unix_fd_list_append (list, fd, error) < 0)
        {
          close (fd);
          return NULL;
        }
      close (fd);
    }
  return g_steal_pointer (&list);
}

static gboolean
mode_of (const char *option_name, ToolFdMode *mode)
{
  static const struct {
    const char *name;
    ToolFdMode  mode;
  } names[] = {
    { "--fd-read", TOOL_FD_READ },
    { "--fd-write", TOOL_FD_WRITE },
    { "--fd-rw", TOOL_FD_RW },
    { "--fd", TOOL_FD_SEND },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (strcmp (option_name, names[i].name) == 0)
      {
        *mode = names[i].mode;
        return TRUE;
      }
  return FALSE;
}

gboolean
tool_fd_files_option (const char *option_name, const char *value, gpointer data,
                      GError **error)
{
  ToolFdMode mode;

  if (!mode_of (option_name, &mode))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION,
                   "unknown option %s", option_name);
      return FALSE;
    }
  tool_fd_files_add (data, mode, value);
  return TRUE;
}

/* The next word of P, unquoted as a POSIX shell would ("a b", 'a b',
 * a\ b); *END is where it ends. NULL at the end of the line. */
static char *
next_word (const char *p, const char **end, GError **error)
{
  const char *q;
  g_autofree char *raw = NULL;

  p += strspn (p, " \t");
  if (*p == '\0')
    {
      *end = p;
      return NULL;
    }
  for (q = p; *q != '\0' && *q != ' ' && *q != '\t'; q++)
    {
      if (*q == '\\' && q[1] != '\0')
        q++;
      else if (*q == '\'' || *q == '"')
        {
          const char *close = strchr (q + 1, *q);

          if (close == NULL)
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "unmatched %c in the line", *q);
              return NULL;
            }
          q = close;
        }
    }
  *end = q;
  raw = g_strndup (p, q - p);
  return g_shell_unquote (raw, error);
}

const char *
tool_fd_files_take_line_options (ToolFdFiles *files, const char *line, GError **error)
{
  const char *p = line;

  for (;;)
    {
      const char *after_option, *after_file;
      g_autofree char *option = NULL;
      g_autofree char *file = NULL;
      ToolFdMode mode;

      option = next_word (p, &after_option, error);
      if (option == NULL)
        return error != NULL && *error != NULL ? NULL : p;
      if (!g_str_has_prefix (option, "--fd"))
        return p;
      if (!mode_of (option, &mode))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION,
                       "unknown option %s (a line may start with --fd-read, --fd-write, "
                       "--fd-rw or --fd, each with a FILE)", option);
          return NULL;
        }
      file = next_word (after_option, &after_file, error);
      if (file == NULL)
        {
          if (error == NULL || *error == NULL)
            g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                         "%s: which file?", option);
          return NULL;
        }
      tool_fd_files_add (files, mode, file);
      p = after_file;
    }
}
