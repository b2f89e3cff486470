/*
 * zlib as the compression extensions see it. zlib's initialisers
 * (deflateInit2, inflateInit2) are function-like macros that pass the
 * header's version and sizeof(z_stream) along, so Swift cannot call them;
 * the static inline wrappers below do, and have no symbol of their own.
 *
 * Every stream here is raw DEFLATE (RFC 1951, negative windowBits): the
 * WebSocket compression extensions carry no zlib header or checksum.
 */
#ifndef CZLIB_H
#define CZLIB_H

#include <zlib.h>

static inline int czlib_deflate_init_raw(z_streamp stream, int level, int window_bits, int memory_level)
{
	return deflateInit2(stream, level, Z_DEFLATED, -window_bits, memory_level, Z_DEFAULT_STRATEGY);
}

static inline int czlib_inflate_init_raw(z_streamp stream, int window_bits)
{
	return inflateInit2(stream, -window_bits);
}

#endif
