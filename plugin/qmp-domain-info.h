/* qmp-domain-info.h: what xenstore says about a domain's device model
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include "qmp-xenstore.h"

/* /libxl/<domid>/type, as libxl_types.idl names them. */
typedef enum {
  QMP_DOMAIN_TYPE_HVM,        /* also what libxl assumes when it is missing */
  QMP_DOMAIN_TYPE_PV,
  QMP_DOMAIN_TYPE_PVH,
} QmpDomainType;

typedef struct {
  guint32        domid;
  guint32        stub_domid;  /* the stub domain running the device model, or 0 */
  QmpDomainType  type;
  char          *uuid;        /* for libxl's lock file */
} QmpDomainInfo;

/* Checks that DOMID exists and that its device model speaks QMP; fills
 * INFO. Each refusal names the domain and the reason. */
gboolean qmp_domain_info_read   (QmpXenstore    *xs,
                                 guint32         domid,
                                 QmpDomainInfo  *info,
                                 GError        **error);
void     qmp_domain_info_clear  (QmpDomainInfo  *info);

/* Whether the domain INFO describes is still there: after waiting for
 * libxl's lock, as libxl checks (the domid may have gone, or been reused
 * by a domain with another uuid), and on @releaseDomain. */
gboolean qmp_domain_info_still_exists (QmpXenstore          *xs,
                                       const QmpDomainInfo  *info,
                                       GError              **error);

/* Where QEMU writes its state: under the domain that runs it, dom0 or the
 * stub domain. Only a hint that it may be worth trying to connect. */
char    *qmp_domain_info_dm_state_path (const QmpDomainInfo *info);
/* "domain 3", or "domain 3 (device model in stub domain 4)". */
char    *qmp_domain_info_describe      (const QmpDomainInfo *info);
const char *qmp_domain_type_to_string  (QmpDomainType        type);
char    *qmp_domain_info_lock_path     (const QmpDomainInfo *info,
                                        const char          *lib_dir);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (QmpDomainInfo, qmp_domain_info_clear)
