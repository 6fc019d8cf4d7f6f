/*
 * peercred: who is at the other end of a connected Unix-domain socket, as the kernel
 * recorded it when the peer called connect() (or socketpair()): its pid, uid, gid
 * (SO_PEERCRED) and supplementary groups (SO_PEERGROUPS, Linux 4.13 and later).
 * Node has no API for either; src/node/peer-credentials.ts is the only caller.
 *
 *   peerCredentials(fd: number) -> { pid, uid, gid, groups: number[] }
 *
 * A failed call throws an Error whose message names the call and the system's sentence
 * ("getsockopt(SO_PEERCRED): Socket operation on non-socket") and whose `code` is the
 * errno's name ("ENOTSOCK"), as Node's own system errors do. On a TCP socket Linux fills
 * SO_PEERCRED with pid 0 and uid and gid -1 and fails SO_PEERGROUPS with ENODATA, so the
 * function throws ENODATA there rather than return those values. On a system other than
 * Linux the function exists and always throws, code ENOTSUP.
 *
 * Plain C on Node-API (node_api.h) only: the binary does not depend on V8's or Node's
 * C++ ABI, so one build serves every Node version with the Node-API version it asks for.
 */

#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* struct ucred; before any system header */
#endif

#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#include <node_api.h>

#if defined(__linux__)
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS 59 /* asm-generic (x86, arm, arm64, riscv); only older libc headers lack it */
#endif
#endif

/* Throws if a Node-API call failed, then returns NULL from the calling function. */
#define NAPI_CALL(env, call)                                                                     \
  do {                                                                                           \
    if ((call) != napi_ok) {                                                                     \
      const napi_extended_error_info *info_ = NULL;                                              \
      bool pending_ = false;                                                                     \
      napi_get_last_error_info((env), &info_);                                                   \
      napi_is_exception_pending((env), &pending_);                                               \
      if (!pending_) {                                                                           \
        const char *message_ = info_ != NULL && info_->error_message != NULL                     \
                                   ? info_->error_message                                        \
                                   : "peercred: a Node-API call failed";                         \
        napi_throw_error((env), NULL, message_);                                                 \
      }                                                                                          \
      return NULL;                                                                               \
    }                                                                                            \
  } while (0)

#if defined(__linux__)

/* The errno's name, as Node spells it in an error's `code`; "UNKNOWN" as libuv says for others. */
static const char *errno_name(int err) {
  switch (err) {
#define NAME(e) \
  case e:       \
    return #e;
    NAME(EBADF)
    NAME(ENOTSOCK)
    NAME(ENOPROTOOPT)
    NAME(ENODATA)
    NAME(EINVAL)
    NAME(EFAULT)
    NAME(ENOMEM)
    NAME(ERANGE)
    NAME(EPERM)
    NAME(EACCES)
    NAME(ENOTCONN)
    NAME(EINTR)
    NAME(ENOTSUP)
#if EOPNOTSUPP != ENOTSUP
    NAME(EOPNOTSUPP)
#endif
#undef NAME
    default:
      return "UNKNOWN";
  }
}

/* Throws "<call>: <strerror>" with code set to the errno's name; returns NULL for the caller. */
static napi_value throw_errno(napi_env env, const char *call, int err) {
  char message[256];
  char reason[128] = "";
#if defined(__GLIBC__)
  /* GNU strerror_r returns the sentence, which may or may not be in the buffer given. */
  const char *sentence = strerror_r(err, reason, sizeof reason);
#else
  /* POSIX strerror_r (musl and others) fills the buffer. */
  const char *sentence = strerror_r(err, reason, sizeof reason) == 0 ? reason : "unknown error";
#endif
  snprintf(message, sizeof message, "%s: %s", call, sentence);
  napi_throw_error(env, errno_name(err), message);
  return NULL;
}

/* The supplementary groups of the peer into *groups (malloc'd; the caller frees), or an errno. */
static int peer_groups(int fd, gid_t **groups, size_t *count) {
  socklen_t length = 32 * sizeof(gid_t);
  /* ERANGE says how long the list is; it can only grow between two calls if the peer is
     replaced, which it is not on a connected socket, but bound the loop all the same. */
  for (int attempt = 0; attempt < 8; attempt++) {
    gid_t *buffer = malloc(length > 0 ? length : 1);
    if (buffer == NULL) return ENOMEM;
    socklen_t given = length;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, buffer, &given) == 0) {
      *groups = buffer;
      *count = given / sizeof(gid_t);
      return 0;
    }
    int err = errno;
    free(buffer);
    if (err != ERANGE) return err;
    /* The kernel wrote the length it needs; grow by at least double if it did not. */
    length = given > length ? given : length * 2;
  }
  return ERANGE;
}

static napi_value peer_credentials(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));

  napi_valuetype type = napi_undefined;
  if (argc >= 1) NAPI_CALL(env, napi_typeof(env, argv[0], &type));
  if (type != napi_number) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "peerCredentials: fd must be a number");
    return NULL;
  }
  double value = 0;
  NAPI_CALL(env, napi_get_value_double(env, argv[0], &value));
  if (!(value >= 0 && value <= INT_MAX) || (double)(int)value != value) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "peerCredentials: fd must be a non-negative integer");
    return NULL;
  }
  int fd = (int)value;

  struct ucred cred;
  socklen_t size = sizeof cred;
  memset(&cred, 0, sizeof cred);
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &size) != 0) {
    return throw_errno(env, "getsockopt(SO_PEERCRED)", errno);
  }

  gid_t *groups = NULL;
  size_t count = 0;
  int err = peer_groups(fd, &groups, &count);
  if (err != 0) return throw_errno(env, "getsockopt(SO_PEERGROUPS)", err);

  napi_value result, number, list;
  napi_status status = napi_create_object(env, &result);
  if (status == napi_ok) status = napi_create_int32(env, (int32_t)cred.pid, &number);
  if (status == napi_ok) status = napi_set_named_property(env, result, "pid", number);
  if (status == napi_ok) status = napi_create_uint32(env, (uint32_t)cred.uid, &number);
  if (status == napi_ok) status = napi_set_named_property(env, result, "uid", number);
  if (status == napi_ok) status = napi_create_uint32(env, (uint32_t)cred.gid, &number);
  if (status == napi_ok) status = napi_set_named_property(env, result, "gid", number);
  if (status == napi_ok) status = napi_create_array_with_length(env, count, &list);
  for (size_t i = 0; status == napi_ok && i < count; i++) {
    status = napi_create_uint32(env, (uint32_t)groups[i], &number);
    if (status == napi_ok) status = napi_set_element(env, list, (uint32_t)i, number);
  }
  if (status == napi_ok) status = napi_set_named_property(env, result, "groups", list);
  free(groups);
  NAPI_CALL(env, status);
  return result;
}

#else /* not Linux */

static napi_value peer_credentials(napi_env env, napi_callback_info info) {
  (void)info;
  napi_throw_error(env, "ENOTSUP", "peerCredentials: SO_PEERCRED and SO_PEERGROUPS are available on Linux only");
  return NULL;
}

#endif

NAPI_MODULE_INIT() {
  napi_value fn;
  NAPI_CALL(env, napi_create_function(env, "peerCredentials", NAPI_AUTO_LENGTH, peer_credentials, NULL, &fn));
  NAPI_CALL(env, napi_set_named_property(env, exports, "peerCredentials", fn));
  return exports;
}
