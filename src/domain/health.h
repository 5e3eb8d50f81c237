/* health.h: a customer's health derivations (pure, deterministic): BMI and its
 * category, BMR (Mifflin-St Jeor), TDEE, the check of the clinician's macro_targets,
 * and derived_limits: the daily energy target, nutrient limits and exclusions that
 * the condition templates (diet_rules) and macro_targets give, with the precedence
 * of reference/nutrition.md. docs/health.md has the formulas, shapes and decisions. */
#ifndef OD_HEALTH_H
#define OD_HEALTH_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "core/arena.h"
#include "domain/dietrule.h"
#include "domain/issues.h"

typedef enum od_activity {
    OD_ACTIVITY_SEDENTARY = 0, OD_ACTIVITY_LIGHT, OD_ACTIVITY_MODERATE, OD_ACTIVITY_VERY,
    OD_ACTIVITY_EXTRA, OD_ACTIVITIES
} od_activity;

/* The body a derivation starts from: metric, exact (not rounded for storage). */
typedef struct od_health_body {
    double height_cm;
    double weight_kg;
    int age;                    /* years */
    od_gender gender;
    od_activity activity;
} od_health_body;

typedef struct od_health_metrics {
    double bmi;                 /* kg / m^2, 2 decimals */
    const char *bmi_category;   /* static: underweight, normal, overweight, obesity_1..3 */
    double bmr;                 /* kcal/day, 2 decimals */
    double tdee;                /* kcal/day, 2 decimals, from the unrounded BMR */
} od_health_metrics;

/* One diet rule policy the customer may be subject to (a diet_rules row). */
typedef struct od_health_policy {
    const char *condition;      /* condition_code of the row */
    int version;                /* version of the row */
    bool vendor;                /* scope: the vendor's own row (true) or the global template */
    json_object *policy;        /* borrowed: the policy (schema_version 1) */
} od_health_policy;

/* Everything derived_limits depends on. Every pointer is borrowed for the call. */
typedef struct od_health_input {
    od_health_body body;
    const char *const *conditions;      /* normalised condition codes, any order */
    size_t n_conditions;
    const char *const *diet_goals;      /* normalised goal codes, any order */
    size_t n_diet_goals;
    const char *const *avoid_allergens; /* canonical allergen codes, any order */
    size_t n_avoid_allergens;
    json_object *macro_targets;         /* passed od_health_targets_check; NULL = {} */
    const od_health_policy *policies;   /* the active rows the vendor sees, any order:
                                           the derivation picks those that apply */
    size_t n_policies;
} od_health_input;

/* Reads a gender or activity code ("female", "moderate"). Returns false when the code
 * is not one (normalise synonyms such as "F" first). */
bool od_health_gender(const char *code, od_gender *out);
bool od_health_activity(const char *code, od_activity *out);

/* Rounds x half away from zero to 2 decimals, reading x as the decimal it stands for
 * (its 15 significant digits), so 1849.71875 -> 1849.72 and 1.005 -> 1.01. */
double od_health_round2(double x);

/* The WHO category of a BMI (half-open intervals: 24.99 normal, 25 overweight);
 * static. */
const char *od_health_bmi_category(double bmi);

/* Computes BMI, BMR and TDEE of body into *out. Returns NULL, or the reason the body
 * is refused (static or arena-owned): a measure outside its range (units.h), a BMI
 * outside 5..250 (height and weight that cannot belong together: units mixed up), or
 * a BMR the equation cannot give (not above 0). */
const char *od_health_compute(const od_health_body *body, od_arena *a,
                              od_health_metrics *out);

/* Checks macro_targets (borrowed; NULL is {}), whose pointer is prefix
 * ("#/macro_targets"): pregnancy_trimester 1..3, energy_kcal 500..10000, and
 * canonical nutrient keys with a daily maximum (a number) or {"min", "max", "kind"}.
 * Reports every problem to issues. Returns true when there was none. */
bool od_health_targets_check(json_object *targets, const char *prefix, od_arena *a,
                             od_issues *issues);

/* Derives derived_limits (docs/health.md "derived_limits") from in. Returns a new
 * object the caller puts (it may share unmodified members of the policies and
 * macro_targets, reference-counted); equal inputs give byte-identical JSON. Returns
 * NULL with *why set (static or arena-owned) when the body is refused
 * (od_health_compute) or memory runs out. */
json_object *od_health_derive(const od_health_input *in, od_arena *a, const char **why);

/* True when stored (a derived_limits object, borrowed; NULL is never current) was
 * derived from the policies that in would apply now: the same conditions, versions
 * and scopes. Reads no rule and derives nothing: a read's cheap check that a
 * vendor's diet rules did not change since. */
bool od_health_current(json_object *stored, const od_health_input *in, od_arena *a);

#endif
