/*
 * The log entry points that take C variadic arguments, which Swift can
 * neither define nor format: _lws_log packs its arguments, _lws_logv formats
 * them (only when the level is enabled) and hands the finished line to the
 * Swift logger, which owns the level mask and the emitter.
 */
#include "CLibWebSockets.h"

void _lws_logv(int filter, const char *format, va_list vl)
{
	char line[1024];

	if (!format || !lws_swift_log_enabled(filter))
		return;
	vsnprintf(line, sizeof(line), format, vl);
	lws_swift_log_emit(filter, line);
}

void _lws_log(int filter, const char *format, ...)
{
	va_list ap;

	va_start(ap, format);
	_lws_logv(filter, format, ap);
	va_end(ap);
}
