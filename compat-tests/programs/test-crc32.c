/*
 * test-crc32.c - CRC-32 (reflected polynomial 0xEDB88320, as zlib and
 * Python's zlib.crc32 compute it), table driven.
 */

#include "test-crc32.h"

static uint32_t table[256];
static int table_ready;

static void
make_table(void)
{
	uint32_t c;
	int i, b;

	for (i = 0; i < 256; i++) {
		c = (uint32_t)i;
		for (b = 0; b < 8; b++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		table[i] = c;
	}
	table_ready = 1;
}

uint32_t
test_crc32(uint32_t crc, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	if (!table_ready)
		make_table();
	crc = ~crc;
	for (i = 0; i < n; i++)
		crc = table[(crc ^ b[i]) & 0xff] ^ (crc >> 8);

	return ~crc;
}
