/* dietrule.c: a diet rule policy read member by member; every problem is reported
 * with its pointer, and a policy without problems comes out parsed. */
#include "domain/dietrule.h"

#include <string.h>

#include "core/json.h"
#include "domain/nutrients.h"

#define LIST_MAX   50       /* goals, suppressions, allergens, tags, when lists */
#define WORDS_MAX  200      /* ingredients_any */
#define TEXT_MAX   200      /* id-like texts: source, one entry of sources */
#define NOTES_MAX  2000

static const char *const op_names[] = { "<", "<=", ">=", ">", "between" };
static const char *const unit_names[] = {
    "mg", "g", "mcg", "kcal", "pct_energy", "g_per_1000kcal", "g_per_kg_body_weight",
};
/* The largest value of a limit, by unit (docs/health.md). */
static const double unit_max[] = { 100000, 5000, 100000, 0, 100, 250, 10 };
static const char *const gender_names[] = { "male", "female", "other", "unspecified" };

static const char *const policy_members[] = {
    "schema_version", "condition", "sources", "notes", "applies_to_goals", "suppresses",
    "rules", NULL,
};
static const char *const common_members[] = {
    "id", "type", "kind", "source", "weight", "enabled", "when", "notes", NULL,
};
static const char *const type_members[][8] = {
    { "nutrient", "op", "value", "min", "max", "unit", "kcal_per_g", NULL },
    { "base", "delta_kcal", "max_delta_kcal", "floor_kcal", "delta_kcal_by_trimester",
      "trimester_from", NULL },
    { "allergens", "ingredients_any", "unless_dietary_tags", NULL },
};
static const char *const type_names[] = { "nutrient", "energy", "exclude" };

typedef enum list_kind {
    L_CODE,         /* codes: goals, tags, conditions */
    L_ALLERGEN,     /* allergen codes (through the vocabulary when there is one) */
    L_WORD,         /* ingredient words: 1..64 bytes */
    L_TEXT,         /* citations: 1..TEXT_MAX bytes */
    L_SUPPRESS      /* "<condition>.<rule id>" */
} list_kind;

typedef struct ctx {
    od_arena *a;
    od_issues *is;
    const od_vocab *vocab;
    const char *condition;  /* the policy's condition (the path's) */
} ctx;

const char *
od_dietrule_op_name(od_rule_op op)
{
    return op_names[op];
}

const char *
od_dietrule_unit_name(od_rule_unit unit)
{
    return unit_names[unit];
}

const char *
od_dietrule_gender_name(od_gender gender)
{
    return gender_names[gender];
}

double
od_dietrule_unit_max(od_rule_unit unit)
{
    return unit_max[unit];
}

