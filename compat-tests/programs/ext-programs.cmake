# The extension test program (compat-tests/py/test_ext_*.py drive it).
#
# Included at the end of CMakeLists.txt in this folder, so
# lws_test_driver() exists.  It carries a user-written extension in C
# next to the library's built-in ones.

lws_test_driver(libwebsockets-test-ext
                test-ext.c test-message.c test-crc32.c test-program.c)
