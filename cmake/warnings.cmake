# One warning set for every camrig target (third-party headers are included as SYSTEM).
add_library(camrig_warnings INTERFACE)
target_compile_options(camrig_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Woverloaded-virtual -Wnull-dereference -Wformat=2)