bool
od_dietrule_code_ok(const char *s)
{
    size_t n = 0;

    if (s == NULL || !((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
        return false;
    for (; s[n] != '\0'; n++) {
        if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') || s[n] == '_'))
            return false;
    }
    return n <= 64;
}

/* Reports detail at at/name (at alone when name is NULL). */
static void
bad(ctx *c, const char *at, const char *name, const char *detail)
{
    if (name == NULL)
        od_issues_report(c->is, at, detail);
    else
        od_issues_reportf(c->is, c->a, detail, "%s/%s", at, od_json_pointer_token(c->a, name));
}

/* The pointer at/name (arena-owned), or at when the arena is full. */
static const char *
child(ctx *c, const char *at, const char *name)
{
    const char *p = od_arena_printf(c->a, "%s/%s", at, name);

    return p ? p : at;
}

/* The string in v when it is one of 1..max bytes without NUL or control
 * characters (newlines allowed with multiline), else NULL. */
static const char *
text(json_object *v, size_t max, bool multiline)
{
    const char *s = od_json_string(v);
    size_t n = s ? strlen(s) : 0;

    if (n == 0 || n > max)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];

        if (ch == 0x7f || (ch < 0x20 && !(multiline && (ch == '\n' || ch == '\t'))))
            return NULL;
    }
    return s;
}

/* The optional notes of o (a policy or a rule) at at/notes. */
static void
check_notes(ctx *c, json_object *o, const char *at)
{
    json_object *v = od_json_member(o, "notes");

    if (v != NULL && text(v, NOTES_MAX, true) == NULL)
        bad(c, at, "notes", "must be a string of 1 to 2000 bytes");
}

static bool
listed(const char *const *names, const char *s)
{
    for (size_t i = 0; names[i] != NULL; i++) {
        if (strcmp(names[i], s) == 0)
            return true;
    }
    return false;
}

/* Reports every member of o named in neither a nor b (b may be NULL). */
static void
unknown_members(ctx *c, json_object *o, const char *at, const char *const *a,
                const char *const *b, const char *what)
{
    json_object_object_foreach(o, key, value) {
        (void)value;
        if (!listed(a, key) && (b == NULL || !listed(b, key)))
            bad(c, at, key, od_arena_printf(c->a, "is not a member of %s", what));
    }
}

/* Index of s in names[0..n), or -1. */
static int
index_of(const char *s, const char *const *names, int n)
{
    for (int i = 0; s != NULL && i < n; i++) {
        if (strcmp(s, names[i]) == 0)
            return i;
    }
    return -1;
}

int
od_dietrule_unit_find(const char *name)
{
    return index_of(name, unit_names, 7);
}

/* Index of the string in v among names[0..n), or -1. */
static int
choose(json_object *v, const char *const *names, int n)
{
    return index_of(v && json_object_is_type(v, json_type_string) ? json_object_get_string(v)
                                                                 : NULL, names, n);
}

static bool
suppression_ok(ctx *c, const char *s, const char **why)
{
    const char *dot = strchr(s, '.');
    char *cond;

    *why = "must be \"<condition>.<rule id>\", two codes of a-z, 0-9 and _";
    if (dot == NULL || (cond = od_arena_strndup(c->a, s, (size_t)(dot - s))) == NULL ||
        !od_dietrule_code_ok(cond) || !od_dietrule_code_ok(dot + 1))
        return false;
    *why = "names this policy's own rule: turn it off with \"enabled\": false instead";
    return strcmp(cond, c->condition) != 0;
}

/* Checks the optional array v at at/name. Returns false after reporting. */
static bool
list(ctx *c, json_object *v, const char *at, const char *name, list_kind kind, size_t max,
     bool nonempty)
{
    const char *ptr = child(c, at, name);
    size_t n;
    bool ok = true;

    if (v == NULL)
        return true;
    if (!json_object_is_type(v, json_type_array)) {
        bad(c, ptr, NULL, "must be an array of strings");
        return false;
    }
    n = json_object_array_length(v);
    if (n > max || (nonempty && n == 0)) {
        bad(c, ptr, NULL, od_arena_printf(c->a, "must have %s to %zu entries",
                                          nonempty ? "1" : "0", max));
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(v, i);
        const char *s = text(e, kind == L_TEXT ? TEXT_MAX : 64, false), *why = NULL;

        if (s == NULL)
            why = kind == L_TEXT ? "must be a string of 1 to 200 bytes"
                                 : "must be a string of 1 to 64 bytes";
        else if ((kind == L_CODE || (kind == L_ALLERGEN && c->vocab == NULL)) &&
                 !od_dietrule_code_ok(s))
            why = "must be a code: a-z, 0-9 and _, starting with a letter or digit";
        else if (kind == L_ALLERGEN && c->vocab != NULL &&
                 (od_vocab_lookup(c->vocab, OD_VOCAB_ALLERGEN, s) == NULL ||
                  strcmp(od_vocab_lookup(c->vocab, OD_VOCAB_ALLERGEN, s), s) != 0))
            why = "is not a canonical allergen code (milk, egg, fish, shellfish, tree_nuts, "
                  "peanut, wheat, soy, sesame or one of the vendor's)";
        else if (kind == L_SUPPRESS && !suppression_ok(c, s, &why))
            ;
        else
            continue;
        od_issues_reportf(c->is, c->a, why, "%s/%zu", ptr, i);
        ok = false;
    }
    return ok;
}

/* A number member within [lo, hi]; reports and returns false otherwise. */
static bool
ranged(ctx *c, json_object *v, const char *at, const char *name, double lo, double hi,
       double *out)
{
    if (!od_json_number(v, out) || *out < lo || *out > hi) {
        bad(c, at, name, od_arena_printf(c->a, "must be a number from %g to %g", lo, hi));
        return false;
    }
    return true;
}

static void
check_when(ctx *c, json_object *r, const char *at, od_dietrule *out)
{
    json_object *w = od_json_member(r, "when");
    const char *ptr;

    if (w == NULL)
        return;
    if (!json_object_is_type(w, json_type_object)) {
        bad(c, at, "when", "must be an object with conditions_any and/or conditions_none");
        return;
    }
    ptr = child(c, at, "when");
    json_object_object_foreach(w, key, value) {
        (void)value;
        if (strcmp(key, "conditions_any") != 0 && strcmp(key, "conditions_none") != 0)
            bad(c, ptr, key, "is not a member of when (conditions_any, conditions_none)");
    }
    out->when_any = od_json_member(w, "conditions_any");
    out->when_none = od_json_member(w, "conditions_none");
    list(c, out->when_any, ptr, "conditions_any", L_CODE, LIST_MAX, true);
    list(c, out->when_none, ptr, "conditions_none", L_CODE, LIST_MAX, true);
}

static void
check_nutrient(ctx *c, json_object *r, const char *at, od_dietrule *out)
{
    json_object *n = od_json_member(r, "nutrient"), *kpg = od_json_member(r, "kcal_per_g");
    int op = choose(od_json_member(r, "op"), op_names, 5);
    int unit = choose(od_json_member(r, "unit"), unit_names, 7);
    const char *nunit;

    out->nutrient = n && json_object_is_type(n, json_type_string)
                        ? json_object_get_string(n) : NULL;
    nunit = od_nutrient_unit(out->nutrient);
    if (nunit != NULL && strcmp(nunit, "kcal") == 0) {
        bad(c, at, "nutrient", "the daily energy target is set by a rule of type energy, "
            "not by a nutrient rule");
        return;
    }
    if (nunit == NULL)
        bad(c, at, "nutrient", "must be a canonical nutrition key (protein_g, sodium_mg, "
            "saturated_fat_g, dietary_fiber_g, potassium_mg, ...)");
    if (op < 0)
        bad(c, at, "op", "must be one of <, <=, >=, > and between");
    else if (out->hard && op != OD_OP_LT && op != OD_OP_LE)
        bad(c, at, "op", "must be < or <= in a hard rule: a hard rule excludes products, "
            "and a daily minimum cannot exclude a single product");
    if (unit < 0) {
        bad(c, at, "unit", "must be one of mg, g, mcg, kcal, pct_energy, g_per_1000kcal and "
            "g_per_kg_body_weight");
    } else if (nunit != NULL && unit <= OD_UNIT_KCAL && strcmp(unit_names[unit], nunit) != 0) {
        bad(c, at, "unit", od_arena_printf(c->a, "must be %s, the unit of %s", nunit,
                                           out->nutrient));
        unit = -1;
    } else if (nunit != NULL && unit > OD_UNIT_KCAL && strcmp(nunit, "g") != 0) {
        bad(c, at, "unit", od_arena_printf(c->a, "gives grams, but %s is in %s: use %s",
                                           out->nutrient, nunit, nunit));
        unit = -1;
    }
    if (unit == OD_UNIT_PCT_ENERGY) {
        if (kpg == NULL)
            bad(c, at, "kcal_per_g", "is required with pct_energy (9 for fat, 4 for protein "
                "and carbohydrate)");
        else if (!od_json_number(kpg, &out->kcal_per_g) || out->kcal_per_g <= 0 ||
                 out->kcal_per_g > 9)
            bad(c, at, "kcal_per_g", "must be a number above 0 and at most 9");
    } else if (kpg != NULL && unit >= 0) {
        bad(c, at, "kcal_per_g", "is only for the unit pct_energy");
    }
    if (op < 0 || unit < 0)
        return;
    out->op = (od_rule_op)op;
    out->unit = (od_rule_unit)unit;
    if (op == OD_OP_BETWEEN) {
        bool lo, hi;

        if (od_json_member(r, "value") != NULL)
            bad(c, at, "value", "is not used with between: give min and max");
        lo = ranged(c, od_json_member(r, "min"), at, "min", 0, unit_max[unit], &out->min);
        hi = ranged(c, od_json_member(r, "max"), at, "max", 0, unit_max[unit], &out->max);
        if (lo && hi && out->min > out->max)
            bad(c, at, "min", "must not be above max");
        return;
    }
    if (od_json_member(r, "min") != NULL || od_json_member(r, "max") != NULL)
        bad(c, at, od_json_member(r, "min") ? "min" : "max",
            "is only used with between: give value");
    if (ranged(c, od_json_member(r, "value"), at, "value", 0, unit_max[unit], &out->value) &&
        op == OD_OP_LT && out->value == 0)
        bad(c, at, "value", "must be above 0 with <: no amount is below 0");
}

static void
check_floor(ctx *c, json_object *f, const char *at, od_dietrule *out)
{
    const char *ptr;

    if (f == NULL) {
        if (!out->by_trimester && out->delta_kcal < 0)
            bad(c, at, "floor_kcal", "is required with a deficit: give the lowest target "
                "for male, female, other and unspecified");
        return;
    }
    if (!json_object_is_type(f, json_type_object)) {
        bad(c, at, "floor_kcal", "must be an object of kcal by gender");
        return;
    }
    ptr = child(c, at, "floor_kcal");
    out->has_floor = true;
    json_object_object_foreach(f, key, value) {
        (void)value;
        if (index_of(key, gender_names, OD_GENDERS) < 0)
            bad(c, ptr, key, "is not a gender (male, female, other, unspecified)");
    }
    for (int g = 0; g < OD_GENDERS; g++) {
        json_object *v = od_json_member(f, gender_names[g]);

        if (v == NULL && !out->by_trimester && out->delta_kcal < 0)
            bad(c, ptr, gender_names[g], "is required with a deficit: every gender needs a "
                "floor");
        else if (v != NULL)
            ranged(c, v, ptr, gender_names[g], 800, 4000, &out->floor_kcal[g]);
    }
}

static void
check_trimesters(ctx *c, json_object *r, const char *at, od_dietrule *out)
{
    static const char *const keys[] = { "1", "2", "3", NULL };
    json_object *t = od_json_member(r, "delta_kcal_by_trimester");
    json_object *from = od_json_member(r, "trimester_from");
    const char *ptr;

    if (!json_object_is_type(t, json_type_object)) {
        bad(c, at, "delta_kcal_by_trimester", "must be an object {\"1\": kcal, \"2\": kcal, "
            "\"3\": kcal}");
        return;
    }
    ptr = child(c, at, "delta_kcal_by_trimester");
    unknown_members(c, t, ptr, keys, NULL, "delta_kcal_by_trimester (\"1\", \"2\", \"3\")");
    for (int i = 0; i < 3; i++) {
        if (od_json_member(t, keys[i]) == NULL)
            bad(c, ptr, keys[i], "is required: give the change for each trimester");
        else
            ranged(c, od_json_member(t, keys[i]), ptr, keys[i], 0, 1000, &out->trimester_delta[i]);
    }
    if (from == NULL || !json_object_is_type(from, json_type_string) ||
        strcmp(json_object_get_string(from), "macro_targets.pregnancy_trimester") != 0)
        bad(c, at, "trimester_from", "must be \"macro_targets.pregnancy_trimester\"");
}

static void
check_energy(ctx *c, json_object *r, const char *at, od_dietrule *out)
{
    json_object *base = od_json_member(r, "base"), *delta = od_json_member(r, "delta_kcal");
    json_object *max = od_json_member(r, "max_delta_kcal");

    if (out->hard)
        bad(c, at, "kind", "must be soft: an energy rule sets a target, it excludes nothing");
    if (base != NULL && choose(base, (const char *const[]){ "tdee" }, 1) < 0)
        bad(c, at, "base", "must be \"tdee\"");
    out->by_trimester = od_json_member(r, "delta_kcal_by_trimester") != NULL;
    if (out->by_trimester) {
        if (delta != NULL || max != NULL)
            bad(c, at, delta ? "delta_kcal" : "max_delta_kcal", "is not used with "
                "delta_kcal_by_trimester");
        check_trimesters(c, r, at, out);
    } else if (delta == NULL) {
        bad(c, at, "delta_kcal", "is required (or delta_kcal_by_trimester)");
    } else if (ranged(c, delta, at, "delta_kcal", -1500, 1500, &out->delta_kcal)) {
        out->max_delta_kcal = out->delta_kcal;
        if (od_json_member(r, "trimester_from") != NULL)
            bad(c, at, "trimester_from", "is only used with delta_kcal_by_trimester");
        if (max != NULL && ranged(c, max, at, "max_delta_kcal", -1500, 1500,
                                  &out->max_delta_kcal) &&
            (out->max_delta_kcal * out->delta_kcal < 0 ||
             out->max_delta_kcal * out->max_delta_kcal < out->delta_kcal * out->delta_kcal))
            bad(c, at, "max_delta_kcal", "must have the sign of delta_kcal and be at least "
                "as large (-750 for a delta of -500)");
    }
    check_floor(c, od_json_member(r, "floor_kcal"), at, out);
}

static void
check_exclude(ctx *c, json_object *r, const char *at, od_dietrule *out)
{
    bool ok;

    if (!out->hard)
        bad(c, at, "kind", "must be hard: an exclusion filters products out");
    out->allergens = od_json_member(r, "allergens");
    out->ingredients_any = od_json_member(r, "ingredients_any");
    out->unless_tags = od_json_member(r, "unless_dietary_tags");
    ok = list(c, out->allergens, at, "allergens", L_ALLERGEN, LIST_MAX, false);
    ok = list(c, out->ingredients_any, at, "ingredients_any", L_WORD, WORDS_MAX, false) && ok;
    list(c, out->unless_tags, at, "unless_dietary_tags", L_CODE, LIST_MAX, false);
    if (ok && (out->allergens == NULL || json_object_array_length(out->allergens) == 0) &&
        (out->ingredients_any == NULL || json_object_array_length(out->ingredients_any) == 0))
        bad(c, at, NULL, "must exclude something: give allergens or ingredients_any");
}

static void
check_rule(ctx *c, json_object *r, size_t i, od_dietrule *out)
{
    char *at = od_arena_printf(c->a, "#/rules/%zu", i);
    json_object *w = od_json_member(r, "weight"), *en = od_json_member(r, "enabled");
    int type, kind;

    if (at == NULL)
        at = "#/rules";
    memset(out, 0, sizeof(*out));
    if (!json_object_is_type(r, json_type_object)) {
        bad(c, at, NULL, "must be an object (a rule)");
        return;
    }
    out->json = r;
    type = choose(od_json_member(r, "type"), type_names, 3);
    kind = choose(od_json_member(r, "kind"), (const char *const[]){ "soft", "hard" }, 2);
    if (type >= 0)   /* with an unknown type, its members cannot be judged */
        unknown_members(c, r, at, common_members, type_members[type],
                        od_arena_printf(c->a, "a rule of type %s", type_names[type]));
    out->id = text(od_json_member(r, "id"), 64, false);
    if (!od_dietrule_code_ok(out->id))
        bad(c, at, "id", "is required: a code of a-z, 0-9 and _ (at most 64 bytes)");
    out->source = text(od_json_member(r, "source"), TEXT_MAX, false);
    if (out->source == NULL)
        bad(c, at, "source", "is required: the citation, a string of 1 to 200 bytes");
    check_notes(c, r, at);
    if (kind < 0)
        bad(c, at, "kind", "must be hard or soft");
    out->hard = kind == 1;
    out->enabled = true;
    if (en != NULL && !json_object_is_type(en, json_type_boolean))
        bad(c, at, "enabled", "must be true or false");
    else if (en != NULL)
        out->enabled = json_object_get_boolean(en);
    out->weight = 1;
    if (w != NULL && kind == 1)
        bad(c, at, "weight", "is only for soft rules");
    else if (w != NULL &&
             (!od_json_number(w, &out->weight) || out->weight <= 0 || out->weight > 10))
        bad(c, at, "weight", "must be a number above 0 and at most 10 (turn a rule off with "
            "\"enabled\": false)");
    check_when(c, r, at, out);
    if (type < 0) {
        bad(c, at, "type", "must be nutrient, energy or exclude");
        return;
    }
    out->type = (od_rule_type)type;
    if (kind < 0)
        return;
    if (type == OD_RULE_NUTRIENT)
        check_nutrient(c, r, at, out);
    else if (type == OD_RULE_ENERGY)
        check_energy(c, r, at, out);
    else
        check_exclude(c, r, at, out);
}

const od_dietpolicy *
od_dietrule_read(json_object *policy, const char *condition, const od_vocab *vocab,
                 od_arena *a, od_issues *issues)
{
    ctx c = { a, issues, vocab, condition ? condition : "" };
    unsigned before = issues->count;
    json_object *v, *rules;
    od_dietpolicy *p;
    size_t n = 0;

    if (policy == NULL || !json_object_is_type(policy, json_type_object)) {
        od_issues_report(issues, "#", "must be an object (a diet rule policy)");
        return NULL;
    }
    p = od_arena_alloc(a, sizeof(*p));
    if (p == NULL) {
        od_issues_report(issues, "#", "could not be read (out of memory)");
        return NULL;
    }
    unknown_members(&c, policy, "#", policy_members, NULL, "a diet rule policy");
    v = od_json_member(policy, "schema_version");
    if (v == NULL || !json_object_is_type(v, json_type_int) || json_object_get_int64(v) != 1)
        bad(&c, "#", "schema_version", "must be 1");
    v = od_json_member(policy, "condition");
    if (v != NULL && (!json_object_is_type(v, json_type_string) ||
                      strcmp(json_object_get_string(v), c.condition) != 0))
        bad(&c, "#", "condition", od_arena_printf(a, "must be \"%s\", the condition in the "
                                                  "path, or left out", c.condition));
    list(&c, od_json_member(policy, "sources"), "#", "sources", L_TEXT, 20, false);
    check_notes(&c, policy, "#");
    p->applies_to_goals = od_json_member(policy, "applies_to_goals");
    p->suppresses = od_json_member(policy, "suppresses");
    list(&c, p->applies_to_goals, "#", "applies_to_goals", L_CODE, LIST_MAX, false);
    list(&c, p->suppresses, "#", "suppresses", L_SUPPRESS, LIST_MAX, false);
    rules = od_json_member(policy, "rules");
    if (rules == NULL || !json_object_is_type(rules, json_type_array))
        bad(&c, "#", "rules", "is required: an array of rules");
    else if ((n = json_object_array_length(rules)) > OD_DIETRULE_RULES_MAX)
        bad(&c, "#", "rules", "must have at most 100 rules");
    p->n_rules = n <= OD_DIETRULE_RULES_MAX ? n : 0;
    p->rules = p->n_rules > 0 ? od_arena_alloc(a, sizeof(*p->rules) * n) : NULL;
    if (p->n_rules > 0 && p->rules == NULL) {
        od_issues_report(issues, "#/rules", "could not be read (out of memory)");
        return NULL;
    }
    for (size_t i = 0; i < p->n_rules; i++) {
        check_rule(&c, json_object_array_get_idx(rules, i), i, &p->rules[i]);
        for (size_t j = 0; p->rules[i].id != NULL && j < i; j++) {
            if (p->rules[j].id != NULL && strcmp(p->rules[i].id, p->rules[j].id) == 0) {
                od_issues_reportf(issues, a, od_arena_printf(a, "repeats the id of "
                                  "#/rules/%zu: ids are unique in a policy", j),
                                  "#/rules/%zu/id", i);
                break;
            }
        }
    }
    return issues->count == before ? p : NULL;
}
