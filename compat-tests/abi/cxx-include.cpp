// cxx-include: can a C++ program use libwebsockets.h and link with it?
//
// Compiles the header as C++11 (with and without _DEBUG), builds a protocol
// table and a callback the way a C++ application would, and takes the
// address of all 54 API functions with their exact 1.4 types. Linking with
// -lwebsockets then proves that every function is declared with C linkage
// (no C++ name mangling) and exported by the library. Nothing is called at
// run time: main() only returns 0.
//
// Build: c++ -std=c++11 -Wall -Wextra $(pkg-config --cflags --libs libwebsockets) cxx-include.cpp

#include <libwebsockets.h>

#include <cstring>

namespace {

struct session {
	int messages;
};

// A typical callback: it only exercises the API's declarations and macros.
int
echo_callback(struct libwebsocket_context *context, struct libwebsocket *wsi,
	      enum libwebsocket_callback_reasons reason, void *user, void *in,
	      size_t len)
{
	session *s = static_cast<session *>(user);
	unsigned char buf[LWS_SEND_BUFFER_PRE_PADDING + 128 +
			  LWS_SEND_BUFFER_POST_PADDING];

	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED:
		s->messages = 0;
		lwsl_notice("connection from %s\n",
			    libwebsocket_canonical_hostname(context));
		break;
	case LWS_CALLBACK_RECEIVE:
		if (len > 128)
			return 1;
		lwsl_info("%d bytes, binary %d\n", static_cast<int>(len),
			  lws_frame_is_binary(wsi));
		lwsl_hexdump(in, len);
		std::memcpy(&buf[LWS_SEND_BUFFER_PRE_PADDING], in, len);
		s->messages++;
		if (libwebsocket_write(wsi, &buf[LWS_SEND_BUFFER_PRE_PADDING],
				       len,
				       static_cast<enum libwebsocket_write_protocol>(
					       LWS_WRITE_TEXT | LWS_WRITE_NO_FIN)) < 0)
			return -1;
		break;
	case LWS_CALLBACK_HTTP:
		if (libwebsocket_write_http(wsi, "HTTP/1.0 204 No Content\r\n\r\n",
					    27) < 0)
			lwsl_err("write failed\n");
		return 1;
	default:
		break;
	}
	return 0;
}

struct libwebsocket_protocols protocols[] = {
	{ "echo", echo_callback, sizeof(session), 128, 1, nullptr, nullptr, 0 },
	{ nullptr, nullptr, 0, 0, 0, nullptr, nullptr, 0 },
};

} // namespace

// Every API function as a generic function pointer. The static_cast to the
// exact 1.4 pointer type fails to compile if a declaration differs; external
// linkage keeps the table, and so the references, in the object file.
typedef void (*any_function)();
extern any_function const every_function[];
#define ABI_FUNCTION(name, ret, params) \
	reinterpret_cast<any_function>(static_cast<ret (*) params>(&name)),
any_function const every_function[] = {
#include "abi_functions.inc"
};
#undef ABI_FUNCTION

int
main()
{
	struct lws_context_creation_info info = {};

	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.gid = -1;
	info.uid = -1;
	info.options = LWS_SERVER_OPTION_DISABLE_IPV6;

	return ARRAY_SIZE(protocols) == 2 && info.protocols[0].callback &&
			       ARRAY_SIZE(every_function) == 54
		       ? 0
		       : 1;
}
