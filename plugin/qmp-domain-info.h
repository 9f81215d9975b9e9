/* qmp-domain-info.h: what xenstore says about a domain's device model
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include "qmp-xenstore.h"

typedef struct {
  guint32  domid;
  guint32  dm_domid;    /* whose QMP socket to use: the domain's, or its
                           stub domain's */
  guint32  stub_domid;  /* the stub domain running the device model, or 0 */
  char    *uuid;        /* for libxl's lock file */
  char    *dm_state;    /* /local/domain/0/device-model/<domid>/state, or NULL */
} QmpDomainInfo;

/* Checks that DOMID exists and that its device model speaks QMP; fills
 * INFO. Each refusal names the domain and the reason. */
gboolean qmp_domain_info_read   (QmpXenstore    *xs,
                                 guint32         domid,
                                 QmpDomainInfo  *info,
                                 GError        **error);
void     qmp_domain_info_clear  (QmpDomainInfo  *info);

gboolean qmp_domain_info_dm_ready (const QmpDomainInfo *info);

/* libxl writes the device model's state under the domain that runs it:
 * dom0, or the stub domain. */
char    *qmp_domain_info_dm_state_path (const QmpDomainInfo *info);
char    *qmp_domain_info_lock_path     (const QmpDomainInfo *info,
                                        const char          *lib_dir);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (QmpDomainInfo, qmp_domain_info_clear)
