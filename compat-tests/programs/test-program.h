/*
 * test-program.h - the plumbing around main() that every test program
 * shares: numbers on the command line, SIGINT/SIGTERM, a monotonic clock
 *
 * None of this is libwebsockets.  Each program keeps its context, its
 * protocols, its callbacks and its service loop in view; it takes only
 * this from here, so that the part a reader learns from is not buried
 * under the same twenty lines of POSIX in every file.
 */

#ifndef LWS_TEST_PROGRAM_H
#define LWS_TEST_PROGRAM_H

#include <signal.h>

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

/*
 * Parses s as one whole number (decimal, 0x hex or 0 octal, as strtol's
 * base 0) in [min, max] into *out.  -1, with *out untouched, if s is
 * empty, has anything after the number, or is out of range.
 */
int test_parse_long(const char *s, long min, long max, long *out);

/* The same for an int option (min and max within int). */
int test_parse_int(const char *s, int min, int max, int *out);

/* CLOCK_MONOTONIC: for deadlines and intervals, immune to clock changes. */
long long test_monotonic_us(void);
long long test_monotonic_ms(void);

#endif /* LWS_TEST_PROGRAM_H */
