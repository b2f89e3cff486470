/*
 * A minimal assertion kit for the C unit tests of the public API.
 *
 * Every CHECK counts as passed or failed; a failure prints where and what,
 * and the run goes on so one program reports all its failures at once. Each
 * program ends with unit_finish(), which prints "<name>: N passed, M failed"
 * and gives the exit status (non-zero when anything failed).
 *
 * Also here: a log emitter for lws_set_log_level() that records what the
 * library logs, so tests can assert that a failure was reported.
 */
#ifndef UNIT_H
#define UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>

static int unit_passed;
static int unit_failed;

static inline void unit_record(int ok, const char *file, int line, const char *what)
{
	if (ok) {
		unit_passed++;
		return;
	}
	unit_failed++;
	fprintf(stderr, "%s:%d: FAIL: %s\n", file, line, what);
}

#define CHECK(cond) unit_record((cond) != 0, __FILE__, __LINE__, #cond)

/* Integer equality, printing both values on failure. */
#define CHECK_INT(actual, expected) do { \
	long long a_ = (long long)(actual), e_ = (long long)(expected); \
	if (a_ == e_) { \
		unit_passed++; \
	} else { \
		unit_failed++; \
		fprintf(stderr, "%s:%d: FAIL: %s is %lld, expected %lld\n", \
			__FILE__, __LINE__, #actual, a_, e_); \
	} \
} while (0)

/* C string equality; NULL equals only NULL. */
#define CHECK_STR(actual, expected) do { \
	const char *a_ = (const char *)(actual), *e_ = (const char *)(expected); \
	if ((!a_ && !e_) || (a_ && e_ && !strcmp(a_, e_))) { \
		unit_passed++; \
	} else { \
		unit_failed++; \
		fprintf(stderr, "%s:%d: FAIL: %s is \"%s\", expected \"%s\"\n", \
			__FILE__, __LINE__, #actual, a_ ? a_ : "(null)", \
			e_ ? e_ : "(null)"); \
	} \
} while (0)

/* n bytes equal. */
#define CHECK_MEM(actual, expected, n) \
	unit_record(!memcmp((actual), (expected), (n)), __FILE__, __LINE__, \
		    "memcmp(" #actual ", " #expected ", " #n ") == 0")

static inline int unit_finish(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, unit_passed, unit_failed);
	fflush(stdout);
	return unit_failed ? 1 : 0;
}

/* ------------------------------------------------------------------------
 * Capturing the library's log lines
 * ------------------------------------------------------------------------ */

#define CAPTURE_MAX 128
#define CAPTURE_TEXT 2048

struct captured_line {
	int level;
	size_t length; /* strlen of the line as emitted */
	char text[CAPTURE_TEXT];
};

static struct captured_line captured[CAPTURE_MAX];
static int captured_count; /* lines emitted, even beyond CAPTURE_MAX */

/* An emit function for lws_set_log_level(). */
static inline void capture_emit(int level, const char *line)
{
	if (captured_count < CAPTURE_MAX) {
		struct captured_line *c = &captured[captured_count];

		c->level = level;
		c->length = line ? strlen(line) : 0;
		snprintf(c->text, sizeof(c->text), "%s", line ? line : "(null)");
	}
	captured_count++;
}

static inline void capture_reset(void)
{
	captured_count = 0;
}

/* Lines captured at exactly this level. */
static inline int capture_count_level(int level)
{
	int i, n = 0;

	for (i = 0; i < captured_count && i < CAPTURE_MAX; i++)
		if (captured[i].level == level)
			n++;
	return n;
}

/* The first captured line containing needle, or NULL. */
static inline const struct captured_line *capture_find(const char *needle)
{
	int i;

	for (i = 0; i < captured_count && i < CAPTURE_MAX; i++)
		if (strstr(captured[i].text, needle))
			return &captured[i];
	return NULL;
}

/* Start capturing everything at the given levels. */
static inline void capture_start(int levels)
{
	capture_reset();
	lws_set_log_level(levels, capture_emit);
}

/* A protocol callback that handles nothing, for tests that need a table. */
static inline int unit_noop_callback(struct libwebsocket_context *context,
				     struct libwebsocket *wsi,
				     enum libwebsocket_callback_reasons reason,
				     void *user, void *in, size_t len)
{
	(void)context; (void)wsi; (void)reason; (void)user; (void)in; (void)len;
	return 0;
}

#endif
