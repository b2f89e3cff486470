/*
 * Logging: lws_set_log_level (level bitfield and emit function), the lwsl_*
 * macros, _lws_log / _lws_logv, the default stderr emitter's line format,
 * lwsl_emit_syslog, lwsl_hexdump, truncation of over-long lines, and the
 * 1.4 line endings: the library's own lines end in "\n", an application's
 * _lws_log line arrives exactly as formatted.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <syslog.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"

/* Lower-cased copy, for case-insensitive searches (hex digits). */
static void lowercase(char *dst, const char *src, size_t size)
{
	size_t i;

	for (i = 0; i + 1 < size && src[i]; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	dst[i] = 0;
}

/* Reads everything from fd until EOF. */
static size_t read_all(int fd, char *buf, size_t size)
{
	size_t got = 0;

	while (got + 1 < size) {
		ssize_t n = read(fd, buf + got, size - 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = 0;
	return got;
}

/* A context-free way to make the library log a line of its own (ERR). */
static void provoke_library_error(void)
{
	CHECK(libwebsocket_create_context(NULL) == NULL);
}

/*
 * "[<seconds>:<6-digit microseconds>] <LEVEL>: <message>"; returns the
 * message part, or NULL when the line does not have that shape.
 */
static const char *parse_stderr_line(const char *line, long *seconds, const char *level)
{
	const char *p = line;
	int digits = 0;

	if (*p++ != '[')
		return NULL;
	*seconds = 0;
	while (isdigit((unsigned char)*p)) {
		*seconds = *seconds * 10 + (*p++ - '0');
		digits++;
	}
	if (!digits || *p++ != ':')
		return NULL;
	for (digits = 0; isdigit((unsigned char)*p); p++)
		digits++;
	/* 1.4's format: the fraction of the second in units of 100 us. */
	if (digits != 4 || *p++ != ']' || *p++ != ' ')
		return NULL;
	if (strncmp(p, level, strlen(level)))
		return NULL;
	p += strlen(level);
	if (*p++ != ':' || *p++ != ' ')
		return NULL;
	return p;
}

/*
 * Runs body in a child whose stderr is a pipe (so this process keeps its
 * stderr and its log settings) and returns what it wrote there in out.
 * Checks that the child exited normally and that its output is whole lines:
 * newline-terminated, with no empty line (no doubled newline).
 */
static void stderr_of(void (*body)(void), char *out, size_t size)
{
	int fds[2], status = -1;
	pid_t pid;

	out[0] = 0;
	CHECK(pipe(fds) == 0);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	CHECK(pid >= 0);
	if (pid < 0)
		return;
	if (!pid) {
		close(fds[0]);
		dup2(fds[1], 2);
		close(fds[1]);
		body();
		_exit(0);
	}
	close(fds[1]);
	read_all(fds[0], out, size);
	close(fds[0]);
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(strlen(out) > 0 && out[strlen(out) - 1] == '\n');
	CHECK(strstr(out, "\n\n") == NULL);
}

static void log_to_default_emitter(void)
{
	lwsl_notice("hello %d %s", 42, "world");
	_lws_log(LLL_INFO, "info is off by default");
	_lws_log(LLL_DEBUG, "debug is off by default");
	lwsl_err("bad %s", "thing");
	/* A line that already ends in a newline gets no second one... */
	lwsl_warn("careful\n");
	/* ...and neither does one of the library's own, which all do. */
	provoke_library_error();
}

/* The default emitter, which must still be in place. */
static void test_default_stderr_emitter(void)
{
	char out[4096], *line, *save = NULL;
	const char *expect[][2] = {
		{ "NOTICE", "hello 42 world" },
		{ "ERR", "bad thing" },
		{ "WARN", "careful" },
		{ "ERR", "libwebsocket_create_context: info is NULL" },
	};
	int lines = 0;
	struct timeval before, after;

	gettimeofday(&before, NULL);
	stderr_of(log_to_default_emitter, out, sizeof(out));
	gettimeofday(&after, NULL);

	/* Exactly these lines, in order. */
	CHECK(strstr(out, "off by default") == NULL);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		long seconds = -1;
		const char *message;

		if (lines >= (int)ARRAY_SIZE(expect)) {
			unit_failed++;
			fprintf(stderr, "FAIL: unexpected stderr line \"%s\"\n", line);
			lines++;
			continue;
		}
		message = parse_stderr_line(line, &seconds, expect[lines][0]);
		if (!message) {
			unit_failed++;
			fprintf(stderr, "FAIL: stderr line \"%s\" is not \"[s:NNNN] %s: ...\"\n",
				line, expect[lines][0]);
		} else {
			unit_passed++;
			CHECK_STR(message, expect[lines][1]);
			/* The timestamp is the wall clock of the logging. */
			CHECK(seconds >= before.tv_sec && seconds <= after.tv_sec);
		}
		lines++;
	}
	CHECK_INT(lines, (int)ARRAY_SIZE(expect));
}

/* ------------------------------------------------------------------------ */

static void test_level_filtering(void)
{
	static const int levels[] = {
		LLL_ERR, LLL_WARN, LLL_NOTICE, LLL_INFO, LLL_DEBUG, LLL_PARSER,
		LLL_HEADER, LLL_EXT, LLL_CLIENT, LLL_LATENCY,
	};
	size_t i;

	/* Only the chosen bits get through. */
	capture_start(LLL_ERR | LLL_NOTICE);
	lwsl_err("e1");
	lwsl_warn("w1");
	lwsl_notice("n1");
	_lws_log(LLL_INFO, "i1");
	_lws_log(LLL_DEBUG, "d1");
	CHECK_INT(captured_count, 2);
	CHECK_INT(captured[0].level, LLL_ERR);
	CHECK_STR(captured[0].text, "e1");
	CHECK_INT(captured[1].level, LLL_NOTICE);
	CHECK_STR(captured[1].text, "n1");

	/* Each level alone enables exactly itself. */
	for (i = 0; i < ARRAY_SIZE(levels); i++) {
		size_t j;

		capture_start(levels[i]);
		for (j = 0; j < ARRAY_SIZE(levels); j++)
			_lws_log(levels[j], "level %d", levels[j]);
		CHECK_INT(captured_count, 1);
		CHECK_INT(captured[0].level, levels[i]);
	}

	/* All of them, each reported with its own single level. */
	capture_start((1 << LLL_COUNT) - 1);
	for (i = 0; i < ARRAY_SIZE(levels); i++)
		_lws_log(levels[i], "all %zu", i);
	CHECK_INT(captured_count, ARRAY_SIZE(levels));
	for (i = 0; i < ARRAY_SIZE(levels) && (int)i < captured_count; i++) {
		char want[16];

		snprintf(want, sizeof(want), "all %zu", i);
		CHECK_INT(captured[i].level, levels[i]);
		CHECK_STR(captured[i].text, want);
	}

	/* Level 0: silence. */
	capture_start(0);
	lwsl_err("nothing");
	lwsl_warn("nothing");
	lwsl_notice("nothing");
	CHECK_INT(captured_count, 0);

	/* NULL keeps the emitter (still capture_emit) and sets the level. */
	capture_start(LLL_ERR);
	lws_set_log_level(LLL_WARN, NULL);
	lwsl_err("not any more");
	lwsl_warn("kept emitter");
	CHECK_INT(captured_count, 1);
	CHECK_STR(captured[0].text, "kept emitter");
	CHECK_INT(captured[0].level, LLL_WARN);
}

static void test_formatting(void)
{
	void (*log_fn)(int, const char *, ...) = _lws_log;

	capture_start(LLL_ERR | LLL_WARN | LLL_NOTICE | LLL_INFO);
	lwsl_notice("int %d, neg %d, str %s, hex %04x, char %c, pct %%, long %ld, size %zu",
		    42, -7, "abc", 0xbe, 'Z', 1234567890123L, (size_t)99);
	CHECK_INT(captured_count, 1);
	CHECK_STR(captured[0].text,
		  "int 42, neg -7, str abc, hex 00be, char Z, pct %, long 1234567890123, size 99");
	/* The line is passed exactly as formatted: no newline added. */
	capture_reset();
	lwsl_err("%s", "");
	CHECK_INT(captured_count, 1);
	CHECK_STR(captured[0].text, "");
	capture_reset();
	_lws_log(LLL_INFO, "%.3s|%5s|%-3d|", "abcdef", "ab", 7);
	CHECK_STR(captured[0].text, "abc|   ab|7  |");

	/* A NULL format is ignored, not dereferenced. */
	capture_reset();
	log_fn(LLL_ERR, NULL);
	CHECK_INT(captured_count, 0);
}

/* A variadic function of the application's own, forwarding to _lws_logv. */
static void app_log(int filter, const char *format, ...) LWS_PRINTF_FORMAT(2, 3);
static void app_log(int filter, const char *format, ...)
{
	va_list ap;

	va_start(ap, format);
	_lws_logv(filter, format, ap);
	va_end(ap);
}

static void test_logv(void)
{
	capture_start(LLL_WARN | LLL_INFO);
	app_log(LLL_WARN, "via logv %d-%s", 5, "five");
	app_log(LLL_INFO, "%u%%", 100u);
	app_log(LLL_ERR, "filtered %d", 1);
	CHECK_INT(captured_count, 2);
	CHECK_INT(captured[0].level, LLL_WARN);
	CHECK_STR(captured[0].text, "via logv 5-five");
	CHECK_INT(captured[1].level, LLL_INFO);
	CHECK_STR(captured[1].text, "100%");
}

/*
 * The library's own lines, as 1.4's, end in exactly one "\n": applications
 * that cut the last character off before printing (a common 1.4-era
 * emitter) must get "listening on port 9100", not "...port 910".
 */
static int ends_in_one_newline(const struct captured_line *line)
{
	return line->length > 0 && line->text[line->length - 1] == '\n' &&
	       strchr(line->text, '\n') == line->text + line->length - 1;
}

static void check_library_line(const char *needle, const char *without_newline)
{
	const struct captured_line *line = capture_find(needle);

	CHECK(line != NULL);
	if (!line)
		return;
	CHECK(ends_in_one_newline(line));
	CHECK(line->length == strlen(without_newline) + 1 &&
	      !strncmp(line->text, without_newline, line->length - 1));
}

static void test_library_lines_end_in_newline(void)
{
	struct libwebsocket_protocols protocols[] = {
		{ "http-only", unit_noop_callback, 0, 0, 0, NULL, NULL, 0 },
		{ NULL, NULL, 0, 0, 0, NULL, NULL, 0 },
	};
	struct lws_context_creation_info info;
	struct libwebsocket_context *context;
	unsigned char byte = 'x';

	capture_start(LLL_ERR | LLL_NOTICE | LLL_DEBUG);
	provoke_library_error();
	check_library_line("info is NULL", "libwebsocket_create_context: info is NULL");

	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.gid = -1;
	info.uid = -1;
	context = libwebsocket_create_context(&info);
	CHECK(context != NULL);
	if (context)
		libwebsocket_context_destroy(context);
	check_library_line("context created",
			   "libwebsockets context created, 1 protocols, port -1");

	/* Every line, the hexdump's included. */
	capture_reset();
	(lwsl_hexdump)(&byte, 1);
	CHECK_INT(captured_count, 1);
	if (captured_count == 1)
		CHECK(ends_in_one_newline(&captured[0]));
}

/* Longer than the library's 1024-byte line buffer: cut, terminated, no overrun. */
static void test_truncation(void)
{
	static char big[3000];
	size_t i;
	int all_x = 1;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	capture_start(LLL_ERR);
	lwsl_err("%s", big);
	CHECK_INT(captured_count, 1);
	CHECK_INT(captured[0].length, 1023);
	for (i = 0; i < captured[0].length; i++)
		if (captured[0].text[i] != 'x')
			all_x = 0;
	CHECK(all_x);

	/* Width padding past the buffer, then more text. */
	capture_reset();
	lwsl_err("%2000d<tail>", 1);
	CHECK_INT(captured_count, 1);
	CHECK_INT(captured[0].length, 1023);
	CHECK(strstr(captured[0].text, "<tail>") == NULL);

	/* Just fitting: 1023 characters arrive whole. */
	big[1023] = 0;
	capture_reset();
	lwsl_err("%s", big);
	CHECK_INT(captured[0].length, 1023);
}

static void log_through_syslog(void)
{
	openlog("lws-unit-logging", LOG_PERROR, LOG_USER);
	lws_set_log_level(LLL_ERR, lwsl_emit_syslog);
	provoke_library_error();
	lwsl_err("from C with newline\n");
	lwsl_err("from C without newline");
	closelog();
}

/*
 * lwsl_emit_syslog, as the emitter, logs one record per line: with
 * LOG_PERROR syslog(3) copies each to stderr, where a record carrying a
 * doubled newline would show as an empty line.
 */
static void test_syslog_one_line_per_message(void)
{
	char out[4096], *line, *save = NULL;
	const char *expect[] = {
		"libwebsocket_create_context: info is NULL",
		"from C with newline",
		"from C without newline",
	};
	int lines = 0;

	stderr_of(log_through_syslog, out, sizeof(out));
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (lines < (int)ARRAY_SIZE(expect) && strstr(line, expect[lines])) {
			unit_passed++;
		} else {
			unit_failed++;
			fprintf(stderr, "FAIL: syslog stderr line %d \"%s\"\n", lines, line);
		}
		lines++;
	}
	CHECK_INT(lines, (int)ARRAY_SIZE(expect));
}

static void test_syslog(void)
{
	/* Callable directly with every level, and as the emitter. */
	lwsl_emit_syslog(LLL_ERR, "libwebsockets unit test: syslog err line");
	lwsl_emit_syslog(LLL_WARN, "libwebsockets unit test: syslog warn line");
	lwsl_emit_syslog(LLL_NOTICE, "libwebsockets unit test: syslog notice line");
	lwsl_emit_syslog(LLL_INFO, "libwebsockets unit test: syslog info line");
	lwsl_emit_syslog(LLL_DEBUG, "libwebsockets unit test: syslog debug line");
	lwsl_emit_syslog(LLL_LATENCY, "libwebsockets unit test: syslog latency line");
	lwsl_emit_syslog(LLL_NOTICE, NULL);
	lws_set_log_level(LLL_NOTICE, lwsl_emit_syslog);
	lwsl_notice("libwebsockets unit test: %s", "through the emitter");
	/* And back: the next emitter replaces syslog. */
	capture_start(LLL_NOTICE);
	lwsl_notice("captured again");
	CHECK_INT(captured_count, 1);
	CHECK_STR(captured[0].text, "captured again");
}

static void test_hexdump(void)
{
	unsigned char buf[40];
	char low[CAPTURE_TEXT];
	int i;

	memcpy(buf, "0123456789ABCDEF", 16);
	buf[16] = 0x00;
	buf[17] = 0x01;
	buf[18] = 0xfe;
	buf[19] = 0xff;
	for (i = 20; i < 40; i++)
		buf[i] = (unsigned char)('a' + i - 20);

	/* Debug off: nothing at all. The parentheses reach the function even
	 * though the lwsl_hexdump() macro is a no-op without _DEBUG. */
	capture_start(LLL_ERR | LLL_WARN | LLL_NOTICE | LLL_INFO);
	(lwsl_hexdump)(buf, 20);
	CHECK_INT(captured_count, 0);

	capture_start(LLL_DEBUG);
	(lwsl_hexdump)(buf, 20);
	CHECK_INT(captured_count, 2);
	CHECK_INT(capture_count_level(LLL_DEBUG), captured_count);
	if (captured_count >= 2) {
		lowercase(low, captured[0].text, sizeof(low));
		CHECK(strstr(low, "30 31 32 33 34 35 36 37 38 39 41 42 43 44 45 46") != NULL);
		/* The printable bytes are shown as text too. */
		CHECK(strstr(captured[0].text, "0123456789ABCDEF") != NULL);
		lowercase(low, captured[1].text, sizeof(low));
		CHECK(strstr(low, "00 01 fe ff") != NULL);
		/* Nothing of line 1 is repeated on line 2. */
		CHECK(strstr(low, "30 31") == NULL);
	}

	/* 16 bytes a line. */
	capture_reset();
	(lwsl_hexdump)(buf, 16);
	CHECK_INT(captured_count, 1);
	capture_reset();
	(lwsl_hexdump)(buf, 17);
	CHECK_INT(captured_count, 2);
	capture_reset();
	(lwsl_hexdump)(buf, 40);
	CHECK_INT(captured_count, 3);
	if (captured_count == 3) {
		lowercase(low, captured[2].text, sizeof(low));
		/* 'm'..'t' = bytes 32..39 */
		CHECK(strstr(low, "6d 6e 6f 70 71 72 73 74") != NULL);
	}
	capture_reset();
	(lwsl_hexdump)(buf, 1);
	CHECK_INT(captured_count, 1);
	if (captured_count == 1) {
		lowercase(low, captured[0].text, sizeof(low));
		CHECK(strstr(low, "30") != NULL);
		CHECK(strstr(low, "31") == NULL);
	}

	/* Nothing to dump. */
	capture_reset();
	(lwsl_hexdump)(buf, 0);
	(lwsl_hexdump)(NULL, 0);
	(lwsl_hexdump)(NULL, 16);
	CHECK_INT(captured_count, 0);
}

int main(void)
{
	/* First, while the library still has its default emitter. */
	test_default_stderr_emitter();
	test_level_filtering();
	test_formatting();
	test_logv();
	test_library_lines_end_in_newline();
	test_truncation();
	test_syslog_one_line_per_message();
	test_syslog();
	test_hexdump();
	return unit_finish("test-logging");
}
