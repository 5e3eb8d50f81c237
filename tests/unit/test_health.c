/* test_health.c: body metrics (the worked examples of reference/nutrition.md exact to
 * 2 decimals, boundary BMIs), macro_targets, the diet rule policy and scoring weight
 * validators with their pointers, and derived_limits from the seeded condition
 * templates: precedence, floors, suppressions, exclusions, determinism (all pure). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/json.h"
#include "domain/dietrule.h"
#include "domain/health.h"
#include "domain/scoring.h"
#include "domain/units.h"
#include "domain/vocab.h"
#include "checkkit.h"
#include "unit.h"

/* The global templates as sql/010_seeds.sql seeds them (diet_rules version 1). */
static const char *const seeded[][2] = {
    { "diabetes_t2",
      "{"
      "  \"schema_version\": 1, \"condition\": \"diabetes_t2\", "
      "\"sources\": [\"ADA Standards of Care, Section 5\"],"
      "  \"notes\": \"Carbohydrate is individualised: no default cap.\","
      "  \"rules\": ["
      "    {\"id\": \"fiber_goal\", \"type\": \"nutrient\", \"kind\": \"soft\", "
      "\"nutrient\": \"dietary_fiber_g\","
      "     \"op\": \">=\", \"value\": 14, \"unit\": \"g_per_1000kcal\", \"weight\": 1.0, "
      "\"source\": \"ADA\"},"
      "    {\"id\": \"added_sugars_max\", \"type\": \"nutrient\", \"kind\": \"soft\", "
      "\"nutrient\": \"added_sugars_g\","
      "     \"op\": \"<=\", \"value\": 50, \"unit\": \"g\", \"weight\": 1.0, "
      "\"source\": \"ADA\"},"
      "    {\"id\": \"sodium_max\", \"type\": \"nutrient\", \"kind\": \"soft\", "
      "\"nutrient\": \"sodium_mg\","
      "     \"op\": \"<\", \"value\": 2300, \"unit\": \"mg\", \"weight\": 1.0, "
      "\"source\": \"ADA\"}"
      "  ]}"
    },
    { "hypertension",
      "{"
      "  \"schema_version\": 1, \"condition\": \"hypertension\", \"sources\": [\"AHA\", "
      "\"NHLBI DASH\"],"
      "  \"rules\": ["
      "    {\"id\": \"sodium_max\", \"type\": \"nutrient\", \"kind\": \"soft\", "
      "\"nutrient\": \"sodium_mg\","
      "     \"op\": \"<=\", \"value\": 2300, \"unit\": \"mg\", \"weight\": 3.0, "
      "\"source\": \"AHA\"},"
      "    {\"id\": \"sodium_ideal\", \"type\": \"nutrient\", \"kind\": \"soft\", "
      "\"nutrient\": \"sodium_mg\","
      "     \"op\": \"<=\", \"value\": 1500, \"unit\": \"mg\", \"weight\": 1.0, "
      "\"source\": \"AHA\"},"
      "    {\"id\": \"potassium_goal\", \"type\": \"nutrient\", \"kind\": \"soft\", "
      "\"nutrient\": \"potassium_mg\","
      "     \"op\": \">=\", \"value\": 4700, \"unit\": \"mg\", \"weight\": 0.5, "
      "\"source\": \"NHLBI DASH\"},"
      "    {\"id\": \"fiber_goal\", \"type\": \"nutrient\", \"kind\": \"soft\", "
      "\"nutrient\": \"dietary_fiber_g\","
      "     \"op\": \">=\", \"value\": 30, \"unit\": \"g\", \"weight\": 0.5, "
      "\"source\": \"NHLBI DASH\"},"
      "    {\"id\": \"saturated_fat_max\", \"type\": \"nutrient\", \"kind\": \"soft\", "
      "\"nutrient\": \"saturated_fat_g\","
      "     \"op\": \"<=\", \"value\": 6, \"unit\": \"pct_energy\", \"kcal_per_g\": 9, "
      "\"weight\": 1.0, \"source\": \"NHLBI DASH\"}"
      "  ]}"
    },
    { "hyperlipidemia",
      "{"
      "  \"schema_version\": 1, \"condition\": \"hyperlipidemia\", \"sources\": [\"AHA\", "
      "\"WHO 2023\"],"
      "  \"rules\": ["
      "    {\"id\": \"saturated_fat_max\", \"type\": \"nutrient\", \"kind\": \"soft\", "
      "\"nutrient\": \"saturated_fat_g\","
      "     \"op\": \"<=\", \"value\": 6, \"unit\": \"pct_energy\", \"kcal_per_g\": 9, "
      "\"weight\": 2.0, \"source\": \"AHA\"},"
      "    {\"id\": \"trans_fat_max\", \"type\": \"nutrient\", \"kind\": \"soft\", "
      "\"nutrient\": \"trans_fat_g\","
      "     \"op\": \"<\", \"value\": 1, \"unit\": \"pct_energy\", \"kcal_per_g\": 9, "
      "\"weight\": 2.0, \"source\": \"WHO 2023\"},"
      "    {\"id\": \"cholesterol_max\", \"type\": \"nutrient\", \"kind\": \"soft\", "
      "\"nutrient\": \"cholesterol_mg\","
      "     \"op\": \"<=\", \"value\": 300, \"unit\": \"mg\", \"weight\": 0.5, "
      "\"enabled\": false, \"source\": \"AHA (optional)\"}"
      "  ]}"
    },
    { "cvd",
      "{"
      "  \"schema_version\": 1, \"condition\": \"cvd\", \"sources\": [\"AHA\", "
      "\"WHO 2023\"],"
      "  \"rules\": ["
      "    {\"id\": \"saturated_fat_max\", \"type\": \"nutrient\", \"kind\": \"soft\", "
      "\"nutrient\": \"saturated_fat_g\","
      "     \"op\": \"<=\", \"value\": 6, \"unit\": \"pct_energy\", \"kcal_per_g\": 9, "
      "\"weight\": 2.0, \"source\": \"AHA\"},"
      "    {\"id\": \"trans_fat_max\", \"type\": \"nutrient\", \"kind\": \"soft\", "
      "\"nutrient\": \"trans_fat_g\","
      "     \"op\": \"<\", \"value\": 1, \"unit\": \"pct_energy\", \"kcal_per_g\": 9, "
      "\"weight\": 2.0, \"source\": \"WHO 2023\"},"
      "    {\"id\": \"cholesterol_max\", \"type\": \"nutrient\", \"kind\": \"soft\", "
      "\"nutrient\": \"cholesterol_mg\","
      "     \"op\": \"<=\", \"value\": 300, \"unit\": \"mg\", \"weight\": 0.5, "
      "\"enabled\": false, \"source\": \"AHA (optional)\"}"
      "  ]}"
    },
    { "ckd",
      "{"
      "  \"schema_version\": 1, \"condition\": \"ckd\", \"sources\": [\"KDOQI 2020\"],"
      "  \"notes\": \"Stage 3-5, "
      "not on dialysis. Potassium and phosphorus limits only when a clinician sets them "
      "(macro_targets).\","
      "  \"suppresses\": [\"hypertension.potassium_goal\"],"
      "  \"rules\": ["
      "    {\"id\": \"protein_range\", \"type\": \"nutrient\", \"kind\": \"soft\", "
      "\"nutrient\": \"protein_g\","
      "     \"op\": \"between\", \"min\": 0.55, \"max\": 0.60, "
      "\"unit\": \"g_per_kg_body_weight\", \"weight\": 2.0,"
      "     \"when\": {\"conditions_none\": [\"diabetes_t2\"]}, "
      "\"source\": \"KDOQI 2020\"},"
      "    {\"id\": \"protein_range_diabetic\", \"type\": \"nutrient\", "
      "\"kind\": \"soft\", \"nutrient\": \"protein_g\","
      "     \"op\": \"between\", \"min\": 0.6, \"max\": 0.8, "
      "\"unit\": \"g_per_kg_body_weight\", \"weight\": 2.0,"
      "     \"when\": {\"conditions_any\": [\"diabetes_t2\"]}, \"source\": \"KDOQI 2020\"},"
      "    {\"id\": \"sodium_max\", \"type\": \"nutrient\", \"kind\": \"soft\", "
      "\"nutrient\": \"sodium_mg\","
      "     \"op\": \"<\", \"value\": 2300, \"unit\": \"mg\", \"weight\": 2.0, "
      "\"source\": \"KDOQI 2020\"}"
      "  ]}"
    },
    { "obesity",
      "{"
      "  \"schema_version\": 1, \"condition\": \"obesity\", "
      "\"applies_to_goals\": [\"weight_loss\"],"
      "  \"sources\": [\"AHA/ACC/TOS 2013\"],"
      "  \"rules\": ["
      "    {\"id\": \"energy_deficit\", \"type\": \"energy\", \"kind\": \"soft\", "
      "\"base\": \"tdee\","
      "     \"delta_kcal\": -500, \"max_delta_kcal\": -750,"
      "     \"floor_kcal\": {\"female\": 1200, \"male\": 1500, \"other\": 1500, "
      "\"unspecified\": 1500},"
      "     \"weight\": 1.0, \"source\": \"AHA/ACC/TOS 2013\"}"
      "  ]}"
    },
    { "celiac",
      "{"
      "  \"schema_version\": 1, \"condition\": \"celiac\", "
      "\"sources\": [\"FDA gluten-free rule (< 20 ppm)\"],"
      "  \"rules\": ["
      "    {\"id\": \"gluten_exclusion\", \"type\": \"exclude\", \"kind\": \"hard\","
      "     \"allergens\": [\"wheat\"], \"ingredients_any\": [\"wheat\", \"barley\", "
      "\"rye\", \"triticale\"],"
      "     \"unless_dietary_tags\": [\"gluten_free\"], \"source\": \"FDA 21 CFR 101.91\"}"
      "  ]}"
    },
    { "pregnancy",
      "{"
      "  \"schema_version\": 1, \"condition\": \"pregnancy\", \"sources\": [\"IOM\"],"
      "  \"suppresses\": [\"obesity.energy_deficit\"],"
      "  \"rules\": ["
      "    {\"id\": \"energy_pregnancy\", \"type\": \"energy\", \"kind\": \"soft\", "
      "\"base\": \"tdee\","
      "     \"delta_kcal_by_trimester\": {\"1\": 0, \"2\": 340, \"3\": 452},"
      "     \"trimester_from\": \"macro_targets.pregnancy_trimester\", \"weight\": 1.0, "
      "\"source\": \"IOM\"}"
      "  ]}"
    },
};
#define N_SEEDED (sizeof(seeded) / sizeof(seeded[0]))


