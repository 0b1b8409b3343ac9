// `causeway island deploy-contracts`: deploys the Causeway endpoint and transfer application to an EVM island
// (docs/contracts.md, docs/cli.md). Signs locally with the key in --key-file (64 hex digits, mode 0600) and
// submits over JSON-RPC; prints the island id (eip155:<chainId>), its genesis hash and the contract addresses.
// Exit codes: 0 deployed, 1 the chain refused or did not answer, 2 usage, key file or contracts not built.
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "causeway/adapters/common/json_rpc.hpp"
#include "causeway/adapters/ethereum/deploy.hpp"
#include "causeway/core/hex.hpp"
#include "api_client.hpp"
#include "commands.hpp"
#include "file_io.hpp"
#include "governance_cli.hpp"

namespace causeway::app {
namespace {

using nlohmann::json;
namespace ae = causeway::adapters::ethereum;

struct DeployOpts {
  std::string rpc;
  std::string key_file;
  std::string committee;
  std::uint64_t k = 0;
  std::string port = "transfer";
  unsigned timeout_s = 120;
  bool allow_low_threshold = false;
  bool json_out = false;
};

void print_error(bool json_out, const Error& e) {
  if (json_out) {
    std::cout << json{{"ok", false}, {"error", {{"code", code_name(e.code)}, {"message", e.detail}, {"at", e.at}}}}.dump(2)
              << "\n";
  } else {
    std::cerr << "error: " << code_name(e.code) << ": " << e.detail << (e.at.empty() ? "" : " (at " + e.at + ")") << "\n";
  }
}

std::string hex_address(const ae::eth::Address& a) { return to_hex(ByteView(a.data(), a.size())); }

// 64 hex digits (optionally 0x, optionally one trailing newline) in a file nobody else may read.
Result<secp256k1::SecretKey> read_key_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return fail(Code::Io, "cannot read key file " + path, "--key-file");
  if (!S_ISREG(st.st_mode)) return fail(Code::Io, "key file " + path + " is not a regular file", "--key-file");
  if ((st.st_mode & 077) != 0) {
    return fail(Code::KeyPermissions, "key file " + path + " is accessible by group or others (chmod 600 " + path + ")",
                "--key-file");
  }
  std::string text;
  if (auto s = read_bounded(path, 256, text); !s) return tl::unexpected(std::move(s.error()));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.rfind("0x", 0) == 0) text.erase(0, 2);
  if (text.size() != 64) return fail(Code::BadHex, "key file must hold 64 hex digits", "--key-file");
  auto bytes = from_hex_bare(text, 32);
  if (!bytes) return fail(Code::BadHex, "key file must hold 64 hex digits", "--key-file");
  return secp256k1::parse_secret_key(*bytes);
}

Result<std::vector<ae::eth::Address>> parse_committee(const std::string& list) {
  std::vector<ae::eth::Address> out;
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ',')) {
    auto b = from_hex(item, 20);
    if (!b || b->size() != 20) return fail(Code::BadHex, "not a 20-byte 0x address: '" + item + "'", "--committee");
    ae::eth::Address a{};
    std::copy(b->begin(), b->end(), a.begin());
    if (std::find(out.begin(), out.end(), a) != out.end()) {
      return fail(Code::DuplicateSeal, "member listed twice: " + item, "--committee");
    }
    out.push_back(a);
  }
  if (out.empty()) return fail(Code::InvalidArgument, "give at least one committee member", "--committee");
  return out;
}

