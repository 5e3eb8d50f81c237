/* nutrients.h: the canonical keys of the per-serving nutrition object
 * (reference/nutrition.md) and the unit that each key's suffix names. */
#ifndef OD_NUTRIENTS_H
#define OD_NUTRIENTS_H

/* Returns the unit of a canonical nutrition key ("mg" for sodium_mg, "g", "mcg",
 * "kcal"), static; NULL when key is not canonical. */
const char *od_nutrient_unit(const char *key);

#endif
