/* units.c: a small scanner for "<number> <unit> [<number> [<unit>]]", then exact
 * conversion: each number is kept as digits and a decimal scale, multiplied by an
 * integer factor and divided once by a power of ten. */
#include "domain/units.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/json.h"

#define INT_DIGITS_MAX  7
#define FRAC_DIGITS_MAX 6

#define HEIGHT_HINT "write it with its unit, e.g. 178 cm, 1.78 m, 5'10\", 5 ft 10 in or 70 in"
#define WEIGHT_HINT "write it with its unit, e.g. 81.6 kg, 180 lb or 11 st 4 lb"

typedef enum unit { U_NONE, U_CM, U_M, U_IN, U_FT, U_KG, U_LB, U_ST } unit;

/* A number as written: digits / 10^scale. */
typedef struct number {
    double digits;      /* an integer below 10^13: exact in a double */
    int scale;          /* decimals written, 0..FRAC_DIGITS_MAX */
    const char *text;   /* where it starts in the input */
    size_t len;
} number;

typedef struct part {
    number n;
    unit u;             /* U_NONE: no unit followed the number */
} part;

static const double pow10_tab[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6 };

static const struct {
    const char *word;
    unit u;
} words[] = {
    { "cm", U_CM }, { "centimeter", U_CM }, { "centimeters", U_CM },
    { "centimetre", U_CM }, { "centimetres", U_CM },
    { "m", U_M }, { "meter", U_M }, { "meters", U_M }, { "metre", U_M }, { "metres", U_M },
    { "in", U_IN }, { "inch", U_IN }, { "inches", U_IN },
    { "ft", U_FT }, { "foot", U_FT }, { "feet", U_FT },
    { "kg", U_KG }, { "kgs", U_KG }, { "kilogram", U_KG }, { "kilograms", U_KG },
    { "lb", U_LB }, { "lbs", U_LB }, { "pound", U_LB }, { "pounds", U_LB },
    { "st", U_ST }, { "stone", U_ST }, { "stones", U_ST },
};

/* Marks of feet and inches; the longer ones first ('' before '). */
static const struct {
    const char *mark;
    unit u;
} marks[] = {
    { "''", U_IN }, { "\"", U_IN }, { "\xe2\x80\xb3", U_IN } /* ″ */,
    { "\xe2\x80\x9d", U_IN } /* ” */, { "'", U_FT }, { "\xe2\x80\xb2", U_FT } /* ′ */,
    { "\xe2\x80\x99", U_FT } /* ’ */,
};

/* The arena-formatted reason s, or fallback when the arena was full: a failure must
 * never read as success (NULL). */
static const char *
reason(const char *s, const char *fallback)
{
    return s ? s : fallback;
}

static const char *
skip_space(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

static bool
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool
is_letter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Reads a number at *pp. Returns NULL or a static reason. */
static const char *
scan_number(const char **pp, number *n)
{
    const char *p = *pp;
    int whole = 0, frac = 0;

    n->text = p;
    n->digits = 0;
    if (*p == '-')
        return "must not be negative";
    if (!is_digit(*p))
        return NULL;    /* the caller decides what a missing number means */
    for (; is_digit(*p); p++, whole++)
        n->digits = n->digits * 10 + (*p - '0');
    if (*p == ',' && is_digit(p[1]))
        return "uses a comma: write decimals with a point (81.6 kg)";
    if (*p == '.') {
        if (!is_digit(p[1]))
            return "has a point without decimals after it";
        for (p++; is_digit(*p); p++, frac++)
            n->digits = n->digits * 10 + (*p - '0');
    }
    if (whole > INT_DIGITS_MAX || frac > FRAC_DIGITS_MAX)
        return "has too many digits";
    n->scale = frac;
    n->len = (size_t)(p - n->text);
    *pp = p;
    return NULL;
}

/* Reads the unit at *pp, if any. Returns NULL, or the reason for an unknown word. */
static const char *
scan_unit(const char **pp, unit *u, od_arena *a)
{
    const char *p = *pp;
    size_t len = 0;

    *u = U_NONE;
    while (is_letter(p[len]))
        len++;
    if (len > 0) {
        for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
            if (strlen(words[i].word) == len && strncasecmp(p, words[i].word, len) == 0) {
                *u = words[i].u;
                *pp = p + len;
                return NULL;
            }
        }
        if (len > 16)
            return "has an unknown unit";
        return reason(od_arena_printf(a, "has an unknown unit \"%.*s\"", (int)len, p),
                      "has an unknown unit");
    }
    for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
        size_t m = strlen(marks[i].mark);

        if (strncmp(p, marks[i].mark, m) == 0) {
            *u = marks[i].u;
            *pp = p + m;
            return NULL;
        }
    }
    return NULL;
}

