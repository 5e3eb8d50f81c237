/* test_tenancy.c: vendor and role resolution, the role matrix and the membership
 * cache's time bound (all pure). */
#include <string.h>

#include "auth/mcache.h"
#include "auth/rbac.h"
#include "auth/tenancy.h"
#include "unit.h"

#define VA "11111111-1111-1111-1111-111111111111"
#define VB "22222222-2222-2222-2222-222222222222"
#define VC "33333333-3333-3333-3333-333333333333"

static const od_membership a_admin = { VA, "A", true, OD_ROLE_ADMIN };
static const od_membership b_viewer = { VB, "B", true, OD_ROLE_VIEWER };
static const od_membership c_suspended = { VC, "C", false, OD_ROLE_OPERATOR };

static void
test_single_membership_is_implied(void)
{
    od_membership items[] = { a_admin };
    od_membership_set ms = { items, 1, false, NULL };
    od_tenancy t = od_tenancy_resolve(&ms, NULL, NULL, true);

    CU_ASSERT_EQUAL(t.outcome, OD_TENANCY_OK);
    CU_ASSERT_STRING_EQUAL(t.vendor_id, VA);
    CU_ASSERT_EQUAL(t.role, OD_ROLE_ADMIN);
    CU_ASSERT(t.perms & OD_PERM_MEMBERS_MANAGE);
    CU_ASSERT_FALSE(t.break_glass);
}

static void
test_several_need_a_header(void)
{
    od_membership items[] = { a_admin, b_viewer };
    od_membership_set ms = { items, 2, false, NULL };
    od_tenancy t;

    CU_ASSERT_EQUAL(od_tenancy_resolve(&ms, NULL, NULL, true).outcome, OD_TENANCY_AMBIGUOUS);
    CU_ASSERT_EQUAL(od_tenancy_resolve(&ms, NULL, NULL, false).outcome, OD_TENANCY_NO_VENDOR);
    t = od_tenancy_resolve(&ms, VB, NULL, true);
    CU_ASSERT_EQUAL(t.outcome, OD_TENANCY_OK);
    CU_ASSERT_EQUAL(t.role, OD_ROLE_VIEWER);
    CU_ASSERT_FALSE(t.perms & OD_PERM_CATALOG_WRITE);
    CU_ASSERT_EQUAL(od_tenancy_resolve(&ms, VC, NULL, true).outcome, OD_TENANCY_NOT_MEMBER);
}

static void
test_none_and_suspended(void)
{
    od_membership items[] = { c_suspended };
    od_membership_set empty = { items, 0, false, NULL };
    od_membership_set ms = { items, 1, false, NULL };

    CU_ASSERT_EQUAL(od_tenancy_resolve(&empty, NULL, NULL, false).outcome, OD_TENANCY_NO_MEMBERSHIP);
    CU_ASSERT_EQUAL(od_tenancy_resolve(&ms, NULL, NULL, false).outcome, OD_TENANCY_SUSPENDED);
    CU_ASSERT_EQUAL(od_tenancy_resolve(&ms, VC, NULL, true).outcome, OD_TENANCY_SUSPENDED);
}

static void
test_platform_admin_and_break_glass(void)
{
    od_membership target = c_suspended;
    od_membership_set ms = { NULL, 0, true, &target };
    od_membership_set no_target = { NULL, 0, true, NULL };
    od_tenancy t = od_tenancy_resolve(&ms, NULL, NULL, false);

    CU_ASSERT_EQUAL(t.outcome, OD_TENANCY_NO_VENDOR);
    CU_ASSERT_EQUAL(t.role, OD_ROLE_SUPERADMIN);
    CU_ASSERT_EQUAL(t.perms, od_rbac_platform_perms());
    CU_ASSERT_EQUAL(od_tenancy_resolve(&ms, NULL, NULL, true).outcome, OD_TENANCY_NEEDS_BREAK_GLASS);
    CU_ASSERT_EQUAL(od_tenancy_resolve(&ms, VC, NULL, true).outcome, OD_TENANCY_NEEDS_BREAK_GLASS);
    CU_ASSERT_EQUAL(od_tenancy_resolve(&ms, VC, "", true).outcome, OD_TENANCY_NEEDS_BREAK_GLASS);
    CU_ASSERT_EQUAL(od_tenancy_resolve(&ms, VC, "  ", true).outcome, OD_TENANCY_BAD_JUSTIFICATION);
    CU_ASSERT_EQUAL(od_tenancy_resolve(&ms, VC, "bad\nline", true).outcome, OD_TENANCY_BAD_JUSTIFICATION);
    t = od_tenancy_resolve(&ms, VC, "ticket 42", true);
    CU_ASSERT_EQUAL(t.outcome, OD_TENANCY_OK);  /* even in a suspended vendor */
    CU_ASSERT(t.break_glass);
    CU_ASSERT(t.perms & OD_PERM_AUDIT_READ);
    CU_ASSERT_EQUAL(od_tenancy_resolve(&no_target, VC, "ticket 42", true).outcome,
                    OD_TENANCY_NOT_MEMBER);
}

