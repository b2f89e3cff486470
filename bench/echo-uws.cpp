/*
 * echo-uws - the benchmark's uWebSockets echo server
 *
 * Built by run.sh only when BENCH_UWS names a uWebSockets source tree
 * (with uSockets checked out in its uSockets/ folder; see README.md), never
 * from anything in this repository but this file.  It takes the options
 * the other echo servers of the bench take, so run.sh starts it the same
 * way:
 *
 *   -p/--port N                   listen port (default 7681)
 *   --ssl-cert FILE --ssl-key FILE   serve wss:// (uWS::SSLApp)
 *   --deflate                     offer permessage-deflate and send every
 *                                 echo compressed (a dedicated compressor
 *                                 and decompressor per connection, i.e.
 *                                 with context takeover, as ours and lws
 *                                 keep theirs)
 *
 * Every message goes back whole with its own opcode (uWS delivers whole
 * messages).  No idle timeout and no automatic pings, so idle connections
 * stay quiet as in the other servers; no backpressure limit, so nothing is
 * dropped (the load generator bounds what is in flight).  SIGTERM and
 * SIGINT exit with status 0, as run.sh expects of a server that was fine.
 */

#include <getopt.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "App.h"

namespace {

struct Options {
	int port = 7681;
	const char *cert = nullptr;
	const char *key = nullptr;
	bool deflate = false;
};

struct Session {};

void on_exit_signal(int) { _exit(0); }

template <bool SSL>
int serve(uWS::TemplatedApp<SSL> &&app, const Options &opts)
{
	typename uWS::TemplatedApp<SSL>::template WebSocketBehavior<Session> behavior;
	behavior.compression = opts.deflate
		? uWS::CompressOptions(uWS::DEDICATED_COMPRESSOR | uWS::DEDICATED_DECOMPRESSOR)
		: uWS::DISABLED;
	behavior.maxPayloadLength = 64u * 1024 * 1024;
	behavior.idleTimeout = 0;
	behavior.maxBackpressure = 0;
	behavior.closeOnBackpressureLimit = false;
	behavior.sendPingsAutomatically = false;
	const bool compress = opts.deflate;
	behavior.message = [compress](auto *ws, std::string_view message, uWS::OpCode op) {
		ws->send(message, op, compress);
	};
	bool listening = false;
	app.template ws<Session>("/*", std::move(behavior))
		.listen(opts.port, [&](auto *socket) { listening = socket != nullptr; });
	if (!listening) {
		std::fprintf(stderr, "echo-uws: cannot listen on port %d\n", opts.port);
		return 1;
	}
	std::fprintf(stderr, "echo-uws: listening on port %d\n", opts.port);
	app.run();
	return 0;
}

} // namespace

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "port", required_argument, nullptr, 'p' },
		{ "ssl-cert", required_argument, nullptr, 'C' },
		{ "ssl-key", required_argument, nullptr, 'K' },
		{ "deflate", no_argument, nullptr, 'z' },
		{ "help", no_argument, nullptr, 'h' },
		{ nullptr, 0, nullptr, 0 },
	};
	Options opts;
	int c;

	while ((c = getopt_long(argc, argv, "p:h", longopts, nullptr)) != -1) {
		switch (c) {
		case 'p':
			opts.port = std::atoi(optarg);
			break;
		case 'C':
			opts.cert = optarg;
			break;
		case 'K':
			opts.key = optarg;
			break;
		case 'z':
			opts.deflate = true;
			break;
		default:
			std::fprintf(stderr, "usage: echo-uws [-p PORT] [--ssl-cert FILE --ssl-key FILE] [--deflate]\n");
			return c == 'h' ? 0 : 1;
		}
	}

	struct sigaction sa = {};
	sa.sa_handler = on_exit_signal;
	sigaction(SIGTERM, &sa, nullptr);
	sigaction(SIGINT, &sa, nullptr);

	if (opts.cert && opts.key) {
		uWS::SocketContextOptions tls;
		tls.cert_file_name = opts.cert;
		tls.key_file_name = opts.key;
		return serve(uWS::SSLApp(tls), opts);
	}
	return serve(uWS::App(), opts);
}
