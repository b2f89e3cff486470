/*
 * The connection-free utilities of the public API: lws_get_library_version,
 * libwebsockets_SHA1, lws_b64_encode_string / lws_b64_decode_string,
 * libwebsockets_get_random and lws_token_to_string.
 */
#include <ctype.h>

#include "unit.h"

/* ------------------------------------------------------------------------ */

static void test_version(void)
{
	const char *v = lws_get_library_version();

	CHECK(v != NULL);
	if (!v)
		return;
	CHECK(!strncmp(v, "1.4", 3));
	/* "1.4" then a space and build information, as the header says. */
	CHECK(v[3] == ' ');
	CHECK(strlen(v) > 4);
	/* The same string every time. */
	CHECK(lws_get_library_version() == v);
}

/* ------------------------------------------------------------------------ */

static void to_hex(const unsigned char *md, char *hex)
{
	int i;

	for (i = 0; i < 20; i++)
		sprintf(hex + 2 * i, "%02x", md[i]);
}

static void check_sha1(const void *data, size_t n, const char *expected, const char *what)
{
	unsigned char md[20];
	char hex[41];
	unsigned char *r;

	memset(md, 0, sizeof(md));
	r = libwebsockets_SHA1((const unsigned char *)data, n, md);
	unit_record(r == md, __FILE__, __LINE__, "libwebsockets_SHA1 returns md");
	to_hex(md, hex);
	if (strcmp(hex, expected)) {
		unit_failed++;
		fprintf(stderr, "%s:%d: FAIL: SHA1 of %s is %s, expected %s\n",
			__FILE__, __LINE__, what, hex, expected);
	} else {
		unit_passed++;
	}
}