/* Splits text into at most two (number, unit) parts. Returns NULL or the reason;
 * *garbage is set when the text is not of that shape at all. */
static const char *
scan(const char *text, part parts[2], int *n, bool *garbage, od_arena *a)
{
    const char *p = text, *why;

    *n = 0;
    *garbage = false;
    if (text == NULL || *skip_space(text) == '\0')
        return "is empty";
    for (p = skip_space(p); *p != '\0'; p = skip_space(p)) {
        part *pt = &parts[*n];

        if (*n == 2 || (*n == 1 && parts[0].u == U_NONE)) {
            *garbage = true;
            return "";
        }
        why = scan_number(&p, &pt->n);
        if (why != NULL)
            return why;
        if (pt->n.text == p) {
            *garbage = true;
            return "";
        }
        p = skip_space(p);
        why = scan_unit(&p, &pt->u, a);
        if (why != NULL)
            return why;
        (*n)++;
    }
    return NULL;
}

static double
value_of(const number *n)
{
    return n->digits / pow10_tab[n->scale];
}

/* digits * factor / (10^scale * divisor): exact products, one rounding. */
static double
convert(double digits, int scale, double factor, double divisor)
{
    return digits * factor / (pow10_tab[scale] * divisor);
}

/* major whole units and minor units below per (5 ft 10 in, 11 st 4 lb) as
 * minor-unit digits at the minor number's scale. Returns NULL or a reason. */
static const char *
compound(const part parts[2], int n, double per, const char *major, const char *minor,
         od_arena *a, double *digits, int *scale)
{
    if (parts[0].n.scale != 0)
        return reason(od_arena_printf(a, "uses a decimal number of %s, which is ambiguous "
                                      "(5.5 ft is not 5'5\"): write whole %s and the rest in "
                                      "%s", major, major, minor),
                      "must use whole feet or stones");
    if (n == 1) {
        *digits = parts[0].n.digits * per;
        *scale = 0;
        return NULL;
    }
    if (value_of(&parts[1].n) >= per)
        return reason(od_arena_printf(a, "has too many %s: fewer than %g %s go after %s",
                                      minor, per, minor, major),
                      "has too many of the smaller unit");
    *scale = parts[1].n.scale;
    *digits = parts[0].n.digits * per * pow10_tab[*scale] + parts[1].n.digits;
    return NULL;
}

/* A unit in metric units: factor / divisor (both exact in a double). */
typedef struct factor {
    unit u;
    double factor, divisor;
} factor;

/* A quantity and the units it may be written in. */
typedef struct measure {
    const char *metric;         /* "cm": the unit of a JSON number and of the range */
    double min, max;            /* plausible range, in metric units */
    factor units[3];            /* to metric; U_NONE ends */
    unit major, minor;          /* the compound form: feet and inches, stones and pounds */
    double per;                 /* minor units in a major one */
    const char *major_name, *minor_name;
    double ambiguous_below;     /* a bare number below this is refused (0: none) */
    const char *not_this;       /* the text names a unit of the other measure */
    const char *not_one;        /* not a measure at all */
    const char *no_unit;        /* a bare number where units are required */
    const char *not_json;       /* neither a number nor a string */
} measure;

static const measure height = {
    "cm", OD_HEIGHT_CM_MIN, OD_HEIGHT_CM_MAX,
    { { U_CM, 1, 1 }, { U_M, 100, 1 }, { U_IN, 254, 100 } },
    U_FT, U_IN, 12, "feet", "inches", 10,
    "is a weight, not a height: " HEIGHT_HINT, "is not a height: " HEIGHT_HINT,
    "has no unit: " HEIGHT_HINT,
    "must be a number of centimetres or a string with its unit (\"5'10\\\"\")",
};