static od_arena *arena;
static od_ck got;             /* the problems one validation reported */
static json_object *seed_json[N_SEEDED];
static od_health_policy seeds[N_SEEDED];

static void
setup(void)
{
    arena = od_arena_create(0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(arena);
    od_ck_start(&got, arena);
    for (size_t i = 0; i < N_SEEDED; i++) {
        seed_json[i] = od_ck_parse(seeded[i][1]);
        seeds[i] = (od_health_policy){ seeded[i][0], 1, false, seed_json[i] };
    }
}

static void
teardown(void)
{
    for (size_t i = 0; i < N_SEEDED; i++)
        json_object_put(seed_json[i]);
    od_arena_destroy(arena);
    arena = NULL;
}

/* --- metrics ------------------------------------------------------------------ */

static void
round2_is(double x, double want)
{
    CU_ASSERT_EQUAL(od_health_round2(x), want);
    if (od_health_round2(x) != want)
        printf("\n    round2(%.17g) = %.17g, want %.17g", x, od_health_round2(x), want);
}

static void
test_round2(void)
{
    round2_is(1849.71875, 1849.72);     /* 1345.25 x 1.375, exact in binary */
    round2_is(1345.25 * 1.375, 1849.72);
    round2_is(1968.521688, 1968.52);
    round2_is(1.005, 1.01);             /* the double is 1.00499999999999989... */
    round2_is(2.675, 2.68);
    round2_is(-1.005, -1.01);           /* half away from zero */
    round2_is(0.005, 0.01);
    round2_is(0.0049, 0);
    round2_is(0.004, 0);
    round2_is(24.945, 24.95);
    round2_is(24.994999, 24.99);
    round2_is(24.995, 25);
    round2_is(2759, 2759);
    round2_is(0, 0);
    round2_is(123456789.125, 123456789.13);
}

/* The 15 significant digits of x, rounded half up at the hundredths, the slow and
 * plain way: what od_health_round2 must give for every x. */
static double
round2_reference(double x)
{
    char buf[40];
    long long n = 0;
    int exp10, keep;

    if (!isfinite(x) || x == 0)
        return x == 0 ? 0 : x;
    snprintf(buf, sizeof(buf), "%.14e", fabs(x));
    exp10 = atoi(buf + 17);
    keep = exp10 + 3;
    if (keep >= 15)
        return x;
    for (int i = 0, d = 0; d < keep; i++) {
        if (buf[i] == '.')
            continue;
        n = n * 10 + (buf[i] - '0');
        d++;
    }
    if (keep >= 0 && buf[keep == 0 ? 0 : keep + 1] >= '5')
        n++;
    return n == 0 ? 0 : x < 0 ? -((double)n / 100) : (double)n / 100;
}

/* Values everywhere, and a crowd around half hundredths, agree with the digits. */
static void
test_round2_agrees_with_the_digits(void)
{
    unsigned long long seed = 88172645463325252ULL;
    int wrong = 0;

    static const double scales[] = { 1e-4, 1e-3, 1e-2, 0.1, 1, 10, 100, 1e3, 1e4, 1e5, 1e6,
                                     1e7, 1e8, 1e9 };

    for (int i = 0; i < 400000; i++) {
        double x, scale = scales[i % 14];
        unsigned long long bits;

        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        x = (double)(seed % 1000000007ULL) / 1000000007.0 * scale;
        if (i % 4 == 1) {  /* a half hundredth, and the doubles just around it */
            x = (double)(seed % 10000000ULL) / 100 + 0.005;
            memcpy(&bits, &x, sizeof(bits));
            bits += i % 8 < 4 ? -1 : 1;
            memcpy(&x, &bits, sizeof(x));
        } else if (i % 4 == 2)
            x = (double)(seed % 10000000ULL) / 100 + 0.005;
        if (i % 2 == 1)
            x = -x;
        if (od_health_round2(x) != round2_reference(x) && wrong++ < 5)
            printf("\n    round2(%.17g) = %.17g, the digits give %.17g", x,
                   od_health_round2(x), round2_reference(x));
    }
    CU_ASSERT_EQUAL(wrong, 0);
}

static void
test_bmi_categories(void)
{
    CU_ASSERT_STRING_EQUAL(od_health_bmi_category(18.49), "underweight");
    CU_ASSERT_STRING_EQUAL(od_health_bmi_category(18.5), "normal");
    CU_ASSERT_STRING_EQUAL(od_health_bmi_category(24.95), "normal");
    CU_ASSERT_STRING_EQUAL(od_health_bmi_category(24.99), "normal");
    CU_ASSERT_STRING_EQUAL(od_health_bmi_category(25.0), "overweight");
    CU_ASSERT_STRING_EQUAL(od_health_bmi_category(29.99), "overweight");
    CU_ASSERT_STRING_EQUAL(od_health_bmi_category(30), "obesity_1");
    CU_ASSERT_STRING_EQUAL(od_health_bmi_category(35), "obesity_2");
    CU_ASSERT_STRING_EQUAL(od_health_bmi_category(39.99), "obesity_2");
    CU_ASSERT_STRING_EQUAL(od_health_bmi_category(40), "obesity_3");
}

typedef struct metric_case {
    const char *name;
    od_health_body body;
    double bmi, bmr, tdee;
    const char *category;
} metric_case;

static void
test_metrics_table(void)
{
    static const metric_case cases[] = {
        /* The worked examples of nutrition.md. */
        { "male 30 y 180 cm 80 kg moderate",
          { 180, 80, 30, OD_GENDER_MALE, OD_ACTIVITY_MODERATE }, 24.69, 1780, 2759.00,
          "normal" },
        { "female 45 y 165 cm 70 kg light",
          { 165, 70, 45, OD_GENDER_FEMALE, OD_ACTIVITY_LIGHT }, 25.71, 1345.25, 1849.72,
          "overweight" },
        { "unspecified 60 y 177.8 cm 90.718474 kg sedentary",
          { 177.8, 90.718474, 60, OD_GENDER_UNSPECIFIED, OD_ACTIVITY_SEDENTARY }, 28.70,
          1640.43, 1968.52, "overweight" },
        /* Every gender constant and activity factor. */
        { "male 25 y 175 cm 70 kg sedentary",
          { 175, 70, 25, OD_GENDER_MALE, OD_ACTIVITY_SEDENTARY }, 22.86, 1673.75, 2008.50,
          "normal" },
        { "female 30 y 160 cm 55 kg very",
          { 160, 55, 30, OD_GENDER_FEMALE, OD_ACTIVITY_VERY }, 21.48, 1239, 2137.28,
          "normal" },
        { "other 40 y 170 cm 65 kg extra",
          { 170, 65, 40, OD_GENDER_OTHER, OD_ACTIVITY_EXTRA }, 22.49, 1434.5, 2725.55,
          "normal" },
        { "male 50 y 190 cm 100 kg light",
          { 190, 100, 50, OD_GENDER_MALE, OD_ACTIVITY_LIGHT }, 27.70, 1942.5, 2670.94,
          "overweight" },
        /* Boundary BMIs: [18.5, 25) is normal; the category follows the reported BMI. */
        { "BMI 24.95", { 200, 99.8, 40, OD_GENDER_MALE, OD_ACTIVITY_SEDENTARY }, 24.95,
          2053, 2463.6, "normal" },
        { "BMI 25.0", { 200, 100, 40, OD_GENDER_MALE, OD_ACTIVITY_SEDENTARY }, 25.0, 2055,
          2466, "overweight" },
        { "BMI 25.0 exactly (81 kg at 180 cm)",
          { 180, 81, 30, OD_GENDER_FEMALE, OD_ACTIVITY_SEDENTARY }, 25.0, 1624, 1948.8,
          "overweight" },
        { "BMI 24.995 reads 25.00", { 200, 99.98, 40, OD_GENDER_MALE,
                                      OD_ACTIVITY_SEDENTARY }, 25.0, 2054.8, 2465.76,
          "overweight" },
        { "BMI 18.5", { 200, 74, 20, OD_GENDER_FEMALE, OD_ACTIVITY_MODERATE }, 18.5, 1729,
          2679.95, "normal" },
        { "BMI 18.49", { 200, 73.96, 20, OD_GENDER_FEMALE, OD_ACTIVITY_MODERATE }, 18.49,
          1728.6, 2679.33, "underweight" },
        { "BMI 40", { 150, 90, 35, OD_GENDER_OTHER, OD_ACTIVITY_LIGHT }, 40, 1584.5, 2178.69,
          "obesity_3" },
    };

    setup();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        od_health_metrics m;
        const char *why = od_health_compute(&cases[i].body, arena, &m);

        CU_ASSERT_PTR_NULL(why);
        if (why != NULL) {
            printf("\n    %s: %s", cases[i].name, why);
            continue;
        }
        CU_ASSERT_EQUAL(m.bmi, cases[i].bmi);
        CU_ASSERT_EQUAL(m.bmr, cases[i].bmr);
        CU_ASSERT_EQUAL(m.tdee, cases[i].tdee);
        CU_ASSERT_STRING_EQUAL(m.bmi_category, cases[i].category);
        if (m.bmi != cases[i].bmi || m.bmr != cases[i].bmr || m.tdee != cases[i].tdee ||
            strcmp(m.bmi_category, cases[i].category) != 0)
            printf("\n    %s: BMI %.17g (%s), BMR %.17g, TDEE %.17g", cases[i].name, m.bmi,
                   m.bmi_category, m.bmr, m.tdee);
    }
    teardown();
}

