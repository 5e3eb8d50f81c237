/* test_vocab.c: the vendor vocabulary: word keys, lookups per kind, vendor entries
 * over global ones, and growth past the initial size (all pure). */
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "domain/vocab.h"
#include "unit.h"

static void
key_is(const char *word, const char *want)
{
    char out[64];

    memset(out, 'x', sizeof(out));
    CU_ASSERT_TRUE(od_vocab_key(word, out, sizeof(out)));
    CU_ASSERT_STRING_EQUAL(out, want);
}

static void
test_key_normalises(void)
{
    key_is("Milk", "milk");
    key_is("TREE_NUTS", "tree nuts");
    key_is("tree-nuts", "tree nuts");
    key_is("  Tree  _-_ Nuts  ", "tree nuts");
    key_is("\tsesame\tseed\t", "sesame seed");
    key_is("a", "a");
    key_is("Crème", "cr\xc3\xa8me");  /* bytes above ASCII kept as they are */
}

static void
test_key_rejects(void)
{
    char out[8];

    CU_ASSERT_FALSE(od_vocab_key("", out, sizeof(out)));
    CU_ASSERT_FALSE(od_vocab_key("   ", out, sizeof(out)));
    CU_ASSERT_FALSE(od_vocab_key("_-_", out, sizeof(out)));
    CU_ASSERT_FALSE(od_vocab_key(NULL, out, sizeof(out)));
    CU_ASSERT_FALSE(od_vocab_key("abc", out, 0));
    /* "abcdefg" needs 8 bytes with the NUL: fits in 8, not in 7. */
    CU_ASSERT_TRUE(od_vocab_key("abcdefg", out, 8));
    CU_ASSERT_STRING_EQUAL(out, "abcdefg");
    CU_ASSERT_FALSE(od_vocab_key("abcdefg", out, 7));
    /* The inner space counts too: "ab cd" is 6 bytes with the NUL. */
    CU_ASSERT_TRUE(od_vocab_key("ab__cd", out, 6));
    CU_ASSERT_STRING_EQUAL(out, "ab cd");
    CU_ASSERT_FALSE(od_vocab_key("ab__cd", out, 5));
    /* Trailing separators do not cost room. */
    CU_ASSERT_TRUE(od_vocab_key("abcd---", out, 5));
    CU_ASSERT_STRING_EQUAL(out, "abcd");
}

static void
test_lookup_by_kind(void)
{
    od_arena *a = od_arena_create(0);
    od_vocab *v = od_vocab_create(a, 8);

    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL(od_vocab_add(v, OD_VOCAB_ALLERGEN, "milk", "milk", false), OD_OK);
    CU_ASSERT_EQUAL(od_vocab_add(v, OD_VOCAB_ALLERGEN, "Whey", "milk", false), OD_OK);
    CU_ASSERT_EQUAL(od_vocab_add(v, OD_VOCAB_ALLERGEN, "tree_nuts", "tree_nuts", false), OD_OK);
    CU_ASSERT_EQUAL(od_vocab_add(v, OD_VOCAB_DIET, "vegan", "vegan", false), OD_OK);
    CU_ASSERT_EQUAL(od_vocab_add(v, OD_VOCAB_DIET, "plant based", "vegan", false), OD_OK);

    CU_ASSERT_STRING_EQUAL(od_vocab_lookup(v, OD_VOCAB_ALLERGEN, "WHEY"), "milk");
    CU_ASSERT_STRING_EQUAL(od_vocab_lookup(v, OD_VOCAB_ALLERGEN, "whey"), "milk");
    CU_ASSERT_STRING_EQUAL(od_vocab_lookup(v, OD_VOCAB_ALLERGEN, "Tree Nuts"), "tree_nuts");
    CU_ASSERT_STRING_EQUAL(od_vocab_lookup(v, OD_VOCAB_ALLERGEN, "tree-nuts"), "tree_nuts");
    CU_ASSERT_STRING_EQUAL(od_vocab_lookup(v, OD_VOCAB_DIET, "Plant-Based"), "vegan");
    /* Kinds are separate name spaces. */
    CU_ASSERT_PTR_NULL(od_vocab_lookup(v, OD_VOCAB_DIET, "milk"));
    CU_ASSERT_PTR_NULL(od_vocab_lookup(v, OD_VOCAB_ALLERGEN, "vegan"));
    CU_ASSERT_PTR_NULL(od_vocab_lookup(v, OD_VOCAB_CATEGORY, "milk"));
    /* Unknown, empty and NULL. */
    CU_ASSERT_PTR_NULL(od_vocab_lookup(v, OD_VOCAB_ALLERGEN, "lecithin"));
    CU_ASSERT_PTR_NULL(od_vocab_lookup(v, OD_VOCAB_ALLERGEN, "milks"));
    CU_ASSERT_PTR_NULL(od_vocab_lookup(v, OD_VOCAB_ALLERGEN, ""));
    CU_ASSERT_PTR_NULL(od_vocab_lookup(v, OD_VOCAB_ALLERGEN, NULL));
    CU_ASSERT_PTR_NULL(od_vocab_lookup(NULL, OD_VOCAB_ALLERGEN, "milk"));
    od_arena_destroy(a);
}

