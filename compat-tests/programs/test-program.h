/*
 * test-program.h - the plumbing around main() that every test program
 * shares: the command line, SIGINT/SIGTERM, a monotonic clock
 *
 * None of this is libwebsockets.  Each program keeps its context, its
 * protocols, its callbacks and its service loop in view; it takes only
 * this from here, so that the part a reader learns from is not buried
 * under the same twenty lines of POSIX in every file.
 */

#ifndef LWS_TEST_PROGRAM_H
#define LWS_TEST_PROGRAM_H

#include <getopt.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>

/*
 * Set by SIGINT/SIGTERM once test_exit_on_signals() ran; a service loop
 * ends when it becomes non-zero.
 */
extern volatile sig_atomic_t test_force_exit;

/*
 * SIGINT and SIGTERM set test_force_exit.  Installed without SA_RESTART,
 * so a poll() blocked in libwebsocket_service() (or a program's own poll)
 * returns with EINTR and the loop sees the flag at once.
 */
void test_exit_on_signals(void);

/* What a program's option() says about one option. */
enum test_option_result {
	TEST_OPTION_TAKEN = 0,
	/* test_parse_command_line says "NAME: bad value 'ARG' for -C". */
	TEST_OPTION_BAD_VALUE = -1,
	/* Refused, and option() has already said why on stderr. */
	TEST_OPTION_REPORTED = -2,
};

/*
 * The getopt_long loop every program had, around the program's own
 * option(c, arg): c as getopt_long returned it, arg its argument (NULL for
 * a flag), answering with an enum test_option_result.
 *
 * Returns 1 after -h/--help (usage on stdout: exit 0); -1 after an option
 * getopt_long does not know (it said so; usage on stderr) or one option()
 * refused (exit non-zero); 0 otherwise, with optind at the first operand:
 * which operands a program takes is its own business.  name prefixes the
 * "bad value" message ("NAME: bad value ..."; NULL: no prefix).
 */
int test_parse_command_line(int argc, char **argv, const char *name,
			    const char *short_options,
			    const struct option *long_options,
			    void (*usage)(FILE *out),
			    int (*option)(int c, char *arg));

/*
 * Parses s as one whole number (decimal, 0x hex or 0 octal, as strtol's
 * base 0) in [min, max] into *out.  -1 (TEST_OPTION_BAD_VALUE), with *out
 * untouched, if s is empty, has anything after the number, or is out of
 * range; 0 (TEST_OPTION_TAKEN) if it fits, so option() can return it.
 */
int test_parse_long(const char *s, long min, long max, long *out);

/* The same for the other types options are kept in (bounds within long). */
int test_parse_int(const char *s, int min, int max, int *out);
int test_parse_uint(const char *s, unsigned int min, unsigned int max,
		    unsigned int *out);
int test_parse_size(const char *s, size_t min, size_t max, size_t *out);

/* CLOCK_MONOTONIC: for deadlines and intervals, immune to clock changes. */
long long test_monotonic_us(void);
long long test_monotonic_ms(void);

#endif /* LWS_TEST_PROGRAM_H */