static void
test_worked_example_from_imperial(void)
{
    od_health_body b = { 0, 0, 60, OD_GENDER_UNSPECIFIED, OD_ACTIVITY_SEDENTARY };
    od_health_metrics m;
    char text[64];

    setup();
    /* 5'10" and 200 lb, converted first, then computed. */
    CU_ASSERT_PTR_NULL(od_units_height_text("5'10\"", OD_UNITS_BARE_REJECT, arena,
                                            &b.height_cm));
    CU_ASSERT_PTR_NULL(od_units_weight_text("200 lb", OD_UNITS_BARE_REJECT, arena,
                                            &b.weight_kg));
    CU_ASSERT_PTR_NULL_FATAL(od_health_compute(&b, arena, &m));
    snprintf(text, sizeof(text), "%.2f %.2f %.2f", m.bmr, m.bmi, m.tdee);
    CU_ASSERT_STRING_EQUAL(text, "1640.43 28.70 1968.52");
    teardown();
}

static void
test_metrics_refused(void)
{
    od_health_metrics m;
    od_health_body b;

    setup();
    b = (od_health_body){ 272, 2, 30, OD_GENDER_MALE, OD_ACTIVITY_LIGHT };
    CU_ASSERT_PTR_NOT_NULL(strstr(od_health_compute(&b, arena, &m), "BMI of 0.27"));
    b = (od_health_body){ 50, 650, 30, OD_GENDER_MALE, OD_ACTIVITY_LIGHT };
    CU_ASSERT_PTR_NOT_NULL(strstr(od_health_compute(&b, arena, &m), "check the units"));
    b = (od_health_body){ 50, 2, 130, OD_GENDER_FEMALE, OD_ACTIVITY_LIGHT };
    CU_ASSERT_PTR_NOT_NULL(strstr(od_health_compute(&b, arena, &m), "no positive BMR"));
    b = (od_health_body){ 49.9, 60, 30, OD_GENDER_MALE, OD_ACTIVITY_LIGHT };
    CU_ASSERT_PTR_NOT_NULL(strstr(od_health_compute(&b, arena, &m), "height"));
    b = (od_health_body){ 170, 651, 30, OD_GENDER_MALE, OD_ACTIVITY_LIGHT };
    CU_ASSERT_PTR_NOT_NULL(strstr(od_health_compute(&b, arena, &m), "weight"));
    b = (od_health_body){ 170, 60, 131, OD_GENDER_MALE, OD_ACTIVITY_LIGHT };
    CU_ASSERT_PTR_NOT_NULL(strstr(od_health_compute(&b, arena, &m), "age"));
    b = (od_health_body){ 170, 60, 30, (od_gender)7, OD_ACTIVITY_LIGHT };
    CU_ASSERT_PTR_NOT_NULL(od_health_compute(&b, arena, &m));
    teardown();
}

static void
test_codes(void)
{
    od_gender g;
    od_activity act;

    CU_ASSERT_TRUE(od_health_gender("female", &g));
    CU_ASSERT_EQUAL(g, OD_GENDER_FEMALE);
    CU_ASSERT_TRUE(od_health_gender("unspecified", &g));
    CU_ASSERT_EQUAL(g, OD_GENDER_UNSPECIFIED);
    CU_ASSERT_FALSE(od_health_gender("F", &g));
    CU_ASSERT_FALSE(od_health_gender(NULL, &g));
    CU_ASSERT_TRUE(od_health_activity("very", &act));
    CU_ASSERT_EQUAL(act, OD_ACTIVITY_VERY);
    CU_ASSERT_FALSE(od_health_activity("active", &act));
}

/* --- validators --------------------------------------------------------------- */

static bool
reported(const char *ptr, const char *detail_part)
{
    for (unsigned i = 0; i < got.n; i++) {
        if (strcmp(got.ptr[i], ptr) == 0 &&
            (detail_part == NULL || strstr(got.detail[i], detail_part) != NULL))
            return true;
    }
    printf("\n    no issue at %s (%s); got:", ptr, detail_part ? detail_part : "any");
    for (unsigned i = 0; i < got.n; i++)
        printf("\n      %s: %s", got.ptr[i], got.detail[i]);
    return false;
}

/* The issues are exactly want[0..n) (pointer, part of the detail), in any order. */
static void
exactly(const char *const want[][2], size_t n)
{
    CU_ASSERT_EQUAL(got.n, n);
    CU_ASSERT_EQUAL(got.issues.count, got.n);
    if (got.n != n) {
        printf("\n    %u issues, want %zu:", got.n, n);
        for (unsigned i = 0; i < got.n; i++)
            printf("\n      %s: %s", got.ptr[i], got.detail[i]);
    }
    for (size_t i = 0; i < n; i++)
        CU_ASSERT_TRUE(reported(want[i][0], want[i][1]));
}

static void
test_targets_check(void)
{
    json_object *t;
    static const char *const want[][2] = {
        { "#/macro_targets/pregnancy_trimester", "1, 2 or 3" },
        { "#/macro_targets/energy_kcal", "500 to 10000" },
        { "#/macro_targets/sodium_mg", "from 0 to 100000" },
        { "#/macro_targets/protein_g/min", "not be above max" },
        { "#/macro_targets/fiber", "is not a target" },
        { "#/macro_targets/dietary_fiber_g/kind", "soft without max" },
        { "#/macro_targets/potassium_mg/foo", "min, max, kind" },
        { "#/macro_targets/iron_mg", "needs min, max or both" },
        { "#/macro_targets/calcium_mg", "daily maximum" },
        { "#/macro_targets/phosphorus_mg/kind", "hard or soft" },
        { "#/macro_targets/vitamin_d_mcg/max", "from 0 to 100000" },
        { "#/macro_targets/a~1b", "is not a target" },
    };

    setup();
    t = od_ck_parse("{\"pregnancy_trimester\": 2, \"energy_kcal\": 1800, \"sodium_mg\": 1500,"
              " \"protein_g\": {\"min\": 40, \"max\": 60, \"kind\": \"soft\"},"
              " \"dietary_fiber_g\": {\"min\": 25}, \"potassium_mg\": {\"max\": 2000,"
              " \"kind\": \"hard\"}}");
    CU_ASSERT_TRUE(od_health_targets_check(t, "#/macro_targets", arena, &got.issues));
    CU_ASSERT_TRUE(od_health_targets_check(NULL, "#/macro_targets", arena, &got.issues));
    CU_ASSERT_EQUAL(got.n, 0);
    json_object_put(t);
    t = od_ck_parse("{\"pregnancy_trimester\": 4, \"energy_kcal\": 100, \"sodium_mg\": -1,"
              " \"protein_g\": {\"min\": 70, \"max\": 60}, \"fiber\": 30,"
              " \"dietary_fiber_g\": {\"min\": 25, \"kind\": \"hard\"},"
              " \"potassium_mg\": {\"max\": 2000, \"foo\": 1}, \"iron_mg\": {},"
              " \"calcium_mg\": \"lots\", \"phosphorus_mg\": {\"max\": 800, \"kind\": \"x\"},"
              " \"vitamin_d_mcg\": {\"max\": 1e9}, \"a/b\": 1}");
    CU_ASSERT_FALSE(od_health_targets_check(t, "#/macro_targets", arena, &got.issues));
    exactly(want, sizeof(want) / sizeof(want[0]));
    json_object_put(t);
    t = od_ck_parse("[]");
    CU_ASSERT_FALSE(od_health_targets_check(t, "#/macro_targets", arena, &got.issues));
    CU_ASSERT_TRUE(reported("#/macro_targets", "object"));
    json_object_put(t);
    teardown();
}

static od_vocab *
allergen_vocab(void)
{
    static const char *const words[][2] = {
        { "milk", "milk" }, { "egg", "egg" }, { "wheat", "wheat" }, { "peanut", "peanut" },
        { "peanuts", "peanut" }, { "spelt", "wheat" },
    };
    od_vocab *v = od_vocab_create(arena, 16);

    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        CU_ASSERT_EQUAL(od_vocab_add(v, OD_VOCAB_ALLERGEN, words[i][0], words[i][1], false),
                        OD_OK);
    return v;
}

static void
test_seeded_policies_valid(void)
{
    od_vocab *vocab;

    setup();
    vocab = allergen_vocab();
    for (size_t i = 0; i < N_SEEDED; i++) {
        const od_dietpolicy *p = od_dietrule_read(seed_json[i], seeded[i][0], vocab, arena,
                                                  &got.issues);

        CU_ASSERT_PTR_NOT_NULL(p);
        if (p == NULL)
            printf("\n    %s refused: %s %s", seeded[i][0], got.ptr[0], got.detail[0]);
    }
    CU_ASSERT_EQUAL(got.n, 0);
    teardown();
}