static void
test_add_rejects_and_copies(void)
{
    od_arena *a = od_arena_create(0);
    od_vocab *v = od_vocab_create(a, 0);
    char word[16], canon[16];

    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL(od_vocab_add(v, OD_VOCAB_ALLERGEN, "", "milk", false), OD_EINVAL);
    CU_ASSERT_EQUAL(od_vocab_add(v, OD_VOCAB_ALLERGEN, " - ", "milk", false), OD_EINVAL);
    CU_ASSERT_EQUAL(od_vocab_add(v, OD_VOCAB_ALLERGEN, "milk", NULL, false), OD_EINVAL);
    CU_ASSERT_PTR_NULL(od_vocab_lookup(v, OD_VOCAB_ALLERGEN, "milk"));
    /* Both strings are copied: the caller's buffers may change afterwards. */
    snprintf(word, sizeof(word), "casein");
    snprintf(canon, sizeof(canon), "milk");
    CU_ASSERT_EQUAL(od_vocab_add(v, OD_VOCAB_ALLERGEN, word, canon, false), OD_OK);
    snprintf(word, sizeof(word), "xxxxxx");
    snprintf(canon, sizeof(canon), "yyyy");
    CU_ASSERT_STRING_EQUAL(od_vocab_lookup(v, OD_VOCAB_ALLERGEN, "casein"), "milk");
    CU_ASSERT_PTR_NULL(od_vocab_lookup(v, OD_VOCAB_ALLERGEN, "xxxxxx"));
    od_arena_destroy(a);
}

