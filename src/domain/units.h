/* units.h: body measures as people write them (pure): heights and weights with
 * their units (5'10", 5 ft 10 in, 1.78 m, 180 lb, 11 st 4 lb...) converted exactly
 * to centimetres and kilograms (reference/nutrition.md "Units"), and the plausible
 * ranges of height, weight and age. Ambiguous or implausible input is refused with
 * a reason; nothing is guessed. docs/health.md lists every accepted form. */
#ifndef OD_UNITS_H
#define OD_UNITS_H

#include <stdbool.h>

#include <json-c/json.h>

#include "core/arena.h"

/* Plausible ranges, bounds included. */
#define OD_HEIGHT_CM_MIN 50
#define OD_HEIGHT_CM_MAX 272
#define OD_WEIGHT_KG_MIN 2
#define OD_WEIGHT_KG_MAX 650
#define OD_AGE_MIN       0
#define OD_AGE_MAX       130

/* What a number written without a unit means in a string ("178"). */
typedef enum od_units_bare {
    OD_UNITS_BARE_REJECT = 0,   /* refused: the writer must say the unit (the API) */
    OD_UNITS_BARE_METRIC        /* centimetres / kilograms: a column mapped to height_cm
                                   or weight_kg (ingestion) */
} od_units_bare;

/* Parses a height written with its unit: "178 cm", "1.78 m", "70 in", "5'10\"",
 * "5′10″", "5 ft 10 in", "5ft10", "6 ft" (case and spaces do not matter; feet are
 * whole, inches below 12 after feet). A bare number follows bare, except that one
 * below 10 ("5.10": feet and inches? decimal feet? metres?) is always refused as
 * ambiguous. Writes centimetres to *cm. Returns NULL, or the reason the text is
 * refused (static or arena-owned, never NULL on failure). */
const char *od_units_height_text(const char *text, od_units_bare bare, od_arena *a,
                                 double *cm);

/* Parses a weight: "81.6 kg", "180 lb", "180 lbs", "11 st 4 lb", "11st4" (stones
 * whole, pounds below 14 after stones); a bare number follows bare. Writes
 * kilograms to *kg. Returns NULL or the reason, as od_units_height_text. */
const char *od_units_weight_text(const char *text, od_units_bare bare, od_arena *a,
                                 double *kg);

/* A height as a JSON value (borrowed): a number is centimetres; a string is read by
 * od_units_height_text. Returns NULL or the reason; *cm is within the range. */
const char *od_units_height(json_object *v, od_units_bare bare, od_arena *a, double *cm);

/* A weight as a JSON value: a number is kilograms; a string is read by
 * od_units_weight_text. Returns NULL or the reason; *kg is within the range. */
const char *od_units_weight(json_object *v, od_units_bare bare, od_arena *a, double *kg);

/* An age as a JSON value: a whole number of years from 0 to 130. Returns NULL or a
 * static reason. */
const char *od_units_age(json_object *v, int *age);

#endif