static void
test_policy_every_error_pointed(void)
{
    static const char *const want[][2] = {
        { "#/schema_version", "must be 1" },
        { "#/condition", "\"hypertension\", the condition in the path" },
        { "#/a~1b", "not a member of a diet rule policy" },
        { "#/suppresses/0", "<condition>.<rule id>" },
        { "#/suppresses/2", "own rule" },
        { "#/rules/0/nutrient", "canonical nutrition key" },
        { "#/rules/1/op", "one of <, <=, >=, > and between" },
        { "#/rules/2/kcal_per_g", "required with pct_energy" },
        { "#/rules/2/id", "repeats the id of #/rules/0" },
        { "#/rules/3/op", "< or <= in a hard rule" },
        { "#/rules/4/unit", "must be mg, the unit of sodium_mg" },
        { "#/rules/5/floor_kcal", "required with a deficit" },
        { "#/rules/6/kind", "must be hard" },
        { "#/rules/6/allergens/0", "canonical allergen code" },
        { "#/rules/7/min", "not be above max" },
        { "#/rules/8/type", "nutrient, energy or exclude" },
        { "#/rules/9/colour", "not a member of a rule of type nutrient" },
        { "#/rules/9/id", "a code" },
        { "#/rules/9/source", "required" },
        { "#/rules/9/kind", "hard or soft" },
        { "#/rules/9/weight", "at most 10" },
        { "#/rules/9/when/conditions_any", "1 to 50 entries" },
    };
    json_object *p;

    setup();
    p = od_ck_parse("{\"schema_version\": 2, \"condition\": \"other\", \"a/b\": 1,"
              " \"suppresses\": [\"bad\", \"ckd.x\", \"hypertension.potassium_goal\"],"
              " \"rules\": ["
              "{\"id\": \"a\", \"type\": \"nutrient\", \"kind\": \"soft\","
              " \"nutrient\": \"sodium\", \"op\": \"<=\", \"value\": 1, \"unit\": \"mg\","
              " \"source\": \"x\"},"
              "{\"id\": \"b\", \"type\": \"nutrient\", \"kind\": \"soft\","
              " \"nutrient\": \"sodium_mg\", \"op\": \"=<\", \"value\": 1, \"unit\": \"mg\","
              " \"source\": \"x\"},"
              "{\"id\": \"a\", \"type\": \"nutrient\", \"kind\": \"soft\","
              " \"nutrient\": \"saturated_fat_g\", \"op\": \"<=\", \"value\": 6,"
              " \"unit\": \"pct_energy\", \"source\": \"x\"},"
              "{\"id\": \"d\", \"type\": \"nutrient\", \"kind\": \"hard\","
              " \"nutrient\": \"dietary_fiber_g\", \"op\": \">=\", \"value\": 30, \"unit\": \"g\","
              " \"source\": \"x\"},"
              "{\"id\": \"e\", \"type\": \"nutrient\", \"kind\": \"soft\","
              " \"nutrient\": \"sodium_mg\", \"op\": \"<=\", \"value\": 2300, \"unit\": \"g\","
              " \"source\": \"x\"},"
              "{\"id\": \"f\", \"type\": \"energy\", \"kind\": \"soft\", \"delta_kcal\": -500,"
              " \"source\": \"x\"},"
              "{\"id\": \"g\", \"type\": \"exclude\", \"kind\": \"soft\","
              " \"allergens\": [\"gluten\"], \"source\": \"x\"},"
              "{\"id\": \"h\", \"type\": \"nutrient\", \"kind\": \"soft\","
              " \"nutrient\": \"protein_g\", \"op\": \"between\", \"min\": 0.8, \"max\": 0.6,"
              " \"unit\": \"g_per_kg_body_weight\", \"source\": \"x\"},"
              "{\"id\": \"i\", \"type\": \"magic\", \"kind\": \"soft\", \"source\": \"x\"},"
              "{\"id\": \"Bad Id\", \"type\": \"nutrient\", \"kind\": \"medium\","
              " \"nutrient\": \"sodium_mg\", \"op\": \"<\", \"value\": 0, \"unit\": \"mg\","
              " \"weight\": 20, \"when\": {\"conditions_any\": []}, \"colour\": \"red\"}"
              "]}");
    CU_ASSERT_PTR_NULL(od_dietrule_read(p, "hypertension", allergen_vocab(), arena, &got.issues));
    exactly(want, sizeof(want) / sizeof(want[0]));
    json_object_put(p);
    teardown();
}

/* policy (a JSON text) is refused with exactly one problem at ptr. */
static void
policy_refused(const char *policy, const char *ptr, const char *detail_part)
{
    json_object *p;
    const char *const want[1][2] = { { ptr, detail_part } };

    setup();
    p = od_ck_parse(policy);
    CU_ASSERT_PTR_NULL(od_dietrule_read(p, "test", NULL, arena, &got.issues));
    exactly(want, 1);
    json_object_put(p);
    teardown();
}

#define RULES(r) "{\"schema_version\": 1, \"rules\": [" r "]}"
#define ENERGY "{\"id\": \"e\", \"type\": \"energy\", \"kind\": \"soft\", \"source\": \"x\", "
#define NUTRIENT "{\"id\": \"n\", \"type\": \"nutrient\", \"kind\": \"soft\", \"source\": \"x\", "
#define FLOORS "\"floor_kcal\": {\"male\": 1500, \"female\": 1200, \"other\": 1500, " \
               "\"unspecified\": 1500}"

static void
test_policy_rules_refused(void)
{
    policy_refused("[]", "#", "must be an object");
    policy_refused("{\"schema_version\": 1}", "#/rules", "is required");
    policy_refused("{\"schema_version\": \"1\", \"rules\": []}", "#/schema_version", "be 1");
    policy_refused("{\"schema_version\": 1, \"rules\": [], \"notes\": \"\"}", "#/notes",
                   "1 to 2000");
    policy_refused("{\"schema_version\": 1, \"rules\": [], \"applies_to_goals\": [\"Weight "
                   "Loss\"]}", "#/applies_to_goals/0", "a code");
    policy_refused(RULES("1"), "#/rules/0", "must be an object");
    policy_refused(RULES(ENERGY "\"delta_kcal\": -500, \"max_delta_kcal\": -400, " FLOORS "}"),
                   "#/rules/0/max_delta_kcal", "at least as large");
    policy_refused(RULES(ENERGY "\"delta_kcal\": -500, \"max_delta_kcal\": 750, " FLOORS "}"),
                   "#/rules/0/max_delta_kcal", "sign");
    policy_refused(RULES(ENERGY "\"delta_kcal\": -2000, " FLOORS "}"), "#/rules/0/delta_kcal",
                   "-1500 to 1500");
    policy_refused(RULES(ENERGY "\"delta_kcal\": -500, \"floor_kcal\": {\"male\": 1500, "
                         "\"female\": 1200, \"other\": 1500}}"),
                   "#/rules/0/floor_kcal/unspecified", "every gender");
    policy_refused(RULES(ENERGY "\"delta_kcal\": -500, \"floor_kcal\": {\"male\": 1500, "
                         "\"female\": 500, \"other\": 1500, \"unspecified\": 1500}}"),
                   "#/rules/0/floor_kcal/female", "800 to 4000");
    policy_refused(RULES(ENERGY "\"delta_kcal\": -500, " FLOORS ", \"base\": \"bmr\"}"),
                   "#/rules/0/base", "tdee");
    policy_refused(RULES("{\"id\": \"e\", \"type\": \"energy\", \"kind\": \"soft\", "
                         "\"source\": \"x\"}"), "#/rules/0/delta_kcal", "is required");
    policy_refused(RULES("{\"id\": \"e\", \"type\": \"energy\", \"kind\": \"hard\", "
                         "\"source\": \"x\", \"delta_kcal\": 100}"), "#/rules/0/kind",
                   "must be soft");
    policy_refused(RULES(ENERGY "\"delta_kcal_by_trimester\": {\"1\": 0, \"2\": 340}, "
                         "\"trimester_from\": \"macro_targets.pregnancy_trimester\"}"),
                   "#/rules/0/delta_kcal_by_trimester/3", "each trimester");
    policy_refused(RULES(ENERGY "\"delta_kcal_by_trimester\": {\"1\": 0, \"2\": 340, "
                         "\"3\": 452}, \"trimester_from\": \"trimester\"}"),
                   "#/rules/0/trimester_from", "macro_targets.pregnancy_trimester");
    policy_refused(RULES(ENERGY "\"delta_kcal\": 100, \"delta_kcal_by_trimester\": {\"1\": 0, "
                         "\"2\": 340, \"3\": 452}, \"trimester_from\": "
                         "\"macro_targets.pregnancy_trimester\"}"),
                   "#/rules/0/delta_kcal", "not used with delta_kcal_by_trimester");
    policy_refused(RULES("{\"id\": \"x\", \"type\": \"exclude\", \"kind\": \"hard\", "
                         "\"source\": \"x\", \"unless_dietary_tags\": [\"gluten_free\"]}"),
                   "#/rules/0", "must exclude something");
    policy_refused(RULES("{\"id\": \"x\", \"type\": \"exclude\", \"kind\": \"hard\", "
                         "\"source\": \"x\", \"ingredients_any\": [\"\"]}"),
                   "#/rules/0/ingredients_any/0", "1 to 64 bytes");
    policy_refused(RULES(NUTRIENT "\"nutrient\": \"sodium_mg\", \"op\": \"<=\", "
                         "\"value\": 5, \"unit\": \"pct_energy\", \"kcal_per_g\": 9}"),
                   "#/rules/0/unit", "gives grams, but sodium_mg is in mg");
    policy_refused(RULES(NUTRIENT "\"nutrient\": \"energy_kcal\", \"op\": \"<=\", "
                         "\"value\": 2000, \"unit\": \"kcal\"}"),
                   "#/rules/0/nutrient", "rule of type energy");
    policy_refused(RULES(NUTRIENT "\"nutrient\": \"protein_g\", \"op\": \"between\", "
                         "\"value\": 5, \"min\": 1, \"max\": 2, \"unit\": \"g\"}"),
                   "#/rules/0/value", "give min and max");
    policy_refused(RULES(NUTRIENT "\"nutrient\": \"protein_g\", \"op\": \"<=\", "
                         "\"value\": 5, \"max\": 2, \"unit\": \"g\"}"),
                   "#/rules/0/max", "only used with between");
    policy_refused(RULES(NUTRIENT "\"nutrient\": \"sodium_mg\", \"op\": \"<\", "
                         "\"value\": 0, \"unit\": \"mg\"}"), "#/rules/0/value", "above 0");
    policy_refused(RULES(NUTRIENT "\"nutrient\": \"saturated_fat_g\", \"op\": \"<=\", "
                         "\"value\": 120, \"unit\": \"pct_energy\", \"kcal_per_g\": 9}"),
                   "#/rules/0/value", "from 0 to 100");
    policy_refused(RULES(NUTRIENT "\"nutrient\": \"saturated_fat_g\", \"op\": \"<=\", "
                         "\"value\": 6, \"unit\": \"pct_energy\", \"kcal_per_g\": 12}"),
                   "#/rules/0/kcal_per_g", "at most 9");
    policy_refused(RULES(NUTRIENT "\"nutrient\": \"sodium_mg\", \"op\": \"<=\", "
                         "\"value\": 5, \"unit\": \"mg\", \"kcal_per_g\": 9}"),
                   "#/rules/0/kcal_per_g", "only for the unit pct_energy");
    policy_refused(RULES(NUTRIENT "\"nutrient\": \"sodium_mg\", \"op\": \"<=\", "
                         "\"value\": 5, \"unit\": \"mg\", \"enabled\": 1}"),
                   "#/rules/0/enabled", "true or false");
    policy_refused(RULES("{\"id\": \"n\", \"type\": \"nutrient\", \"kind\": \"hard\", "
                         "\"source\": \"x\", \"nutrient\": \"sodium_mg\", \"op\": \"<=\", "
                         "\"value\": 5, \"unit\": \"mg\", \"weight\": 2}"),
                   "#/rules/0/weight", "only for soft rules");
    policy_refused(RULES(NUTRIENT "\"nutrient\": \"sodium_mg\", \"op\": \"<=\", "
                         "\"value\": 5, \"unit\": \"mg\", \"when\": {\"conditions\": []}}"),
                   "#/rules/0/when/conditions", "not a member of when");
    policy_refused(RULES(NUTRIENT "\"nutrient\": \"sodium_mg\", \"op\": \"<=\", "
                         "\"value\": 5, \"unit\": \"mg\", \"min\": 1}"),
                   "#/rules/0/min", "only used with between");
}

