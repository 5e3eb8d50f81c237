/* test_units.c: heights and weights as people write them: every accepted form of
 * reference/nutrition.md converted exactly, the ambiguous and implausible ones
 * refused with a reason, JSON numbers as metric, ages (all pure). */
#include <string.h>

#include "core/arena.h"
#include "domain/units.h"
#include "unit.h"

static od_arena *arena;

static void
setup(void)
{
    arena = od_arena_create(0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(arena);
}

static void
teardown(void)
{
    od_arena_destroy(arena);
    arena = NULL;
}

/* text reads as exactly want centimetres (the double nearest the exact value). */
static void
height_is(const char *text, od_units_bare bare, double want)
{
    double cm = -1;
    const char *why = od_units_height_text(text, bare, arena, &cm);

    CU_ASSERT_PTR_NULL(why);
    CU_ASSERT_EQUAL(cm, want);
    if (why != NULL || cm != want)
        printf("\n    \"%s\": %s, %.17g cm, want %.17g", text, why ? why : "ok", cm, want);
}

static void
weight_is(const char *text, od_units_bare bare, double want)
{
    double kg = -1;
    const char *why = od_units_weight_text(text, bare, arena, &kg);

    CU_ASSERT_PTR_NULL(why);
    CU_ASSERT_EQUAL(kg, want);
    if (why != NULL || kg != want)
        printf("\n    \"%s\": %s, %.17g kg, want %.17g", text, why ? why : "ok", kg, want);
}

/* text is refused with a reason that contains part. */
static void
height_refused(const char *text, od_units_bare bare, const char *part)
{
    double cm = -1;
    const char *why = od_units_height_text(text, bare, arena, &cm);

    CU_ASSERT_PTR_NOT_NULL(why);
    if (why == NULL) {
        printf("\n    \"%s\" accepted as %g cm", text, cm);
        return;
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(why, part));
    if (strstr(why, part) == NULL)
        printf("\n    \"%s\": \"%s\" lacks \"%s\"", text, why, part);
}

static void
weight_refused(const char *text, od_units_bare bare, const char *part)
{
    double kg = -1;
    const char *why = od_units_weight_text(text, bare, arena, &kg);

    CU_ASSERT_PTR_NOT_NULL(why);
    if (why == NULL) {
        printf("\n    \"%s\" accepted as %g kg", text, kg);
        return;
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(why, part));
    if (strstr(why, part) == NULL)
        printf("\n    \"%s\": \"%s\" lacks \"%s\"", text, why, part);
}

static void
test_heights_listed(void)
{
    setup();
    /* Every form nutrition.md lists, 5'10" being 177.8 cm exactly. */
    height_is("5'10\"", OD_UNITS_BARE_REJECT, 177.8);
    height_is("5\xe2\x80\xb2" "10\xe2\x80\xb3", OD_UNITS_BARE_REJECT, 177.8);   /* 5′10″ */
    height_is("5 ft 10 in", OD_UNITS_BARE_REJECT, 177.8);
    height_is("5ft10", OD_UNITS_BARE_REJECT, 177.8);
    height_is("70 in", OD_UNITS_BARE_REJECT, 177.8);
    height_is("1.78 m", OD_UNITS_BARE_REJECT, 178);
    height_is("178 cm", OD_UNITS_BARE_REJECT, 178);
    teardown();
}

static void
test_heights_variants(void)
{
    setup();
    height_is("  5' 10\"  ", OD_UNITS_BARE_REJECT, 177.8);
    height_is("5'10", OD_UNITS_BARE_REJECT, 177.8);
    height_is("5'10''", OD_UNITS_BARE_REJECT, 177.8);
    height_is("5\xe2\x80\x99" "10\xe2\x80\x9d", OD_UNITS_BARE_REJECT, 177.8);   /* 5’10” */
    height_is("5 feet 10 inches", OD_UNITS_BARE_REJECT, 177.8);
    height_is("5 FT 10 IN", OD_UNITS_BARE_REJECT, 177.8);
    height_is("6 ft", OD_UNITS_BARE_REJECT, 182.88);
    height_is("6'", OD_UNITS_BARE_REJECT, 182.88);
    height_is("5 ft 0 in", OD_UNITS_BARE_REJECT, 152.4);
    height_is("5ft10.5", OD_UNITS_BARE_REJECT, 179.07);
    height_is("70.5 inches", OD_UNITS_BARE_REJECT, 179.07);
    height_is("70\"", OD_UNITS_BARE_REJECT, 177.8);
    height_is("70\xe2\x80\xb3", OD_UNITS_BARE_REJECT, 177.8);                 /* 70″ */
    height_is("178cm", OD_UNITS_BARE_REJECT, 178);
    height_is("178.5 centimetres", OD_UNITS_BARE_REJECT, 178.5);
    height_is("1.785 metres", OD_UNITS_BARE_REJECT, 178.5);
    height_is("2 m", OD_UNITS_BARE_REJECT, 200);
    /* Bounds are plausible. */
    height_is("50 cm", OD_UNITS_BARE_REJECT, 50);
    height_is("272 cm", OD_UNITS_BARE_REJECT, 272);
    /* A bare number in a column mapped to centimetres. */
    height_is("178", OD_UNITS_BARE_METRIC, 178);
    height_is("177.8", OD_UNITS_BARE_METRIC, 177.8);
    teardown();
}

static void
test_heights_refused(void)
{
    setup();
    /* 5.10 is not 5'10": refused whatever a bare number means. */
    height_refused("5.10", OD_UNITS_BARE_REJECT, "\"5.10\" is ambiguous");
    height_refused("5.10", OD_UNITS_BARE_METRIC, "\"5.10\" is ambiguous");
    height_refused("5.5", OD_UNITS_BARE_METRIC, "ambiguous");
    height_refused("1.78", OD_UNITS_BARE_METRIC, "ambiguous");
    height_refused("6", OD_UNITS_BARE_METRIC, "ambiguous");
    height_refused("5.5 ft", OD_UNITS_BARE_REJECT, "decimal number of feet");
    height_refused("5.10 ft", OD_UNITS_BARE_REJECT, "ambiguous");
    height_refused("178", OD_UNITS_BARE_REJECT, "has no unit");
    height_refused("5 ft 12 in", OD_UNITS_BARE_REJECT, "too many inches");
    height_refused("5 ft 13", OD_UNITS_BARE_REJECT, "too many inches");
    height_refused("-178 cm", OD_UNITS_BARE_REJECT, "negative");
    height_refused("5 ft -2 in", OD_UNITS_BARE_REJECT, "negative");
    height_refused("", OD_UNITS_BARE_REJECT, "empty");
    height_refused("   ", OD_UNITS_BARE_REJECT, "empty");
    height_refused("tall", OD_UNITS_BARE_REJECT, "is not a height");
    height_refused("about 178 cm", OD_UNITS_BARE_REJECT, "is not a height");
    height_refused("178 cm tall", OD_UNITS_BARE_REJECT, "is not a height");
    height_refused("178 yards", OD_UNITS_BARE_REJECT, "unknown unit \"yards\"");
    height_refused("1 m 78 cm", OD_UNITS_BARE_REJECT, "is not a height");
    height_refused("5 10", OD_UNITS_BARE_REJECT, "is not a height");
    height_refused("5 ft 10 ft", OD_UNITS_BARE_REJECT, "is not a height");
    height_refused("180 lb", OD_UNITS_BARE_REJECT, "is a weight, not a height");
    height_refused("1,78 m", OD_UNITS_BARE_REJECT, "comma");
    height_refused("178. cm", OD_UNITS_BARE_REJECT, "point without decimals");
    height_refused("178.1234567 cm", OD_UNITS_BARE_REJECT, "too many digits");
    height_refused("12345678 cm", OD_UNITS_BARE_REJECT, "too many digits");
    /* Implausible values say why. */
    height_refused("49.99 cm", OD_UNITS_BARE_REJECT, "is 49.99 cm, outside the plausible "
                   "range of 50 to 272 cm");
    height_refused("272.01 cm", OD_UNITS_BARE_REJECT, "outside the plausible range");
    height_refused("0 cm", OD_UNITS_BARE_REJECT, "outside the plausible range");
    height_refused("9 ft", OD_UNITS_BARE_REJECT, "is 274.32 cm");
    height_refused("1.78 in", OD_UNITS_BARE_REJECT, "outside the plausible range");
    height_refused("300", OD_UNITS_BARE_METRIC, "is 300 cm");
    teardown();
}

static void
test_weights_listed(void)
{
    setup();
    /* 1 lb = 0.45359237 kg exactly; 1 st = 14 lb. */
    weight_is("180 lb", OD_UNITS_BARE_REJECT, 81.6466266);
    weight_is("180 lbs", OD_UNITS_BARE_REJECT, 81.6466266);
    weight_is("11 st 4 lb", OD_UNITS_BARE_REJECT, 71.66759446);
    weight_is("81.6 kg", OD_UNITS_BARE_REJECT, 81.6);
    /* The worked example of nutrition.md: 200 lb is 90.718474 kg. */
    weight_is("200 lb", OD_UNITS_BARE_REJECT, 90.718474);
    teardown();
}

static void
test_weights_variants(void)
{
    setup();
    weight_is("11st4", OD_UNITS_BARE_REJECT, 71.66759446);
    weight_is("11 st", OD_UNITS_BARE_REJECT, 69.85322498);
    weight_is("11 stone 4 pounds", OD_UNITS_BARE_REJECT, 71.66759446);
    weight_is("180.5 LBS", OD_UNITS_BARE_REJECT, 81.873422785);
    weight_is("81.6kg", OD_UNITS_BARE_REJECT, 81.6);
    weight_is("90.718474 kg", OD_UNITS_BARE_REJECT, 90.718474);
    weight_is("81.6 kilograms", OD_UNITS_BARE_REJECT, 81.6);
    weight_is("2 kg", OD_UNITS_BARE_REJECT, 2);
    weight_is("650 kg", OD_UNITS_BARE_REJECT, 650);
    weight_is("81.6", OD_UNITS_BARE_METRIC, 81.6);
    teardown();
}

static void
test_weights_refused(void)
{
    setup();
    weight_refused("81.6", OD_UNITS_BARE_REJECT, "has no unit");
    weight_refused("-80 kg", OD_UNITS_BARE_REJECT, "negative");
    weight_refused("", OD_UNITS_BARE_REJECT, "empty");
    weight_refused("heavy", OD_UNITS_BARE_REJECT, "is not a weight");
    weight_refused("11.5 st", OD_UNITS_BARE_REJECT, "decimal number of stones");
    weight_refused("11 st 14 lb", OD_UNITS_BARE_REJECT, "too many pounds");
    weight_refused("11 st 4 kg", OD_UNITS_BARE_REJECT, "is not a weight");
    weight_refused("80 kg 5 lb", OD_UNITS_BARE_REJECT, "is not a weight");
    weight_refused("178 cm", OD_UNITS_BARE_REJECT, "is a height, not a weight");
    weight_refused("81,6 kg", OD_UNITS_BARE_REJECT, "comma");
    weight_refused("1.99 kg", OD_UNITS_BARE_REJECT, "is 1.99 kg, outside the plausible "
                   "range of 2 to 650 kg");
    weight_refused("650.01 kg", OD_UNITS_BARE_REJECT, "outside the plausible range");
    weight_refused("1500 lb", OD_UNITS_BARE_REJECT, "outside the plausible range");
    weight_refused("4 lb", OD_UNITS_BARE_REJECT, "is 1.81437 kg");
    weight_refused("700", OD_UNITS_BARE_METRIC, "is 700 kg");
    teardown();
}

static json_object *
parse(const char *text)
{
    json_object *o = json_tokener_parse(text);

    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    return o;
}

static void
test_json_values(void)
{
    json_object *v;
    double d = -1;
    int age = -1;

    setup();
    /* A JSON number is metric. */
    v = parse("177.8");
    CU_ASSERT_PTR_NULL(od_units_height(v, OD_UNITS_BARE_REJECT, arena, &d));
    CU_ASSERT_EQUAL(d, 177.8);
    json_object_put(v);
    v = parse("180");
    CU_ASSERT_PTR_NULL(od_units_height(v, OD_UNITS_BARE_REJECT, arena, &d));
    CU_ASSERT_EQUAL(d, 180);
    json_object_put(v);
    v = parse("5.10");
    CU_ASSERT_PTR_NOT_NULL(strstr(od_units_height(v, OD_UNITS_BARE_REJECT, arena, &d),
                                  "is 5.1 cm, outside"));
    json_object_put(v);
    v = parse("80");
    CU_ASSERT_PTR_NULL(od_units_weight(v, OD_UNITS_BARE_REJECT, arena, &d));
    CU_ASSERT_EQUAL(d, 80);
    json_object_put(v);
    v = parse("0");
    CU_ASSERT_PTR_NOT_NULL(od_units_weight(v, OD_UNITS_BARE_REJECT, arena, &d));
    json_object_put(v);
    /* A JSON string carries its unit. */
    v = parse("\"5'10\\\"\"");
    CU_ASSERT_PTR_NULL(od_units_height(v, OD_UNITS_BARE_REJECT, arena, &d));
    CU_ASSERT_EQUAL(d, 177.8);
    json_object_put(v);
    v = parse("\"200 lb\"");
    CU_ASSERT_PTR_NULL(od_units_weight(v, OD_UNITS_BARE_REJECT, arena, &d));
    CU_ASSERT_EQUAL(d, 90.718474);
    json_object_put(v);
    v = parse("\"178\"");
    CU_ASSERT_PTR_NOT_NULL(strstr(od_units_height(v, OD_UNITS_BARE_REJECT, arena, &d),
                                  "has no unit"));
    json_object_put(v);
    v = parse("\"178 cm\\u0000junk\"");
    CU_ASSERT_PTR_NOT_NULL(od_units_height(v, OD_UNITS_BARE_REJECT, arena, &d));
    json_object_put(v);
    v = parse("true");
    CU_ASSERT_PTR_NOT_NULL(strstr(od_units_height(v, OD_UNITS_BARE_REJECT, arena, &d),
                                  "centimetres"));
    CU_ASSERT_PTR_NOT_NULL(strstr(od_units_weight(v, OD_UNITS_BARE_REJECT, arena, &d),
                                  "kilograms"));
    CU_ASSERT_PTR_NOT_NULL(od_units_height(NULL, OD_UNITS_BARE_REJECT, arena, &d));
    json_object_put(v);
    /* Ages: whole years from 0 to 130. */
    v = parse("30");
    CU_ASSERT_PTR_NULL(od_units_age(v, &age));
    CU_ASSERT_EQUAL(age, 30);
    json_object_put(v);
    v = parse("0");
    CU_ASSERT_PTR_NULL(od_units_age(v, &age));
    CU_ASSERT_EQUAL(age, 0);
    json_object_put(v);
    v = parse("130");
    CU_ASSERT_PTR_NULL(od_units_age(v, &age));
    json_object_put(v);
    v = parse("131");
    CU_ASSERT_STRING_EQUAL(od_units_age(v, &age), "must be from 0 to 130 years");
    json_object_put(v);
    v = parse("-1");
    CU_ASSERT_STRING_EQUAL(od_units_age(v, &age), "must be from 0 to 130 years");
    json_object_put(v);
    v = parse("30.5");
    CU_ASSERT_STRING_EQUAL(od_units_age(v, &age), "must be a whole number of years");
    json_object_put(v);
    v = parse("\"30\"");
    CU_ASSERT_STRING_EQUAL(od_units_age(v, &age), "must be a whole number of years");
    json_object_put(v);
    teardown();
}

static const od_unit_case cases[] = {
    { "heights: every listed form", test_heights_listed },
    { "heights: spacing, case, marks, bare metric", test_heights_variants },
    { "heights: ambiguous, malformed, implausible", test_heights_refused },
    { "weights: every listed form, exact pounds", test_weights_listed },
    { "weights: variants", test_weights_variants },
    { "weights: refused", test_weights_refused },
    { "JSON numbers are metric; strings carry units; ages", test_json_values },
};

OD_UNIT_MAIN("units", cases)
