/* nutrients.c: the canonical nutrition keys, with their units, in one table. */
#include "domain/nutrients.h"

#include <string.h>

/* The canonical per-serving nutrition keys (reference/nutrition.md). */
static const char *const keys[] = {
    "energy_kcal", "protein_g", "total_fat_g", "saturated_fat_g", "trans_fat_g",
    "cholesterol_mg", "sodium_mg", "total_carbohydrate_g", "dietary_fiber_g",
    "total_sugars_g", "added_sugars_g", "potassium_mg", "phosphorus_mg", "calcium_mg",
    "iron_mg", "vitamin_d_mcg",
};

const char *
od_nutrient_unit(const char *key)
{
    for (size_t i = 0; key != NULL && i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (strcmp(key, keys[i]) == 0)
            return strrchr(keys[i], '_') + 1;
    }
    return NULL;
}
