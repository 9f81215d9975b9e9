/* fd-files.h: the files xen-qmp opens for QEMU (--fd, --fd-read, ...)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include <gio/gunixfdlist.h>

/* How a file is opened and given to QEMU. QEMU 7.2 hands out an fdset's
 * fd only to an open whose access mode is the fd's (monitor/misc.c
 * monitor_fdset_dup_fd_add compares O_ACCMODE), so the mode is the
 * user's choice, not a guess. */
typedef enum {
  TOOL_FD_READ,    /* --fd-read: O_RDONLY, into an fdset (a CD image) */
  TOOL_FD_WRITE,   /* --fd-write: O_WRONLY|O_CREAT|O_TRUNC, 0600, into an
                      fdset (xen-save-devices-state's file) */
  TOOL_FD_RW,      /* --fd-rw: O_RDWR, into an fdset (a disk image) */
  TOOL_FD_SEND,    /* --fd: read-write when allowed, else read-only, sent
                      with the command itself (getfd, add-fd) */
} ToolFdMode;

typedef struct _ToolFdFiles ToolFdFiles;

ToolFdFiles *tool_fd_files_new       (void);
void         tool_fd_files_free      (ToolFdFiles  *files);
void         tool_fd_files_add       (ToolFdFiles  *files,
                                      ToolFdMode    mode,
                                      const char   *path);
gboolean     tool_fd_files_is_empty  (ToolFdFiles  *files);
/* Whether the files go through fdsets (--fd-read, --fd-write, --fd-rw)
 * rather than with the command (--fd); the two do not mix. */
gboolean     tool_fd_files_use_fdsets (ToolFdFiles *files);
gboolean     tool_fd_files_check     (ToolFdFiles  *files,
                                      GError      **error);
/* The files opened, in the order given (@fd0, @fd1, ...). */
GUnixFDList *tool_fd_files_open      (ToolFdFiles  *files,
                                      GError      **error);

/* A GOptionArgFunc for --fd, --fd-read, --fd-write and --fd-rw whose
 * data is a ToolFdFiles (G_OPTION_FLAG_FILENAME values). */
gboolean     tool_fd_files_option    (const char   *option_name,
                                      const char   *value,
                                      gpointer      data,
                                      GError      **error);

/* A shell line's leading fd options ("--fd-read cd.iso eject ..."):
 * added to FILES; returns where the command starts, or NULL with ERROR
 * set. A file name may be quoted as the shell quotes words. */
const char  *tool_fd_files_take_line_options (ToolFdFiles  *files,
                                              const char   *line,
                                              GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ToolFdFiles, tool_fd_files_free)
