// libssh2 as Swift sees it. Many of libssh2's calls are C macros over an `_ex` function,
// which Swift cannot import; each gets a static inline wrapper here.
#ifndef PMCONTROL_CLIBSSH2_SHIM_H
#define PMCONTROL_CLIBSSH2_SHIM_H

#include <libssh2.h>
#include <libssh2_sftp.h>

static inline LIBSSH2_SESSION *pm_session_init(void) {
    return libssh2_session_init_ex(NULL, NULL, NULL, NULL);
}

#endif