int run_deploy(const DeployOpts& o) {
  auto key = read_key_file(o.key_file);
  if (!key) return print_error(o.json_out, key.error()), 2;
  auto committee = parse_committee(o.committee);
  if (!committee) return print_error(o.json_out, committee.error()), 2;
  const std::uint64_t n = committee->size();
  if (o.k == 0 || o.k > n) {
    return print_error(o.json_out, Error{Code::InvalidArgument, "--k must be 1 … committee size", "--k"}), 2;
  }
  if (3 * o.k <= 2 * n) {  // A06: a threshold of at most 2n/3 needs an explicit, logged override
    if (!o.allow_low_threshold) {
      return print_error(o.json_out, Error{Code::ThresholdTooLow,
                                           "k = " + std::to_string(o.k) + " of " + std::to_string(n) +
                                               " is at most 2n/3 (use --allow-low-threshold to deploy anyway)",
                                           "--k"}),
             2;
    }
    std::cerr << "warning: deploying with a low committee threshold k = " << o.k << " of " << n
              << " (--allow-low-threshold)\n";
  }
  adapters::RpcOptions ro;
  ro.read_timeout = std::chrono::milliseconds(60'000);
  auto client = adapters::JsonRpcClient::create(o.rpc, ro);
  if (!client) return print_error(o.json_out, client.error()), 2;
  ae::DeployRequest req;
  req.committee = *committee;
  req.k = o.k;
  req.port = o.port;
  ae::SendOptions so;
  so.receipt_timeout = std::chrono::milliseconds(std::uint64_t{o.timeout_s} * 1000);
  auto d = ae::deploy_contracts(*client, *key, req, so);
  if (!d) return print_error(o.json_out, d.error()), d.error().code == Code::Unsupported ? 2 : 1;
  json members = json::array();
  for (const auto& a : *committee) members.push_back(hex_address(a));
  json txs = json::array();
  for (const auto& h : d->transactions) txs.push_back(to_hex(h.view()));
  if (o.json_out) {
    std::cout << json{{"ok", true},
                      {"island", d->island},
                      {"chain_id", d->chain_id},
                      {"genesis_hash", to_hex(d->genesis_hash.view())},
                      {"endpoint", hex_address(d->endpoint)},
                      {"transfer_app", hex_address(d->transfer_app)},
                      {"port", d->port},
                      {"governance", hex_address(d->deployer)},
                      {"committee", members},
                      {"k", o.k},
                      {"transactions", txs},
                      {"block_number", d->block_number},
                      {"compiler", d->compiler}}
                     .dump(2)
              << "\n";
  } else {
    std::cout << "island        " << d->island << "\n"
              << "genesis_hash  " << to_hex(d->genesis_hash.view()) << "\n"
              << "endpoint      " << hex_address(d->endpoint) << "\n"
              << "transfer_app  " << hex_address(d->transfer_app) << " (port " << d->port << ")\n"
              << "governance    " << hex_address(d->deployer) << "\n"
              << "committee     " << o.committee << " (k = " << o.k << ")\n"
              << "block         " << d->block_number << "\n";
  }
  return 0;
}

// ---- `causeway island list` / `island status ID` against a running relay (GET /v1/islands[/{id}]) ----

struct QueryOpts {
  std::string url = kDefaultApiUrl;
  std::string id;
  bool json_out = false;
};

int island_list(const QueryOpts& o) {
  auto a = api_get(o.url, "/v1/islands");
  if (!a.ok) return report_failure(a.failure, o.json_out);
  if (o.json_out) {
    std::cout << a.body.dump(2) << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& i : a.body["islands"]) {
    const json& c = i["client"];
    rows.push_back({cell(i["id"]), cell(i["family"]), cell(i["codec"]), cell(c["status"]),
                    c["latest"].is_object() ? cell(c["latest"]["height"]) : "-", cell(c["expiry_s"])});
  }
  print_table({"ISLAND", "FAMILY", "CODEC", "CLIENT", "HEIGHT", "EXPIRY_S"}, rows);
  return 0;
}

int island_status(const QueryOpts& o) {
  auto a = api_get(o.url, "/v1/islands/" + url_encode(o.id));
  if (!a.ok) return report_failure(a.failure, o.json_out);
  if (o.json_out) {
    std::cout << a.body.dump(2) << "\n";
    return 0;
  }
  const json& i = a.body;
  const json& c = i["client"];
  std::vector<std::vector<std::string>> rows = {
      {"island", cell(i["id"])},
      {"genesis", cell(i["genesis"])},
      {"family / codec", cell(i["family"]) + " / " + cell(i["codec"])},
      {"governance nonce", cell(i["nonce"])},
      {"registered (audit index)", cell(i["registered_index"])},
      {"client status", cell(c["status"])},
      {"consensus states", cell(c["consensus_states"])},
      {"latest height", c["latest"].is_object() ? cell(c["latest"]["height"]) : "-"},
      {"latest hash", c["latest"].is_object() ? cell(c["latest"]["hash"]) : "-"},
      {"latest time_ms", c["latest"].is_object() ? cell(c["latest"]["time_ms"]) : "-"},
      {"trusting period (s)", cell(c["trusting_period_s"])},
      {"expires in (s)", cell(c["expiry_s"])}};
  print_table({"FIELD", "VALUE"}, rows);
  return 0;
}

// ---- `causeway island push-headers ID --file DOC` (POST /v1/islands/{id}/headers) ----

struct PushHeadersOpts {
  std::string url = kDefaultApiUrl;
  std::string id;
  std::string file;
  bool json_out = false;
};

int island_push_headers(const PushHeadersOpts& o) {
  constexpr std::size_t kMaxDocBytes = 64u << 20;  // relay/proofs kMaxBundleBytes; the relay caps the body lower
  std::string doc;
  if (auto st = read_bounded(o.file, kMaxDocBytes, doc); !st)
    return report_failure(
        ApiFailure{2, 0, std::string(code_name(st.error().code)), "--file " + o.file + ": " + st.error().detail},
        o.json_out);
  auto a = api_post(o.url, "/v1/islands/" + url_encode(o.id) + "/headers", doc);
  if (!a.ok) return report_failure(a.failure, o.json_out);
  if (o.json_out) {
    std::cout << a.body.dump(2) << "\n";
    return 0;
  }
  print_table({"ISLAND", "HEADERS", "TIP HEIGHT", "TIP HASH"},
              {{cell(a.body["island"]), cell(a.body["headers"]), cell(a.body["height"]), cell(a.body["hash"])}});
  return 0;
}

}  // namespace

