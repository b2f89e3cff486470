# C unit tests of the public API that need no peer: utilities, logging,
# context lifetime, the allocator hook, lws_daemonize and bad input. Each
# program is linked against the library under test and prints
# "<name>: N passed, M failed", exiting non-zero on any failure.
set(LWS_UNIT_DIR ${CMAKE_CURRENT_LIST_DIR})

foreach(unit utilities logging context daemonize bad-input)
  add_executable(lws-unit-${unit} ${LWS_UNIT_DIR}/test-${unit}.c)
  target_link_libraries(lws-unit-${unit} PRIVATE websockets)
  target_compile_options(lws-unit-${unit} PRIVATE -Wall -Wextra)
  set_target_properties(lws-unit-${unit} PROPERTIES C_STANDARD 99 C_EXTENSIONS ON)
  add_test(NAME unit-${unit} COMMAND lws-unit-${unit})
  set_tests_properties(unit-${unit} PROPERTIES TIMEOUT 120)
endforeach()

# Server tests: the test process is the server and its own raw-socket
# clients (serverkit.h).
find_package(Threads REQUIRED)
foreach(unit threads extpoll destroy server-accept server-rx legacy-rx writeable-order held-input flood after-close lengths random closing accept-backoff reuseport contexts file-serving heap-trim)
  add_executable(lws-unit-${unit} ${LWS_UNIT_DIR}/test-${unit}.c)
  target_link_libraries(lws-unit-${unit} PRIVATE websockets Threads::Threads)
  if(unit STREQUAL "legacy-rx")
    # compresses the permessage-deflate messages it sends
    target_link_libraries(lws-unit-${unit} PRIVATE z)
  endif()
  target_compile_options(lws-unit-${unit} PRIVATE -Wall -Wextra)
  set_target_properties(lws-unit-${unit} PROPERTIES C_STANDARD 99 C_EXTENSIONS ON)
  add_test(NAME unit-${unit} COMMAND lws-unit-${unit})
  set_tests_properties(unit-${unit} PROPERTIES TIMEOUT 120)
endforeach()

# Held input is also tested over TLS: that test is its own TLS client.
find_package(OpenSSL REQUIRED)
target_link_libraries(lws-unit-held-input PRIVATE OpenSSL::SSL)

# The thread tests once under memcheck and once under helgrind, the
# destroy-with-live-connections test under memcheck, and the contexts on
# their own threads under helgrind: any memory error, data race or
# definite/indirect leak makes valgrind exit 99. LWS_TEST_SLOW widens the
# programs' timing bounds for the slower run; LWS_TEST_TOOL names the tool.
find_program(LWS_VALGRIND valgrind)
set(LWS_MEMCHECK ${LWS_VALGRIND} -q --error-exitcode=99 --leak-check=full
    --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect
    --num-callers=30)
set(LWS_HELGRIND ${LWS_VALGRIND} -q --tool=helgrind --error-exitcode=99 --num-callers=30)
foreach(check threads:MEMCHECK threads:HELGRIND destroy:MEMCHECK contexts:HELGRIND)
  string(REPLACE ":" ";" parts ${check})
  list(GET parts 0 unit)
  list(GET parts 1 tool)
  string(TOLOWER ${tool} tool_name)
  if(LWS_VALGRIND)
    add_test(NAME unit-${unit}-${tool_name} COMMAND ${LWS_${tool}} $<TARGET_FILE:lws-unit-${unit}>)
  else()
    # Without valgrind the test fails rather than silently passing:
    # scripts/install-deps.sh installs it.
    add_test(NAME unit-${unit}-${tool_name} COMMAND ${CMAKE_COMMAND} -E false)
  endif()
  set_tests_properties(unit-${unit}-${tool_name} PROPERTIES TIMEOUT 300
    ENVIRONMENT "LWS_TEST_SLOW=1;LWS_TEST_TOOL=${tool_name}")
endforeach()
