/*
 * test-workers.c - "--workers N" for the test servers; see test-workers.h
 */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test-workers.h"

/* The supervisor's workers; 0 once reaped, so a reused pid is never hit. */
static volatile pid_t workers[TEST_WORKERS_MAX];
static int worker_count;
static int fork_failed;
/* This process's number among the workers; 0 in the supervisor, and in a
 * program started without --workers. */
static int worker_number;
/* Each worker writes one byte here once it listens. */
static int ready_pipe[2] = { -1, -1 };
/* Set when SIGINT/SIGTERM reached the supervisor. */
static volatile sig_atomic_t stop_requested;
static unsigned long accepted;

/* 0 in the supervisor, the worker's number in a worker, -1 on failure. */
static int
fork_workers(int count)
{
	pid_t supervisor = getpid(), pid;
	int i;

	if (count < 1 || count > TEST_WORKERS_MAX || pipe(ready_pipe))
		return -1;
	for (i = 0; i < count; i++) {
		pid = fork();
		if (pid < 0) {
			fprintf(stderr, "workers: fork failed: %s\n",
				strerror(errno));
			fork_failed = 1;
			break;
		}
		if (pid == 0) {
			close(ready_pipe[0]);
			/* A supervisor killed outright takes its workers
			 * along (and one already gone is noticed here). */
			prctl(PR_SET_PDEATHSIG, SIGTERM);
			if (getppid() != supervisor)
				_exit(1);
			worker_number = i + 1;
			worker_count = count;
			return worker_number;
		}
		workers[i] = pid;
		worker_count = i + 1;
	}
	close(ready_pipe[1]);

	return worker_count ? 0 : -1;
}

/* The supervisor's SIGINT/SIGTERM: every worker gets the same signal. */
static void
pass_on(int sig)
{
	int saved = errno, i;

	stop_requested = 1;
	for (i = 0; i < worker_count; i++)
		if (workers[i] > 0)
			kill(workers[i], sig);
	errno = saved;
}

/* Forgets a reaped worker; says why it ended if that was not a clean exit
 * or not asked for.  Returns 1 for a clean exit. */
static int
reaped(const char *name, pid_t pid, int status)
{
	int i, clean = WIFEXITED(status) && !WEXITSTATUS(status);

	for (i = 0; i < worker_count; i++)
		if (workers[i] == pid)
			workers[i] = 0;
	if (clean && stop_requested)
		return 1;
	if (WIFSIGNALED(status))
		fprintf(stderr, "%s: worker pid %d killed by signal %d\n",
			name, (int)pid, WTERMSIG(status));
	else
		fprintf(stderr, "%s: worker pid %d exited with status %d%s\n",
			name, (int)pid, WEXITSTATUS(status),
			stop_requested ? "" : " on its own");

	return 0;
}

static int
supervise(const char *name, int port)
{
	struct sigaction sa;
	int ready = 0, running = worker_count, failed = fork_failed, status;
	pid_t pid;
	char byte;
	ssize_t n;

	/* No SA_RESTART: a signal interrupts read/waitpid, which retry. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = pass_on;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (fork_failed)
		pass_on(SIGTERM);

	/* EOF before every worker said so: one failed to listen. */
	while (ready < worker_count) {
		n = read(ready_pipe[0], &byte, 1);
		if (n == 1)
			ready++;
		else if (n == 0 || errno != EINTR)
			break;
	}
	close(ready_pipe[0]);
	if (ready == worker_count && !stop_requested) {
		fprintf(stderr, "%s: listening on port %d (%d workers)\n",
			name, port, worker_count);
	} else if (!stop_requested) {
		fprintf(stderr, "%s: only %d of %d workers started\n", name,
			ready, worker_count);
		failed = 1;
		pass_on(SIGTERM);
	}

	/* A server does not end by itself: the first worker that does takes
	 * the others down, and the exit status says so. */
	while (running) {
		pid = waitpid(-1, &status, 0);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		running--;
		if (!reaped(name, pid, status)) {
			failed = 1;
			if (!stop_requested)
				pass_on(SIGTERM);
		}
	}
	fprintf(stderr, "%s: supervisor exited%s\n", name,
		failed ? " with an error" : "");

	return failed;
}

int
test_workers_start(const char *name, int count, int port)
{
	int n;

	if (!count)
		return -1;
	n = fork_workers(count);
	if (n < 0) {
		fprintf(stderr, "%s: cannot start %d workers\n", name, count);
		return 1;
	}

	return n ? -1 : supervise(name, port);
}

void
test_workers_listening(const char *name, int port)
{
	if (!worker_number) {
		fprintf(stderr, "%s: listening on port %d\n", name, port);
		return;
	}
	/* Not "listening on port": that line is the supervisor's, once all
	 * workers are up. */
	fprintf(stderr, "%s: worker %d of %d (pid %d) ready\n", name,
		worker_number, worker_count, (int)getpid());
	if (write(ready_pipe[1], "r", 1) != 1)
		fprintf(stderr, "%s: cannot tell the supervisor: %s\n", name,
			strerror(errno));
	close(ready_pipe[1]);
}

void
test_workers_count_connection(void)
{
	accepted++;
}

void
test_workers_report(const char *name)
{
	fprintf(stderr, "%s: pid %d accepted %lu connections\n", name,
		(int)getpid(), accepted);
}
