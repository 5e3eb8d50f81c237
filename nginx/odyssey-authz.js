// odyssey-authz.js: the cache key of the authz answers (njs 0.7, js_set).
//
// The HTTPS server caches the pool's GET /internal/authz answer (who is calling,
// for the rate-limit keys) for 1 s. The answer depends on exactly three request
// headers, which the key must cover, but the key is written into each cache
// file: so it is a SHA-256 of them, never the bearer token itself. The headers
// cannot contain a newline, so joining them with one is unambiguous.
//
// Only the hash is computed here (synchronous, no I/O): signatures are checked
// by the pool, which also knows the vendor (user_links).

import crypto from 'crypto';

// The same nginx variables the authz location passes as FastCGI params (so a
// repeated header counts exactly as it does there).
function key(r) {
    var v = r.variables;

    return crypto.createHash('sha256')
        .update((v.http_authorization || '') + '\n' + (v.http_x_vendor_id || '') + '\n' +
                (v.http_x_break_glass_justification || ''))
        .digest('hex');
}

export default { key };