static void
test_vendor_overrides_global(void)
{
    od_arena *a = od_arena_create(0);
    od_vocab *v = od_vocab_create(a, 4);

    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    /* global then vendor: the vendor's wins */
    CU_ASSERT_EQUAL(od_vocab_add(v, OD_VOCAB_ALLERGEN, "nuts", "tree_nuts", false), OD_OK);
    CU_ASSERT_EQUAL(od_vocab_add(v, OD_VOCAB_ALLERGEN, "Nuts", "peanut", true), OD_OK);
    CU_ASSERT_STRING_EQUAL(od_vocab_lookup(v, OD_VOCAB_ALLERGEN, "nuts"), "peanut");
    /* vendor then global: the vendor's stays */
    CU_ASSERT_EQUAL(od_vocab_add(v, OD_VOCAB_DIET, "keto", "keto_friendly", true), OD_OK);
    CU_ASSERT_EQUAL(od_vocab_add(v, OD_VOCAB_DIET, "KETO", "low_carb", false), OD_OK);
    CU_ASSERT_STRING_EQUAL(od_vocab_lookup(v, OD_VOCAB_DIET, "keto"), "keto_friendly");
    /* and a later global entry still does not replace it */
    CU_ASSERT_EQUAL(od_vocab_add(v, OD_VOCAB_ALLERGEN, "nuts", "tree_nuts", false), OD_OK);
    CU_ASSERT_STRING_EQUAL(od_vocab_lookup(v, OD_VOCAB_ALLERGEN, "nuts"), "peanut");
    /* same level: the later entry replaces the earlier one */
    CU_ASSERT_EQUAL(od_vocab_add(v, OD_VOCAB_ALLERGEN, "soya", "soy", false), OD_OK);
    CU_ASSERT_EQUAL(od_vocab_add(v, OD_VOCAB_ALLERGEN, "soya", "soybean", false), OD_OK);
    CU_ASSERT_STRING_EQUAL(od_vocab_lookup(v, OD_VOCAB_ALLERGEN, "soya"), "soybean");
    CU_ASSERT_EQUAL(od_vocab_add(v, OD_VOCAB_ALLERGEN, "Nuts", "nut_vendor2", true), OD_OK);
    CU_ASSERT_STRING_EQUAL(od_vocab_lookup(v, OD_VOCAB_ALLERGEN, "nuts"), "nut_vendor2");
    /* a vendor entry of one kind does not shadow another kind */
    CU_ASSERT_EQUAL(od_vocab_add(v, OD_VOCAB_DIET, "nuts", "nut_free", false), OD_OK);
    CU_ASSERT_STRING_EQUAL(od_vocab_lookup(v, OD_VOCAB_DIET, "nuts"), "nut_free");
    od_arena_destroy(a);
}

static void
test_growth_keeps_every_entry(void)
{
    od_arena *a = od_arena_create(0);
    od_vocab *v = od_vocab_create(a, 1);
    char word[32], canon[32];
    int bad_lookups = 0, bad_adds = 0;

    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    /* Far beyond the initial capacity (64 slots), in every kind. */
    for (int i = 0; i < 5000; i++) {
        snprintf(word, sizeof(word), "Word_%d", i);
        snprintf(canon, sizeof(canon), "c%d", i);
        if (od_vocab_add(v, (od_vocab_kind)(i % OD_VOCAB_KINDS), word, canon, i % 3 == 0) != OD_OK)
            bad_adds++;
    }
    CU_ASSERT_EQUAL(bad_adds, 0);
    for (int i = 0; i < 5000; i++) {
        const char *got;

        snprintf(word, sizeof(word), "word %d", i);
        snprintf(canon, sizeof(canon), "c%d", i);
        got = od_vocab_lookup(v, (od_vocab_kind)(i % OD_VOCAB_KINDS), word);
        if (got == NULL || strcmp(got, canon) != 0)
            bad_lookups++;
        /* and not under another kind */
        if (od_vocab_lookup(v, (od_vocab_kind)((i + 1) % OD_VOCAB_KINDS), word) != NULL)
            bad_lookups++;
    }
    CU_ASSERT_EQUAL(bad_lookups, 0);
    /* The vendor flag survives a rehash: word 0 was a vendor entry. */
    CU_ASSERT_EQUAL(od_vocab_add(v, OD_VOCAB_ALLERGEN, "word 0", "global", false), OD_OK);
    CU_ASSERT_STRING_EQUAL(od_vocab_lookup(v, OD_VOCAB_ALLERGEN, "word_0"), "c0");
    /* word 1 was global: a global entry replaces it. */
    CU_ASSERT_EQUAL(od_vocab_add(v, OD_VOCAB_DIET, "word 1", "again", false), OD_OK);
    CU_ASSERT_STRING_EQUAL(od_vocab_lookup(v, OD_VOCAB_DIET, "word_1"), "again");
    od_arena_destroy(a);
}

