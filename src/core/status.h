/* status.h: return codes shared by every module (an enum, never bare ints). */
#ifndef OD_STATUS_H
#define OD_STATUS_H

typedef enum od_rc {
    OD_OK = 0,
    OD_ENOMEM,    /* allocation failed or an arena hit its cap */
    OD_ETOOBIG,   /* a bounded buffer would exceed its hard cap */
    OD_EINVAL,    /* bad input (caller's data) */
    OD_EIO,       /* a read or write on a descriptor failed */
    OD_EUNAVAIL,  /* a dependency (the database) is unreachable: retry later */
    OD_EDB,       /* the database answered with an error (see its SQLSTATE) */
    OD_ENOTFOUND  /* the thing asked for does not exist */
} od_rc;

/* Returns a static, human-readable name for rc ("ok", "out of memory", ...). */
const char *od_rc_str(od_rc rc);

#endif