static void
test_policy_too_many_rules(void)
{
    char *text;
    json_object *p;

    setup();
    text = od_arena_strdup(arena, "{\"schema_version\": 1, \"rules\": [");
    for (int i = 0; i <= OD_DIETRULE_RULES_MAX; i++)
        text = od_arena_printf(arena, "%s%s{}", text, i ? "," : "");
    text = od_arena_printf(arena, "%s]}", text);
    p = od_ck_parse(text);
    CU_ASSERT_PTR_NULL(od_dietrule_read(p, "test", NULL, arena, &got.issues));
    CU_ASSERT_EQUAL(got.n, 1);
    CU_ASSERT_TRUE(reported("#/rules", "at most 100"));
    json_object_put(p);
    teardown();
}

static void
test_scoring_weights(void)
{
    static const char *const want[][2] = {
        { "#/preference_fit", "from 0 to 10" },
        { "#/budget_fit", "from 0 to 10" },
        { "#/recency", "from 0 to 10" },
        { "#/novelty", "not a scoring weight" },
    };
    json_object *w;

    setup();
    w = od_ck_parse("{\"preference_fit\": 0.5, \"budget_fit\": 0.4, \"recency\": 0.1}");
    CU_ASSERT_TRUE(od_scoring_weights_check(w, arena, &got.issues));
    json_object_put(w);
    w = od_ck_parse("{\"preference_fit\": 10, \"budget_fit\": 0, \"recency\": 0}");
    CU_ASSERT_TRUE(od_scoring_weights_check(w, arena, &got.issues));
    CU_ASSERT_EQUAL(got.n, 0);
    json_object_put(w);
    w = od_ck_parse("{\"preference_fit\": 11, \"budget_fit\": -1, \"recency\": \"x\","
                     " \"novelty\": 1}");
    CU_ASSERT_FALSE(od_scoring_weights_check(w, arena, &got.issues));
    exactly(want, 4);
    json_object_put(w);
    teardown();

    setup();
    w = od_ck_parse("{\"preference_fit\": 0, \"budget_fit\": 0, \"recency\": 0}");
    CU_ASSERT_FALSE(od_scoring_weights_check(w, arena, &got.issues));
    CU_ASSERT_TRUE(reported("#", "at least one weight above 0"));
    json_object_put(w);
    w = od_ck_parse("{\"preference_fit\": 1, \"recency\": null}");
    CU_ASSERT_FALSE(od_scoring_weights_check(w, arena, &got.issues));
    CU_ASSERT_TRUE(reported("#/budget_fit", "is required"));
    CU_ASSERT_TRUE(reported("#/recency", "is required"));
    json_object_put(w);
    w = od_ck_parse("[1, 2]");
    CU_ASSERT_FALSE(od_scoring_weights_check(w, arena, &got.issues));
    CU_ASSERT_TRUE(reported("#", "must be an object"));
    json_object_put(w);
    teardown();
}

/* --- derived_limits ------------------------------------------------------------- */

/* A customer, as the API would pass it; NULL ends each list. */
typedef struct profile {
    od_health_body body;
    const char *conds[8];
    const char *goals[4];
    const char *allergens[4];
    const char *macro;                  /* JSON text, or NULL */
    const od_health_policy *extra;      /* more policies, after the seeded ones */
    size_t n_extra;
} profile;

static size_t
count(const char *const *list, size_t max)
{
    size_t n = 0;

    while (n < max && list[n] != NULL)
        n++;
    return n;
}

/* Derives p with the seeded templates (and p->extra); the caller puts the result. */
static json_object *
derive(const profile *p)
{
    od_health_policy all[N_SEEDED + 8];
    json_object *macro = p->macro ? od_ck_parse(p->macro) : NULL, *out;
    od_health_input in;
    const char *why = "unset";

    memcpy(all, seeds, sizeof(seeds));
    for (size_t i = 0; i < p->n_extra && i < 8; i++)
        all[N_SEEDED + i] = p->extra[i];
    in = (od_health_input){
        p->body, p->conds, count(p->conds, 8), p->goals, count(p->goals, 4), p->allergens,
        count(p->allergens, 4), macro, all, N_SEEDED + p->n_extra,
    };
    if (macro != NULL)
        CU_ASSERT_TRUE(od_health_targets_check(macro, "#/macro_targets", arena, &got.issues));
    out = od_health_derive(&in, arena, &why);
    CU_ASSERT_PTR_NOT_NULL(out);
    CU_ASSERT_PTR_NULL(why);
    if (out == NULL)
        printf("\n    derive: %s", why);
    json_object_put(macro);
    return out;
}

/* The member at path: names separated by '/', "[key]" picks the array element
 * whose "key" is key, a number an array index. NULL when absent. */
static json_object *
at(json_object *o, const char *path)
{
    char seg[128];

    while (o != NULL && *path != '\0') {
        size_t n = strcspn(path, "/");

        snprintf(seg, sizeof(seg), "%.*s", (int)n, path);
        path += n + (path[n] == '/');
        if (seg[0] == '[' && json_object_is_type(o, json_type_array)) {
            json_object *found = NULL;

            seg[strlen(seg) - 1] = '\0';
            for (size_t i = 0; i < json_object_array_length(o) && found == NULL; i++) {
                json_object *e = json_object_array_get_idx(o, i), *k;

                if (json_object_object_get_ex(e, "key", &k) &&
                    strcmp(json_object_get_string(k), seg + 1) == 0)
                    found = e;
            }
            o = found;
        } else if (json_object_is_type(o, json_type_array)) {
            o = json_object_array_get_idx(o, (size_t)strtol(seg, NULL, 10));
        } else if (!json_object_is_type(o, json_type_object) ||
                   !json_object_object_get_ex(o, seg, &o)) {
            return NULL;
        }
    }
    return o;
}

/* The compact JSON text at path, "null", or "(absent)". */
static const char *
text_at(json_object *o, const char *path)
{
    json_object *v;
    char seg[256];
    const char *last;

    v = at(o, path);
    if (v != NULL)
        return od_json_text(v, NULL);
    /* null members exist but read as NULL: tell them from absent ones. */
    last = strrchr(path, '/');
    snprintf(seg, sizeof(seg), "%.*s", last ? (int)(last - path) : 0, path);
    v = last ? at(o, seg) : o;
    if (v != NULL && json_object_is_type(v, json_type_object) &&
        json_object_object_get_ex(v, last ? last + 1 : path, NULL))
        return "null";
    return "(absent)";
}

#define EXPECT(out, path, want) expect_at((out), (path), (want), __LINE__)

static void
expect_at(json_object *out, const char *path, const char *want, int line)
{
    const char *got_text = text_at(out, path);

    CU_ASSERT_STRING_EQUAL(got_text, want);
    if (strcmp(got_text, want) != 0)
        printf("\n    line %d: %s is %s, want %s", line, path, got_text, want);
}

#define MALE_30 { 180, 80, 30, OD_GENDER_MALE, OD_ACTIVITY_MODERATE }       /* TDEE 2759 */
#define FEMALE_45 { 165, 70, 45, OD_GENDER_FEMALE, OD_ACTIVITY_LIGHT }    /* TDEE 1849.72 */

static void
test_derive_nothing(void)
{
    profile p = { MALE_30, { NULL }, { NULL }, { NULL }, NULL, NULL, 0 };
    json_object *out;

    setup();
    out = derive(&p);
    CU_ASSERT_STRING_EQUAL(od_json_text(out, NULL),
                           "{\"schema_version\":1,\"policies\":[],"
                           "\"conditions_without_policy\":[],\"energy\":{\"target_kcal\":2759,"
                           "\"set_by\":\"tdee\",\"tdee_kcal\":2759,\"delta_kcal\":0,"
                           "\"floor_kcal\":null,\"floored\":false,\"adjustments\":[]},"
                           "\"limits\":[],\"effective\":{},\"exclusions\":[],\"inactive\":[]}");
    json_object_put(out);
    teardown();
}

