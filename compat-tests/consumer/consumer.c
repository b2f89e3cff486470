/* Links against the installed library through its CMake package and
 * checks that the library it loaded answers as libwebsockets 1.4. */
#include <libwebsockets.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
	const char *version = lws_get_library_version();

	if (!version || strncmp(version, "1.4", 3) != 0) {
		fprintf(stderr, "unexpected version '%s'\n", version ? version : "(null)");
		return 1;
	}
	printf("consumer: linked libwebsockets %s\n", version);
	return 0;
}
