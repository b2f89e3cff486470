/*
 * lws_daemonize. The call makes its caller exit, so it runs in a child of
 * this test: the child calls it, the daemon it becomes writes a marker file
 * with its pid and exits, and the test checks the lock file names that pid.
 * A lock file naming a live process must make the call fail (in the
 * caller, which then goes on); one naming a dead process is replaced.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "unit.h"

static char dir[64], lock_path[128], marker_path[128];

/* Exit codes of the child that calls lws_daemonize. */
enum {
	CHILD_DAEMONIZE_RETURNED_FAILURE = 3,
	CHILD_DAEMONIZE_FAILED_AND_LOGGED = 4,
	CHILD_DAEMON_CANNOT_WRITE_MARKER = 5,
};

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Reads a small file into buf; -1 if it cannot be read. */
static int read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY), n;

	if (fd < 0)
		return -1;
	n = (int)read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return n;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	return ok ? 0 : -1;
}

/* Parses a file holding a decimal pid (and maybe a newline). */
static long pid_in(const char *text)
{
	char *end;
	long pid = strtol(text, &end, 10);

	if (end == text || (*end && *end != '\n'))
		return -1;
	return pid;
}

/*
 * Forks a child that calls lws_daemonize(lock_path). In the daemon (where
 * it returns 0) the pid and "daemon" status are written to the marker file.
 * Returns the child's exit status.
 */
