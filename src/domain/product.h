/* product.h: validation and normalisation of a product as the API receives it
 * (pure): required fields, prices, GTINs, nutrition keys, allergen and tag words
 * through the vendor's vocabulary, images. The result is the canonical form the
 * batch upsert (od_products_upsert) takes, every column present. */
#ifndef OD_PRODUCT_H
#define OD_PRODUCT_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "core/arena.h"
#include "domain/issues.h"
#include "domain/vocab.h"

#define OD_PRODUCT_BATCH_MAX 10000

/* Validates item (borrowed) as the whole product at input position ord, whose
 * JSON pointer is prefix ("#/items/3", or "#" for a single product). Returns the
 * normalised product (a new reference the caller puts), or NULL after reporting
 * every problem to issues. Strings it reports are arena-owned. */
json_object *od_product_normalise(json_object *item, int ord, const char *prefix,
                                  const od_vocab *vocab, od_arena *a, od_issues *issues);

/* True when member names a field the server sets (id, timestamps...): a client
 * may not send it. */
bool od_product_read_only(const char *member);

/* Checks a GTIN (8, 12, 13 or 14 digits, with its check digit). Returns the
 * gtin_type name ("gtin13"...) or NULL. */
const char *od_product_gtin_type(const char *barcode);

/* Parses a price (a JSON number or a decimal string): at least 0, at most two
 * decimals, below 10^10. Writes the canonical decimal text ("4.90") into
 * out[24]. Returns NULL or a static reason. */
const char *od_product_price(json_object *v, char out[24]);

/* Normalises one allergen word through vocab: the canonical code, or NULL when the
 * word is not a known allergen. */
const char *od_product_allergen(const od_vocab *vocab, const char *word);

/* Normalises one dietary tag: through vocab when known, else the word as a code
 * ("Low Sodium" -> "low_sodium"). Returns arena-owned text or NULL when the word
 * cannot be a code. */
const char *od_product_tag(const od_vocab *vocab, const char *word, od_arena *a);

#endif
