/* soak-fleet.c: the fake domains of the soak, served by fake-qemu processes
 *
 * Each process plays several domains, as one fake-qemu can: killing one is
 * a host-side event that takes several device models down at once, which
 * is what makes the library's per-domain state interleave. Nothing here
 * blocks the main loop: processes move through their states from
 * fleet_tick(), so that commands keep flowing to the other domains while
 * one process dies and comes back.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "soak-fleet.h"

#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

/* A fake that outlives a crashed soak must not linger: it dies with it
 * (PR_SET_PDEATHSIG), and at the latest after this. */
#define FAKE_TIMEOUT_S "7200"

static char *
socket_path (Fleet *fleet, guint32 domid)
{
  return g_strdup_printf ("%s/qmp-libxl-%u", fleet->run_dir, domid);
}

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
remove_sockets (Fleet *fleet, FleetProcess *proc)
{
  for (guint i = 0; i < proc->n_domains; i++)
    {
      g_autofree char *path = socket_path (fleet, proc->first_domid + i);

      g_unlink (path);
    }
}

static gboolean
spawn (Fleet *fleet, FleetProcess *proc, GError **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  GPid pid;

  /* What a crash left behind would look ready before the new process is. */
  remove_sockets (fleet, proc);
  g_ptr_array_add (argv, g_strdup (fleet->fake_qemu));
  for (guint i = 0; i < proc->n_domains; i++)
    {
      g_ptr_array_add (argv, g_strdup ("--socket"));
      g_ptr_array_add (argv, socket_path (fleet, proc->first_domid + i));
    }
  g_ptr_array_add (argv, g_strdup ("--timeout"));
  g_ptr_array_add (argv, g_strdup (FAKE_TIMEOUT_S));
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_async (NULL, (char **) argv->pdata, NULL,
                      G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDIN_FROM_DEV_NULL,
                      die_with_parent, NULL, &pid, error))
    return FALSE;
  proc->pid = pid;
  proc->state = FLEET_STARTING;
  proc->restart_at = 0;
  proc->starts++;
  return TRUE;
}

/* fake-qemu renames each listening socket into place, the first one last:
 * once it is there, the process serves all its domains. */
static gboolean
serving (Fleet *fleet, FleetProcess *proc)
{
  g_autofree char *path = socket_path (fleet, proc->first_domid);
  GStatBuf st;

  return g_stat (path, &st) == 0 && S_ISSOCK (st.st_mode);
}

static gboolean
reaped (FleetProcess *proc)
{
  int status;
  pid_t r;

  do
    r = waitpid (proc->pid, &status, WNOHANG);
  while (r < 0 && errno == EINTR);
  if (r == 0)
    return FALSE;
  g_spawn_close_pid (proc->pid);
  proc->pid = 0;
  return TRUE;
}

gboolean
fleet_start (Fleet       *fleet,
             const char  *fake_qemu,
             const char  *run_dir,
             guint        n_domains,
             guint        per_process,
             GError     **error)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  fleet->fake_qemu = g_strdup (fake_qemu);
  fleet->run_dir = g_strdup (run_dir);
  fleet->n_domains = n_domains;
  fleet->n_procs = (n_domains + per_process - 1) / per_process;
  fleet->procs = g_new0 (FleetProcess, fleet->n_procs);
  for (guint i = 0; i < fleet->n_procs; i++)
    {
      FleetProcess *proc = &fleet->procs[i];

      proc->index = i;
      proc->first_domid = 1 + i * per_process;
      proc->n_domains = MIN (per_process, n_domains - i * per_process);
      if (!spawn (fleet, proc, error))
        return FALSE;
    }
  for (guint i = 0; i < fleet->n_procs; i++)
    {
      FleetProcess *proc = &fleet->procs[i];

      while (!serving (fleet, proc))
        {
          if (reaped (proc))
            {
              g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
                           "%s exited before serving its sockets", fake_qemu);
              proc->state = FLEET_DOWN;
              return FALSE;
            }
          if (g_get_monotonic_time () > deadline)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                           "%s did not create its sockets in 30 s", fake_qemu);
              return FALSE;
            }
          g_usleep (2000);
        }
      proc->state = FLEET_RUNNING;
    }
  return TRUE;
}

