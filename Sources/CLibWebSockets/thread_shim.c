/*
 * Per-thread state the Swift library cannot declare itself (Embedded Swift
 * has no thread-locals): see lws_c_serviced_context in CLibWebSockets.h.
 */
#include "CLibWebSockets.h"

__thread const void *lws_c_serviced_context;
