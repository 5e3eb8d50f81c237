/* vocabulary.c: one prepared statement for every kind of word; the kinds not asked
 * for are skipped by a one-time filter of their branch. */
#include "db/vocabulary.h"

#include <stdio.h>

/* The words of one synonyms_value domain as kind k: every synonym and the
 * canonical form itself. */
#define SYNONYMS(k, domain, bit) \
    "UNION ALL SELECT " k ", w, s.canonical, s.vendor_id IS NOT NULL FROM synonyms_value s " \
    "  CROSS JOIN LATERAL unnest(s.synonyms || s.canonical) AS w " \
    "  WHERE s.domain = '" domain "' AND ($1::int & " bit ") <> 0 "

/* Each row also carries the vocabulary's version (migration 029), read in the same
 * snapshot. */
static od_stmt st_load = OD_GENERIC_STMT("vocabulary",
    "SELECT w.*, (SELECT od_vocabulary_version()) FROM ("
    "SELECT 0, code, code, vendor_id IS NOT NULL FROM tax_allergens "
    "  WHERE active AND ($1::int & 1) <> 0 "
    SYNONYMS("0", "allergen", "1")
    "UNION ALL SELECT 1, code, code, vendor_id IS NOT NULL FROM tax_tags "
    "  WHERE active AND ($1::int & 2) <> 0 "
    SYNONYMS("1", "diet", "2")
    "UNION ALL SELECT 2, id::text, id::text, vendor_id IS NOT NULL FROM tax_categories "
    "  WHERE active AND ($1::int & 4) <> 0 "
    "UNION ALL SELECT 3, id::text, id::text, vendor_id IS NOT NULL FROM tax_cuisines "
    "  WHERE active AND ($1::int & 8) <> 0 "
    SYNONYMS("4", "gender", "16")
    SYNONYMS("5", "condition", "32")
    "UNION ALL SELECT DISTINCT 5, condition_code, condition_code, false FROM diet_rules "
    "  WHERE active AND ($1::int & 32) <> 0) w", 1, true);

od_rc
od_vocabulary_load(od_db *db, od_arena *a, od_arena *keep, unsigned kinds, od_vocab **out,
                   const char **version, PGresult **res)
{
    char mask[16];
    const char *params[] = { mask };
    od_rc rc;
    od_vocab *v;
    int n;

    *out = NULL;
    *version = NULL;
    snprintf(mask, sizeof(mask), "%u", kinds);
    if ((rc = od_db_exec(db, a, &st_load, params, res)) != OD_OK)
        return rc;
    n = PQntuples(*res);
    if (n > 0)
        *version = PQgetvalue(*res, 0, 4);
    if ((v = od_vocab_create(keep, (size_t)n)) == NULL)
        return OD_ENOMEM;
    for (int i = 0; i < n; i++) {
        od_rc added = od_vocab_add(v, (od_vocab_kind)(PQgetvalue(*res, i, 0)[0] - '0'),
                                   PQgetvalue(*res, i, 1), PQgetvalue(*res, i, 2),
                                   PQgetvalue(*res, i, 3)[0] == 't');

        if (added == OD_ENOMEM)
            return added;
    }
    *out = v;
    return OD_OK;
}
