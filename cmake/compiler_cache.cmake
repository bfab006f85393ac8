# Use ccache when it is installed. base_dir makes paths inside the tree relative in ccache's
# hash (and the build folder is left out of it for debug builds), so every clean clone (CI clones to a new folder each run) reuses the same cache.
# The ONVIF libraries precompile soapH.h: ccache caches their sources only when told that the
# precompiled header's macros and build time need not be hashed (pch_defines, time_macros).
# A first build finds nothing in the cache and pays for looking (the quickstart preset's camrig:
# 193 s with an empty cache, 171 s without ccache, on 2 cores): the quickstart preset goes without.
option(CAMRIG_CCACHE "Compile through ccache when it is installed" ON)
find_program(CCACHE_PROGRAM ccache)
if(CAMRIG_CCACHE AND CCACHE_PROGRAM AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(ccache_launcher ${CMAKE_COMMAND} -E env CCACHE_BASEDIR=${PROJECT_SOURCE_DIR} CCACHE_NOHASHDIR=1
      CCACHE_SLOPPINESS=pch_defines,time_macros ${CCACHE_PROGRAM})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${ccache_launcher})
  set(CMAKE_C_COMPILER_LAUNCHER ${ccache_launcher})
endif()