void add_island_commands(CLI::App& app, int& exit_code) {
  auto* island = app.add_subcommand(
      "island", "Islands: list and status of a running relay, header push, EVM contract deployment");
  static QueryOpts q;
  auto* list = island->add_subcommand("list", "Registered islands and their light clients (GET /v1/islands)");
  auto* status = island->add_subcommand("status", "One island's registration and client state (GET /v1/islands/{id})");
  status->add_option("id", q.id, "Island id (CAIP-2)")->required();
  for (auto* c : {list, status}) {
    c->add_option("--url", q.url, "The relay's API")->capture_default_str();
    c->add_flag("--json", q.json_out, "Print the API's JSON");
  }
  list->callback([&exit_code] { exit_code = island_list(q); });
  static PushHeadersOpts ph;
  auto* push = island->add_subcommand(
      "push-headers",
      "Push a header document to a push-mode island's light client (POST /v1/islands/{id}/headers): a Bitcoin,\n"
      "causeway-devnet, ChainMaker or FISCO BCOS header run anchored at a consensus state the relay holds;\n"
      "every header is verified.\n"
      "Exit status: 0 accepted, 1 the relay refused it or could not be reached, 2 usage or file error.");
  push->add_option("id", ph.id, "Island id (CAIP-2), e.g. bip122:000000000019d6689c085ae165831e93")->required();
  push->add_option("--file", ph.file, "The header document (JSON; docs/api.md \"POST /v1/islands/{id}/headers\")")->required();
  push->add_option("--url", ph.url, "The relay's API")->capture_default_str();
  push->add_flag("--json", ph.json_out, "Print the API's JSON");
  push->callback([&exit_code] { exit_code = island_push_headers(ph); });
  status->callback([&exit_code] { exit_code = island_status(q); });
  island->require_subcommand(1);
  add_island_update_command(*island, exit_code);  // and `client recover`: governance_cli.hpp
  add_client_commands(app, exit_code);
  static DeployOpts o;
  auto* dep = island->add_subcommand(
      "deploy-contracts",
      "Deploy the Causeway endpoint and transfer application to an EVM island and bind the transfer port.\n"
      "Exit status: 0 deployed, 1 the chain refused or did not answer, 2 usage or key-file error.");
  dep->add_option("--rpc", o.rpc, "JSON-RPC URL of the island's node (http://host:port)")->required();
  dep->add_option("--key-file", o.key_file, "Deployer key: 64 hex digits, mode 0600; becomes the governance address")
      ->required();
  dep->add_option("--committee", o.committee, "Relay committee member addresses, comma-separated")->required();
  dep->add_option("--k", o.k, "Attestations required (1 … committee size; more than 2n/3 unless overridden)")
      ->required();
  dep->add_option("--port", o.port, "Port the transfer application is bound to")->capture_default_str();
  dep->add_option("--timeout-s", o.timeout_s, "Seconds to wait for each receipt")->capture_default_str();
  dep->add_flag("--allow-low-threshold", o.allow_low_threshold, "Accept k <= 2n/3 (A06; printed as a warning)");
  dep->add_flag("--json", o.json_out, "Print JSON");
  dep->callback([&exit_code] { exit_code = run_deploy(o); });
}

}  // namespace causeway::app
