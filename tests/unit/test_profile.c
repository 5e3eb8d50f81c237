/* test_profile.c: a health profile's inputs as the API reads them (pure): units
 * converted exactly and kept unrounded for the derivation, age and gender
 * defaulting to the customer's, an age that contradicts a known dob, condition,
 * goal and allergen words through a vocabulary, the server's fields refused, every
 * problem with its pointer, the stored columns and reading them back. */
#include <string.h>

#include "core/arena.h"
#include "core/json.h"
#include "domain/profile.h"
#include "domain/vocab.h"
#include "checkkit.h"
#include "unit.h"

static od_arena *arena;
static od_vocab *vocab;
static od_ck got;
static od_profile_ctx ctx;

static void
setup(void)
{
    static const struct { od_vocab_kind kind; const char *word, *code; } words[] = {
        { OD_VOCAB_CONDITION, "diabetes_t2", "diabetes_t2" },
        { OD_VOCAB_CONDITION, "t2d", "diabetes_t2" },
        { OD_VOCAB_CONDITION, "type 2 diabetes", "diabetes_t2" },
        { OD_VOCAB_CONDITION, "hypertension", "hypertension" },
        { OD_VOCAB_CONDITION, "high blood pressure", "hypertension" },
        { OD_VOCAB_CONDITION, "htn", "hypertension" },
        { OD_VOCAB_CONDITION, "gout", "gout" },            /* a vendor's own rule */
        { OD_VOCAB_ALLERGEN, "peanut", "peanut" },
        { OD_VOCAB_ALLERGEN, "peanuts", "peanut" },
        { OD_VOCAB_ALLERGEN, "whey", "milk" },
        { OD_VOCAB_DIET, "vegan", "vegan" },
        { OD_VOCAB_GENDER, "f", "female" },
        { OD_VOCAB_GENDER, "female", "female" },
        { OD_VOCAB_GENDER, "male", "male" },
    };
    static const char *const goals[] = { "heart_health" };

    arena = od_arena_create(0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(arena);
    vocab = od_vocab_create(arena, 32);
    CU_ASSERT_PTR_NOT_NULL_FATAL(vocab);
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        CU_ASSERT_EQUAL(od_vocab_add(vocab, words[i].kind, words[i].word, words[i].code, false),
                        OD_OK);
    ctx = (od_profile_ctx){ .vocab = vocab, .goal_codes = goals, .n_goal_codes = 1,
                            .customer_age = 60, .age_from_dob = true,
                            .customer_gender = "unspecified" };
    od_ck_start(&got, arena);
}

static void
teardown(void)
{
    od_arena_destroy(arena);
    arena = NULL;
}

/* Reads text; returns whether it was valid. */
static bool
read_profile(const char *text, od_profile *p)
{
    json_object *body = od_json_own(arena, od_ck_parse(text));
    bool ok = od_profile_read(body, &ctx, arena, &got.issues, p);

    if (ok)
        od_json_own(arena, p->macro_targets);
    return ok;
}

static void
test_units_exact_and_defaults(void)
{
    od_profile p;

    setup();
    CU_ASSERT_TRUE(read_profile("{\"height\": \"5'10\\\"\", \"weight\": \"200 lb\","
                                " \"activity_level\": \"sedentary\"}", &p));
    CU_ASSERT_EQUAL(got.n, 0);
    CU_ASSERT_DOUBLE_EQUAL(p.body.height_cm, 177.8, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(p.body.weight_kg, 90.718474, 1e-9);   /* not rounded here */
    CU_ASSERT_EQUAL(p.body.age, 60);                              /* the customer's */
    CU_ASSERT_EQUAL(p.body.gender, OD_GENDER_UNSPECIFIED);
    CU_ASSERT_EQUAL(p.body.activity, OD_ACTIVITY_SEDENTARY);
    CU_ASSERT_EQUAL(p.n_conditions + p.n_diet_goals + p.n_avoid_allergens, 0);
    CU_ASSERT_EQUAL(json_object_object_length(p.macro_targets), 0);
    teardown();

    setup();
    CU_ASSERT_TRUE(read_profile("{\"height_cm\": 165, \"weight_kg\": 70.5, \"gender\": \"F\","
                                " \"age\": 60, \"activity_level\": \"light\"}", &p));
    CU_ASSERT_EQUAL(p.body.gender, OD_GENDER_FEMALE);
    CU_ASSERT_DOUBLE_EQUAL(p.body.weight_kg, 70.5, 1e-9);
    teardown();
}

static void
test_age_against_dob(void)
{
    od_profile p;

    setup();
    CU_ASSERT_FALSE(read_profile("{\"height_cm\": 165, \"weight_kg\": 70, \"age\": 59,"
                                 " \"activity_level\": \"light\"}", &p));
    od_ck_failed_once(&got, NULL, "#/age", "60");
    teardown();

    setup();   /* without a dob the profile's own age is taken */
    ctx.age_from_dob = false;
    CU_ASSERT_TRUE(read_profile("{\"height_cm\": 165, \"weight_kg\": 70, \"age\": 59,"
                                " \"activity_level\": \"light\"}", &p));
    CU_ASSERT_EQUAL(p.body.age, 59);
    teardown();
}

static void
test_words_normalised_sorted_unique(void)
{
    od_profile p;

    setup();
    CU_ASSERT_TRUE(read_profile("{\"height_cm\": 165, \"weight_kg\": 70,"
                                " \"activity_level\": \"light\","
                                " \"conditions\": [\"HTN\", \"Type 2 Diabetes\", \"T2D\", \"gout\"],"
                                " \"diet_goals\": [\"Weight Loss\", \"vegan\", \"heart health\"],"
                                " \"avoid_allergens\": [\"Peanuts\", \"whey\", \"peanut\"]}", &p));
    CU_ASSERT_EQUAL_FATAL(p.n_conditions, 3);
    CU_ASSERT_STRING_EQUAL(p.conditions[0], "diabetes_t2");
    CU_ASSERT_STRING_EQUAL(p.conditions[1], "gout");
    CU_ASSERT_STRING_EQUAL(p.conditions[2], "hypertension");
    CU_ASSERT_EQUAL_FATAL(p.n_diet_goals, 3);
    CU_ASSERT_STRING_EQUAL(p.diet_goals[0], "heart_health");
    CU_ASSERT_STRING_EQUAL(p.diet_goals[1], "vegan");
    CU_ASSERT_STRING_EQUAL(p.diet_goals[2], "weight_loss");
    CU_ASSERT_EQUAL_FATAL(p.n_avoid_allergens, 2);
    CU_ASSERT_STRING_EQUAL(p.avoid_allergens[0], "milk");
    CU_ASSERT_STRING_EQUAL(p.avoid_allergens[1], "peanut");
    teardown();
}

static void
test_every_problem_with_its_pointer(void)
{
    static const char *const ptrs[] = {
        "#/height", "#/weight_kg", "#/gender", "#/activity_level", "#/conditions/1",
        "#/diet_goals/0", "#/avoid_allergens/0", "#/bmi", "#/colour", "#/macro_targets/sodium_mg",
    };
    od_profile p;

    setup();
    CU_ASSERT_FALSE(read_profile("{\"height\": \"5.10\", \"weight_kg\": \"70\","
                                 " \"gender\": \"robot\", \"activity_level\": \"lazy\","
                                 " \"conditions\": [\"htn\", \"flu\"], \"diet_goals\": [\"fly\"],"
                                 " \"avoid_allergens\": [\"lecithin\"], \"bmi\": 20,"
                                 " \"colour\": 1, \"macro_targets\": {\"sodium_mg\": -5}}", &p));
    CU_ASSERT_EQUAL(got.n, sizeof(ptrs) / sizeof(ptrs[0]));
    for (size_t i = 0; i < sizeof(ptrs) / sizeof(ptrs[0]); i++) {
        CU_ASSERT(od_ck_find(&got, ptrs[i]) >= 0);
        if (od_ck_find(&got, ptrs[i]) < 0)
            printf("\n    missing %s", ptrs[i]);
    }
    teardown();

    setup();
    CU_ASSERT_FALSE(read_profile("{\"height\": \"170 cm\", \"height_cm\": 170,"
                                 " \"activity_level\": \"light\"}", &p));
    CU_ASSERT(od_ck_find(&got, "#/height") >= 0);
    CU_ASSERT(od_ck_find(&got, "#/weight") >= 0);       /* required */
    teardown();

    setup();
    CU_ASSERT_FALSE(read_profile("[]", &p));
    CU_ASSERT_EQUAL(got.n, 1);
    teardown();
}

static void
test_columns_and_back(void)
{
    od_health_metrics m;
    od_profile p, back;
    json_object *cols;

    setup();
    CU_ASSERT_TRUE_FATAL(read_profile("{\"height\": \"5'10\\\"\", \"weight\": \"200 lb\","
                                      " \"activity_level\": \"sedentary\","
                                      " \"conditions\": [\"htn\"],"
                                      " \"macro_targets\": {\"sodium_mg\": 1500}}", &p));
    CU_ASSERT_PTR_NULL(od_health_compute(&p.body, arena, &m));
    cols = od_json_own(arena, od_profile_columns(&p, &m));
    CU_ASSERT_STRING_EQUAL(od_json_text(cols, NULL),
        "{\"height_cm\":177.80,\"weight_kg\":90.72,\"age\":60,\"gender\":\"unspecified\","
        "\"activity_level\":\"sedentary\",\"conditions\":[\"hypertension\"],\"diet_goals\":[],"
        "\"macro_targets\":{\"sodium_mg\":1500},\"avoid_allergens\":[],\"bmi\":28.70,"
        "\"bmr\":1640.43,\"tdee_cached\":1968.52}");
    CU_ASSERT_TRUE(od_profile_stored(cols, arena, &back));
    CU_ASSERT_DOUBLE_EQUAL(back.body.weight_kg, 90.72, 1e-9);
    CU_ASSERT_EQUAL(back.body.age, 60);
    CU_ASSERT_EQUAL_FATAL(back.n_conditions, 1);
    CU_ASSERT_STRING_EQUAL(back.conditions[0], "hypertension");
    json_object_object_del(cols, "activity_level");
    CU_ASSERT_FALSE(od_profile_stored(cols, arena, &back));
    teardown();
}

static const od_unit_case cases[] = {
    { "units exact and defaults", test_units_exact_and_defaults },
    { "age against the dob", test_age_against_dob },
    { "words normalised, sorted, unique", test_words_normalised_sorted_unique },
    { "every problem with its pointer", test_every_problem_with_its_pointer },
    { "stored columns and back", test_columns_and_back },
};

OD_UNIT_MAIN("profile", cases)
