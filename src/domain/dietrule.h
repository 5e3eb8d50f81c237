/* dietrule.h: diet rule policies (diet_rules.policy, schema_version 1; the shape is
 * in docs/data-model.md and docs/health.md) (pure): the validator behind
 * PUT /api/v1/diet-rules/:conditionCode, which also gives the policy in parsed form
 * for the derivation of a customer's limits (health.h). */
#ifndef OD_DIETRULE_H
#define OD_DIETRULE_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "core/arena.h"
#include "domain/issues.h"
#include "domain/vocab.h"

#define OD_DIETRULE_RULES_MAX 100

typedef enum od_rule_type { OD_RULE_NUTRIENT, OD_RULE_ENERGY, OD_RULE_EXCLUDE } od_rule_type;

typedef enum od_rule_op { OD_OP_LT, OD_OP_LE, OD_OP_GE, OD_OP_GT, OD_OP_BETWEEN } od_rule_op;

typedef enum od_rule_unit {
    OD_UNIT_MG, OD_UNIT_G, OD_UNIT_MCG, OD_UNIT_KCAL,   /* absolute */
    OD_UNIT_PCT_ENERGY,         /* percent of the daily energy target, with kcal_per_g */
    OD_UNIT_G_PER_1000KCAL,     /* grams per 1,000 kcal of TDEE */
    OD_UNIT_G_PER_KG            /* grams per kg of body weight */
} od_rule_unit;

/* Genders in the order of the floor_kcal table. */
typedef enum od_gender {
    OD_GENDER_MALE = 0, OD_GENDER_FEMALE, OD_GENDER_OTHER, OD_GENDER_UNSPECIFIED,
    OD_GENDERS
} od_gender;

/* One rule of a valid policy. Pointers are borrowed from the policy JSON. */
typedef struct od_dietrule {
    json_object *json;          /* the rule object */
    const char *id;             /* unique in the policy */
    const char *source;         /* the citation */
    od_rule_type type;
    bool hard;                  /* kind: hard (filter) or soft (budget, goal) */
    bool enabled;               /* false: listed, never applied */
    double weight;              /* soft rules; 1 when not given */
    json_object *when_any;      /* array of condition codes, or NULL */
    json_object *when_none;     /* array of condition codes, or NULL */
    /* type nutrient */
    const char *nutrient;       /* a canonical nutrition key */
    od_rule_op op;
    od_rule_unit unit;
    double value;               /* every op but between */
    double min, max;            /* between */
    double kcal_per_g;          /* pct_energy */
    /* type energy */
    bool by_trimester;          /* delta_kcal_by_trimester instead of delta_kcal */
    double delta_kcal;
    double max_delta_kcal;      /* the largest change; delta_kcal when not given */
    double trimester_delta[3];  /* trimesters 1, 2, 3 */
    bool has_floor;
    double floor_kcal[OD_GENDERS]; /* 0 for a gender the policy does not name */
    /* type exclude: arrays of strings, or NULL */
    json_object *allergens;
    json_object *ingredients_any;
    json_object *unless_tags;   /* unless_dietary_tags */
} od_dietrule;

/* A valid policy. Pointers are borrowed from the policy JSON. */
typedef struct od_dietpolicy {
    json_object *applies_to_goals;  /* array of diet goal codes, or NULL */
    json_object *suppresses;        /* array of "<condition>.<rule id>", or NULL */
    od_dietrule *rules;             /* arena-owned, in policy order */
    size_t n_rules;
} od_dietpolicy;

/* Checks policy (borrowed) as the policy of condition (the code in the path):
 * schema_version 1, known members, each rule's id (unique), type, kind, op, unit,
 * nutrient key, numeric ranges, kcal_per_g for pct_energy, energy deltas and floors,
 * exclusions; with vocab (may be NULL) allergens must be its canonical codes.
 * Reports every problem to issues with its pointer under "#" ("#/rules/2/op";
 * pointers and details arena-owned or static). Returns the parsed policy
 * (arena-owned, borrowing from policy, which must outlive it) or NULL when any
 * problem was found. */
const od_dietpolicy *od_dietrule_read(json_object *policy, const char *condition,
                                      const od_vocab *vocab, od_arena *a, od_issues *issues);

/* True when s can be a code (condition, goal, rule id, tag): [a-z0-9][a-z0-9_]{0,63}. */
bool od_dietrule_code_ok(const char *s);

/* Static names: "<=", "between"...; "mg", "pct_energy"...; "male"... */
const char *od_dietrule_op_name(od_rule_op op);
const char *od_dietrule_unit_name(od_rule_unit unit);
const char *od_dietrule_gender_name(od_gender gender);

/* The unit named name ("mg"), or -1. */
int od_dietrule_unit_find(const char *name);

/* The largest limit a rule may give in unit (100000 mg, 5000 g, 100 pct_energy...;
 * docs/health.md). */
double od_dietrule_unit_max(od_rule_unit unit);

#endif
