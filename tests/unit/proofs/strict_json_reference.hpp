// The reference for proofs::parse_strict_json (relay/proofs, strict_json.hpp): nlohmann::json::parse(text) for
// the verdict and the document, plus the first key repeated within one object (nlohmann's callback parser), and
// the comparison of a parse_strict_json result with it, value types included. Shared by
// strict_json_diff_test.cpp (unit) and strict_json_vectors_test.cpp (vectors).
#pragma once

#include <catch2/catch.hpp>

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "causeway/proofs/strict_json.hpp"

namespace causeway::testing {

struct StrictJsonReference {
  bool valid = false;
  std::optional<std::string> duplicate;  // the first key repeated within one object
  nlohmann::json doc;
};

inline StrictJsonReference strict_json_reference(const std::string& text) {
  StrictJsonReference r;
  // The one deliberate difference (strict_json.hpp): a raw NUL byte is refused; nlohmann's lexer ends the input there.
  if (text.find('\0') != std::string::npos) return r;
  r.doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  r.valid = !r.doc.is_discarded();
  if (!r.valid) return r;
  std::vector<std::vector<std::string>> open;
  nlohmann::json::parser_callback_t cb = [&](int, nlohmann::json::parse_event_t event, nlohmann::json& value) {
    using E = nlohmann::json::parse_event_t;
    if (event == E::object_start) {
      open.emplace_back();
    } else if (event == E::object_end && !open.empty()) {
      open.pop_back();
    } else if (event == E::key && !open.empty()) {
      const auto& k = value.get_ref<const std::string&>();
      for (const auto& seen : open.back())
        if (seen == k && !r.duplicate) r.duplicate = k;
      open.back().push_back(k);
    }
    return true;
  };
  const auto with_callback = nlohmann::json::parse(text, cb, false);
  (void)with_callback;
  return r;
}

// Same value type at every node (operator== takes the integer 0 and the unsigned 0 as equal; dump() too).
inline bool same_types(const nlohmann::json& a, const nlohmann::json& b) {
  if (a.type() != b.type()) return false;
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (!same_types(a[i], b[i])) return false;
  } else if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib)
      if (ia.key() != ib.key() || !same_types(ia.value(), ib.value())) return false;
  }
  return true;
}

// What parse_strict_json gives for `text` (no size or nesting bound in the way): "ok" when it accepts, else the
// error detail. Checks it against the reference: the same verdict, message, document and value types.
inline std::string check_against_reference(const std::string& text, std::size_t max_depth = 1u << 20) {
  const StrictJsonReference want = strict_json_reference(text);
  const auto got = causeway::proofs::parse_strict_json(text, std::size_t{1} << 30, max_depth);
  INFO("text (" << text.size() << " bytes) " << nlohmann::json(text).dump(-1, ' ', false,
                                                                          nlohmann::json::error_handler_t::replace));
  if (!want.valid) {
    REQUIRE_FALSE(got);
    CHECK(got.error().code == causeway::Code::BundleParse);
    CHECK(got.error().detail == "not valid JSON");
    return got ? "ok" : got.error().detail;
  }
  if (want.duplicate) {
    REQUIRE_FALSE(got);
    CHECK(got.error().code == causeway::Code::BundleParse);
    CHECK(got.error().detail == "duplicate key \"" + *want.duplicate + "\" in an object");
    return got ? "ok" : got.error().detail;
  }
  REQUIRE(got);
  CHECK(*got == want.doc);
  CHECK(same_types(*got, want.doc));
  CHECK(got->dump() == want.doc.dump());
  return "ok";
}

}  // namespace causeway::testing
