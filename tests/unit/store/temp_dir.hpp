// Store test support: a unique directory under /tmp, removed with everything in it when the object goes away,
// and a database opened in it (the test fails if it cannot be opened).
#pragma once

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "causeway/store/sqlite.hpp"

namespace causeway::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = "/tmp/causeway-store-test-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline store::Database open_db(const std::string& path) {
  auto db = store::Database::open(path);
  REQUIRE(db.has_value());
  return std::move(*db);
}

}  // namespace causeway::testing
