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