static const measure weight = {
    "kg", OD_WEIGHT_KG_MIN, OD_WEIGHT_KG_MAX,
    { { U_KG, 1, 1 }, { U_LB, 45359237, 1e8 }, { U_NONE, 0, 0 } },
    U_ST, U_LB, 14, "stones", "pounds", 0,
    "is a height, not a weight: " WEIGHT_HINT, "is not a weight: " WEIGHT_HINT,
    "has no unit: " WEIGHT_HINT,
    "must be a number of kilograms or a string with its unit (\"180 lb\")",
};

static const char *
in_range(const measure *m, double v, od_arena *a)
{
    char buf[32];

    if (v >= m->min && v <= m->max)
        return NULL;
    snprintf(buf, sizeof(buf), "%.6g %s", v, m->metric);
    return reason(od_arena_printf(a, "is %s, outside the plausible range of %g to %g %s", buf,
                                  m->min, m->max, m->metric), "is outside the plausible range");
}

/* The conversion of unit u to metric in m, or NULL. */
static const factor *
conversion(const measure *m, unit u)
{
    for (size_t i = 0; i < sizeof(m->units) / sizeof(m->units[0]); i++) {
        if (m->units[i].u == u && u != U_NONE)
            return &m->units[i];
    }
    return NULL;
}

static const char *
read_text(const measure *m, const char *text, od_units_bare bare, od_arena *a, double *out)
{
    part parts[2];
    int n;
    bool garbage;
    const char *why = scan(text, parts, &n, &garbage, a);
    double digits, v;
    int scale;

    if (garbage)
        return m->not_one;
    if (why != NULL)
        return why;
    if (n == 2 && (parts[0].u != m->major ||
                   (parts[1].u != m->minor && parts[1].u != U_NONE)))
        return m->not_one;
    if (parts[0].u == U_NONE) {
        if (value_of(&parts[0].n) < m->ambiguous_below)
            return reason(od_arena_printf(a, "\"%.*s\" is ambiguous (feet and inches? decimal "
                                          "feet? metres?): " HEIGHT_HINT,
                                          (int)parts[0].n.len, parts[0].n.text),
                          "is ambiguous: " HEIGHT_HINT);
        if (bare == OD_UNITS_BARE_REJECT)
            return m->no_unit;
        v = value_of(&parts[0].n);
    } else if (parts[0].u == m->major) {
        why = compound(parts, n, m->per, m->major_name, m->minor_name, a, &digits, &scale);
        if (why != NULL)
            return why;
        v = convert(digits, scale, conversion(m, m->minor)->factor,
                    conversion(m, m->minor)->divisor);
    } else if (conversion(m, parts[0].u) != NULL) {
        v = convert(parts[0].n.digits, parts[0].n.scale, conversion(m, parts[0].u)->factor,
                    conversion(m, parts[0].u)->divisor);
    } else {
        return m->not_this;
    }
    why = in_range(m, v, a);
    if (why == NULL)
        *out = v;
    return why;
}

/* A JSON number is metric; a string is read by read_text. */
static const char *
read_json(const measure *m, json_object *v, od_units_bare bare, od_arena *a, double *out)
{
    const char *why;
    double d;

    if (od_json_number(v, &d)) {
        why = in_range(m, d, a);
        if (why == NULL)
            *out = d;
        return why;
    }
    if (od_json_string(v) != NULL)
        return read_text(m, od_json_string(v), bare, a, out);
    return m->not_json;
}

const char *
od_units_height_text(const char *text, od_units_bare bare, od_arena *a, double *cm)
{
    return read_text(&height, text, bare, a, cm);
}

const char *
od_units_weight_text(const char *text, od_units_bare bare, od_arena *a, double *kg)
{
    return read_text(&weight, text, bare, a, kg);
}

const char *
od_units_height(json_object *v, od_units_bare bare, od_arena *a, double *cm)
{
    return read_json(&height, v, bare, a, cm);
}

const char *
od_units_weight(json_object *v, od_units_bare bare, od_arena *a, double *kg)
{
    return read_json(&weight, v, bare, a, kg);
}

const char *
od_units_age(json_object *v, int *age)
{
    int64_t n;

    if (!json_object_is_type(v, json_type_int))
        return "must be a whole number of years";
    n = json_object_get_int64(v);
    if (n < OD_AGE_MIN || n > OD_AGE_MAX)
        return "must be from 0 to 130 years";
    *age = (int)n;
    return NULL;
}
