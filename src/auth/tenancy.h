/* tenancy.h: which vendor a request acts in, and as which role (pure). The inputs
 * are the caller's active memberships, whether it is a platform admin, and the
 * X-Vendor-Id and X-Break-Glass-Justification headers; the vendor is never in the
 * URL. */
#ifndef OD_TENANCY_H
#define OD_TENANCY_H

#include <stdbool.h>
#include <stddef.h>

#include "auth/rbac.h"
#include "core/uuid.h"  /* od_uuid_canonical, used with the X-Vendor-Id header */

#define OD_JUSTIFICATION_MAX 1000

typedef struct od_membership {
    const char *vendor_id;    /* canonical lower-case uuid; borrowed */
    const char *vendor_name;  /* borrowed */
    bool vendor_active;       /* false when the vendor is suspended */
    od_role role;
} od_membership;

typedef struct od_membership_set {
    const od_membership *items;  /* the active links; borrowed */
    size_t n;
    bool platform_admin;         /* listed in platform_admins, not revoked */
    const od_membership *target; /* for a platform admin: the vendor of X-Vendor-Id, or NULL */
} od_membership_set;

typedef enum od_tenancy_outcome {
    OD_TENANCY_OK,                  /* acting in vendor_id as role */
    OD_TENANCY_NO_VENDOR,           /* no vendor chosen; allowed where none is needed */
    OD_TENANCY_BAD_VENDOR_HEADER,   /* 400: X-Vendor-Id is not a uuid */
    OD_TENANCY_BAD_JUSTIFICATION,   /* 400: control characters or over the cap */
    OD_TENANCY_AMBIGUOUS,           /* 400: several memberships and no X-Vendor-Id */
    OD_TENANCY_NO_MEMBERSHIP,       /* 403: no active membership at all */
    OD_TENANCY_NOT_MEMBER,          /* 403: not an active member of X-Vendor-Id */
    OD_TENANCY_SUSPENDED,           /* 403: the vendor is suspended */
    OD_TENANCY_NEEDS_BREAK_GLASS    /* 403: a platform admin without X-Vendor-Id and a justification */
} od_tenancy_outcome;

typedef struct od_tenancy {
    od_tenancy_outcome outcome;
    const char *vendor_id;    /* borrowed from the set, or NULL */
    const char *vendor_name;
    od_role role;             /* OD_ROLE_SUPERADMIN for a platform admin */
    od_perms perms;           /* what the caller may do here */
    bool break_glass;         /* a platform admin acting inside a vendor */
} od_tenancy;

/* Resolves the tenancy of a request. x_vendor must already be canonical (or NULL);
 * justification is the raw header (or NULL). vendor_required is false for routes
 * that work without a vendor (GET /me). */
od_tenancy od_tenancy_resolve(const od_membership_set *ms, const char *x_vendor,
                              const char *justification, bool vendor_required);

/* Returns an HTTP status (400/403) and a short detail for a refusal (static). */
int od_tenancy_refusal(od_tenancy_outcome o, const char **detail);

#endif
