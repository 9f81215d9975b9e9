/* qmp-socket-source.c: the GSource of one QMP socket
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "qmp-socket-source.h"

typedef struct {
  GSource   source;
  gpointer  tag;
  int       fd;
  gboolean  want_write;
} QmpSocketSource;

static GIOCondition
wanted (QmpSocketSource *self)
{
  return G_IO_IN | G_IO_HUP | G_IO_ERR | (self->want_write ? G_IO_OUT : 0);
}

static gboolean
socket_source_dispatch (GSource     *source,
                        GSourceFunc  callback,
                        gpointer     user_data)
{
  QmpSocketSource *self = (QmpSocketSource *) source;
  GIOCondition revents = g_source_query_unix_fd (source, self->tag);

  if (callback == NULL)
    return G_SOURCE_REMOVE;
  return ((QmpSocketFunc) (void (*) (void)) callback) (self->fd, revents, user_data);
}

static GSourceFuncs socket_source_funcs = {
  .dispatch = socket_source_dispatch,
};

GSource *
qmp_socket_source_new (int fd)
{
  GSource *source = g_source_new (&socket_source_funcs, sizeof (QmpSocketSource));
  QmpSocketSource *self = (QmpSocketSource *) source;

  g_source_set_name (source, "[xenqmp] QMP socket");
  self->fd = fd;
  self->tag = g_source_add_unix_fd (source, fd, wanted (self));
  return source;
}

void
qmp_socket_source_set_want_write (GSource *source, gboolean want_write)
{
  QmpSocketSource *self = (QmpSocketSource *) source;

  if (self->want_write == want_write)
    return;
  self->want_write = want_write;
  g_source_modify_unix_fd (source, self->tag, wanted (self));
}
