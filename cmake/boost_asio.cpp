// Boost.Asio's and Beast's compiled parts, built once for the whole tree: every source is
// compiled with BOOST_ASIO_SEPARATE_COMPILATION and BOOST_BEAST_SEPARATE_COMPILATION
// (cmake/dependencies.cmake), so it includes their declarations only. Header-only, they were
// compiled again in every source that includes them, which through the precompiled header's
// Beast HTTP messages is every source.
//
// Their scheduler trips GCC's -Wnull-dereference at -O1 and above; it is their code, not ours.
#pragma GCC diagnostic ignored "-Wnull-dereference"

#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
