/* unit.h: the shared frame of the CUnit test programs: register the cases of one
 * suite, run them, print "N passed, N failed" (tests, not assertions) for the test
 * command to add up, and exit non-zero on any failure. */
#ifndef OD_UNIT_H
#define OD_UNIT_H

#include <stdio.h>
#include <stdlib.h>

#include <CUnit/Basic.h>

typedef struct od_unit_case {
    const char *name;
    void (*fn)(void);
} od_unit_case;

static inline int
od_unit_run(const char *suite_name, const od_unit_case *cases, size_t n)
{
    CU_pSuite suite;
    unsigned run, failed;

    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    suite = CU_add_suite(suite_name, NULL, NULL);
    for (size_t i = 0; i < n; i++)
        CU_add_test(suite, cases[i].name, cases[i].fn);
    CU_basic_set_mode(CU_BRM_NORMAL);
    CU_basic_run_tests();
    run = CU_get_number_of_tests_run();
    failed = CU_get_number_of_tests_failed();
    printf("%s: %u passed, %u failed\n", suite_name, run - failed, failed);
    CU_cleanup_registry();
    return failed == 0 ? 0 : 1;
}

#define OD_UNIT_MAIN(suite, cases) \
    int main(void) { return od_unit_run((suite), (cases), sizeof(cases) / sizeof((cases)[0])); }

#endif
