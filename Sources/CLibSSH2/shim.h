// libssh2 as Swift sees it. Many of libssh2's calls are C macros over an `_ex` function,
// which Swift cannot import; each one we use gets a static inline wrapper here, named
// `pm_` plus the macro's name without `libssh2_`.
#ifndef PMCONTROL_CLIBSSH2_SHIM_H
#define PMCONTROL_CLIBSSH2_SHIM_H

#include <errno.h>
#include <string.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <libssh2.h>
#include <libssh2_sftp.h>

// MARK: session

static inline LIBSSH2_SESSION *pm_session_init(void) {
    return libssh2_session_init_ex(NULL, NULL, NULL, NULL);
}

static inline int pm_session_disconnect(LIBSSH2_SESSION *session, const char *description) {
    return libssh2_session_disconnect_ex(session, SSH_DISCONNECT_BY_APPLICATION, description, "");
}

// The receive callback: a plain recv, then TCP_QUICKACK. sshd leaves Nagle on for non-PTY
// exec, so its last small packets wait for our delayed ACK (about 45 ms a session); acking
// at once removes that stall. The kernel clears QUICKACK again by itself, hence every call.
// libssh2 expects -errno on failure.
static ssize_t pm_recv_quickack(libssh2_socket_t socket, void *buffer, size_t length,
                                int flags, void **abstract) {
    (void)abstract;
    ssize_t received = recv(socket, buffer, length, flags);
    if (received < 0) {
        return -errno;
    }
#ifdef TCP_QUICKACK
    int one = 1;
    (void)setsockopt(socket, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
#endif
    return received;
}

static inline void pm_session_use_quickack_recv(LIBSSH2_SESSION *session) {
    (void)libssh2_session_callback_set(session, LIBSSH2_CALLBACK_RECV, (void *)pm_recv_quickack);
}

// MARK: authentication

static inline int pm_userauth_publickey_fromfile(LIBSSH2_SESSION *session, const char *username,
                                                 const char *privatekey) {
    // A NULL public key file makes libssh2 derive the public key from the private one.
    return libssh2_userauth_publickey_fromfile_ex(session, username, (unsigned int)strlen(username),
                                                  NULL, privatekey, NULL);
}

// MARK: channels

static inline LIBSSH2_CHANNEL *pm_channel_open_session(LIBSSH2_SESSION *session) {
    return libssh2_channel_open_ex(session, "session", sizeof("session") - 1,
                                   LIBSSH2_CHANNEL_WINDOW_DEFAULT, LIBSSH2_CHANNEL_PACKET_DEFAULT,
                                   NULL, 0);
}

static inline int pm_channel_exec(LIBSSH2_CHANNEL *channel, const char *command) {
    return libssh2_channel_process_startup(channel, "exec", sizeof("exec") - 1,
                                           command, (unsigned int)strlen(command));
}

static inline int pm_channel_shell(LIBSSH2_CHANNEL *channel) {
    return libssh2_channel_process_startup(channel, "shell", sizeof("shell") - 1, NULL, 0);
}

static inline int pm_channel_request_pty(LIBSSH2_CHANNEL *channel, const char *term,
                                         int columns, int rows) {
    return libssh2_channel_request_pty_ex(channel, term, (unsigned int)strlen(term), NULL, 0,
                                          columns, rows, 0, 0);
}

static inline int pm_channel_request_pty_size(LIBSSH2_CHANNEL *channel, int columns, int rows) {
    return libssh2_channel_request_pty_size_ex(channel, columns, rows, 0, 0);
}

static inline ssize_t pm_channel_read(LIBSSH2_CHANNEL *channel, char *buffer, size_t length) {
    return libssh2_channel_read_ex(channel, 0, buffer, length);
}

static inline ssize_t pm_channel_read_stderr(LIBSSH2_CHANNEL *channel, char *buffer, size_t length) {
    return libssh2_channel_read_ex(channel, SSH_EXTENDED_DATA_STDERR, buffer, length);
}

static inline ssize_t pm_channel_write(LIBSSH2_CHANNEL *channel, const char *buffer, size_t length) {
    return libssh2_channel_write_ex(channel, 0, buffer, length);
}

// A channel type no server offers: the open is refused, and while waiting for the refusal
// libssh2 reads and handles everything the server sent before it (keepalive requests, key
// re-exchange). libssh2 has no other call that reads the socket without a channel.
static inline LIBSSH2_CHANNEL *pm_channel_open_drain(LIBSSH2_SESSION *session) {
    static const char type[] = "drain@pmcontrol.invalid";
    return libssh2_channel_open_ex(session, type, sizeof(type) - 1,
                                   LIBSSH2_CHANNEL_WINDOW_DEFAULT, LIBSSH2_CHANNEL_PACKET_DEFAULT,
                                   NULL, 0);
}

// MARK: SFTP

static inline LIBSSH2_SFTP_HANDLE *pm_sftp_open(LIBSSH2_SFTP *sftp, const char *path,
                                               unsigned long flags, long mode) {
    return libssh2_sftp_open_ex(sftp, path, (unsigned int)strlen(path), flags, mode,
                                LIBSSH2_SFTP_OPENFILE);
}

static inline int pm_sftp_fsetstat(LIBSSH2_SFTP_HANDLE *handle, LIBSSH2_SFTP_ATTRIBUTES *attributes) {
    return libssh2_sftp_fstat_ex(handle, attributes, 1);
}

static inline int pm_sftp_unlink(LIBSSH2_SFTP *sftp, const char *path) {
    return libssh2_sftp_unlink_ex(sftp, path, (unsigned int)strlen(path));
}

static inline int pm_sftp_rename(LIBSSH2_SFTP *sftp, const char *from, const char *to) {
    return libssh2_sftp_rename_ex(sftp, from, (unsigned int)strlen(from), to, (unsigned int)strlen(to),
                                  LIBSSH2_SFTP_RENAME_OVERWRITE | LIBSSH2_SFTP_RENAME_ATOMIC |
                                      LIBSSH2_SFTP_RENAME_NATIVE);
}

static inline int pm_sftp_close(LIBSSH2_SFTP_HANDLE *handle) {
    return libssh2_sftp_close_handle(handle);
}

#endif