static int run_daemonize(void)
{
	int status = -1;
	pid_t child;

	fflush(stdout);
	fflush(stderr);
	child = fork();
	if (child < 0)
		return -1;
	if (!child) {
		int n;

		capture_start(LLL_ERR);
		n = lws_daemonize(lock_path);
		if (n) {
			/* Still the original process: it reports failure. */
			_exit(capture_count_level(LLL_ERR) == 1 ?
			      CHILD_DAEMONIZE_FAILED_AND_LOGGED :
			      CHILD_DAEMONIZE_RETURNED_FAILURE);
		}
		/* The daemon. */
		{
			char text[64], tmp[160];

			snprintf(text, sizeof(text), "%ld %ld %ld\n", (long)getpid(),
				 (long)getsid(0), (long)getppid());
			snprintf(tmp, sizeof(tmp), "%s.tmp", marker_path);
			if (write_file(tmp, text) || rename(tmp, marker_path))
				_exit(CHILD_DAEMON_CANNOT_WRITE_MARKER);
		}
		_exit(0);
	}
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

/* Waits up to 5 s for the marker; fills buf with its content. */
static int wait_for_marker(char *buf, size_t size)
{
	int i;

	for (i = 0; i < 500; i++) {
		if (read_file(marker_path, buf, size) > 0)
			return 0;
		sleep_ms(10);
	}
	return -1;
}

static void test_daemonize_succeeds(void)
{
	char marker[128], lock[64];
	long daemon_pid = -1, daemon_sid = -1, daemon_ppid = -1;
	int status, i;

	unlink(lock_path);
	unlink(marker_path);
	status = run_daemonize();
	/* The original process exits with 0 once the daemon is running, that
	 * is with the lock already written. */
	CHECK(WIFEXITED(status));
	CHECK_INT(WEXITSTATUS(status), 0);
	CHECK(read_file(lock_path, lock, sizeof(lock)) > 0);
	CHECK(pid_in(lock) > 1);

	CHECK(wait_for_marker(marker, sizeof(marker)) == 0);
	CHECK(sscanf(marker, "%ld %ld %ld", &daemon_pid, &daemon_sid, &daemon_ppid) == 3);
	CHECK(daemon_pid > 1);
	CHECK(daemon_pid != (long)getpid());
	/* Detached: the daemon leads its own session. */
	CHECK_INT(daemon_sid, daemon_pid);

	/* The lock file names the daemon. */
	CHECK(read_file(lock_path, lock, sizeof(lock)) > 0);
	CHECK_INT(pid_in(lock), daemon_pid);
	{
		struct stat st;

		CHECK(!stat(lock_path, &st) && S_ISREG(st.st_mode));
	}

	/* Let the daemon finish (it is not our child: poll for it). */
	for (i = 0; i < 500 && kill((pid_t)daemon_pid, 0) == 0; i++)
		sleep_ms(10);
	CHECK(kill((pid_t)daemon_pid, 0) != 0);
}

static void test_live_lock_refused(void)
{
	char text[32], after[32];
	int status;

	/* This process is alive: a lock naming it must be respected. */
	snprintf(text, sizeof(text), "%ld\n", (long)getpid());
	CHECK(write_file(lock_path, text) == 0);
	unlink(marker_path);
	status = run_daemonize();
	CHECK(WIFEXITED(status));
	CHECK_INT(WEXITSTATUS(status), CHILD_DAEMONIZE_FAILED_AND_LOGGED);
	sleep_ms(100);
	CHECK(access(marker_path, F_OK) != 0); /* no daemon ran */
	CHECK(read_file(lock_path, after, sizeof(after)) > 0);
	CHECK_STR(after, text); /* the lock is untouched */
}

static void test_stale_lock_replaced(void)
{
	char text[32], marker[128], lock[64];
	long daemon_pid = -1;
	pid_t dead;
	int status;

	/* A pid that is certainly gone: a child we reaped. */
	dead = fork();
	if (!dead)
		_exit(0);
	waitpid(dead, &status, 0);
	snprintf(text, sizeof(text), "%ld\n", (long)dead);
	CHECK(write_file(lock_path, text) == 0);
	unlink(marker_path);
	status = run_daemonize();
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(wait_for_marker(marker, sizeof(marker)) == 0);
	CHECK(sscanf(marker, "%ld", &daemon_pid) == 1);
	CHECK(read_file(lock_path, lock, sizeof(lock)) > 0);
	CHECK_INT(pid_in(lock), daemon_pid);

	/* A lock file with no pid in it (empty, garbage) is stale as well. */
	CHECK(write_file(lock_path, "") == 0);
	unlink(marker_path);
	status = run_daemonize();
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(wait_for_marker(marker, sizeof(marker)) == 0);
	CHECK(sscanf(marker, "%ld", &daemon_pid) == 1);
	CHECK(read_file(lock_path, lock, sizeof(lock)) > 0);
	CHECK_INT(pid_in(lock), daemon_pid);

	CHECK(write_file(lock_path, "not a pid\n") == 0);
	unlink(marker_path);
	status = run_daemonize();
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(wait_for_marker(marker, sizeof(marker)) == 0);
	CHECK(sscanf(marker, "%ld", &daemon_pid) == 1);
	CHECK(read_file(lock_path, lock, sizeof(lock)) > 0);
	CHECK_INT(pid_in(lock), daemon_pid);
	sleep_ms(50);
}

/*
 * A lock file that cannot be created: no daemon, and the failure is
 * returned (and logged once) in the original process, which goes on.
 */
static void test_unwritable_lock(void)
{
	char saved[128];
	int status;

	snprintf(saved, sizeof(saved), "%s", lock_path);
	snprintf(lock_path, sizeof(lock_path), "%s/no-such-dir/test.lock", dir);
	unlink(marker_path);
	status = run_daemonize();
	CHECK(WIFEXITED(status));
	CHECK_INT(WEXITSTATUS(status), CHILD_DAEMONIZE_FAILED_AND_LOGGED);
	sleep_ms(100);
	CHECK(access(marker_path, F_OK) != 0);
	snprintf(lock_path, sizeof(lock_path), "%s", saved);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/lws-daemonize-XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(lock_path, sizeof(lock_path), "%s/test.lock", dir);
	snprintf(marker_path, sizeof(marker_path), "%s/daemon.marker", dir);
	lws_set_log_level(LLL_ERR, NULL);

	test_daemonize_succeeds();
	test_live_lock_refused();
	test_stale_lock_replaced();
	test_unwritable_lock();

	unlink(lock_path);
	unlink(marker_path);
	rmdir(dir);
	return unit_finish("test-daemonize");
}
