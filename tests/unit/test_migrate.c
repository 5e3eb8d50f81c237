/* test_migrate.c: loading numbered migrations with checksums, and comparing a
 * ledger with the files (applied, pending, changed, unknown). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db/migrate.h"
#include "unit.h"

static char dir[64];

static void
write_file(const char *name, const char *text)
{
    char path[256];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static void
setup_dir(void)
{
    snprintf(dir, sizeof(dir), "/tmp/od-migrate-XXXXXX");
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    write_file("002_second.sql", "SELECT 2;\n");
    write_file("001_first.sql", "SELECT 1;\n");
    write_file("010_tenth.sql", "SELECT 10;\n");
    write_file("README.md", "not a migration\n");
    write_file("abc_nope.sql", "not numbered\n");
}

static void
remove_dir(void)
{
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

static void
test_load_sorted_with_checksums(void)
{
    od_migration_set set;
    char err[256];

    setup_dir();
    CU_ASSERT_EQUAL_FATAL(od_migrations_load(dir, &set, err, sizeof(err)), OD_OK);
    CU_ASSERT_EQUAL_FATAL(set.n, 3);
    CU_ASSERT_STRING_EQUAL(set.items[0].name, "001_first.sql");
    CU_ASSERT_STRING_EQUAL(set.items[2].version, "010");
    /* sha256("SELECT 1;\n") */
    CU_ASSERT_EQUAL(strlen(set.items[0].checksum), 64);
    CU_ASSERT_STRING_NOT_EQUAL(set.items[0].checksum, set.items[1].checksum);
    od_migrations_free(&set);
    remove_dir();
}

static void
test_duplicate_version_refused(void)
{
    od_migration_set set;
    char err[256] = "";

    setup_dir();
    write_file("002_again.sql", "SELECT 22;\n");
    CU_ASSERT_EQUAL(od_migrations_load(dir, &set, err, sizeof(err)), OD_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "002"));
    remove_dir();
    CU_ASSERT_EQUAL(od_migrations_load("/nonexistent-dir", &set, err, sizeof(err)), OD_EIO);
}

static void
test_compare(void)
{
    od_migration_set set;
    od_migration_status st;
    char err[256];
    const char *versions[3], *checksums[3];

    setup_dir();
    CU_ASSERT_EQUAL_FATAL(od_migrations_load(dir, &set, err, sizeof(err)), OD_OK);
    versions[0] = "001";
    checksums[0] = set.items[0].checksum;
    versions[1] = "002";
    checksums[1] = "0000";
    versions[2] = "099";
    checksums[2] = "ffff";
    od_migrations_compare(&set, versions, checksums, 3, &st);
    CU_ASSERT_EQUAL(st.applied, 1);
    CU_ASSERT_EQUAL(st.changed, 1);
    CU_ASSERT_EQUAL(st.pending, 1);
    CU_ASSERT_EQUAL(st.missing, 1);
    od_migrations_compare(&set, versions, checksums, 0, &st);
    CU_ASSERT_EQUAL(st.pending, 3);
    od_migrations_free(&set);
    remove_dir();
}

static const od_unit_case cases[] = {
    { "files load sorted with checksums", test_load_sorted_with_checksums },
    { "duplicate versions are refused", test_duplicate_version_refused },
    { "ledger comparison", test_compare },
};

OD_UNIT_MAIN("migrate", cases)
