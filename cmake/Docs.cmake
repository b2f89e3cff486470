# The API reference: Doxygen (Debian's doxygen package) over
# include/libwebsockets.h and docs/reference.md, built by the target docs
# (not part of the default build) into docs/html of the build tree, and
# installed into share/doc/libwebsockets/html, hence into the -dev package,
# when it was built. Any Doxygen warning fails the target (see
# docs/Doxyfile.in), and so does an enum value or exported function without
# a description (docs/check-documented.py): an undocumented public symbol
# cannot slip in.
set(LWS_DOCS_DIR ${CMAKE_BINARY_DIR}/docs)
find_program(LWS_DOXYGEN doxygen)
find_program(LWS_PYTHON3 python3)
if(LWS_DOXYGEN AND LWS_PYTHON3)
  configure_file(${CMAKE_SOURCE_DIR}/docs/Doxyfile.in ${LWS_DOCS_DIR}/Doxyfile @ONLY)
  add_custom_command(
    OUTPUT ${LWS_DOCS_DIR}/html/index.html
    COMMAND ${CMAKE_COMMAND} -E rm -rf ${LWS_DOCS_DIR}/html ${LWS_DOCS_DIR}/xml
    COMMAND ${LWS_DOXYGEN} ${LWS_DOCS_DIR}/Doxyfile
    COMMAND ${LWS_PYTHON3} ${CMAKE_SOURCE_DIR}/docs/check-documented.py ${LWS_DOCS_DIR}/xml
            ${CMAKE_SOURCE_DIR}/compat-tests/abi/expected-exports.txt
    DEPENDS ${CMAKE_SOURCE_DIR}/include/libwebsockets.h ${CMAKE_SOURCE_DIR}/docs/reference.md
            ${CMAKE_SOURCE_DIR}/docs/Doxyfile.in ${CMAKE_SOURCE_DIR}/docs/check-documented.py
    COMMENT "Generating the API reference (Doxygen)"
    VERBATIM)
  add_custom_target(docs DEPENDS ${LWS_DOCS_DIR}/html/index.html)
else()
  add_custom_target(docs
    COMMAND ${CMAKE_COMMAND} -E echo "docs: doxygen or python3 not found (apt-get install doxygen python3)"
    COMMAND ${CMAKE_COMMAND} -E false
    VERBATIM)
endif()
install(DIRECTORY ${LWS_DOCS_DIR}/html/
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/libwebsockets/html
        COMPONENT dev OPTIONAL)
