/*
 * test-program.c - the command line, exit signals and the clock for the
 * test programs; see test-program.h
 */

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "test-program.h"

volatile sig_atomic_t test_force_exit;

static void
on_exit_signal(int sig)
{
	(void)sig;
	test_force_exit = 1;
}

void
test_exit_on_signals(void)
{
	struct sigaction sa;

	/*
	 * SIGPIPE is left alone on purpose: not dying of a peer that went
	 * away is the library's job, and the tests check that it does it.
	 */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_exit_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int
test_parse_command_line(int argc, char **argv, const char *name,
			const char *short_options,
			const struct option *long_options,
			void (*usage)(FILE *out),
			int (*option)(int c, char *arg))
{
	int c;

	while ((c = getopt_long(argc, argv, short_options, long_options,
				NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return 1;
		case '?':
			usage(stderr);
			return -1;
		}
		switch (option(c, optarg)) {
		case TEST_OPTION_TAKEN:
			break;
		case TEST_OPTION_BAD_VALUE:
			fprintf(stderr, "%s%sbad value '%s' for -%c\n",
				name ? name : "", name ? ": " : "", optarg, c);
			return -1;
		default:
			return -1;
		}
	}

	return 0;
}

int
test_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	v = strtol(s, &end, 0);
	if (end == s || *end || v < min || v > max)
		return -1;
	*out = v;

	return 0;
}

int
test_parse_int(const char *s, int min, int max, int *out)
{
	long v;

	if (test_parse_long(s, min, max, &v))
		return -1;
	*out = (int)v;

	return 0;
}

int
test_parse_uint(const char *s, unsigned int min, unsigned int max,
		unsigned int *out)
{
	long v;

	if (test_parse_long(s, (long)min, (long)max, &v))
		return -1;
	*out = (unsigned int)v;

	return 0;
}

int
test_parse_size(const char *s, size_t min, size_t max, size_t *out)
{
	long v;

	if (test_parse_long(s, (long)min, (long)max, &v))
		return -1;
	*out = (size_t)v;

	return 0;
}

long long
test_monotonic_us(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);

	return (long long)now.tv_sec * 1000000 + now.tv_nsec / 1000;
}

long long
test_monotonic_ms(void)
{
	return test_monotonic_us() / 1000;
}
