/* rbac.h: the role matrix, as data (pure). Routes declare the one permission they
 * need; a role grants a set of permissions; docs/security.md shows the same table,
 * and a test checks the two agree. */
#ifndef OD_RBAC_H
#define OD_RBAC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint32_t od_perms;

/* Permissions. One bit each; OD_PERM_NONE means "any authenticated caller". */
#define OD_PERM_NONE               0u
#define OD_PERM_CATALOG_READ       (1u << 0)
#define OD_PERM_CATALOG_WRITE      (1u << 1)
#define OD_PERM_CUSTOMERS_READ     (1u << 2)
#define OD_PERM_CUSTOMERS_WRITE    (1u << 3)
#define OD_PERM_HEALTH_READ        (1u << 4)
#define OD_PERM_HEALTH_WRITE       (1u << 5)
#define OD_PERM_INGEST_RUN         (1u << 6)
#define OD_PERM_JOBS_READ          (1u << 7)
#define OD_PERM_VENDOR_MANAGE      (1u << 8)
#define OD_PERM_MEMBERS_MANAGE     (1u << 9)
#define OD_PERM_WEBHOOKS_MANAGE    (1u << 10)
#define OD_PERM_CONNECTORS_MANAGE  (1u << 11)
#define OD_PERM_TAXONOMY_MANAGE    (1u << 12)  /* the vendor's own taxonomy and synonyms */
#define OD_PERM_DIET_RULES_MANAGE  (1u << 13)
#define OD_PERM_SCORING_MANAGE     (1u << 14)
#define OD_PERM_AUDIT_READ         (1u << 15)
#define OD_PERM_GLOBAL_TAXONOMY    (1u << 16)  /* global taxonomy and synonyms: platform */
#define OD_PERM_VENDOR_STATUS      (1u << 17)  /* suspend / activate a vendor: platform */
#define OD_PERM_COUNT              18

typedef enum od_role {
    OD_ROLE_NONE = 0,
    OD_ROLE_VIEWER,
    OD_ROLE_OPERATOR,
    OD_ROLE_ADMIN,
    OD_ROLE_SUPERADMIN
} od_role;

/* Returns the permissions role holds inside a vendor (for OD_ROLE_SUPERADMIN: in a
 * vendor under break-glass). */
od_perms od_rbac_vendor_perms(od_role role);

/* Returns the permissions a platform admin holds outside any vendor. */
od_perms od_rbac_platform_perms(void);

/* Parses "vendor_viewer" ... "superadmin". Returns OD_ROLE_NONE when unknown. */
od_role od_rbac_role_parse(const char *s);

/* Returns the database name of role ("vendor_admin"), or NULL for OD_ROLE_NONE. */
const char *od_rbac_role_name(od_role role);

/* Returns the name of the permission bit perm ("catalog.read"), or NULL. */
const char *od_rbac_perm_name(od_perms perm);

/* Calls fn(name, arg) for each permission in perms, in bit order. */
void od_rbac_perm_each(od_perms perms, void (*fn)(const char *name, void *arg), void *arg);

#endif