static void
test_derive_hypertension(void)
{
    profile p = { MALE_30, { "hypertension", NULL }, { NULL }, { NULL }, NULL, NULL, 0 };
    json_object *out;

    setup();
    out = derive(&p);
    EXPECT(out, "policies", "[{\"condition\":\"hypertension\",\"version\":1,\"scope\":\"global\","
           "\"matched_by\":\"condition\",\"status\":\"applied\"}]");
    /* Two soft sodium budgets: both listed, the tightest is the effective one. */
    EXPECT(out, "limits/[hypertension.sodium_max]/value", "2300");
    EXPECT(out, "limits/[hypertension.sodium_max]/weight", "3");
    EXPECT(out, "limits/[hypertension.sodium_ideal]/value", "1500");
    EXPECT(out, "effective/sodium_mg", "{\"unit\":\"mg\",\"max\":{\"value\":1500,\"op\":\"<=\","
           "\"kind\":\"soft\",\"by\":[\"hypertension.sodium_ideal\"]}}");
    /* 6 % of 2759 kcal at 9 kcal/g: 18.39 g, with the rule as written. */
    EXPECT(out, "limits/[hypertension.saturated_fat_max]", "{\"key\":\"hypertension."
           "saturated_fat_max\",\"nutrient\":\"saturated_fat_g\",\"op\":\"<=\",\"value\":18.39,"
           "\"unit\":\"g\",\"kind\":\"soft\",\"weight\":1,\"expr\":{\"op\":\"<=\",\"value\":6,"
           "\"unit\":\"pct_energy\",\"kcal_per_g\":9},\"basis\":{\"energy_target_kcal\":2759},"
           "\"from\":{\"origin\":\"diet_rule\",\"condition\":\"hypertension\",\"rule_id\":"
           "\"saturated_fat_max\",\"version\":1,\"scope\":\"global\",\"source\":\"NHLBI DASH\","
           "\"matched_by\":\"condition\"}}");
    EXPECT(out, "effective/potassium_mg/min", "{\"value\":4700,\"op\":\">=\","
           "\"by\":[\"hypertension.potassium_goal\"]}");
    EXPECT(out, "effective/dietary_fiber_g/min/value", "30");
    EXPECT(out, "effective/sodium_mg/hard_max", "(absent)");
    EXPECT(out, "exclusions", "[]");
    EXPECT(out, "inactive", "[]");
    json_object_put(out);
    teardown();
}

static void
test_derive_soft_rules_same_nutrient(void)
{
    profile dh = { MALE_30, { "hypertension", "diabetes_t2", NULL }, { NULL }, { NULL }, NULL,
                   NULL, 0 };
    profile dc = { MALE_30, { "diabetes_t2", "ckd", NULL }, { NULL }, { NULL }, NULL, NULL, 0 };
    json_object *out;

    setup();
    out = derive(&dh);
    /* 14 g per 1,000 kcal of TDEE 2759: 38.63 g, above DASH's 30 g: the higher goal. */
    EXPECT(out, "limits/[diabetes_t2.fiber_goal]/value", "38.63");
    EXPECT(out, "limits/[diabetes_t2.fiber_goal]/basis", "{\"tdee_kcal\":2759}");
    EXPECT(out, "limits/[hypertension.fiber_goal]/value", "30");
    EXPECT(out, "effective/dietary_fiber_g/min/value", "38.63");
    EXPECT(out, "effective/dietary_fiber_g/min/by", "[\"diabetes_t2.fiber_goal\"]");
    /* Three sodium budgets (< 2300, <= 2300, <= 1500): 1500 wins. */
    EXPECT(out, "limits/[diabetes_t2.sodium_max]/op", "\"<\"");
    EXPECT(out, "effective/sodium_mg/max/value", "1500");
    EXPECT(out, "effective/added_sugars_g/max/value", "50");
    json_object_put(out);
    /* Equal budgets: every rule that gives the bound is named, in key order. */
    out = derive(&dc);
    EXPECT(out, "effective/sodium_mg/max", "{\"value\":2300,\"op\":\"<\",\"kind\":\"soft\","
           "\"by\":[\"ckd.sodium_max\",\"diabetes_t2.sodium_max\"]}");
    /* CKD with diabetes: 0.6-0.8 g/kg of 80 kg. */
    EXPECT(out, "limits/[ckd.protein_range_diabetic]/min", "48");
    EXPECT(out, "limits/[ckd.protein_range_diabetic]/max", "64");
    EXPECT(out, "limits/[ckd.protein_range_diabetic]/basis", "{\"weight_kg\":80}");
    EXPECT(out, "limits/[ckd.protein_range]", "(absent)");
    EXPECT(out, "inactive/[ckd.protein_range]/reason", "\"when\"");
    EXPECT(out, "inactive/[ckd.protein_range]/detail", "\"does not apply with: diabetes_t2\"");
    EXPECT(out, "effective/protein_g/max/value", "64");
    EXPECT(out, "effective/protein_g/min/value", "48");
    json_object_put(out);
    teardown();
}

static void
test_derive_ckd_suppresses_potassium(void)
{
    profile p = { MALE_30, { "hypertension", "ckd", NULL }, { NULL }, { NULL }, NULL, NULL, 0 };
    json_object *out;

    setup();
    out = derive(&p);
    EXPECT(out, "inactive/[hypertension.potassium_goal]/reason", "\"suppressed\"");
    EXPECT(out, "inactive/[hypertension.potassium_goal]/by", "\"ckd\"");
    EXPECT(out, "limits/[hypertension.potassium_goal]", "(absent)");
    EXPECT(out, "effective/potassium_mg", "(absent)");
    /* 0.55-0.60 g/kg of 80 kg without diabetes. */
    EXPECT(out, "limits/[ckd.protein_range]/min", "44");
    EXPECT(out, "limits/[ckd.protein_range]/max", "48");
    EXPECT(out, "inactive/[ckd.protein_range_diabetic]/detail",
           "\"applies only with one of: diabetes_t2\"");
    EXPECT(out, "effective/sodium_mg/max/value", "1500");
    json_object_put(out);
    teardown();
}

static void
test_derive_celiac_and_allergens(void)
{
    profile p = { MALE_30, { "celiac", NULL }, { NULL }, { "peanut", "milk", "peanut", NULL },
                  NULL, NULL, 0 };
    json_object *out;

    setup();
    out = derive(&p);
    EXPECT(out, "exclusions/[celiac.gluten_exclusion]", "{\"key\":\"celiac.gluten_exclusion\","
           "\"kind\":\"hard\",\"allergens\":[\"wheat\"],\"ingredients_any\":[\"wheat\","
           "\"barley\",\"rye\",\"triticale\"],\"unless_dietary_tags\":[\"gluten_free\"],"
           "\"from\":{\"origin\":\"diet_rule\",\"condition\":\"celiac\",\"rule_id\":"
           "\"gluten_exclusion\",\"version\":1,\"scope\":\"global\",\"source\":"
           "\"FDA 21 CFR 101.91\",\"matched_by\":\"condition\"}}");
    EXPECT(out, "exclusions/[customer.avoid_allergens]", "{\"key\":\"customer.avoid_allergens\","
           "\"kind\":\"hard\",\"allergens\":[\"milk\",\"peanut\"],\"ingredients_any\":[],"
           "\"unless_dietary_tags\":[],\"from\":{\"origin\":\"customer\","
           "\"field\":\"avoid_allergens\"}}");
    EXPECT(out, "limits", "[]");
    json_object_put(out);
    teardown();
}

/* The energy target of body with conds and goals (text), and whether floored. */
static void
energy_is(od_health_body body, const char *cond, const char *goal, const char *target,
          const char *floored, int line)
{
    profile p = { body, { cond, NULL }, { goal, NULL }, { NULL }, NULL, NULL, 0 };
    json_object *out;

    setup();
    out = derive(&p);
    expect_at(out, "energy/target_kcal", target, line);
    expect_at(out, "energy/floored", floored, line);
    json_object_put(out);
    teardown();
}

static void
test_derive_deficit_and_floors(void)
{
    profile p = { FEMALE_45, { "obesity", "hyperlipidemia", NULL }, { NULL }, { NULL }, NULL,
                  NULL, 0 };
    json_object *out;

    setup();
    out = derive(&p);
    EXPECT(out, "energy", "{\"target_kcal\":1349.72,\"set_by\":\"diet_rules\","
           "\"tdee_kcal\":1849.72,\"delta_kcal\":-500,\"floor_kcal\":1200,\"floored\":false,"
           "\"adjustments\":[{\"key\":\"obesity.energy_deficit\",\"delta_kcal\":-500,"
           "\"max_delta_kcal\":-750,\"floor_kcal\":1200,\"from\":{\"origin\":\"diet_rule\","
           "\"condition\":\"obesity\",\"rule_id\":\"energy_deficit\",\"version\":1,"
           "\"scope\":\"global\",\"source\":\"AHA/ACC/TOS 2013\","
           "\"matched_by\":\"condition\"}}]}");
    /* Percent-of-energy limits follow the target, not TDEE: 6 % of 1349.72 / 9. */
    EXPECT(out, "limits/[hyperlipidemia.saturated_fat_max]/value", "9");
    EXPECT(out, "limits/[hyperlipidemia.saturated_fat_max]/basis",
           "{\"energy_target_kcal\":1349.72}");
    EXPECT(out, "limits/[hyperlipidemia.trans_fat_max]/value", "1.5");
    /* The optional cholesterol cap ships disabled. */
    EXPECT(out, "inactive/[hyperlipidemia.cholesterol_max]/reason", "\"disabled\"");
    EXPECT(out, "limits/[hyperlipidemia.cholesterol_max]", "(absent)");
    json_object_put(out);
    teardown();

    /* TDEE - 500 below the floor: 1,200 kcal for women, 1,500 for men, other and
     * unspecified; a floor never lifts the target above TDEE. */
    energy_is((od_health_body){ 155, 60, 60, OD_GENDER_FEMALE, OD_ACTIVITY_SEDENTARY },
              "obesity", NULL, "1200", "true", __LINE__);           /* TDEE 1329.3 */
    energy_is((od_health_body){ 165, 70, 70, OD_GENDER_MALE, OD_ACTIVITY_SEDENTARY },
              "obesity", NULL, "1500", "true", __LINE__);           /* TDEE 1663.5 */
    energy_is((od_health_body){ 165, 70, 70, OD_GENDER_UNSPECIFIED, OD_ACTIVITY_SEDENTARY },
              "obesity", NULL, "1500", "true", __LINE__);           /* TDEE 1563.9 */
    energy_is((od_health_body){ 165, 70, 70, OD_GENDER_OTHER, OD_ACTIVITY_SEDENTARY },
              "obesity", NULL, "1500", "true", __LINE__);
    energy_is((od_health_body){ 150, 50, 80, OD_GENDER_FEMALE, OD_ACTIVITY_SEDENTARY },
              "obesity", NULL, "1051.8", "true", __LINE__);         /* TDEE 1051.8 */
    energy_is((od_health_body){ 165, 70, 70, OD_GENDER_MALE, OD_ACTIVITY_EXTRA },
              "obesity", NULL, "2133.88", "false", __LINE__);       /* TDEE 2633.88 */
    /* The goal weight_loss brings the obesity template without the condition. */
    energy_is((od_health_body)FEMALE_45, NULL, "weight_loss", "1349.72", "false", __LINE__);
    energy_is((od_health_body)FEMALE_45, NULL, "muscle_gain", "1849.72", "false", __LINE__);
}

