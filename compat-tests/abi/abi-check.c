/*
 * abi-check: is our libwebsockets.h binary compatible with libwebsockets 1.4?
 *
 * Compares every fact of abi_expectations.inc (enum values, struct sizes and
 * member offsets, macro values, feature macros: the measured 1.4 ABI) with
 * what the compiler sees through <libwebsockets.h>. Prints one line per
 * mismatch, then "abi-check: N passed, M failed", and exits non-zero if
 * anything failed. With -v it also prints every fact it measured, in the
 * format of the 1.4 measurement, so the two can be diffed line by line.
 *
 * Some differences cannot wait for run time and stop the build instead:
 * a missing enumerator, struct member or macro; an enumerator that belongs
 * to another enum; a function prototype (abi_functions.inc) that differs
 * from the 1.4 one.
 *
 * Only compile-time facts are examined: no library function is called or
 * even referenced, so this program links without the library.
 *
 * Build: cc -std=c99 -Wall -Wextra -pedantic $(pkg-config --cflags libwebsockets) abi-check.c
 */

#include <libwebsockets.h>

#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* An enumerator given as a member of the wrong enum must not compile. */
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic error "-Wenum-conversion"
#endif

/* The text a macro expands to ("" for an empty macro), or, when it is not a
 * macro at all, its own name. */
#define ABI_STRINGIFY(x) #x
#define ABI_EXPANSION(x) ABI_STRINGIFY(x)

static int verbose;
static int passed;
static int failed;

/* Counts one fact; what is the fact as the 1.4 measurement words it, minus
 * the value. */
static void
record(int ok, const char *what, long actual, long expected)
{
	if (verbose)
		printf("%s = %ld\n", what, actual);
	if (ok) {
		passed++;
		return;
	}
	failed++;
	printf("MISMATCH %s: expected %ld, got %ld\n", what, expected, actual);
}

static void
check_value(const char *what, long actual, long expected)
{
	record(actual == expected, what, actual, expected);
}

/* A macro of the 1.4 header: it must be a macro (not, say, an enumerator
 * of the same name) and have the right value. */
static void
check_define(const char *what, const char *name, const char *expansion,
	     long actual, long expected)
{
	if (strcmp(name, expansion) == 0) {
		failed++;
		printf("MISMATCH %s: not a macro\n", what);
		return;
	}
	check_value(what, actual, expected);
}

/* libwebsocket_pollfd must be a macro naming struct pollfd. */
static void
check_pollfd(const char *what, const char *expansion, long actual,
	     long expected)
{
	if (strcmp(expansion, "pollfd") != 0) {
		failed++;
		printf("MISMATCH %s: libwebsocket_pollfd expands to \"%s\", "
		       "expected \"pollfd\"\n", what, expansion);
		return;
	}
	check_value(what, actual, expected);
}

/* Feature macros must be defined, with an empty expansion. All of them
 * together are one fact, as in the 1.4 measurement. */
static void
check_features(const char *const names[], const char *const expansions[],
	       int count)
{
	const char *what = "feature-macros defined (no value):";
	int i, ok = 1;

	for (i = 0; i < count; i++) {
		if (strcmp(names[i], expansions[i]) == 0) {
			ok = 0;
			printf("MISMATCH %s %s is not defined\n", what,
			       names[i]);
		} else if (expansions[i][0] != '\0') {
			ok = 0;
			printf("MISMATCH %s %s has the value \"%s\"\n", what,
			       names[i], expansions[i]);
		}
	}
	if (verbose) {
		printf("%s", what);
		for (i = 0; i < count; i++)
			if (strcmp(names[i], expansions[i]) != 0)
				printf(" %s", names[i]);
		printf("\n");
	}
	if (ok)
		passed++;
	else
		failed++;
}

/* Compile-time check of the function prototypes (GCC and clang). */
#if defined(__GNUC__) || defined(__clang__)
#define ABI_FUNCTION(name, ret, params)                                     \
	typedef ret abi_expected_##name params;                             \
	typedef char abi_prototype_of_##name[                               \
		__builtin_types_compatible_p(__typeof__(name),              \
					     abi_expected_##name) ? 1 : -1];
#include "abi_functions.inc"
#undef ABI_FUNCTION
#endif

static void
check_all(void)
{
#define ABI_ENUM(tag, name, value)                                          \
	{                                                                   \
		const enum tag member = name;                               \
		check_value("enum " #tag " " #name, (long)member, value);   \
	}
#define ABI_SIZEOF(tag, bytes)                                              \
	check_value("sizeof struct " #tag, (long)sizeof(struct tag), bytes);
#define ABI_OFFSETOF(tag, member, bytes)                                    \
	check_value("offsetof struct " #tag "." #member,                    \
		    (long)offsetof(struct tag, member), bytes);
#define ABI_DEFINE(name, value)                                             \
	check_define("define " #name, #name, ABI_EXPANSION(name),           \
		     (long)(name), value);
#define ABI_POLLFD_SIZEOF(bytes)                                            \
	check_pollfd("sizeof struct pollfd (libwebsocket_pollfd is "        \
		     "#defined to pollfd)",                                 \
		     ABI_EXPANSION(libwebsocket_pollfd),                    \
		     (long)sizeof(struct libwebsocket_pollfd), bytes);
#define ABI_FEATURES(m1, m2, m3, m4)                                        \
	{                                                                   \
		static const char *const names[] = {                        \
			#m1, #m2, #m3, #m4                                  \
		};                                                          \
		static const char *const expansions[] = {                   \
			ABI_EXPANSION(m1), ABI_EXPANSION(m2),               \
			ABI_EXPANSION(m3), ABI_EXPANSION(m4)                \
		};                                                          \
		check_features(names, expansions, 4);                       \
	}
#include "abi_expectations.inc"
}

int
main(int argc, char **argv)
{
	verbose = argc > 1 && strcmp(argv[1], "-v") == 0;

	check_all();

	printf("abi-check: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
