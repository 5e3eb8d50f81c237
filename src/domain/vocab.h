/* vocab.h: the words a vendor may use (pure): allergen codes and their synonyms,
 * dietary-tag codes and synonyms, the ids of the categories and cuisines its
 * catalog may reference, the gender words of its customers and the health
 * condition words of their profiles. The data layer
 * fills it from the taxonomy and synonyms_value rows the vendor sees; validators
 * and filters look words up. */
#ifndef OD_VOCAB_H
#define OD_VOCAB_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/status.h"

typedef enum od_vocab_kind {
    OD_VOCAB_ALLERGEN = 0,  /* word -> allergen code */
    OD_VOCAB_DIET,          /* word -> dietary tag code */
    OD_VOCAB_CATEGORY,      /* active category id -> itself */
    OD_VOCAB_CUISINE,       /* active cuisine id -> itself */
    OD_VOCAB_GENDER,        /* word -> gender (male, female, other, unspecified) */
    OD_VOCAB_CONDITION,     /* word -> condition code (diabetes_t2, hypertension, ...) */
    OD_VOCAB_KINDS
} od_vocab_kind;

typedef struct od_vocab od_vocab;

/* Returns an empty vocabulary sized for about n words, arena-owned; NULL when out
 * of memory. */
od_vocab *od_vocab_create(od_arena *a, size_t n);

/* Adds word -> canonical (both copied). Words match after od_vocab_key: case,
 * underscores, hyphens and repeated spaces do not matter. A vendor's entry
 * replaces a global one for the same word; a global one never replaces a vendor's.
 * Returns OD_OK, OD_ENOMEM, or OD_EINVAL for an empty word. */
od_rc od_vocab_add(od_vocab *v, od_vocab_kind kind, const char *word, const char *canonical,
                   bool vendor);

/* Returns the canonical form of word, or NULL when unknown (borrowed from v). */
const char *od_vocab_lookup(const od_vocab *v, od_vocab_kind kind, const char *word);

/* Writes the matching key of word into out (at most outsz bytes with the NUL):
 * lower case, '_' and '-' read as spaces, spaces collapsed and trimmed. Returns
 * false when the key is empty or does not fit. */
bool od_vocab_key(const char *word, char *out, size_t outsz);

#endif
