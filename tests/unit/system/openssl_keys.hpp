// Key pairs made by the openssl command, as a firmware signer would make them, for tests.
#pragma once

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "tests/support/process.hpp"

namespace camrig::test {

struct KeyPair {
  std::string private_pem;
  std::string public_pem;
};

//! `algorithm`: "ed25519" or "rsa". Empty PEMs if openssl failed (the test then fails on them).
inline KeyPair make_key_pair(const std::string& algorithm) {
  static int counter = 0;
  const auto base = std::filesystem::temp_directory_path() /
                    ("camrig-key-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
  const std::string private_path = base.string() + ".key.pem";
  const std::string public_path = base.string() + ".pub.pem";
  std::vector<std::string> generate{"openssl", "genpkey", "-algorithm", algorithm, "-out", private_path};
  if (algorithm == "rsa") {
    generate.push_back("-pkeyopt");
    generate.push_back("rsa_keygen_bits:2048");
  }
  run_process(generate, std::chrono::seconds(30));
  run_process({"openssl", "pkey", "-in", private_path, "-pubout", "-out", public_path}, std::chrono::seconds(30));
  const auto read = [](const std::string& path) {
    std::ifstream in(path);
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
  };
  KeyPair pair{read(private_path), read(public_path)};
  std::filesystem::remove(private_path);
  std::filesystem::remove(public_path);
  return pair;
}

}  // namespace camrig::test