static void
test_long_words(void)
{
    od_arena *a = od_arena_create(0);
    od_vocab *v = od_vocab_create(a, 4);
    char w255[256], w256[257];

    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    memset(w255, 'a', 255);
    w255[255] = '\0';
    memset(w256, 'a', 256);
    w256[256] = '\0';
    CU_ASSERT_EQUAL(od_vocab_add(v, OD_VOCAB_ALLERGEN, w255, "long", false), OD_OK);
    CU_ASSERT_STRING_EQUAL(od_vocab_lookup(v, OD_VOCAB_ALLERGEN, w255), "long");
    CU_ASSERT_EQUAL(od_vocab_add(v, OD_VOCAB_ALLERGEN, w256, "longer", false), OD_EINVAL);
    CU_ASSERT_PTR_NULL(od_vocab_lookup(v, OD_VOCAB_ALLERGEN, w256));
    od_arena_destroy(a);
}

static void
test_same_word_in_every_kind(void)
{
    od_arena *a = od_arena_create(0);
    od_vocab *v = od_vocab_create(a, 8);
    char word[32], canon[32];
    int wrong = 0;

    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    /* Many words, each in all four kinds with a different canonical form: a probe
     * that matched the word alone would mix the kinds up. */
    for (int i = 0; i < 1000; i++) {
        for (int k = 0; k < OD_VOCAB_KINDS; k++) {
            snprintf(word, sizeof(word), "w%d", i);
            snprintf(canon, sizeof(canon), "k%d-w%d", k, i);
            if (od_vocab_add(v, (od_vocab_kind)k, word, canon, false) != OD_OK)
                wrong++;
        }
    }
    for (int i = 0; i < 1000; i++) {
        for (int k = 0; k < OD_VOCAB_KINDS; k++) {
            const char *got;

            snprintf(word, sizeof(word), "W%d", i);
            snprintf(canon, sizeof(canon), "k%d-w%d", k, i);
            got = od_vocab_lookup(v, (od_vocab_kind)k, word);
            if (got == NULL || strcmp(got, canon) != 0)
                wrong++;
        }
    }
    CU_ASSERT_EQUAL(wrong, 0);
    /* Full tables (32 words in the initial 64 slots) of one kind, looked up under
     * the others: the probe of a word under another kind runs through the
     * clusters and must not stop at the same word of the wrong kind. */
    wrong = 0;
    for (int r = 0; r < 100; r++) {
        od_vocab *one = od_vocab_create(a, 1);

        CU_ASSERT_PTR_NOT_NULL_FATAL(one);
        for (int i = 0; i < 32; i++) {
            snprintf(word, sizeof(word), "r%dw%d", r, i);
            if (od_vocab_add(one, OD_VOCAB_ALLERGEN, word, "x", false) != OD_OK)
                wrong++;
        }
        for (int i = 0; i < 32; i++) {
            snprintf(word, sizeof(word), "r%dw%d", r, i);
            for (int k = OD_VOCAB_DIET; k < OD_VOCAB_KINDS; k++) {
                if (od_vocab_lookup(one, (od_vocab_kind)k, word) != NULL)
                    wrong++;
            }
        }
    }
    CU_ASSERT_EQUAL(wrong, 0);
    od_arena_destroy(a);
}

static const od_unit_case cases[] = {
    { "keys: case, '_' and '-', spaces", test_key_normalises },
    { "keys: empty and too long", test_key_rejects },
    { "lookups per kind", test_lookup_by_kind },
    { "add rejects empty words, copies its strings", test_add_rejects_and_copies },
    { "vendor entries override global ones, never the reverse", test_vendor_overrides_global },
    { "growth keeps every entry", test_growth_keeps_every_entry },
    { "words up to 255 bytes", test_long_words },
    { "one word in every kind", test_same_word_in_every_kind },
};

OD_UNIT_MAIN("vocab", cases)
