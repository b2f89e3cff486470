# Debian packages, made by CMake's own packager (cpack -G DEB):
#
#   cmake -S . -B build-deb -G Ninja -DCMAKE_INSTALL_PREFIX=/usr
#   cmake --build build-deb && cmake --build build-deb --target docs
#   cd build-deb && cpack -G DEB
#
# With the /usr prefix GNUInstallDirs gives the Debian layout: the library,
# pkg-config and CMake files under lib/<multiarch> (CMAKE_LIBRARY_ARCHITECTURE).
# Three packages, one per install component:
#
#   libwebsockets5              (runtime) the shared library, named after its
#                               soname; its dependencies (libc6, libssl3,
#                               zlib1g) are computed by dpkg-shlibdeps, its
#                               shlibs file and ldconfig handling by cpack.
#                               No file in common with Debian's libwebsockets17
#                               (4.x, soname .so.17): both install side by side.
#   libwebsockets5-dev          (dev) libwebsockets.h, lws_config.h, the .so
#                               link, libwebsockets.pc, the CMake package and,
#                               when the docs target was built, the API
#                               reference.
#   libwebsockets5-test-server  (testapps) the six 1.4 test programs and the
#                               test server's page.
#
# The last two ship the same paths as Debian's libwebsockets-dev and
# libwebsockets-test-server{,-common} (4.x): /usr/include/libwebsockets.h,
# the .so link, /usr/bin/libwebsockets-test-server ... So they declare
# Conflicts (never Replaces: installing ours must not silently remove
# Debian's), and carry names of their own: under Debian's names, apt would
# "upgrade" them to 4.x, whose version is higher.
if(NOT CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  # Only a /usr build gets the multiarch layout; cpack refuses otherwise
  # (see DebianPackagesCheck.cmake).
  set(LWS_DEB_LAYOUT OFF)
else()
  set(LWS_DEB_LAYOUT ON)
endif()

set(LWS_PACKAGE_REVISION 1 CACHE STRING "N in the package version 1.4.0+swift.N")
set(LWS_PACKAGE_VERSION "${PROJECT_VERSION}+swift.${LWS_PACKAGE_REVISION}")
set(LWS_PACKAGE_MAINTAINER "libwebsockets for Swift <maintainers@lws-swift.invalid>" CACHE STRING
    "Maintainer field of the Debian packages: name <address>")

set(LWS_DEB_RUNTIME libwebsockets5)
set(LWS_DEB_DEV libwebsockets5-dev)
set(LWS_DEB_TESTAPPS libwebsockets5-test-server)

# Each package's /usr/share/doc/<package>/: copyright and changelog.gz (a
# native package's changelog). Only cpack's per-component installs take
# them (EXCLUDE_FROM_ALL): a plain cmake --install stays as it was.
string(TIMESTAMP LWS_PACKAGE_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)
set(LWS_DEB_DOC_DIR ${CMAKE_BINARY_DIR}/debian)
foreach(component runtime dev testapps)
  string(TOUPPER ${component} upper)
  set(package ${LWS_DEB_${upper}})
  set(LWS_DEB_PACKAGE ${package})
  configure_file(${CMAKE_CURRENT_LIST_DIR}/debian/changelog.in
                 ${LWS_DEB_DOC_DIR}/${package}/changelog @ONLY)
  execute_process(COMMAND gzip -9nf ${LWS_DEB_DOC_DIR}/${package}/changelog
                  RESULT_VARIABLE gzip_failed)
  if(gzip_failed)
    message(FATAL_ERROR "gzip of ${package}'s changelog failed")
  endif()
  install(FILES ${CMAKE_CURRENT_LIST_DIR}/debian/copyright
                ${LWS_DEB_DOC_DIR}/${package}/changelog.gz
          DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/${package}
          COMPONENT ${component} EXCLUDE_FROM_ALL)
endforeach()

set(CPACK_PACKAGE_NAME libwebsockets)
set(CPACK_PACKAGE_VENDOR "libwebsockets for Swift")
set(CPACK_PACKAGE_CONTACT "${LWS_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_VERSION "${LWS_PACKAGE_VERSION}")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# The library carries debug information (RelWithDebInfo); a package ships
# it stripped, as Debian does.
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime dev)
if(NOT LWS_WITHOUT_TESTAPPS)
  list(APPEND CPACK_COMPONENTS_ALL testapps)
endif()
set(CPACK_PROJECT_CONFIG_FILE ${CMAKE_CURRENT_LIST_DIR}/DebianPackagesCheck.cmake)
set(CPACK_LWS_DEB_LAYOUT ${LWS_DEB_LAYOUT})

set(CPACK_DEBIAN_PACKAGE_VERSION "${LWS_PACKAGE_VERSION}")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME ${LWS_DEB_RUNTIME})
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SHLIBDEPS ON)
# dpkg runs ldconfig once after all packages of a run are unpacked. (cpack
# also adds postinst/postrm scripts calling ldconfig, which cannot be
# switched off; lintian notes them as redundant.)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_CONTROL_EXTRA ${CMAKE_CURRENT_LIST_DIR}/debian/triggers)
set(CPACK_COMPONENT_RUNTIME_DESCRIPTION "WebSocket library with the libwebsockets 1.4 API, in Swift
libwebsockets.so.5, the libwebsockets 1.4 C API (server, HTTP, client,
TLS through OpenSSL, permessage-deflate and deflate-frame) implemented in
Swift, with 1.4's soname, struct layouts and enum values: programs built
against libwebsockets 1.4 run with it unchanged. It installs beside
Debian's libwebsockets17 (4.x).")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME ${LWS_DEB_DEV})
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_CONFLICTS "libwebsockets-dev")
set(CPACK_COMPONENT_DEV_DEPENDS runtime)
set(CPACK_COMPONENT_DEV_DESCRIPTION "WebSocket library with the libwebsockets 1.4 API - development files
The header libwebsockets.h and lws_config.h, the libwebsockets.so link,
the pkg-config file and the CMake package (find_package(libwebsockets))
for building programs against libwebsockets.so.5, and the API reference
in /usr/share/doc/libwebsockets/html when it was built. Conflicts with
Debian's libwebsockets-dev (4.x), which ships the same paths.")

set(CPACK_DEBIAN_TESTAPPS_PACKAGE_NAME ${LWS_DEB_TESTAPPS})
set(CPACK_DEBIAN_TESTAPPS_PACKAGE_SECTION net)
set(CPACK_DEBIAN_TESTAPPS_PACKAGE_SHLIBDEPS ON)
# dpkg-shlibdeps must find libwebsockets.so.5, which no installed package
# has yet: the build tree's copy. The dependency on it comes from
# CPACK_COMPONENT_TESTAPPS_DEPENDS.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${CMAKE_BINARY_DIR})
set(CPACK_DEBIAN_TESTAPPS_PACKAGE_CONFLICTS "libwebsockets-test-server, libwebsockets-test-server-common")
set(CPACK_COMPONENT_TESTAPPS_DEPENDS runtime)
set(CPACK_COMPONENT_TESTAPPS_DESCRIPTION "WebSocket library with the libwebsockets 1.4 API - test programs
The test programs of libwebsockets 1.4, built against libwebsockets.so.5:
libwebsockets-test-server (with its page, serving the dumb-increment and
mirror protocols), -test-server-extpoll, -test-echo, -test-client,
-test-ping and -test-fraggle. Conflicts with Debian's
libwebsockets-test-server (4.x), which ships the same paths.")

include(CPack)
