/* vocabulary.h: loads the words the vendor of the current transaction may use
 * (taxonomy codes, its own and the global synonyms_value rows, active category and
 * cuisine ids) into an od_vocab; row-level security does the scoping. */
#ifndef OD_DB_VOCABULARY_H
#define OD_DB_VOCABULARY_H

#include "db/db.h"
#include "domain/vocab.h"

/* A set of vocabulary kinds: (1u << OD_VOCAB_ALLERGEN) | ... */
#define OD_VOCABULARY_KIND(k) (1u << (k))

/* What a product needs: allergens, dietary tags, categories, cuisines. */
#define OD_VOCABULARY_CATALOG \
    (OD_VOCABULARY_KIND(OD_VOCAB_ALLERGEN) | OD_VOCABULARY_KIND(OD_VOCAB_DIET) | \
     OD_VOCABULARY_KIND(OD_VOCAB_CATEGORY) | OD_VOCABULARY_KIND(OD_VOCAB_CUISINE))

/* What a health profile needs: allergens, dietary tags (goals), genders, conditions. */
#define OD_VOCABULARY_HEALTH \
    (OD_VOCABULARY_KIND(OD_VOCAB_ALLERGEN) | OD_VOCABULARY_KIND(OD_VOCAB_DIET) | \
     OD_VOCABULARY_KIND(OD_VOCAB_GENDER) | OD_VOCABULARY_KIND(OD_VOCAB_CONDITION))

/* Loads the words of the kinds in the set kinds into *out, owned by keep; *version
 * is the vocabulary's version they were read at (vocabulary_version, migration 029;
 * NULL when no word came back), owned by a like *res, which holds the error result
 * for OD_EDB. */
od_rc od_vocabulary_load(od_db *db, od_arena *a, od_arena *keep, unsigned kinds,
                         od_vocab **out, const char **version, PGresult **res);

#endif