void
fleet_stop (Fleet *fleet)
{
  for (guint i = 0; fleet->procs != NULL && i < fleet->n_procs; i++)
    {
      FleetProcess *proc = &fleet->procs[i];

      if (proc->pid > 0)
        {
          kill (proc->pid, SIGKILL);
          while (waitpid (proc->pid, NULL, 0) < 0 && errno == EINTR)
            ;
          g_spawn_close_pid (proc->pid);
          proc->pid = 0;
        }
      remove_sockets (fleet, proc);
    }
  g_clear_pointer (&fleet->procs, g_free);
  g_clear_pointer (&fleet->fake_qemu, g_free);
  g_clear_pointer (&fleet->run_dir, g_free);
}

FleetProcess *
fleet_process_of (Fleet *fleet, guint32 domid)
{
  guint per_process = fleet->procs[0].n_domains;

  g_return_val_if_fail (domid >= 1 && domid <= fleet->n_domains, NULL);
  return &fleet->procs[(domid - 1) / per_process];
}

static void
signal_to_restart (FleetProcess *proc, int sig, gint64 restart_delay_us)
{
  kill (proc->pid, sig);
  /* A stopped process handles SIGTERM only once it runs again. */
  kill (proc->pid, SIGCONT);
  proc->state = FLEET_DYING;
  proc->restart_at = g_get_monotonic_time () + restart_delay_us;
}

void
fleet_kill (Fleet        *fleet,
            FleetProcess *proc,
            int           sig,
            gint64        restart_delay_us)
{
  g_return_if_fail (proc->pid > 0);

  signal_to_restart (proc, sig, restart_delay_us);
  if (sig == SIGKILL)
    fleet->killed++;
  else
    fleet->terminated++;
}

void
fleet_pause (Fleet *fleet, FleetProcess *proc, gint64 duration_us)
{
  g_return_if_fail (proc->state == FLEET_RUNNING);

  kill (proc->pid, SIGSTOP);
  proc->state = FLEET_STOPPED;
  proc->resume_at = g_get_monotonic_time () + duration_us;
  fleet->stopped++;
}

void
fleet_tick (Fleet *fleet, gint64 now)
{
  for (guint i = 0; i < fleet->n_procs; i++)
    {
      FleetProcess *proc = &fleet->procs[i];

      switch (proc->state)
        {
        case FLEET_RUNNING:
          if (proc->restart_at != 0 && now >= proc->restart_at)
            /* Some of its domains quit: bring them back with the process
             * (counted as restarted, not as chaos). */
            signal_to_restart (proc, SIGTERM, 0);
          else if (reaped (proc))
            {
              /* Every domain quit, or it crashed by itself. */
              fleet->exited_alone++;
              proc->state = FLEET_DOWN;
              proc->restart_at = now;
            }
          break;
        case FLEET_STOPPED:
          if (now >= proc->resume_at)
            {
              kill (proc->pid, SIGCONT);
              proc->state = FLEET_RUNNING;
            }
          break;
        case FLEET_DYING:
          if (reaped (proc))
            proc->state = FLEET_DOWN;
          break;
        case FLEET_DOWN:
          if (now >= proc->restart_at)
            {
              g_autoptr(GError) error = NULL;

              if (!spawn (fleet, proc, &error))
                g_error ("cannot restart %s: %s", fleet->fake_qemu, error->message);
              fleet->restarted++;
            }
          break;
        case FLEET_STARTING:
          if (serving (fleet, proc))
            proc->state = FLEET_RUNNING;
          else if (reaped (proc))
            g_error ("%s exited before serving its sockets", fleet->fake_qemu);
          break;
        default:
          g_assert_not_reached ();
        }
    }
}

void
fleet_end_chaos (Fleet *fleet, gint64 now)
{
  for (guint i = 0; i < fleet->n_procs; i++)
    {
      FleetProcess *proc = &fleet->procs[i];

      if (proc->state == FLEET_STOPPED)
        proc->resume_at = now;
      else if (proc->state == FLEET_DOWN || proc->state == FLEET_DYING
               || (proc->state == FLEET_RUNNING && proc->restart_at != 0))
        proc->restart_at = now;
    }
}

guint
fleet_count_state (Fleet *fleet, FleetState state)
{
  guint n = 0;

  for (guint i = 0; i < fleet->n_procs; i++)
    n += fleet->procs[i].state == state;
  return n;
}
