// `causeway packet status ID`, `causeway packet list --channel ISLAND/CHANNEL [--after SEQ] [--limit N]` and
// `causeway proof get PACKET_ID [-o FILE]` against a running relay (GET /v1/packets…, GET /v1/proofs/…).
// docs/cli.md. Exit codes: 0 ok, 1 relay error (unknown packet, …) or unreachable, 2 usage.
#include <fstream>
#include <iostream>

#include "api_client.hpp"
#include "commands.hpp"

namespace causeway::app {
namespace {

using nlohmann::json;

struct PacketOpts {
  std::string url = kDefaultApiUrl;
  std::string id;
  std::string channel;
  std::uint64_t after = 0;
  std::uint64_t limit = 100;
  std::string out;
  bool json_out = false;
};

// Packet ids contain '/' between their components; each component is percent-encoded on its own.
std::string encode_id(const std::string& id) {
  std::string out, part;
  for (char c : id) {
    if (c == '/') {
      out += url_encode(part) + "/";
      part.clear();
    } else {
      part.push_back(c);
    }
  }
  return out + url_encode(part);
}

int packet_status(const PacketOpts& o) {
  auto a = api_get(o.url, "/v1/packets/" + encode_id(o.id));
  if (!a.ok) return report_failure(a.failure, o.json_out);
  const json& p = a.body;
  if (o.json_out) {
    std::cout << p.dump(2) << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows = {
      {"packet", cell(p["packet_id"])},
      {"stage", cell(p["stage"])},
      {"commitment", cell(p["commitment"])},
      {"destination", cell(p["destination"]["island"]) + "/" + cell(p["destination"]["channel"])},
      {"source block", cell(p["source_height"]) + " " + cell(p["source_block"])},
      {"verified (audit index)", cell(p["verified_index"])},
      {"attested (audit index)", cell(p["attested_index"])},
      {"observed_ms", cell(p["stages"]["observed_ms"])},
      {"attested_ms", cell(p["stages"]["attested_ms"])},
      {"delivered_ms", cell(p["stages"]["delivered_ms"])},
      {"attestations", std::to_string(p["attestations"].size())}};
  if (p["outbox"].is_object())
    rows.push_back({"delivery job", cell(p["outbox"]["state"]) + ", " + cell(p["outbox"]["attempts"]) + " attempts" +
                                        (p["outbox"]["last_error"] == "" ? "" : ", last error: " + cell(p["outbox"]["last_error"]))});
  if (p["delivery"].is_object())
    rows.push_back({"delivered in", cell(p["delivery"]["dest_tx"]) + " at height " + cell(p["delivery"]["dest_height"])});
  print_table({"FIELD", "VALUE"}, rows);
  return 0;
}

int packet_list(const PacketOpts& o) {
  std::string target = "/v1/packets?channel=" + url_encode(o.channel) + "&limit=" + std::to_string(o.limit);
  if (o.after > 0) target += "&after=" + std::to_string(o.after);
  auto a = api_get(o.url, target);
  if (!a.ok) return report_failure(a.failure, o.json_out);
  if (o.json_out) {
    std::cout << a.body.dump(2) << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : a.body["packets"])
    rows.push_back({cell(p["source"]["sequence"]), cell(p["stage"]),
                    cell(p["destination"]["island"]) + "/" + cell(p["destination"]["channel"]), cell(p["commitment"]),
                    cell(p["updated_ms"])});
  print_table({"SEQ", "STAGE", "DESTINATION", "COMMITMENT", "UPDATED_MS"}, rows);
  if (!a.body["next_after"].is_null())
    std::cout << "more: --after " << cell(a.body["next_after"]) << "\n";
  return 0;
}

int proof_get(const PacketOpts& o) {
  auto a = api_get(o.url, "/v1/proofs/" + encode_id(o.id));
  if (!a.ok) return report_failure(a.failure, o.json_out);
  const std::string text = (o.json_out ? a.body : a.body["bundle"]).dump(2) + "\n";
  if (o.out.empty()) {
    std::cout << text;
    return 0;
  }
  std::ofstream f(o.out, std::ios::binary | std::ios::trunc);
  if (!(f << text)) {
    std::cerr << "error: ERR_IO: cannot write " << o.out << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

void add_packet_commands(CLI::App& app, int& exit_code) {
  static PacketOpts o;
  auto* packet = app.add_subcommand("packet", "Packets of a running relay");
  packet->require_subcommand(1);
  auto* status = packet->add_subcommand("status", "A packet's stage, timestamps and attestations (GET /v1/packets/{id})");
  status->add_option("id", o.id, "Packet id <island>/<0x genesis>/<channel>/<sequence>")->required();
  auto* list = packet->add_subcommand("list", "Packets sent on a channel end, by sequence (GET /v1/packets?channel=)");
  list->add_option("--channel", o.channel, "<island>/<channel> (the source end)")->required();
  list->add_option("--after", o.after, "Only sequences above this")->capture_default_str();
  list->add_option("--limit", o.limit, "At most this many (1..500)")->check(CLI::Range(1, 500))->capture_default_str();
  for (auto* c : {status, list}) {
    c->add_option("--url", o.url, "The relay's API")->capture_default_str();
    c->add_flag("--json", o.json_out, "Print the API's JSON");
  }
  status->callback([&exit_code] { exit_code = packet_status(o); });
  list->callback([&exit_code] { exit_code = packet_list(o); });

  // `causeway proof get` joins the `proof` command (cmd_proof.cpp registers it first, main.cpp).
  CLI::App* proof = nullptr;
  try {
    proof = app.get_subcommand("proof");
  } catch (const CLI::OptionNotFound&) {
    proof = app.add_subcommand("proof", "Proof bundles");
  }
  auto* get = proof->add_subcommand("get", "The proof bundle a relay accepted for a packet (GET /v1/proofs/{id})");
  get->add_option("packet_id", o.id, "Packet id <island>/<0x genesis>/<channel>/<sequence>")->required();
  get->add_option("-o,--out", o.out, "Write the bundle to this file (for `causeway proof verify`)");
  get->add_option("--url", o.url, "The relay's API")->capture_default_str();
  get->add_flag("--json", o.json_out, "Print the whole API answer (packet id, audit index, bundle)");
  get->callback([&exit_code] { exit_code = proof_get(o); });
}

}  // namespace causeway::app
