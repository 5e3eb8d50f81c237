/* rbac.c: the role matrix. Each role includes the one below it. */
#include "auth/rbac.h"

#include <string.h>

static const char *const perm_names[OD_PERM_COUNT] = {
    "catalog.read", "catalog.write", "customers.read", "customers.write",
    "health.read", "health.write", "ingest.run", "jobs.read",
    "vendor.manage", "members.manage", "webhooks.manage", "connectors.manage",
    "taxonomy.manage", "diet_rules.manage", "scoring.manage", "audit.read",
    "global_taxonomy.manage", "vendor.status",
};

#define VIEWER   (OD_PERM_CATALOG_READ | OD_PERM_CUSTOMERS_READ | OD_PERM_JOBS_READ)
#define OPERATOR (VIEWER | OD_PERM_CATALOG_WRITE | OD_PERM_CUSTOMERS_WRITE | \
                  OD_PERM_HEALTH_READ | OD_PERM_HEALTH_WRITE | OD_PERM_INGEST_RUN)
#define ADMIN    (OPERATOR | OD_PERM_VENDOR_MANAGE | OD_PERM_MEMBERS_MANAGE | \
                  OD_PERM_WEBHOOKS_MANAGE | OD_PERM_CONNECTORS_MANAGE | \
                  OD_PERM_TAXONOMY_MANAGE | OD_PERM_DIET_RULES_MANAGE | \
                  OD_PERM_SCORING_MANAGE | OD_PERM_AUDIT_READ)
#define PLATFORM (OD_PERM_GLOBAL_TAXONOMY | OD_PERM_VENDOR_STATUS)

od_perms
od_rbac_vendor_perms(od_role role)
{
    switch (role) {
    case OD_ROLE_VIEWER:     return VIEWER;
    case OD_ROLE_OPERATOR:   return OPERATOR;
    case OD_ROLE_ADMIN:      return ADMIN;
    case OD_ROLE_SUPERADMIN: return ADMIN | PLATFORM;  /* break-glass only */
    case OD_ROLE_NONE:       break;
    }
    return OD_PERM_NONE;
}

od_perms
od_rbac_platform_perms(void)
{
    return PLATFORM;
}

static const struct {
    od_role role;
    const char *name;
} role_names[] = {
    { OD_ROLE_VIEWER, "vendor_viewer" },
    { OD_ROLE_OPERATOR, "vendor_operator" },
    { OD_ROLE_ADMIN, "vendor_admin" },
    { OD_ROLE_SUPERADMIN, "superadmin" },
};

od_role
od_rbac_role_parse(const char *s)
{
    for (size_t i = 0; s != NULL && i < sizeof(role_names) / sizeof(role_names[0]); i++) {
        if (strcmp(s, role_names[i].name) == 0)
            return role_names[i].role;
    }
    return OD_ROLE_NONE;
}

const char *
od_rbac_role_name(od_role role)
{
    for (size_t i = 0; i < sizeof(role_names) / sizeof(role_names[0]); i++) {
        if (role_names[i].role == role)
            return role_names[i].name;
    }
    return NULL;
}

const char *
od_rbac_perm_name(od_perms perm)
{
    for (int i = 0; i < OD_PERM_COUNT; i++) {
        if (perm == (1u << i))
            return perm_names[i];
    }
    return NULL;
}

void
od_rbac_perm_each(od_perms perms, void (*fn)(const char *name, void *arg), void *arg)
{
    for (int i = 0; i < OD_PERM_COUNT; i++) {
        if (perms & (1u << i))
            fn(perm_names[i], arg);
    }
}
