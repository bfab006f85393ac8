# One warning set for every camrig target (third-party headers are included as SYSTEM).
add_library(camrig_warnings INTERFACE)
target_compile_options(camrig_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Woverloaded-virtual -Wnull-dereference -Wformat=2)
# A unity build (the quickstart preset) compiles each source as an #include of a generated file, so
# GCC takes every source for a header and warns of each class of it that holds a type of the
# source's anonymous namespace (-Wsubobject-linkage, meant for headers). Off for unity targets only.
target_compile_options(camrig_warnings INTERFACE
  $<$<AND:$<CXX_COMPILER_ID:GNU>,$<BOOL:$<TARGET_PROPERTY:UNITY_BUILD>>>:-Wno-subobject-linkage>)
