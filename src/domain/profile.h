/* profile.h: a health profile as the API receives it (pure): the body of PUT
 * /api/v1/customers/:id/health (or a stored profile with a merge patch applied)
 * checked and normalised into the inputs of a derivation. Heights and weights may
 * carry units (units.h); age and gender default to the customer's; conditions,
 * diet goals and allergens go through the vendor's words. docs/health.md. */
#ifndef OD_PROFILE_H
#define OD_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "core/arena.h"
#include "domain/health.h"
#include "domain/issues.h"
#include "domain/vocab.h"

/* What the profile is checked against. Every pointer is borrowed for the call. */
typedef struct od_profile_ctx {
    const od_vocab *vocab;            /* allergen, diet and condition words */
    const char *const *goal_codes;    /* goals the vendor's policies name (applies_to_goals) */
    size_t n_goal_codes;
    int customer_age;                 /* the customer's age today */
    bool age_from_dob;                /* customer_age comes from a known dob */
    const char *customer_gender;      /* the customer's gender code */
} od_profile_ctx;

/* A valid profile. Arrays and strings are arena-owned; macro_targets is a new
 * reference the caller puts (od_json_own). */
typedef struct od_profile {
    od_health_body body;              /* exact metric values, as sent */
    const char **conditions;          /* sorted, without repeats */
    size_t n_conditions;
    const char **diet_goals;
    size_t n_diet_goals;
    const char **avoid_allergens;
    size_t n_avoid_allergens;
    json_object *macro_targets;       /* {} when not sent */
} od_profile;

/* The weight goals every vendor knows, besides dietary tags and the goals its
 * policies name. */
extern const char *const od_profile_weight_goals[];
extern const size_t od_profile_n_weight_goals;

/* Checks body (borrowed), whose pointer is "#": members height or height_cm,
 * weight or weight_kg (required), age, gender, activity_level (required),
 * conditions, diet_goals, avoid_allergens, macro_targets; the server's fields
 * (bmi, bmr, tdee_cached, derived_limits, timestamps) are refused. Reports every
 * problem to issues. Returns true and fills *out when there was none. */
bool od_profile_read(json_object *body, const od_profile_ctx *ctx, od_arena *a,
                     od_issues *issues, od_profile *out);

/* The stored form of p: an object with the columns of customer_health_profiles
 * that the API writes but derived_limits, which travels as text of its own
 * (height_cm and weight_kg at 2 decimals, the metrics of m). Returns a new object
 * the caller puts. */
json_object *od_profile_columns(const od_profile *p, const od_health_metrics *m);

/* Reads a stored profile back (columns as od_profile_columns writes them, borrowed)
 * into *out: the inputs a derivation needs, at their stored precision (strings and
 * macro_targets borrowed from columns, arrays arena-owned). Returns false when a
 * column is missing or of the wrong type. */
bool od_profile_stored(json_object *columns, od_arena *a, od_profile *out);

/* True when member is a field the server sets on a profile. */
bool od_profile_read_only(const char *member);

#endif
