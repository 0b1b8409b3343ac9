// `causeway proof verify FILE|- [--trust FILE]` and `causeway proof schema`: offline verification of a proof
// bundle exactly as PROOF-BUNDLE.md says. Exit 0 valid, 1 invalid, 2 not a bundle.
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

#include "causeway/proofs/bundle.hpp"
#include "commands.hpp"
#include "file_io.hpp"

namespace causeway::app {
namespace {

void print_error(const std::string& err_code, const std::string& message, const std::string& at = "") {
  nlohmann::json out = {{"valid", false}, {"error", {{"code", err_code}, {"message", message}, {"at", at}}}};
  std::cout << out.dump(2) << "\n";
}

}  // namespace

void add_proof_commands(CLI::App& app, int& exit_code) {
  auto* proof = app.add_subcommand("proof", "Proof bundles: verify offline, print the schema");
  proof->require_subcommand(1);

  auto* verify = proof->add_subcommand(
      "verify",
      "Verify a proof bundle offline (no network, no database). Prints the result as JSON.\n"
      "Exit status: 0 valid, 1 does not verify (error code in the output), 2 not a bundle.");
  static std::string file, trust_file;
  verify->add_option("FILE", file, "Bundle file, or - for standard input")->required();
  verify->add_option("--trust", trust_file,
                     "JSON list of trusted anchors [{island, height, hash}]; the bundle's anchor must be one");
  // The result is always JSON; --json is accepted so that every command takes it (docs/cli.md).
  static bool json_flag = false;
  verify->add_flag("--json", json_flag, "Accepted for uniformity: the result is always printed as JSON");
  verify->callback([&exit_code] {
    std::string text;
    if (auto ok = read_bounded(file, proofs::kMaxBundleBytes, text); !ok) {
      print_error(std::string(code_name(ok.error().code)), ok.error().detail);
      exit_code = 2;
      return;
    }
    proofs::TrustList trust;
    const proofs::TrustList* trust_ptr = nullptr;
    if (!trust_file.empty()) {
      std::string trust_text;
      if (auto ok = read_bounded(trust_file, 16u << 20, trust_text); !ok) {
        print_error(std::string(code_name(ok.error().code)), "trust file: " + ok.error().detail);
        exit_code = 2;
        return;
      }
      auto parsed = proofs::parse_trust_list(trust_text);
      if (!parsed) {
        print_error(std::string(code_name(parsed.error().code)), "trust file: " + parsed.error().detail,
                    "trust" + parsed.error().at);
        exit_code = 2;
        return;
      }
      trust = std::move(*parsed);
      trust_ptr = &trust;
    }
    const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
    auto verdict = proofs::verify_bundle(text, trust_ptr, now_s);
    std::cout << nlohmann::json::parse(verdict.output_json).dump(2) << "\n";
    exit_code = verdict.exit_code;
  });

  auto* schema = proof->add_subcommand("schema", "Print the proof-bundle JSON Schema (draft-07)");
  schema->callback([] { std::cout << proofs::proof_bundle_schema(); });
}

}  // namespace causeway::app