static void test_sha1(void)
{
	static const char two_blocks[] =
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	static const char long_message[] =
		"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
		"hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
	/* Lengths around the 55/56/64-byte padding boundaries, of 'a's. */
	static const struct { size_t n; const char *hex; } runs[] = {
		{ 55, "c1c8bbdc22796e28c0e15163d20899b65621d65a" },
		{ 56, "c2db330f6083854c99d4b5bfb6e8f29f201be699" },
		{ 63, "03f09f5b158a7a8cdad920bddc29b81c18a551f5" },
		{ 64, "0098ba824b5c16427bd7a1122a5a442a25ec644d" },
		{ 65, "11655326c708d70319be2610e8a57d9a5b959d3b" },
		{ 119, "ee971065aaa017e0632a8ca6c77bb3bf8b1dfc56" },
		{ 120, "f34c1488385346a55709ba056ddd08280dd4c6d6" },
		{ 128, "ad5b3fdbcb526778c2839d2f151ea753995e26a0" },
	};
	static const char ws_key[] =
		"dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
	unsigned char md[20], canary[24];
	char *million;
	char b64[32];
	size_t i;

	/* FIPS 180 examples. */
	check_sha1("abc", 3, "a9993e364706816aba3e25717850c26c9cd0d89d", "\"abc\"");
	check_sha1("", 0, "da39a3ee5e6b4b0d3255bfef95601890afd80709", "\"\"");
	check_sha1(two_blocks, strlen(two_blocks),
		   "84983e441c3bd26ebaae4aa1f95129e5e54670f1", "448-bit message");
	check_sha1(long_message, strlen(long_message),
		   "a49b2446a02c645bf419f995b67091253a04a259", "896-bit message");

	million = malloc(1000000);
	CHECK(million != NULL);
	if (million) {
		memset(million, 'a', 1000000);
		check_sha1(million, 1000000,
			   "34aa973cd4c4daa4f61eeb2bdbad27316534016f",
			   "one million 'a'");
		free(million);
	}

	for (i = 0; i < ARRAY_SIZE(runs); i++) {
		char a[128], what[32];

		memset(a, 'a', sizeof(a));
		snprintf(what, sizeof(what), "%zu 'a'", runs[i].n);
		check_sha1(a, runs[i].n, runs[i].hex, what);
	}

	/* NULL data is fine for an empty message. */
	CHECK(libwebsockets_SHA1(NULL, 0, md) == md);

	/* Exactly 20 bytes are written. */
	memset(canary, 0xEE, sizeof(canary));
	CHECK(libwebsockets_SHA1((const unsigned char *)"abc", 3, canary) == canary);
	CHECK(canary[20] == 0xEE && canary[21] == 0xEE && canary[23] == 0xEE);

	/* RFC 6455 section 1.3: the accept value of the sample key. */
	libwebsockets_SHA1((const unsigned char *)ws_key, strlen(ws_key), md);
	CHECK_INT(lws_b64_encode_string((const char *)md, 20, b64, sizeof(b64)), 28);
	CHECK_STR(b64, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

/* ------------------------------------------------------------------------ */

static const struct { const char *plain, *encoded; } rfc4648[] = {
	{ "", "" },
	{ "f", "Zg==" },
	{ "fo", "Zm8=" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" },
	{ "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
};

static int encoded_length(int n)
{
	return (n + 2) / 3 * 4;
}

/* Deterministic test bytes, covering all values. */
static void fill_pattern(unsigned char *p, int n, unsigned int seed)
{
	int i;

	for (i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (unsigned char)(seed >> 16);
	}
}

static void test_b64_vectors(void)
{
	char out[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rfc4648); i++) {
		const char *plain = rfc4648[i].plain, *encoded = rfc4648[i].encoded;
		int n;

		memset(out, 0x55, sizeof(out));
		n = lws_b64_encode_string(plain, (int)strlen(plain), out, sizeof(out));
		CHECK_INT(n, strlen(encoded));
		CHECK_STR(out, encoded);

		memset(out, 0x55, sizeof(out));
		n = lws_b64_decode_string(encoded, out, sizeof(out));
		CHECK_INT(n, strlen(plain));
		CHECK_STR(out, plain);
	}

	/* Every byte value, and both 62/63 characters. */
	{
		unsigned char all[256], back[257];
		char text[400];
		int n;

		for (n = 0; n < 256; n++)
			all[n] = (unsigned char)n;
		n = lws_b64_encode_string((const char *)all, 256, text, sizeof(text));
		CHECK_INT(n, encoded_length(256));
		CHECK(strchr(text, '+') != NULL && strchr(text, '/') != NULL);
		n = lws_b64_decode_string(text, (char *)back, sizeof(back));
		CHECK_INT(n, 256);
		CHECK_MEM(back, all, 256);
	}

	/* 0xFB 0xFF 0xBF: "+/+/" in the standard alphabet. */
	{
		static const unsigned char fb[] = { 0xFB, 0xFF, 0xBF };
		CHECK_INT(lws_b64_encode_string((const char *)fb, 3, out, sizeof(out)), 4);
		CHECK_STR(out, "+/+/");
		CHECK_INT(lws_b64_decode_string("+/+/", out, sizeof(out)), 3);
		CHECK_MEM(out, fb, 3);
		/* The URL-safe spelling decodes the same (as 1.4 did). */
		memset(out, 0, sizeof(out));
		CHECK_INT(lws_b64_decode_string("-_-_", out, sizeof(out)), 3);
		CHECK_MEM(out, fb, 3);
	}

	/* Padding may be left out. */
	CHECK_INT(lws_b64_decode_string("Zg", out, sizeof(out)), 1);
	CHECK_STR(out, "f");
	CHECK_INT(lws_b64_decode_string("Zm9vYmE", out, sizeof(out)), 5);
	CHECK_STR(out, "fooba");
}

/*
 * The exact room needed: encoded length + 1 for the NUL works, one byte less
 * fails with -1 and writes nothing past out_size.
 */
static void test_b64_boundaries(void)
{
	static const int lengths[] = { 0, 1, 2, 3, 4, 5, 6, 7, 15, 16, 17, 20, 31, 32, 33, 100, 255 };
	unsigned char in[256], back[300];
	char out[400], encoded[400];
	size_t i;
	int n, k;

	for (i = 0; i < ARRAY_SIZE(lengths); i++) {
		int len = lengths[i], need = encoded_length(len);
		int tail_ok = 1;

		fill_pattern(in, len, (unsigned int)len + 7);

		/* Fits exactly. */
		memset(out, 0x55, sizeof(out));
		n = lws_b64_encode_string((const char *)in, len, out, need + 1);
		CHECK_INT(n, need);
		CHECK_INT(out[need], 0);
		CHECK_INT((unsigned char)out[need + 1], 0x55);
		memcpy(encoded, out, need + 1);

		/* One byte short: -1, nothing written at or past out_size. */
		memset(out, 0x55, sizeof(out));
		n = lws_b64_encode_string((const char *)in, len, out, need);
		CHECK_INT(n, -1);
		for (k = need; k < need + 8; k++)
			if ((unsigned char)out[k] != 0x55)
				tail_ok = 0;
		unit_record(tail_ok, __FILE__, __LINE__, "encode wrote past out_size");

		/* Much too short as well. */
		if (need > 2)
			CHECK_INT(lws_b64_encode_string((const char *)in, len, out, need / 2), -1);

		/* Decoding needs the decoded length + 1. */
		memset(back, 0x55, sizeof(back));
		n = lws_b64_decode_string(encoded, (char *)back, len + 1);
		CHECK_INT(n, len);
		CHECK_MEM(back, in, len);
		CHECK_INT(back[len], 0);

		memset(back, 0x55, sizeof(back));
		n = lws_b64_decode_string(encoded, (char *)back, len);
		CHECK_INT(n, -1);
		tail_ok = 1;
		for (k = len; k < len + 8; k++)
			if (back[k] != 0x55)
				tail_ok = 0;
		unit_record(tail_ok, __FILE__, __LINE__, "decode wrote past out_size");
	}
}

/*
 * Binary data with NULs: encode takes a length, so NULs are data; decode
 * takes a NUL-terminated string, so its *input* ends at the first NUL, while
 * the decoded *output* may contain NULs (hence the return value).
 */
static void test_b64_binary(void)
{
	static const unsigned char bin[] = { 0, 1, 0, 255, 0 };
	char text[16], back[16];
	int n;

	n = lws_b64_encode_string((const char *)bin, sizeof(bin), text, sizeof(text));
	CHECK_INT(n, 8);
	CHECK_STR(text, "AAEA/wA=");
	memset(back, 0x55, sizeof(back));
	n = lws_b64_decode_string(text, back, sizeof(back));
	CHECK_INT(n, 5);
	CHECK_MEM(back, bin, 5);
	CHECK_INT(back[5], 0);

	/* Input ends at the first NUL: what follows is not decoded. */
	{
		static const char two[] = "Zm9v\0YmFy";

		memset(back, 0x55, sizeof(back));
		CHECK_INT(lws_b64_decode_string(two, back, sizeof(back)), 3);
		CHECK_STR(back, "foo");
	}
	/* An empty string decodes to nothing. */
	CHECK_INT(lws_b64_decode_string("", back, sizeof(back)), 0);
	CHECK_INT(back[0], 0);
	CHECK_INT(lws_b64_decode_string("", back, 1), 0);
}

/*
 * Malformed input. The header: characters outside the alphabet (line
 * breaks, spaces) are skipped, as 1.4 skipped them; what cannot be base64
 * however it is read (a lone trailing character, padding that does not end
 * the last quantum) gives -1.
 */
static void test_b64_invalid(void)
{
	static const char *const bad[] = {
		"Z", "Zm9vY", "Zg=", "Zg===", "=", "==", "Z=g=", "Zg==Zg==", "Zm9v=",
	};
	char out[64];
	size_t i;

	lws_set_log_level(0, NULL);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		int n = lws_b64_decode_string(bad[i], out, sizeof(out));

		if (n != -1) {
			unit_failed++;
			fprintf(stderr, "%s:%d: FAIL: \"%s\" decoded to %d, expected -1\n",
				__FILE__, __LINE__, bad[i], n);
		} else {
			unit_passed++;
		}
	}

	/* Skipped characters. */
	memset(out, 0, sizeof(out));
	CHECK_INT(lws_b64_decode_string("Zm9v\r\nYmFy\r\n", out, sizeof(out)), 6);
	CHECK_STR(out, "foobar");
	memset(out, 0, sizeof(out));
	CHECK_INT(lws_b64_decode_string(" Zm 9v YmE= ", out, sizeof(out)), 5);
	CHECK_STR(out, "fooba");
	memset(out, 0, sizeof(out));
	CHECK_INT(lws_b64_decode_string("Zm9v*YmFy!", out, sizeof(out)), 6);
	CHECK_STR(out, "foobar");
	/* Only skipped characters: nothing. */
	CHECK_INT(lws_b64_decode_string("\r\n \t", out, sizeof(out)), 0);
	/* Skipped characters do not count towards the room needed. */
	CHECK_INT(lws_b64_decode_string("Zm9v\n\n\n\n", out, 4), 3);
	lws_set_log_level(LLL_ERR | LLL_WARN | LLL_NOTICE, NULL);
}

/* ------------------------------------------------------------------------ */

static void test_random(void)
{
	unsigned char a[64 + 8], b[64 + 8], big[100000];
	int i, zero = 0, same = 0;

	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	memset(a + 64, 0xEE, 8);
	memset(b + 64, 0xEE, 8);
	CHECK_INT(libwebsockets_get_random(NULL, a, 64), 64);
	CHECK_INT(libwebsockets_get_random(NULL, b, 64), 64);
	CHECK(memcmp(a, b, 64) != 0);
	/* Not left zeroed: 64 zero bytes from a real source is impossible in
	 * practice; allow a few. */
	for (i = 0; i < 64; i++) {
		if (!a[i])
			zero++;
		if (a[i] == b[i])
			same++;
	}
	CHECK(zero < 8);
	CHECK(same < 8);
	/* Exactly len bytes. */
	CHECK(a[64] == 0xEE && a[71] == 0xEE);

	/* len 0 is fine and touches nothing. */
	memset(a, 0xEE, sizeof(a));
	CHECK_INT(libwebsockets_get_random(NULL, a, 0), 0);
	CHECK(a[0] == 0xEE);

	/* A large draw is filled completely: the last 64 bytes are not zero. */
	memset(big, 0, sizeof(big));
	CHECK_INT(libwebsockets_get_random(NULL, big, sizeof(big)), (int)sizeof(big));
	zero = 0;
	for (i = (int)sizeof(big) - 64; i < (int)sizeof(big); i++)
		if (!big[i])
			zero++;
	CHECK(zero < 8);
}

/* ------------------------------------------------------------------------ */

static void test_tokens(void)
{
	/* The names as the parser matches them: lower case, header names with
	 * their colon, methods with their space. */
	static const struct { enum lws_token_indexes token; const char *name; } expected[] = {
		{ WSI_TOKEN_GET_URI, "get " },
		{ WSI_TOKEN_POST_URI, "post " },
		{ WSI_TOKEN_OPTIONS_URI, "options " },
		{ WSI_TOKEN_HOST, "host:" },
		{ WSI_TOKEN_CONNECTION, "connection:" },
		{ WSI_TOKEN_UPGRADE, "upgrade:" },
		{ WSI_TOKEN_ORIGIN, "origin:" },
		{ WSI_TOKEN_DRAFT, "sec-websocket-draft:" },
		{ WSI_TOKEN_CHALLENGE, "\r\n" },
		{ WSI_TOKEN_EXTENSIONS, "sec-websocket-extensions:" },
		{ WSI_TOKEN_KEY1, "sec-websocket-key1:" },
		{ WSI_TOKEN_KEY2, "sec-websocket-key2:" },
		{ WSI_TOKEN_PROTOCOL, "sec-websocket-protocol:" },
		{ WSI_TOKEN_ACCEPT, "sec-websocket-accept:" },
		{ WSI_TOKEN_NONCE, "sec-websocket-nonce:" },
		{ WSI_TOKEN_HTTP, "http/1.1 " },
		{ WSI_TOKEN_HTTP2_SETTINGS, "http2-settings:" },
		{ WSI_TOKEN_HTTP_ACCEPT, "accept:" },
		{ WSI_TOKEN_HTTP_AC_REQUEST_HEADERS, "access-control-request-headers:" },
		{ WSI_TOKEN_HTTP_IF_MODIFIED_SINCE, "if-modified-since:" },
		{ WSI_TOKEN_HTTP_IF_NONE_MATCH, "if-none-match:" },
		{ WSI_TOKEN_HTTP_ACCEPT_ENCODING, "accept-encoding:" },
		{ WSI_TOKEN_HTTP_ACCEPT_LANGUAGE, "accept-language:" },
		{ WSI_TOKEN_HTTP_PRAGMA, "pragma:" },
		{ WSI_TOKEN_HTTP_CACHE_CONTROL, "cache-control:" },
		{ WSI_TOKEN_HTTP_AUTHORIZATION, "authorization:" },
		{ WSI_TOKEN_HTTP_COOKIE, "cookie:" },
		{ WSI_TOKEN_HTTP_CONTENT_LENGTH, "content-length:" },
		{ WSI_TOKEN_HTTP_CONTENT_TYPE, "content-type:" },
		{ WSI_TOKEN_HTTP_DATE, "date:" },
		{ WSI_TOKEN_HTTP_RANGE, "range:" },
		{ WSI_TOKEN_HTTP_REFERER, "referer:" },
		{ WSI_TOKEN_KEY, "sec-websocket-key:" },
		{ WSI_TOKEN_VERSION, "sec-websocket-version:" },
		{ WSI_TOKEN_SWORIGIN, "sec-websocket-origin:" },
		{ WSI_TOKEN_HTTP_COLON_AUTHORITY, ":authority:" },
		{ WSI_TOKEN_HTTP_COLON_METHOD, ":method:" },
		{ WSI_TOKEN_HTTP_COLON_PATH, ":path:" },
		{ WSI_TOKEN_HTTP_COLON_SCHEME, ":scheme:" },
		{ WSI_TOKEN_HTTP_COLON_STATUS, ":status:" },
		{ WSI_TOKEN_HTTP_ACCEPT_CHARSET, "accept-charset:" },
		{ WSI_TOKEN_HTTP_ACCEPT_RANGES, "accept-ranges:" },
		{ WSI_TOKEN_HTTP_ACCESS_CONTROL_ALLOW_ORIGIN, "access-control-allow-origin:" },
		{ WSI_TOKEN_HTTP_AGE, "age:" },
		{ WSI_TOKEN_HTTP_ALLOW, "allow:" },
		{ WSI_TOKEN_HTTP_CONTENT_DISPOSITION, "content-disposition:" },
		{ WSI_TOKEN_HTTP_CONTENT_ENCODING, "content-encoding:" },
		{ WSI_TOKEN_HTTP_CONTENT_LANGUAGE, "content-language:" },
		{ WSI_TOKEN_HTTP_CONTENT_LOCATION, "content-location:" },
		{ WSI_TOKEN_HTTP_CONTENT_RANGE, "content-range:" },
		{ WSI_TOKEN_HTTP_ETAG, "etag:" },
		{ WSI_TOKEN_HTTP_EXPECT, "expect:" },
		{ WSI_TOKEN_HTTP_EXPIRES, "expires:" },
		{ WSI_TOKEN_HTTP_FROM, "from:" },
		{ WSI_TOKEN_HTTP_IF_MATCH, "if-match:" },
		{ WSI_TOKEN_HTTP_IF_RANGE, "if-range:" },
		{ WSI_TOKEN_HTTP_IF_UNMODIFIED_SINCE, "if-unmodified-since:" },
		{ WSI_TOKEN_HTTP_LAST_MODIFIED, "last-modified:" },
		{ WSI_TOKEN_HTTP_LINK, "link:" },
		{ WSI_TOKEN_HTTP_LOCATION, "location:" },
		{ WSI_TOKEN_HTTP_MAX_FORWARDS, "max-forwards:" },
		{ WSI_TOKEN_HTTP_PROXY_AUTHENTICATE, "proxy-authenticate:" },
		{ WSI_TOKEN_HTTP_PROXY_AUTHORIZATION, "proxy-authorization:" },
		{ WSI_TOKEN_HTTP_REFRESH, "refresh:" },
		{ WSI_TOKEN_HTTP_RETRY_AFTER, "retry-after:" },
		{ WSI_TOKEN_HTTP_SERVER, "server:" },
		{ WSI_TOKEN_HTTP_SET_COOKIE, "set-cookie:" },
		{ WSI_TOKEN_HTTP_STRICT_TRANSPORT_SECURITY, "strict-transport-security:" },
		{ WSI_TOKEN_HTTP_TRANSFER_ENCODING, "transfer-encoding:" },
		{ WSI_TOKEN_HTTP_USER_AGENT, "user-agent:" },
		{ WSI_TOKEN_HTTP_VARY, "vary:" },
		{ WSI_TOKEN_HTTP_VIA, "via:" },
		{ WSI_TOKEN_HTTP_WWW_AUTHENTICATE, "www-authenticate:" },
		{ WSI_TOKEN_PROXY, "proxy " },
		{ WSI_TOKEN_PATCH_URI, "patch " },
		{ WSI_TOKEN_PUT_URI, "put " },
		{ WSI_TOKEN_DELETE_URI, "delete " },
		/* Library bookkeeping, never on the wire: no name. */
		{ WSI_TOKEN_HTTP_URI_ARGS, NULL },
		{ _WSI_TOKEN_CLIENT_SENT_PROTOCOLS, NULL },
		{ _WSI_TOKEN_CLIENT_PEER_ADDRESS, NULL },
		{ _WSI_TOKEN_CLIENT_URI, NULL },
		{ _WSI_TOKEN_CLIENT_HOST, NULL },
		{ _WSI_TOKEN_CLIENT_ORIGIN, NULL },
	};
	static const int out_of_range[] = {
		WSI_TOKEN_COUNT, WSI_TOKEN_NAME_PART, WSI_TOKEN_SKIPPING,
		WSI_TOKEN_SKIPPING_SAW_CR, WSI_PARSING_COMPLETE,
		WSI_INIT_TOKEN_MUXURL, 255, 1000, 0x7fffffff, -1,
	};
	int seen[WSI_TOKEN_COUNT];
	size_t i, j;

	memset(seen, 0, sizeof(seen));
	CHECK_INT(ARRAY_SIZE(expected), WSI_TOKEN_COUNT);
	for (i = 0; i < ARRAY_SIZE(expected); i++) {
		const char *name = (const char *)lws_token_to_string(expected[i].token);

		if (expected[i].token < WSI_TOKEN_COUNT)
			seen[expected[i].token]++;
		if ((!name && !expected[i].name) ||
		    (name && expected[i].name && !strcmp(name, expected[i].name))) {
			unit_passed++;
		} else {
			unit_failed++;
			fprintf(stderr, "%s:%d: FAIL: lws_token_to_string(%d) is \"%s\", expected \"%s\"\n",
				__FILE__, __LINE__, (int)expected[i].token,
				name ? name : "(null)",
				expected[i].name ? expected[i].name : "(null)");
		}
	}
	/* The table above names every index once. */
	for (i = 0; i < WSI_TOKEN_COUNT; i++)
		if (seen[i] != 1)
			break;
	CHECK_INT(i, WSI_TOKEN_COUNT);

	/* Shape and uniqueness of every name the library returns. */
	for (i = 0; i < WSI_TOKEN_COUNT; i++) {
		const char *name = (const char *)lws_token_to_string((enum lws_token_indexes)i);
		size_t len, k;
		int lower = 1;

		if (!name || i == WSI_TOKEN_CHALLENGE)
			continue;
		len = strlen(name);
		for (k = 0; k < len; k++)
			if (isupper((unsigned char)name[k]))
				lower = 0;
		unit_record(lower && len > 1 && (name[len - 1] == ':' || name[len - 1] == ' '),
			    __FILE__, __LINE__, "token name is lowercase and ends in ':' or ' '");
		for (j = i + 1; j < WSI_TOKEN_COUNT; j++) {
			const char *other = (const char *)lws_token_to_string((enum lws_token_indexes)j);

			if (other && !strcmp(name, other)) {
				unit_failed++;
				fprintf(stderr, "FAIL: tokens %zu and %zu share \"%s\"\n", i, j, name);
			}
		}
	}

	for (i = 0; i < ARRAY_SIZE(out_of_range); i++)
		CHECK(lws_token_to_string((enum lws_token_indexes)out_of_range[i]) == NULL);
}

/* The built-in extensions: a list ended by an entry without callback. */
static void test_internal_extensions(void)
{
	struct libwebsocket_extension *ext = libwebsocket_get_internal_extensions();
	int n = 0;

	CHECK(ext != NULL);
	while (ext && ext[n].callback && n < 16) {
		CHECK(ext[n].name != NULL);
		n++;
	}
	CHECK(n < 16);
	CHECK(libwebsocket_get_internal_extensions() == ext);
}

int main(void)
{
	/* Out-of-room calls below log ERR lines; keep them off stderr. */
	capture_start(LLL_ERR | LLL_WARN | LLL_NOTICE);
	test_version();
	test_sha1();
	test_b64_vectors();
	test_b64_boundaries();
	test_b64_binary();
	test_b64_invalid();
	test_random();
	test_tokens();
	test_internal_extensions();
	return unit_finish("test-utilities");
}