static void
test_member_admin_acts_as_member(void)
{
    od_membership items[] = { a_admin };
    od_membership_set ms = { items, 1, true, NULL };
    od_tenancy t = od_tenancy_resolve(&ms, VA, "why", true);

    CU_ASSERT_EQUAL(t.outcome, OD_TENANCY_OK);
    CU_ASSERT_FALSE(t.break_glass);
    CU_ASSERT_EQUAL(t.role, OD_ROLE_ADMIN);
}

static void
test_uuid_canonical(void)
{
    char out[37];

    CU_ASSERT(od_uuid_canonical("ABCDEF01-2345-6789-ABCD-EF0123456789", out));
    CU_ASSERT_STRING_EQUAL(out, "abcdef01-2345-6789-abcd-ef0123456789");
    CU_ASSERT_FALSE(od_uuid_canonical("abcdef01-2345-6789-abcd-ef012345678", out));
    CU_ASSERT_FALSE(od_uuid_canonical("abcdef01x2345-6789-abcd-ef0123456789", out));
    CU_ASSERT_FALSE(od_uuid_canonical("ghcdef01-2345-6789-abcd-ef0123456789", out));
    CU_ASSERT_FALSE(od_uuid_canonical(NULL, out));
}

static void
test_roles_include_the_one_below(void)
{
    od_perms v = od_rbac_vendor_perms(OD_ROLE_VIEWER), o = od_rbac_vendor_perms(OD_ROLE_OPERATOR);
    od_perms a = od_rbac_vendor_perms(OD_ROLE_ADMIN);

    CU_ASSERT_EQUAL(v & o, v);
    CU_ASSERT_EQUAL(o & a, o);
    CU_ASSERT_FALSE(v & OD_PERM_HEALTH_READ);
    CU_ASSERT(o & OD_PERM_HEALTH_READ);
    CU_ASSERT_FALSE(a & OD_PERM_GLOBAL_TAXONOMY);
    CU_ASSERT_EQUAL(od_rbac_vendor_perms(OD_ROLE_NONE), 0);
    CU_ASSERT_EQUAL(od_rbac_role_parse("vendor_operator"), OD_ROLE_OPERATOR);
    CU_ASSERT_EQUAL(od_rbac_role_parse("root"), OD_ROLE_NONE);
    CU_ASSERT_STRING_EQUAL(od_rbac_perm_name(OD_PERM_AUDIT_READ), "audit.read");
    CU_ASSERT_PTR_NULL(od_rbac_perm_name(OD_PERM_AUDIT_READ | OD_PERM_CATALOG_READ));
}

static void
test_cache_expires_within_the_bound(void)
{
    od_mcache *c = od_mcache_create(8);
    od_arena *a = od_arena_create(0);
    od_membership items[] = { a_admin, b_viewer };
    od_membership target = c_suspended;
    od_membership_set ms = { items, 2, true, &target }, got;

    od_mcache_put(c, "u1", VC, 1000, &ms);
    CU_ASSERT_FATAL(od_mcache_get(c, "u1", VC, 1000 + OD_MCACHE_TTL_MS - 1, a, &got));
    CU_ASSERT_EQUAL(got.n, 2);
    CU_ASSERT(got.platform_admin);
    CU_ASSERT_STRING_EQUAL(got.items[1].vendor_id, VB);
    CU_ASSERT_STRING_EQUAL(got.target->vendor_id, VC);
    CU_ASSERT_FALSE(got.target->vendor_active);
    CU_ASSERT_FALSE(od_mcache_get(c, "u1", VC, 1000 + OD_MCACHE_TTL_MS, a, &got));
    CU_ASSERT_FALSE(od_mcache_get(c, "u1", NULL, 1001, a, &got));  /* other header, other entry */
    CU_ASSERT_FALSE(od_mcache_get(c, "u2", VC, 1001, a, &got));
    CU_ASSERT(OD_MCACHE_TTL_MS < 5000);
    od_mcache_put(c, "u1", VC, 2000, &ms);  /* replaces, frees the old copy */
    od_arena_destroy(a);
    od_mcache_destroy(c);
}

static const od_unit_case cases[] = {
    { "one membership is implied", test_single_membership_is_implied },
    { "several memberships need X-Vendor-Id", test_several_need_a_header },
    { "no membership, suspended vendor", test_none_and_suspended },
    { "platform admin and break-glass", test_platform_admin_and_break_glass },
    { "a member admin acts as a member", test_member_admin_acts_as_member },
    { "uuid canonical form", test_uuid_canonical },
    { "roles include the one below", test_roles_include_the_one_below },
    { "the membership cache expires within its bound", test_cache_expires_within_the_bound },
};

OD_UNIT_MAIN("tenancy", cases)
