// The system zlib (Debian: zlib1g-dev), for ConnectRPC's gzip message compression.
// zlib's init functions are macros that pass the library version and struct size; Swift cannot
// import function-like macros, so these inline wrappers expand them.
#ifndef NETCLODE_CZLIB_SHIM_H
#define NETCLODE_CZLIB_SHIM_H

#include <zlib.h>

static inline int CZlib_deflateInit2(z_streamp stream, int level, int windowBits) {
    return deflateInit2(stream, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY);
}

static inline int CZlib_inflateInit2(z_streamp stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}

#endif
