// `causeway bitcoin import-headers` (verify and persist a header chain from a trust anchor) and
// `causeway bitcoin regtest-sample` (mine a sample regtest chain with a proof bundle).
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "causeway/bitcoin/chain.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/merkle/bitcoin_merkle.hpp"
#include "causeway/store/header_store.hpp"
#include "causeway/store/sqlite.hpp"
#include "commands.hpp"
#include "file_io.hpp"
#include "header_rows.hpp"
#include "progress.hpp"
#include "regtest_miner.hpp"

namespace causeway::app {
namespace {

constexpr std::size_t kMaxHeaderFileBytes = 512u << 20;  // ~3.3 M headers as hex lines

std::string island_of(const bitcoin::Params& p) {
  return "bip122:" + to_hex_bare(p.genesis_hash.reversed().view()).substr(0, 32);
}

std::string display(const Hash32& h) { return to_hex(h.reversed().view()); }

// True if every byte is printable ASCII or whitespace: such a file is read as hex lines, never as binary.
bool looks_like_text(const std::string& content) {
  for (char ch : content) {
    const auto c = static_cast<unsigned char>(ch);
    if (!(c == '\n' || c == '\r' || c == '\t' || (c >= 0x20 && c < 0x7f))) return false;
  }
  return true;
}

// FILE holds one 80-byte header in hex per line (0x optional; blank lines and '#' comments skipped), or raw
// concatenated 80-byte headers. Errors: ERR_HEADER_ENCODING with the line number.
Result<std::vector<bitcoin::RawHeader>> parse_header_file(const std::string& content) {
  std::vector<bitcoin::RawHeader> out;
  const bool text = looks_like_text(content);
  if (!text && content.size() % 80 != 0)
    return fail(Code::HeaderEncoding, "neither hex lines nor a whole number of raw 80-byte headers");
  std::size_t line_no = 0;
  for (std::size_t pos = 0; text && pos < content.size();) {
    std::size_t end = content.find('\n', pos);
    if (end == std::string::npos) end = content.size();
    std::string line = content.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
    std::size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    std::string_view hex = std::string_view(line).substr(start);
    auto bytes = hex.starts_with("0x") || hex.starts_with("0X") ? from_hex(hex, 80) : from_hex_bare(hex, 80);
    if (!bytes || bytes->size() != 80)
      return fail(Code::HeaderEncoding, "line " + std::to_string(line_no) + " is not an 80-byte header in hex");
    bitcoin::RawHeader h;
    std::copy(bytes->begin(), bytes->end(), h.begin());
    out.push_back(h);
  }
  if (text) return out;
  for (std::size_t off = 0; off + 80 <= content.size(); off += 80) {
    bitcoin::RawHeader h;
    std::copy(content.begin() + static_cast<std::ptrdiff_t>(off), content.begin() + static_cast<std::ptrdiff_t>(off + 80),
              h.begin());
    out.push_back(h);
  }
  return out;
}

struct ImportOptions {
  std::string network, anchor_header, db, file;
  std::uint32_t anchor_height = 0;
  std::optional<std::uint32_t> period_start_time_s, last_non_min_bits;
  std::vector<std::uint32_t> prev_timestamps_s;
  std::optional<std::int64_t> now_s;
  std::size_t batch = 10'000;
  bool json = false;
};

void report_error(bool json, const std::string& code, const std::string& message, const std::string& at = {}) {
  if (json) {
    std::cout << nlohmann::json{{"ok", false}, {"error", {{"code", code}, {"message", message}, {"at", at}}}}.dump()
              << "\n";
  } else {
    std::cerr << "error: " << code << ": " << message << (at.empty() ? "" : " (at " + at + ")") << "\n";
  }
}

// The anchor's client-state parameters, kept beside it in the store.
nlohmann::json anchor_metadata(const ImportOptions& o) {
  nlohmann::json m = {{"network", o.network}, {"prev_timestamps_s", o.prev_timestamps_s}};
  if (o.period_start_time_s) m["period_start_time_s"] = *o.period_start_time_s;
  if (o.last_non_min_bits) m["last_non_min_bits"] = *o.last_non_min_bits;
  return m;
}

// Exit codes: 0 imported, 1 a header or the anchor failed verification (nothing stored), 2 usage/IO.
int import_headers(const ImportOptions& o) {
  auto params = bitcoin::params_by_name(o.network);
  if (!params) {
    report_error(o.json, "ERR_UNKNOWN_NETWORK", params.error().detail);
    return 2;
  }
  const std::string island = island_of(**params);
  bitcoin::Anchor anchor;
  anchor.height = o.anchor_height;
  auto raw_anchor = from_hex(o.anchor_header, 80);
  if (!raw_anchor || raw_anchor->size() != 80) {
    report_error(o.json, "ERR_HEADER_ENCODING", "--anchor-header must be an 80-byte header in 0x hex");
    return 2;
  }
  anchor.header = *raw_anchor;
  anchor.prev_timestamps_s = o.prev_timestamps_s;
  anchor.period_start_time_s = o.period_start_time_s;
  anchor.last_non_min_bits = o.last_non_min_bits;
  auto chain = bitcoin::HeaderChain::create(**params, anchor);
  if (!chain) {
    report_error(o.json, std::string(code_name(chain.error().code)), chain.error().detail, "anchor");
    return 1;
  }
  std::string content;
  if (auto ok = read_bounded(o.file, kMaxHeaderFileBytes, content); !ok) {
    report_error(o.json, std::string(code_name(ok.error().code)), ok.error().detail);
    return 2;
  }
  auto headers = parse_header_file(content);
  if (!headers) {
    report_error(o.json, std::string(code_name(headers.error().code)), headers.error().detail);
    return 2;
  }

  auto db = store::Database::open(o.db);
  if (!db) {
    report_error(o.json, std::string(code_name(db.error().code)), db.error().detail);
    return 2;
  }
  auto opened = store::HeaderStore::open(*db);
  if (!opened) {
    report_error(o.json, std::string(code_name(opened.error().code)), opened.error().detail);
    return 2;
  }
  auto& hs = *opened;
  // A database already anchored for this island continues from what it holds (re-verified on load).
  const auto anchor_hash = chain->tip().hash;
  auto stored_anchor = hs.get_anchor(island);
  if (!stored_anchor) {
    report_error(o.json, std::string(code_name(stored_anchor.error().code)), stored_anchor.error().detail);
    return 2;
  }
  std::size_t reloaded = 0;
  if (stored_anchor->has_value()) {
    if ((*stored_anchor)->hash != anchor_hash || (*stored_anchor)->height != anchor.height) {
      report_error(o.json, "ERR_STORE_CONFLICT",
                   o.db + " is anchored at another header for " + island + "; use a new --db");
      return 1;
    }
    auto rows = hs.load_headers(island);
    if (!rows) {
      report_error(o.json, std::string(code_name(rows.error().code)), rows.error().detail);
      return 2;
    }
    for (const auto& r : *rows) {
      if (r.hash == anchor_hash) continue;
      if (auto ok = chain->add_header(r.raw, INT64_MAX / 2); !ok) {
        report_error(o.json, std::string(code_name(ok.error().code)), "stored header failed re-verification: " +
                                                                          ok.error().detail);
        return 1;
      }
      ++reloaded;
    }
  }

  const std::int64_t now_s = o.now_s.value_or(std::chrono::duration_cast<std::chrono::seconds>(
                                                  std::chrono::system_clock::now().time_since_epoch())
                                                  .count());
  // Verify everything first: a bad header anywhere means nothing of this file is stored.
  std::vector<Hash32> fresh;
  std::size_t duplicates = 0, reorgs = 0;
  Progress verify_bar("verifying", headers->size());
  for (std::size_t i = 0; i < headers->size(); ++i) {
    auto added = chain->add_header((*headers)[i], now_s);
    if (!added) {
      report_error(o.json, std::string(code_name(added.error().code)),
                   added.error().detail + "; nothing was stored", "header " + std::to_string(i + 1));
      return 1;
    }
    if (added->duplicate) ++duplicates;
    else fresh.push_back(added->hash);
    if (added->reorg) ++reorgs;
    verify_bar.update(i + 1);
  }
  verify_bar.finish();

  Progress store_bar("storing", fresh.size());
  std::vector<store::HeaderRow> rows;
  if (!stored_anchor->has_value()) {
    store::Anchor a{anchor.height, anchor_hash, anchor.header, anchor_metadata(o).dump()};
    if (auto ok = hs.set_anchor(island, a); !ok) {
      report_error(o.json, std::string(code_name(ok.error().code)), ok.error().detail);
      return 2;
    }
  }
  for (std::size_t i = 0; i < fresh.size(); ++i) {
    rows.push_back(header_row(*chain, fresh[i]));
    if (rows.size() == o.batch || i + 1 == fresh.size()) {
      if (auto ok = hs.put_headers(island, rows); !ok) {
        report_error(o.json, std::string(code_name(ok.error().code)), ok.error().detail);
        return 2;
      }
      rows.clear();
      store_bar.update(i + 1);
    }
  }
  store_bar.finish();
  const auto tip = chain->tip();
  if (auto ok = hs.set_tip(island, tip.hash); !ok) {
    report_error(o.json, std::string(code_name(ok.error().code)), ok.error().detail);
    return 2;
  }

  nlohmann::json summary = {
      {"ok", true},
      {"island", island},
      {"network", o.network},
      {"anchor", {{"height", anchor.height}, {"hash", display(anchor_hash)}}},
      {"headers_read", headers->size()},
      {"headers_new", fresh.size()},
      {"headers_duplicate", duplicates},
      {"headers_reloaded", reloaded},
      {"reorgs", reorgs},
      {"tip", {{"height", tip.height}, {"hash", display(tip.hash)}, {"chainwork", "0x" + tip.chainwork.to_hex()}}},
      {"db", o.db}};
  if (o.json) {
    std::cout << summary.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    std::cout << "island      " << island << " (" << o.network << ")\n"
              << "anchor      height " << anchor.height << "  " << display(anchor_hash) << "\n"
              << "headers     " << headers->size() << " read, " << fresh.size() << " new, " << duplicates
              << " already known, " << reorgs << " reorg(s)\n"
              << "tip         height " << tip.height << "  " << display(tip.hash) << "\n"
              << "chainwork   0x" << tip.chainwork.to_hex() << "\n"
              << "database    " << o.db << "\n";
  }
  return 0;
}

// Mines a regtest chain with sample transactions and writes headers.txt, anchor.json and bundle.json.
// Exit: 0 written, 2 the output folder cannot be written.
int regtest_sample(std::size_t blocks, const std::string& out_dir) {
  const auto& params = bitcoin::regtest_params();
  const auto genesis = regtest_genesis();
  const auto mined = mine_regtest(params, genesis, blocks, 3);
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec || !std::filesystem::is_directory(out_dir)) {
    report_error(false, "ERR_IO", "cannot create the folder " + out_dir + (ec ? ": " + ec.message() : ""));
    return 2;
  }
  std::string headers;
  nlohmann::json header_list = nlohmann::json::array();
  for (const auto& b : mined) {
    headers += to_hex_bare(b.header) + "\n";
    header_list.push_back(to_hex(b.header));
  }
  // Prove transaction 1 of the block 6 below the tip, so it has 6 confirmations.
  const std::size_t proving = blocks - 6;
  const auto& block = mined[proving];
  nlohmann::json branch = nlohmann::json::array();
  for (const auto& h : merkle::bitcoin_branch(block.txids, 1)) branch.push_back(display(h));
  nlohmann::json bundle = {
      {"version", 1},
      {"family", "bitcoin"},
      {"island", island_of(params)},
      {"network", "regtest"},
      {"anchor", {{"height", 0}, {"header", to_hex(genesis)}}},
      {"headers", header_list},
      {"inclusion",
       {{"kind", "tx"},
        {"height", proving + 1},
        {"txid", display(block.txids[1])},
        {"index", 1},
        {"branch", branch},
        {"tx_count", block.txids.size()},
        {"tx", to_hex(block.txs[1])}}},
      {"finality", {{"min_confirmations", 6}}}};
  const std::filesystem::path dir(out_dir);
  for (const auto& [name, content] :
       {std::pair<std::string, std::string>{"headers.txt", headers},
        {"anchor.json", nlohmann::json{{"height", 0}, {"header", to_hex(genesis)}}.dump(1) + "\n"},
        {"bundle.json", bundle.dump(1) + "\n"}}) {
    if (auto ok = write_file((dir / name).string(), content); !ok) {
      report_error(false, "ERR_IO", ok.error().detail);
      return 2;
    }
  }
  std::cout << "mined " << blocks << " regtest blocks into " << out_dir
            << " (headers.txt, anchor.json, bundle.json proving a transaction at height " << proving + 1 << ")\n";
  return 0;
}

}  // namespace

