# The TLS test programs (compat-tests/py/test_tls_*.py drive them).
#
# Included at the end of CMakeLists.txt in this folder, so lws_test_driver()
# exists.  Unlike the demo programs they call OpenSSL themselves: the
# library hands them SSL_CTX / SSL / X509_STORE_CTX pointers through its
# OpenSSL callbacks, and they use those exactly as a user's program would.

find_package(OpenSSL REQUIRED)

lws_test_driver(libwebsockets-test-tls-server
                test-tls-server.c test-message.c test-program.c)
lws_test_driver(libwebsockets-test-tls-client
                test-tls-client.c test-message.c test-program.c)

target_link_libraries(libwebsockets-test-tls-server PRIVATE OpenSSL::SSL)
target_link_libraries(libwebsockets-test-tls-client PRIVATE OpenSSL::SSL)