static void
test_derive_goal_match(void)
{
    profile p = { FEMALE_45, { NULL }, { "weight_loss", NULL }, { NULL }, NULL, NULL, 0 };
    json_object *out;

    setup();
    out = derive(&p);
    EXPECT(out, "policies/0/condition", "\"obesity\"");
    EXPECT(out, "policies/0/matched_by", "\"goal:weight_loss\"");
    EXPECT(out, "energy/adjustments/0/from/matched_by", "\"goal:weight_loss\"");
    json_object_put(out);
    teardown();
}

/* The pregnancy template as a vendor might write it, without "suppresses". */
static const char vendor_pregnancy[] =
    "{\"schema_version\": 1, \"rules\": [{\"id\": \"energy_pregnancy\", \"type\": \"energy\","
    " \"kind\": \"soft\", \"delta_kcal_by_trimester\": {\"1\": 0, \"2\": 340, \"3\": 452},"
    " \"trimester_from\": \"macro_targets.pregnancy_trimester\", \"source\": \"IOM\"}]}";

static void
test_derive_pregnancy(void)
{
    /* TDEE 1952.84 (female, 30 y, 165 cm, 70 kg, light). */
    profile p = { { 165, 70, 30, OD_GENDER_FEMALE, OD_ACTIVITY_LIGHT },
                  { "pregnancy", "obesity", NULL }, { NULL }, { NULL },
                  "{\"pregnancy_trimester\": 2}", NULL, 0 };
    od_health_policy vendor;
    json_object *out, *vp;

    setup();
    out = derive(&p);
    EXPECT(out, "energy/target_kcal", "2292.84");
    EXPECT(out, "energy/delta_kcal", "340");
    EXPECT(out, "energy/floored", "false");
    EXPECT(out, "energy/adjustments/0/key", "\"pregnancy.energy_pregnancy\"");
    EXPECT(out, "energy/adjustments/0/trimester", "2");
    EXPECT(out, "inactive/[obesity.energy_deficit]/reason", "\"suppressed\"");
    EXPECT(out, "inactive/[obesity.energy_deficit]/by", "\"pregnancy\"");
    json_object_put(out);
    p.macro = "{\"pregnancy_trimester\": 3}";
    out = derive(&p);
    EXPECT(out, "energy/target_kcal", "2404.84");
    json_object_put(out);
    p.macro = "{\"pregnancy_trimester\": 1}";
    out = derive(&p);
    EXPECT(out, "energy/target_kcal", "1952.84");
    json_object_put(out);
    /* No trimester: no increase, and the reason is written. */
    p.macro = NULL;
    out = derive(&p);
    EXPECT(out, "energy/target_kcal", "1952.84");
    EXPECT(out, "energy/adjustments/0/trimester", "null");
    EXPECT(out, "energy/adjustments/0/detail",
           "\"macro_targets.pregnancy_trimester is not set: no change\"");
    json_object_put(out);
    /* A vendor's pregnancy policy that forgets to suppress the deficit: pregnancy
     * disables it all the same; the vendor's row replaces the global one. */
    vp = od_ck_parse(vendor_pregnancy);
    vendor = (od_health_policy){ "pregnancy", 2, true, vp };
    p.macro = "{\"pregnancy_trimester\": 2}";
    p.extra = &vendor;
    p.n_extra = 1;
    out = derive(&p);
    EXPECT(out, "policies/1", "{\"condition\":\"pregnancy\",\"version\":2,\"scope\":\"vendor\","
           "\"matched_by\":\"condition\",\"status\":\"applied\"}");
    EXPECT(out, "inactive/[obesity.energy_deficit]/reason", "\"pregnancy\"");
    EXPECT(out, "energy/target_kcal", "2292.84");
    EXPECT(out, "energy/adjustments/0/from/scope", "\"vendor\"");
    json_object_put(out);
    /* The weight_loss goal brings the deficit; pregnancy still disables it. */
    p.conds[1] = NULL;
    p.goals[0] = "weight_loss";
    p.n_extra = 0;
    out = derive(&p);
    EXPECT(out, "energy/target_kcal", "2292.84");
    EXPECT(out, "inactive/[obesity.energy_deficit]/reason", "\"suppressed\"");
    json_object_put(out);
    json_object_put(vp);
    teardown();
}

static void
test_derive_clinician_beats_template(void)
{
    profile p = { MALE_30, { "hypertension", NULL }, { NULL }, { NULL },
                  "{\"sodium_mg\": 2000, \"potassium_mg\": {\"max\": 2000}, "
                  "\"dietary_fiber_g\": {\"min\": 25}}", NULL, 0 };
    json_object *out;

    setup();
    out = derive(&p);
    /* Clinician limits are hard by default (PRD 7.2): they replace the soft template
     * rules on the same nutrient. */
    EXPECT(out, "inactive/[hypertension.sodium_max]/reason", "\"clinician\"");
    EXPECT(out, "inactive/[hypertension.sodium_max]/by", "\"macro_targets.sodium_mg\"");
    EXPECT(out, "inactive/[hypertension.sodium_ideal]/reason", "\"clinician\"");
    EXPECT(out, "limits/[macro_targets.sodium_mg]", "{\"key\":\"macro_targets.sodium_mg\","
           "\"nutrient\":\"sodium_mg\",\"op\":\"<=\",\"value\":2000,\"unit\":\"mg\","
           "\"kind\":\"hard\",\"expr\":2000,\"from\":{\"origin\":\"clinician\","
           "\"field\":\"macro_targets.sodium_mg\"}}");
    EXPECT(out, "effective/sodium_mg", "{\"unit\":\"mg\",\"max\":{\"value\":2000,\"op\":\"<=\","
           "\"kind\":\"hard\",\"by\":[\"macro_targets.sodium_mg\"]},\"hard_max\":{\"value\":2000,"
           "\"op\":\"<=\",\"by\":[\"macro_targets.sodium_mg\"]}}");
    /* The clinician's potassium limit replaces the DASH goal. */
    EXPECT(out, "inactive/[hypertension.potassium_goal]/reason", "\"clinician\"");
    EXPECT(out, "effective/potassium_mg/max/value", "2000");
    EXPECT(out, "effective/potassium_mg/min", "(absent)");
    /* A minimum alone is a soft goal. */
    EXPECT(out, "limits/[macro_targets.dietary_fiber_g]/kind", "\"soft\"");
    EXPECT(out, "limits/[macro_targets.dietary_fiber_g]/op", "\">=\"");
    EXPECT(out, "effective/dietary_fiber_g/min/value", "25");
    EXPECT(out, "limits/[hypertension.saturated_fat_max]/value", "18.39");
    json_object_put(out);
    teardown();
}

static void
test_derive_clinician_energy(void)
{
    profile p = { FEMALE_45, { "obesity", "hyperlipidemia", NULL }, { NULL }, { NULL },
                  "{\"energy_kcal\": 1800}", NULL, 0 };
    json_object *out;

    setup();
    out = derive(&p);
    EXPECT(out, "energy", "{\"target_kcal\":1800,\"set_by\":\"clinician\",\"tdee_kcal\":1849.72,"
           "\"delta_kcal\":-49.72,\"floor_kcal\":null,\"floored\":false,\"adjustments\":[],"
           "\"from\":{\"origin\":\"clinician\",\"field\":\"macro_targets.energy_kcal\"}}");
    EXPECT(out, "inactive/[obesity.energy_deficit]/reason", "\"clinician\"");
    EXPECT(out, "inactive/[obesity.energy_deficit]/by", "\"macro_targets.energy_kcal\"");
    /* 6 % of the clinician's 1800 kcal at 9 kcal/g. */
    EXPECT(out, "limits/[hyperlipidemia.saturated_fat_max]/value", "12");
    json_object_put(out);
    teardown();
}

/* A vendor's hypertension policy with hard caps, and a condition of its own. */
static const char vendor_hypertension[] =
    "{\"schema_version\": 1, \"rules\": ["
    "{\"id\": \"sodium_cap\", \"type\": \"nutrient\", \"kind\": \"hard\", \"nutrient\": "
    "\"sodium_mg\", \"op\": \"<=\", \"value\": 2000, \"unit\": \"mg\", \"source\": \"RD\"},"
    "{\"id\": \"sodium_max\", \"type\": \"nutrient\", \"kind\": \"soft\", \"nutrient\": "
    "\"sodium_mg\", \"op\": \"<=\", \"value\": 2300, \"unit\": \"mg\", \"source\": \"AHA\"},"
    "{\"id\": \"potassium_cap\", \"type\": \"nutrient\", \"kind\": \"hard\", \"nutrient\": "
    "\"potassium_mg\", \"op\": \"<\", \"value\": 3000, \"unit\": \"mg\", \"source\": \"RD\"},"
    "{\"id\": \"potassium_goal\", \"type\": \"nutrient\", \"kind\": \"soft\", \"nutrient\": "
    "\"potassium_mg\", \"op\": \">=\", \"value\": 4700, \"unit\": \"mg\", \"source\": "
    "\"NHLBI DASH\"}]}";
static const char vendor_stones[] =
    "{\"schema_version\": 1, \"rules\": ["
    "{\"id\": \"calcium_max\", \"type\": \"nutrient\", \"kind\": \"soft\", \"nutrient\": "
    "\"calcium_mg\", \"op\": \"<=\", \"value\": 1000, \"unit\": \"mg\", \"source\": \"RD\"},"
    "{\"id\": \"calcium_goal\", \"type\": \"nutrient\", \"kind\": \"soft\", \"nutrient\": "
    "\"calcium_mg\", \"op\": \">=\", \"value\": 1200, \"unit\": \"mg\", \"source\": \"RD\"}]}";

