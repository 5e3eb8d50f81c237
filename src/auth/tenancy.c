/* tenancy.c: resolution of the vendor and role of a request. */
#include "auth/tenancy.h"

#include <string.h>

static bool
justification_ok(const char *j)
{
    size_t n = strlen(j), printable = 0;

    if (n > OD_JUSTIFICATION_MAX)
        return false;
    for (const unsigned char *p = (const unsigned char *)j; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            return false;
        printable += *p != ' ';
    }
    return printable > 0;
}

static od_tenancy
in_vendor(const od_membership *m, od_role role, bool break_glass)
{
    od_tenancy t = { .outcome = OD_TENANCY_OK, .vendor_id = m->vendor_id,
                     .vendor_name = m->vendor_name, .role = role,
                     .perms = od_rbac_vendor_perms(role), .break_glass = break_glass };

    if (!m->vendor_active && !break_glass)
        t = (od_tenancy){ .outcome = OD_TENANCY_SUSPENDED };
    return t;
}

od_tenancy
od_tenancy_resolve(const od_membership_set *ms, const char *x_vendor, const char *justification,
                   bool vendor_required)
{
    od_tenancy none = { .outcome = OD_TENANCY_NO_VENDOR };
    bool has_justification = justification != NULL && justification[0] != '\0';

    if (has_justification && !justification_ok(justification))
        return (od_tenancy){ .outcome = OD_TENANCY_BAD_JUSTIFICATION };
    if (x_vendor != NULL) {
        for (size_t i = 0; i < ms->n; i++) {
            if (strcmp(ms->items[i].vendor_id, x_vendor) == 0)
                return in_vendor(&ms->items[i], ms->items[i].role, false);
        }
        if (!ms->platform_admin)
            return (od_tenancy){ .outcome = OD_TENANCY_NOT_MEMBER };
        if (!has_justification)
            return (od_tenancy){ .outcome = OD_TENANCY_NEEDS_BREAK_GLASS };
        if (ms->target == NULL)
            return (od_tenancy){ .outcome = OD_TENANCY_NOT_MEMBER };  /* no such vendor */
        /* Break-glass works in a suspended vendor too: it is how one is reactivated. */
        return in_vendor(ms->target, OD_ROLE_SUPERADMIN, true);
    }
    if (ms->n == 1)
        return in_vendor(&ms->items[0], ms->items[0].role, false);
    if (ms->n > 1)
        return vendor_required ? (od_tenancy){ .outcome = OD_TENANCY_AMBIGUOUS } : none;
    if (!ms->platform_admin)
        return (od_tenancy){ .outcome = OD_TENANCY_NO_MEMBERSHIP };
    if (vendor_required)
        return (od_tenancy){ .outcome = OD_TENANCY_NEEDS_BREAK_GLASS };
    none.role = OD_ROLE_SUPERADMIN;
    none.perms = od_rbac_platform_perms();
    return none;
}

int
od_tenancy_refusal(od_tenancy_outcome o, const char **detail)
{
    switch (o) {
    case OD_TENANCY_OK:
    case OD_TENANCY_NO_VENDOR:
        *detail = "";
        return 0;
    case OD_TENANCY_BAD_VENDOR_HEADER:
        *detail = "X-Vendor-Id must be a vendor id (a uuid)";
        return 400;
    case OD_TENANCY_BAD_JUSTIFICATION:
        *detail = "X-Break-Glass-Justification must be 1 to 1000 printable characters";
        return 400;
    case OD_TENANCY_AMBIGUOUS:
        *detail = "you belong to several vendors: name one with X-Vendor-Id";
        return 400;
    case OD_TENANCY_NO_MEMBERSHIP:
        *detail = "your account has no active vendor membership";
        return 403;
    case OD_TENANCY_NOT_MEMBER:
        *detail = "you are not an active member of that vendor";
        return 403;
    case OD_TENANCY_SUSPENDED:
        *detail = "the vendor is suspended";
        return 403;
    case OD_TENANCY_NEEDS_BREAK_GLASS:
        *detail = "a platform admin acts inside a vendor only with X-Vendor-Id and "
                  "X-Break-Glass-Justification";
        return 403;
    }
    *detail = "refused";
    return 403;
}
