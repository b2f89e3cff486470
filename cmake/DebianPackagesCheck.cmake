# Read by cpack (CPACK_PROJECT_CONFIG_FILE): Debian packages need the build
# configured with CMAKE_INSTALL_PREFIX=/usr, the only prefix for which
# GNUInstallDirs gives the multiarch library directory.
if(CPACK_GENERATOR STREQUAL "DEB" AND NOT CPACK_LWS_DEB_LAYOUT)
  message(FATAL_ERROR "cpack -G DEB: configure this build with -DCMAKE_INSTALL_PREFIX=/usr")
endif()