static void
test_derive_hard_beats_soft(void)
{
    od_health_policy vendor[2];
    profile p = { MALE_30, { "hypertension", "kidney_stones", NULL }, { NULL }, { NULL },
                  "{\"sodium_mg\": {\"max\": 2500, \"kind\": \"soft\"}}", vendor, 2 };
    json_object *out, *vh = od_ck_parse(vendor_hypertension), *vs = od_ck_parse(vendor_stones);

    setup();
    vendor[0] = (od_health_policy){ "hypertension", 3, true, vh };
    vendor[1] = (od_health_policy){ "kidney_stones", 1, true, vs };
    out = derive(&p);
    EXPECT(out, "policies/0/scope", "\"vendor\"");
    EXPECT(out, "policies/0/version", "3");
    /* The clinician's soft target replaces the soft template rule, never the hard one. */
    EXPECT(out, "inactive/[hypertension.sodium_max]/reason", "\"clinician\"");
    EXPECT(out, "limits/[hypertension.sodium_cap]/kind", "\"hard\"");
    EXPECT(out, "limits/[macro_targets.sodium_mg]/kind", "\"soft\"");
    EXPECT(out, "effective/sodium_mg/max", "{\"value\":2000,\"op\":\"<=\",\"kind\":\"hard\","
           "\"by\":[\"hypertension.sodium_cap\"]}");
    EXPECT(out, "effective/sodium_mg/hard_max/value", "2000");
    /* A goal that no amount under the hard cap can meet steps aside. */
    EXPECT(out, "inactive/[hypertension.potassium_goal]/reason", "\"conflict\"");
    EXPECT(out, "inactive/[hypertension.potassium_goal]/by", "\"hypertension.potassium_cap\"");
    EXPECT(out, "effective/potassium_mg", "{\"unit\":\"mg\",\"max\":{\"value\":3000,\"op\":\"<\","
           "\"kind\":\"hard\",\"by\":[\"hypertension.potassium_cap\"]},\"hard_max\":{\"value\":"
           "3000,\"op\":\"<\",\"by\":[\"hypertension.potassium_cap\"]}}");
    /* Between two soft rules the budget wins over the goal too. */
    EXPECT(out, "inactive/[kidney_stones.calcium_goal]/reason", "\"conflict\"");
    EXPECT(out, "effective/calcium_mg/max/value", "1000");
    EXPECT(out, "effective/calcium_mg/min", "(absent)");
    json_object_put(out);
    json_object_put(vh);
    json_object_put(vs);
    teardown();
}

static void
test_derive_policies_listed(void)
{
    od_health_policy extra[2];
    profile p = { MALE_30, { "gout", "migraine", "celiac", NULL }, { NULL }, { NULL }, NULL,
                  extra, 2 };
    json_object *out, *bad = od_ck_parse("{\"schema_version\": 2, \"rules\": []}");
    json_object *other = od_ck_parse("{\"schema_version\": 1, \"rules\": []}");

    setup();
    /* A stored policy that no longer validates is listed, never applied; a policy for a
     * condition the customer does not have is not used. */
    extra[0] = (od_health_policy){ "gout", 1, true, bad };
    extra[1] = (od_health_policy){ "lactose_intolerance", 1, true, other };
    out = derive(&p);
    EXPECT(out, "policies", "[{\"condition\":\"celiac\",\"version\":1,\"scope\":\"global\","
           "\"matched_by\":\"condition\",\"status\":\"applied\"},{\"condition\":\"gout\","
           "\"version\":1,\"scope\":\"vendor\",\"matched_by\":\"condition\","
           "\"status\":\"invalid\"}]");
    EXPECT(out, "conditions_without_policy", "[\"migraine\"]");
    json_object_put(out);
    json_object_put(bad);
    json_object_put(other);
    teardown();
}

/* The same customer, with its lists, targets and policies in the opposite order. */
static const char *
derive_text(bool reversed)
{
    static const char *const conds[] = { "ckd", "hypertension", "diabetes_t2", "celiac",
                                         "pregnancy" };
    static const char *const rconds[] = { "pregnancy", "celiac", "diabetes_t2",
                                          "hypertension", "ckd" };
    static const char *const goals[] = { "weight_loss", "low_sodium" };
    static const char *const rgoals[] = { "low_sodium", "weight_loss" };
    static const char *const al[] = { "peanut", "milk" };
    static const char *const ral[] = { "milk", "peanut" };
    od_health_policy pols[N_SEEDED];
    json_object *macro, *out;
    od_health_input in;
    const char *why, *text;

    for (size_t i = 0; i < N_SEEDED; i++)
        pols[i] = seeds[reversed ? N_SEEDED - 1 - i : i];
    macro = od_ck_parse(reversed ? "{\"potassium_mg\": 2000, \"pregnancy_trimester\": 3, "
                             "\"sodium_mg\": 1800}"
                           : "{\"sodium_mg\": 1800, \"pregnancy_trimester\": 3, "
                             "\"potassium_mg\": 2000}");
    in = (od_health_input){ { 168, 72.5, 33, OD_GENDER_FEMALE, OD_ACTIVITY_MODERATE },
                            reversed ? rconds : conds, 5, reversed ? rgoals : goals, 2,
                            reversed ? ral : al, 2, macro, pols, N_SEEDED };
    out = od_health_derive(&in, arena, &why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    text = od_arena_strdup(arena, od_json_text(out, NULL));
    json_object_put(out);
    json_object_put(macro);
    return text;
}

static void
test_derive_deterministic(void)
{
    const char *a, *b, *c;

    setup();
    a = derive_text(false);
    b = derive_text(false);
    c = derive_text(true);
    CU_ASSERT_STRING_EQUAL(a, b);
    CU_ASSERT_STRING_EQUAL(a, c);
    if (strcmp(a, c) != 0)
        printf("\n    %s\n    %s", a, c);
    teardown();
}

static void
test_derive_refused(void)
{
    profile p = { { 272, 2, 30, OD_GENDER_MALE, OD_ACTIVITY_LIGHT }, { NULL }, { NULL },
                  { NULL }, NULL, NULL, 0 };
    od_health_input in = { p.body, NULL, 0, NULL, 0, NULL, 0, NULL, NULL, 0 };
    const char *why = NULL;

    setup();
    CU_ASSERT_PTR_NULL(od_health_derive(&in, arena, &why));
    CU_ASSERT_PTR_NOT_NULL(why);
    CU_ASSERT_PTR_NOT_NULL(why ? strstr(why, "BMI") : NULL);
    teardown();
}


/* The freshness check of a stored derivation: the same policies in force are
 * current; a vendor's newer rule, another condition or no derivation are not. */
static void
test_current(void)
{
    profile p = { FEMALE_45, { "hypertension", "ckd", NULL }, { "weight_loss", NULL },
                  { NULL }, NULL, NULL, 0 };
    od_health_policy all[N_SEEDED + 1];
    const char *conds[] = { "hypertension", "ckd" }, *goals[] = { "weight_loss" };
    od_health_input in;
    json_object *out;

    setup();
    out = derive(&p);
    memcpy(all, seeds, sizeof(seeds));
    in = (od_health_input){ p.body, conds, 2, goals, 1, NULL, 0, NULL, all, N_SEEDED };
    CU_ASSERT_TRUE(od_health_current(out, &in, arena));
    CU_ASSERT_FALSE(od_health_current(NULL, &in, arena));
    /* a vendor's own hypertension rule now wins over the template */
    all[N_SEEDED] = (od_health_policy){ "hypertension", 1, true, seeds[1].policy };
    in.n_policies = N_SEEDED + 1;
    CU_ASSERT_FALSE(od_health_current(out, &in, arena));
    /* a rule of a condition the customer does not have changes nothing */
    all[N_SEEDED] = (od_health_policy){ "celiac", 2, true, seeds[0].policy };
    CU_ASSERT_TRUE(od_health_current(out, &in, arena));
    /* the goal no longer held: the obesity template no longer applies */
    in.n_diet_goals = 0;
    CU_ASSERT_FALSE(od_health_current(out, &in, arena));
    json_object_put(out);
    teardown();
}

static const od_unit_case cases[] = {
    { "round half away from zero at 2 decimals", test_round2 },
    { "rounding agrees with the digits, ties included", test_round2_agrees_with_the_digits },
    { "BMI categories: half-open intervals", test_bmi_categories },
    { "BMI, BMR, TDEE: worked examples and a table", test_metrics_table },
    { "the imperial worked example, converted first", test_worked_example_from_imperial },
    { "implausible bodies refused", test_metrics_refused },
    { "gender and activity codes", test_codes },
    { "macro_targets: valid and every error pointed", test_targets_check },
    { "seeded policies are valid", test_seeded_policies_valid },
    { "policy: every error with its pointer", test_policy_every_error_pointed },
    { "policy: each rule problem alone", test_policy_rules_refused },
    { "policy: at most 100 rules", test_policy_too_many_rules },
    { "scoring weights", test_scoring_weights },
    { "derive: no condition", test_derive_nothing },
    { "derive: hypertension, every member of a limit", test_derive_hypertension },
    { "derive: soft rules on one nutrient, the tightest wins",
      test_derive_soft_rules_same_nutrient },
    { "derive: CKD suppresses the DASH potassium goal", test_derive_ckd_suppresses_potassium },
    { "derive: celiac exclusion, customer allergens", test_derive_celiac_and_allergens },
    { "derive: deficit, 1200/1500 floors, pct of the target", test_derive_deficit_and_floors },
    { "derive: a policy matched by a goal", test_derive_goal_match },
    { "derive: pregnancy trimesters, no deficit", test_derive_pregnancy },
    { "derive: clinician targets beat templates", test_derive_clinician_beats_template },
    { "derive: clinician energy target", test_derive_clinician_energy },
    { "derive: hard beats soft; budgets beat goals", test_derive_hard_beats_soft },
    { "derive: policies listed, invalid ones not applied", test_derive_policies_listed },
    { "derive: same input, byte-identical JSON", test_derive_deterministic },
    { "derive: a refused body", test_derive_refused },
    { "a stored derivation is current", test_current },
};

OD_UNIT_MAIN("health", cases)
