/* masterkey.h: the local KMS: master keys from ODYSSEY_MASTER_KEY or from the file
 * named by ODYSSEY_MASTER_KEY_FILE ("KEY_ID BASE64" lines, the first one active),
 * offered through the od_kms interface of crypto/secrets.h. Key bytes never leave
 * this module, and no message it writes contains them. See docs/secrets.md. */
#ifndef OD_MASTERKEY_H
#define OD_MASTERKEY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/status.h"
#include "crypto/secrets.h"

#define OD_MASTERKEY_MAX       64            /* keys in one file */
#define OD_MASTERKEY_FILE_MAX  (64 * 1024)   /* bytes of a key file */
#define OD_MASTERKEY_ENV       "ODYSSEY_MASTER_KEY"

typedef struct od_masterkeys od_masterkeys;

/* Parses len bytes of key-file text (borrowed; the caller wipes it). origin names
 * the text in messages (a path, or "ODYSSEY_MASTER_KEY"; borrowed). On OD_OK *out
 * is the key set (caller frees with od_masterkey_free). On OD_EINVAL err holds a
 * message naming origin and line, never key bytes, and *out is NULL. */
od_rc od_masterkey_parse(const char *text, size_t len, const char *origin,
                         od_masterkeys **out, char *err, size_t errlen);

/* Reads and parses the key file at path. Refuses a file that is not regular, larger
 * than OD_MASTERKEY_FILE_MAX, or accessible to others (mode & 007); a group-writable
 * file only gives a warning in warn ("" when none). A file of exactly 32 bytes that
 * is not text is taken as one raw key. Returns OD_OK (*out: caller frees), OD_EIO
 * (cannot read it) or OD_EINVAL, with err set. */
od_rc od_masterkey_load_file(const char *path, od_masterkeys **out, char *err, size_t errlen,
                             char *warn, size_t warnlen);

/* Loads the master keys the programs use: from the environment variable
 * ODYSSEY_MASTER_KEY when it is set and not empty (same format; ';' may stand for a
 * line break), else from the file at path (cfg->master_key_file). Same contract as
 * od_masterkey_load_file. */
od_rc od_masterkey_load(const char *path, od_masterkeys **out, char *err, size_t errlen,
                        char *warn, size_t warnlen);

/* Wipes and frees the key set. Accepts NULL. Any od_kms built on it dies with it. */
void od_masterkey_free(od_masterkeys *mk);

/* Fills *kms with the local KMS over mk (borrowed: mk must outlive *kms). It wraps
 * with the active (first) key and unwraps with any key of the set. */
void od_masterkey_kms(od_masterkeys *mk, od_kms *kms);

/* The id of the active (first) key; borrowed from mk. */
const char *od_masterkey_active_id(const od_masterkeys *mk);

/* The number of keys, and the id of key i (0 = active; borrowed, NULL past the end). */
size_t od_masterkey_count(const od_masterkeys *mk);
const char *od_masterkey_id(const od_masterkeys *mk, size_t i);

/* True when the set holds a key with this id. */
bool od_masterkey_has(const od_masterkeys *mk, const char *key_id);

/* Where the keys came from: the file path or "ODYSSEY_MASTER_KEY"; borrowed. */
const char *od_masterkey_source(const od_masterkeys *mk);

/* Writes a new key line "KEY_ID BASE64" (no newline) with 32 fresh random bytes
 * into line (n bytes, at least 112). key_id must be valid (od_secret_key_id_valid).
 * Returns OD_OK, OD_EINVAL (bad id), OD_ETOOBIG (line too small) or OD_EUNAVAIL (no
 * randomness). The caller prints it and wipes line. */
od_rc od_masterkey_generate(const char *key_id, char *line, size_t n);

#endif
