/*
 * test-workers.h - "--workers N" for the test servers: one port, N
 * processes
 *
 * A context is serviced by one thread, so a server that outgrows a core
 * runs several.  With --workers N the program forks N worker processes;
 * each creates its own context on the same port with
 * LWS_SERVER_OPTION_ALLOW_LISTEN_SHARE, and the kernel spreads incoming
 * connections over them.  The first process stays as a supervisor: it
 * announces "listening on port P" once every worker listens, passes
 * SIGINT/SIGTERM on to the workers, stops them all when one dies, and
 * exits 0 only if each worker did.
 *
 * Every process, worker or not, counts the TCP connections it accepted and
 * prints "<name>: pid P accepted N connections" when it ends, which is how
 * the tests see where the kernel (or a proxy in front) sent connections.
 */

#ifndef LWS_TEST_WORKERS_H
#define LWS_TEST_WORKERS_H

/* Most workers --workers accepts. */
#define TEST_WORKERS_MAX 64

/*
 * Call before creating the context.  With count 0 (no --workers) it does
 * nothing and returns -1; otherwise it forks count workers and returns -1
 * in each of them (go on and serve, with
 * LWS_SERVER_OPTION_ALLOW_LISTEN_SHARE), while in the supervisor it returns
 * only once every worker has ended, with the exit status for main.  port
 * is for the "listening" line.
 */
int test_workers_start(const char *name, int count, int port);

/*
 * Called once the context listens: prints "<name>: listening on port P"
 * in a program without workers, tells the supervisor in a worker.
 */
void test_workers_listening(const char *name, int port);

/* Called from LWS_CALLBACK_FILTER_NETWORK_CONNECTION. */
void test_workers_count_connection(void);

/* Prints the count of accepted connections (before exit). */
void test_workers_report(const char *name);

#endif /* LWS_TEST_WORKERS_H */
