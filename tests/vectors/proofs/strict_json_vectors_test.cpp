// proofs::parse_strict_json against nlohmann::json::parse (plus the first repeated key) on every JSON file of
// ../shared/vectors, on regtest proof bundles, and on byte-level mutations of them (deterministic seed).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "bundle_support.hpp"
#include "strict_json_reference.hpp"
#include "vectors.hpp"

using causeway::testing::check_against_reference;

namespace {

using namespace std::string_literals;

std::vector<std::string> vector_json_files() {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  const fs::path dir = causeway::testing::vectors_dir();
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(fs::relative(e.path(), dir).string());
  std::sort(files.begin(), files.end());
  return files;
}

// `text` with one byte flipped, deleted or inserted at a random place (the bytes JSON's grammar turns on).
std::string mutate(const std::string& text, std::mt19937_64& rng) {
  static const std::string interesting = "\0\"\\[]{},:-+.eE0123456789 \t\n\xEF\xBB\xBF\xC3\xED\xF4\xFF\x80\x1f"s;
  std::string s = text;
  const std::size_t at = s.empty() ? 0 : rng() % s.size();
  switch (rng() % 4) {
    case 0:
      if (!s.empty()) s[at] = static_cast<char>(static_cast<unsigned char>(s[at]) ^ (1u << (rng() % 8)));
      break;
    case 1:
      if (!s.empty()) s.erase(at, 1);
      break;
    case 2: s.insert(at, 1, interesting[rng() % interesting.size()]); break;
    default:
      if (!s.empty()) s[at] = interesting[rng() % interesting.size()];
      break;
  }
  return s;
}

// Regtest proof bundles (tests/unit/proofs/bundle_support.hpp), compact and indented.
std::vector<std::string> bundle_texts() {
  using namespace causeway::proofs::test;
  RegtestChain chain;
  chain.mine_n(8);
  std::vector<std::string> texts;
  for (std::uint32_t h = 2; h <= 8; h += 3) {
    const auto bundle = regtest_bundle(chain, h, 0);
    texts.push_back(bundle.dump());
    texts.push_back(bundle.dump(2));
  }
  return texts;
}

}  // namespace

TEST_CASE("strict JSON parse accepts and builds exactly what nlohmann::json::parse does, on every vector JSON file and its mutations") {
  const auto files = vector_json_files();
  REQUIRE(files.size() >= 250);  // 257 JSON files in the folder on 2026-11-30
  std::mt19937_64 rng(0x5EC7075);
  std::size_t accepted = 0, mutated = 0, mutated_accepted = 0;
  for (const auto& f : files) {
    INFO("file " << f);
    const std::string text = causeway::testing::read_vector_text(f);
    if (check_against_reference(text) == "ok") ++accepted;
    // Many mutations of small files, fewer of the big ones (each costs a parse of the whole file).
    const int rounds = text.size() < 20000 ? 12 : 3;
    for (int r = 0; r < rounds; ++r) {
      ++mutated;
      if (check_against_reference(mutate(text, rng)) == "ok") ++mutated_accepted;
    }
  }
  CHECK(accepted == files.size());  // every vector file is JSON without a repeated key
  CHECK(mutated >= 2500);
  CHECK(mutated_accepted > 100);  // mutations in strings and digits keep many documents valid
}

TEST_CASE("strict JSON parse accepts and builds exactly what nlohmann::json::parse does, on proof bundles and their mutations") {
  std::mt19937_64 rng(0xB0D1E);
  std::size_t mutated_accepted = 0;
  for (const auto& text : bundle_texts()) {
    CHECK(check_against_reference(text) == "ok");
    std::string twice = text;  // mutations accumulate: up to 8 per document
    for (int r = 0; r < 400; ++r) {
      twice = r % 8 == 0 ? mutate(text, rng) : mutate(twice, rng);
      if (check_against_reference(twice) == "ok") ++mutated_accepted;
    }
  }
  CHECK(mutated_accepted > 50);
}