void add_bitcoin_commands(CLI::App& app, int& exit_code) {
  auto* btc = app.add_subcommand("bitcoin", "Bitcoin SPV: import header chains, sample data");
  btc->require_subcommand(1);

  static ImportOptions o;
  auto* imp = btc->add_subcommand(
      "import-headers",
      "Verify headers from a trust anchor (PoW, retargets, median-time-past, future limit) and persist them\n"
      "in SQLite. FILE: one 80-byte header in hex per line, or raw concatenated 80-byte headers; - for stdin.\n"
      "Nothing of FILE is stored unless every header verifies. Exit: 0 ok, 1 verification failed, 2 usage/IO.");
  imp->add_option("--network", o.network, "mainnet | testnet3 | testnet4 | signet | regtest")->required();
  imp->add_option("--anchor-height", o.anchor_height, "Height of the trusted anchor header")->required();
  imp->add_option("--anchor-header", o.anchor_header, "The anchor's 80-byte header, 0x hex")->required();
  imp->add_option("--period-start-time", o.period_start_time_s,
                  "Time (s) of the first block of the anchor's difficulty period; needed to cross a retarget");
  imp->add_option("--last-non-min-bits", o.last_non_min_bits, "testnet3/4: bits of the last non-min-difficulty block");
  imp->add_option("--prev-timestamps", o.prev_timestamps_s, "Up to 10 ancestor times (s), oldest first, for MTP")
      ->expected(0, 10);
  imp->add_option("--db", o.db, "SQLite database (created if missing)")->required();
  imp->add_option("--now", o.now_s, "Unix seconds standing in for now (default: the clock)");
  imp->add_option("--batch", o.batch, "Headers per SQLite transaction")->check(CLI::Range(1, 1'000'000));
  imp->add_flag("--json", o.json, "Print the summary as one JSON object");
  imp->add_option("FILE", o.file, "Header file, or - for standard input")->required();
  imp->callback([&exit_code] { exit_code = import_headers(o); });

  static std::size_t blocks = 300;
  static std::string out_dir;
  auto* sample = btc->add_subcommand(
      "regtest-sample", "Mine a regtest chain with sample transactions; write headers, anchor and a proof bundle");
  sample->add_option("--blocks", blocks, "Blocks to mine")->check(CLI::Range(6, 1'000'000))->capture_default_str();
  sample->add_option("--out", out_dir, "Output folder")->required();
  sample->callback([&exit_code] { exit_code = regtest_sample(blocks, out_dir); });
}

}  // namespace causeway::app
