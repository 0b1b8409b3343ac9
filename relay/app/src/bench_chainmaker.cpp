#include "bench_chainmaker.hpp"

#include <google/protobuf/util/json_util.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>

#include "causeway/chainmaker/block.hpp"
#include "causeway/chainmaker/chainmaker.pb.h"
#include "causeway/chainmaker/client.hpp"

namespace causeway::app {
namespace {

namespace cm = causeway::chainmaker;
using Clock = std::chrono::steady_clock;
constexpr double kSliceSeconds = 0.25;  // alternating slices: operation, limit, operation, limit, …
constexpr int kSlices = 4;              // per run, each
constexpr std::int64_t kNowS = 1'800'000'000;
const std::string kDir = "chainmaker/pzy2000_ChineseChess-Chain/";

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("chainmaker bench: cannot read " + p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

cm::Block load_block(const std::filesystem::path& file) {
  cm::pb::BlockInfo info;
  auto st = google::protobuf::util::JsonStringToMessage(read_text(file), &info);
  if (!st.ok()) throw std::runtime_error("chainmaker bench: " + file.string() + ": " + st.ToString());
  std::string bytes;
  info.block().SerializeToString(&bytes);
  auto b = cm::decode_block(Bytes(bytes.begin(), bytes.end()));
  if (!b) throw std::runtime_error("chainmaker bench: decode: " + b.error().detail);
  return *b;
}

// org1/org2 by their root CAs (the only ones known), org3/org4 by signing certificates pinned from `pins`.
cm::ChainTrust trust(const std::filesystem::path& vectors, const cm::Block& pins, std::uint64_t config_height) {
  static const std::vector<std::pair<std::string, std::string>> nodes = {
      {"wx-org1.chainmaker.org", "QmVkqwwEEnfPjw7RiKoYUqN7hFN3tcQaG4aUJLZUF6U4L7"},
      {"wx-org2.chainmaker.org", "QmTKwyspT55Jcq8ien1JMyxckN6AmqgBpCz2vUZyp4NRdX"},
      {"wx-org3.chainmaker.org", "QmZGKPwu3K9uCdo3x4EsR5N4nmR4qpk7Q56RLzsNdHbKw8"},
      {"wx-org4.chainmaker.org", "QmUjC29VEBtRcD2jQv8kZLmJnqNeEjwjSJKe17zKuysUsJ"}};
  auto cas = nlohmann::json::parse(read_text(vectors / (kDir + "chain1_org_ca_certs.json")))["OrgCA"];
  std::map<std::string, Bytes> pinned{{pins.header.proposer.org_id, pins.header.proposer.member_info}};
  const cm::VoteSet qc = cm::decode_vote_set(*pins.qc).value();
  for (const auto& e : qc.votes) pinned[e.vote.signer.org_id] = e.vote.signer.member_info;
  cm::ChainTrust t;
  t.chain_id = "chain1";
  t.config_height = config_height;
  for (const auto& [org, node] : nodes) {
    cm::OrgTrust o{org, {node}, {}, {}, {}};
    if (cas.contains(org)) {
      const auto pem = cas[org].get<std::string>();
      o.ca_certs.emplace_back(pem.begin(), pem.end());
    } else {
      o.signing_certs.push_back(pinned.at(org));
    }
    t.orgs.push_back(std::move(o));
  }
  return t;
}

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

}  // namespace

std::filesystem::path default_vectors_dir() {
  if (const char* env = std::getenv("CAUSEWAY_VECTORS"); env != nullptr && *env != '\0') return env;
  return CAUSEWAY_VECTORS_DIR_DEFAULT;
}

bool chainmaker_vectors_present(const std::filesystem::path& vectors) {
  return std::filesystem::exists(vectors / (kDir + "block_30_blockinfo.json")) &&
         std::filesystem::exists(vectors / (kDir + "block_3_blockinfo.json")) &&
         std::filesystem::exists(vectors / (kDir + "chain1_org_ca_certs.json"));
}

std::vector<BenchFigure> bench_chainmaker_blocks(const std::filesystem::path& vectors, int runs) {
  if (!chainmaker_vectors_present(vectors))
    throw std::runtime_error("chainmaker bench: vectors missing under " + vectors.string() + " (set CAUSEWAY_VECTORS)");
  const cm::Block b30 = load_block(vectors / (kDir + "block_30_blockinfo.json"));
  const cm::Block b3 = load_block(vectors / (kDir + "block_3_blockinfo.json"));
  auto v30 = cm::Verifier::create(trust(vectors, b3, 22)).value();
  auto v3 = cm::Verifier::create(trust(vectors, b30, 0)).value();
  const cm::Block* blocks[2] = {&b30, &b3};
  cm::Verifier* verifiers[2] = {&v30, &v3};
  std::size_t quorum = 0;
  for (int i = 0; i < 2; ++i) {
    auto r = verifiers[i]->verify(*blocks[i], kNowS);
    if (!r) throw std::runtime_error("chainmaker bench: a real block does not verify: " + r.error().detail);
    quorum = r->quorum;
  }
  const std::size_t signatures_per_block = 1 + quorum;

  // The limit's signatures: the proposer's and every vote's of both blocks, through the same primitive.
  struct Sig {
    cm::Certificate cert;
    Bytes message, signature;
  };
  std::vector<Sig> sigs;
  for (const cm::Block* b : blocks) {
    sigs.push_back({cm::Certificate::parse(b->header.proposer.member_info).value(), b->header.block_hash,
                    b->header.signature});
    const cm::VoteSet qc = cm::decode_vote_set(*b->qc).value();
    for (const auto& e : qc.votes)
      sigs.push_back({cm::Certificate::parse(e.vote.signer.member_info).value(), cm::vote_sign_bytes(e.vote),
                      e.vote.signature});
  }

  std::vector<double> blocks_per_s, verify_per_s, decoded_blocks_per_s;
  std::string bytes30;
  {
    cm::pb::BlockInfo info;
    google::protobuf::util::JsonStringToMessage(read_text(vectors / (kDir + "block_30_blockinfo.json")), &info);
    info.block().SerializeToString(&bytes30);
  }
  const Bytes raw30(bytes30.begin(), bytes30.end());
  std::uint64_t n_blocks = 0;
  for (int run = 0; run < runs; ++run) {
    double op_s = 0, lim_s = 0, dec_s = 0;
    std::uint64_t ops = 0, lims = 0, decs = 0;
    for (int slice = 0; slice < kSlices; ++slice) {
      auto t0 = Clock::now();
      while (seconds_since(t0) < kSliceSeconds) {
        for (int k = 0; k < 16; ++k, ++ops)
          if (!verifiers[ops % 2]->verify(*blocks[ops % 2], kNowS)) throw std::runtime_error("chainmaker bench: verify failed");
      }
      op_s += seconds_since(t0);
      t0 = Clock::now();
      while (seconds_since(t0) < kSliceSeconds) {
        for (int k = 0; k < 16; ++k, ++lims) {
          const auto& s = sigs[lims % sigs.size()];
          if (!s.cert.verify(s.message, s.signature)) throw std::runtime_error("chainmaker bench: signature failed");
        }
      }
      lim_s += seconds_since(t0);
      t0 = Clock::now();
      while (seconds_since(t0) < kSliceSeconds / 2) {
        for (int k = 0; k < 8; ++k, ++decs) {
          auto b = cm::decode_block(raw30);
          if (!b || !v30.verify(*b, kNowS)) throw std::runtime_error("chainmaker bench: decode+verify failed");
        }
      }
      dec_s += seconds_since(t0);
    }
    blocks_per_s.push_back(static_cast<double>(ops) / op_s);
    verify_per_s.push_back(static_cast<double>(lims) / lim_s);
    decoded_blocks_per_s.push_back(static_cast<double>(decs) / dec_s);
    n_blocks += ops;
  }
  const double p256 = median(verify_per_s);
  nlohmann::json extra = {
      {"runs", runs},
      {"goal", 0.7},
      {"blocks", "real ChainMaker v2.3.2 heights 30 and 3, alternating (hash + proposer signature + TBFT QC)"},
      {"validators", 4},
      {"quorum", quorum},
      {"signatures_per_block", signatures_per_block},
      {"p256_verify_per_s", p256},
      {"cert_cache", "on: verified certificates cached per (org, member bytes) with their chain's validity window"},
      {"decoded_and_verified_blocks_per_s", median(decoded_blocks_per_s)},
      {"decode", "blocks decoded once; decoded_and_verified_blocks_per_s includes decoding block 30's protobuf"}};
  return {BenchFigure{"chainmaker-blocks", "verified_blocks_per_s", "1/s", median(blocks_per_s),
                      "p256_verify_per_s_div_signatures_per_block", p256 / static_cast<double>(signatures_per_block), 1,
                      n_blocks, extra}};
}

}  // namespace causeway::app
