/*
 * test-crc32.h - the CRC-32 zlib computes, for test programs that report
 * what they sent or received in a form a test script (Python's zlib.crc32)
 * can check without seeing the bytes.
 */

#ifndef LWS_TEST_CRC32_H
#define LWS_TEST_CRC32_H

#include <stddef.h>
#include <stdint.h>

/*
 * Continues crc over n bytes at p.  Start with 0; the result of one call is
 * the crc to pass to the next, so a message seen in pieces gets the same
 * value as the whole.
 */
uint32_t test_crc32(uint32_t crc, const void *p, size_t n);

#endif /* LWS_TEST_CRC32_H */
