// Operator and governance authentication: see causeway/gateway/auth.hpp and docs/api-security.md.
#include "causeway/gateway/auth.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <set>
#include <unordered_map>

#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"

namespace causeway::gateway {

namespace {

constexpr std::size_t kMinTokenChars = 16;
constexpr std::size_t kMaxTokenBytes = 4096;
constexpr std::size_t kMaxSignatures = 64;

bool is_hex_digit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Result<std::string> read_token_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return fail(Code::Io, "cannot open the API token file " + path);
  struct stat sb {};
  if (::fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
    ::close(fd);
    return fail(Code::Io, path + " is not a regular file");
  }
  if ((sb.st_mode & 077) != 0) {
    ::close(fd);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(sb.st_mode & 07777));
    return fail(Code::KeyPermissions,
                "API token file " + path + " has mode " + mode + ": group or others may access it; run chmod 600 " + path);
  }
  std::string text(kMaxTokenBytes + 1, '\0');
  std::size_t got = 0;
  while (got < text.size()) {
    const ssize_t n = ::read(fd, text.data() + got, text.size() - got);
    if (n < 0) {
      ::close(fd);
      return fail(Code::Io, "cannot read " + path);
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  if (got > kMaxTokenBytes) return fail(Code::InvalidArgument, "API token file " + path + " is over 4096 bytes");
  text.resize(got);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ' || text.back() == '\t'))
    text.pop_back();
  if (text.size() < kMinTokenChars)
    return fail(Code::InvalidArgument, "API token in " + path + " is shorter than 16 characters");
  return text;
}

}  // namespace

std::string signing_string(std::string_view method, std::string_view target, std::string_view body,
                           std::string_view timestamp, std::string_view nonce) {
  const Hash32 h = sha256(ByteView(reinterpret_cast<const std::uint8_t*>(body.data()), body.size()));
  std::string s = "causeway-request-v1\n";
  s.append(method).append("\n").append(target).append("\n").append(to_hex_bare(h.view())).append("\n");
  s.append(timestamp).append("\n").append(nonce);
  return s;
}

Hash32 request_digest(std::string_view method, std::string_view target, std::string_view body,
                      std::string_view timestamp, std::string_view nonce) {
  const std::string s = signing_string(method, target, body, timestamp, nonce);
  return keccak256(ByteView(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}

Result<std::vector<std::pair<std::string, std::string>>> sign_request(std::string_view method,
                                                                     std::string_view target,
                                                                     std::string_view body, std::int64_t timestamp,
                                                                     std::string_view nonce,
                                                                     const std::vector<secp256k1::SecretKey>& keys) {
  const std::string ts = std::to_string(timestamp);
  const Hash32 digest = request_digest(method, target, body, ts, nonce);
  std::string sigs;
  for (const auto& k : keys) {
    auto sig = secp256k1::sign_rsv(digest, k);
    if (!sig) return tl::unexpected(sig.error());
    if (!sigs.empty()) sigs += ",";
    sigs += to_hex(ByteView(sig->data(), sig->size()));
  }
  return std::vector<std::pair<std::string, std::string>>{
      {"X-Causeway-Timestamp", ts}, {"X-Causeway-Nonce", std::string(nonce)}, {"X-Causeway-Signature", sigs}};
}

struct Authenticator::Impl {
  AuthOptions opt;
  Hash32 token_digest{};
  bool has_token = false;

  mutable std::mutex mu;
  std::unordered_map<std::string, std::int64_t> nonces;  // nonce → expiry (ts + window)
  std::set<std::pair<std::int64_t, std::string>> by_expiry;

  std::int64_t now() const { return opt.clock_s(); }

  // Verifies the signed-request headers and returns the number of distinct signers among `allowed`, and
  // records the nonce when that number reaches `threshold`.
  Status verify_signed(const Request& req, const std::vector<secp256k1::Address>& allowed, std::uint32_t threshold) {
    const std::string ts = req.header("x-causeway-timestamp");
    const std::string nonce_raw = req.header("x-causeway-nonce");
    const std::string sig_header = req.header("x-causeway-signature");
    if (ts.empty() || nonce_raw.empty() || sig_header.empty())
      return fail(Code::Unauthorized, "signed request needs X-Causeway-Timestamp, X-Causeway-Nonce and X-Causeway-Signature");
    if (ts.size() > 18 || !std::all_of(ts.begin(), ts.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return fail(Code::Unauthorized, "X-Causeway-Timestamp is not unix seconds in decimal", "X-Causeway-Timestamp");
    const std::int64_t t = std::stoll(ts);
    const std::int64_t clock = now();
    if (t < clock - opt.window_s || t > clock + opt.window_s)
      return fail(Code::RequestReplayed,
                  "timestamp " + ts + " is outside the replay window of ±" + std::to_string(opt.window_s) +
                      " s around the server clock " + std::to_string(clock),
                  "X-Causeway-Timestamp");
    if (nonce_raw.size() < 16 || nonce_raw.size() > 64 || !std::all_of(nonce_raw.begin(), nonce_raw.end(), is_hex_digit))
      return fail(Code::Unauthorized, "X-Causeway-Nonce must be 16 to 64 hex digits", "X-Causeway-Nonce");
    if (threshold == 0 || threshold > allowed.size())
      return fail(Code::Unauthorized, "no signer set can authorize this request (threshold " + std::to_string(threshold) +
                                          " of " + std::to_string(allowed.size()) + " keys)");
    const Hash32 digest = request_digest(req.method, req.target, req.body, ts, nonce_raw);
    std::vector<secp256k1::Address> signers;
    std::string_view rest = sig_header;
    std::size_t index = 0;
    while (true) {
      const auto comma = rest.find(',');
      std::string_view one = trim(rest.substr(0, comma));
      if (++index > kMaxSignatures) return fail(Code::Unauthorized, "more than 64 signatures", "X-Causeway-Signature");
      const std::string at = "X-Causeway-Signature[" + std::to_string(index - 1) + "]";
      auto raw = one.rfind("0x", 0) == 0 ? from_hex(one, 65) : from_hex_bare(one, 65);
      if (!raw || raw->size() != 65) return fail(Code::Unauthorized, "signature is not 65 bytes of hex", at);
      auto pk = secp256k1::recover_rsv(digest, ByteView(raw->data(), raw->size()), secp256k1::LowS::Required);
      if (!pk) return fail(Code::Unauthorized, std::string(code_name(pk.error().code)) + ": " + pk.error().detail, at);
      const auto addr = secp256k1::eth_address(*pk);
      if (std::find(allowed.begin(), allowed.end(), addr) == allowed.end())
        return fail(Code::Unauthorized, "signer " + to_hex(ByteView(addr.data(), addr.size())) + " is not authorized", at);
      if (std::find(signers.begin(), signers.end(), addr) == signers.end()) signers.push_back(addr);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
    if (signers.size() < threshold)
      return fail(Code::Unauthorized, std::to_string(signers.size()) + " distinct authorized signers, " +
                                          std::to_string(threshold) + " needed");
    std::string nonce = nonce_raw;
    for (auto& c : nonce) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::lock_guard lock(mu);
    while (!by_expiry.empty() && by_expiry.begin()->first < clock) {
      nonces.erase(by_expiry.begin()->second);
      by_expiry.erase(by_expiry.begin());
    }
    if (nonces.count(nonce)) return fail(Code::RequestReplayed, "nonce " + nonce + " was already used", "X-Causeway-Nonce");
    if (nonces.size() >= opt.max_nonces)
      return fail(Code::RateLimited, "too many signed requests in the replay window; retry later");
    const std::int64_t expiry = t + opt.window_s;
    nonces.emplace(nonce, expiry);
    by_expiry.emplace(expiry, nonce);
    return {};
  }
};

Authenticator::Authenticator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Authenticator::~Authenticator() = default;

Result<std::unique_ptr<Authenticator>> Authenticator::open(AuthOptions options) {
  if (options.window_s <= 0) return fail(Code::InvalidArgument, "replay window must be positive");
  if (options.max_nonces == 0) return fail(Code::InvalidArgument, "max_nonces must be positive");
  auto impl = std::make_unique<Impl>();
  if (!options.clock_s)
    options.clock_s = [] {
      return static_cast<std::int64_t>(
          std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
    };
  if (!options.token_file.empty()) {
    auto token = read_token_file(options.token_file);
    if (!token) return tl::unexpected(token.error());
    impl->token_digest = sha256(ByteView(reinterpret_cast<const std::uint8_t*>(token->data()), token->size()));
    impl->has_token = true;
  }
  impl->opt = std::move(options);
  return std::unique_ptr<Authenticator>(new Authenticator(std::move(impl)));
}

Status Authenticator::check_operator(const Request& req) {
  const std::string auth = req.header("authorization");
  if (!auth.empty()) {
    static constexpr std::string_view kBearer = "Bearer ";
    if (auth.size() <= kBearer.size() || auth.compare(0, kBearer.size(), kBearer) != 0)
      return fail(Code::Unauthorized, "Authorization must be \"Bearer <token>\"", "Authorization");
    if (!impl_->has_token) return fail(Code::Unauthorized, "no API token is configured; sign the request", "Authorization");
    const std::string_view given = trim(std::string_view(auth).substr(kBearer.size()));
    const Hash32 d = sha256(ByteView(reinterpret_cast<const std::uint8_t*>(given.data()), given.size()));
    if (CRYPTO_memcmp(d.data(), impl_->token_digest.data(), Hash32::size()) != 0)
      return fail(Code::Unauthorized, "wrong API token", "Authorization");
    return {};
  }
  if (!req.header("x-causeway-signature").empty()) {
    if (impl_->opt.operators.empty()) return fail(Code::Unauthorized, "no operator address is configured");
    return impl_->verify_signed(req, impl_->opt.operators, 1);
  }
  return fail(Code::Unauthorized, "operator route: send Authorization: Bearer <token> or a signed request");
}

Status Authenticator::check_governance(const Request& req, const std::vector<secp256k1::Address>& keys,
                                       std::uint32_t threshold) {
  return impl_->verify_signed(req, keys, threshold);
}

std::size_t Authenticator::nonces_remembered() const {
  std::lock_guard lock(impl_->mu);
  return impl_->nonces.size();
}

}  // namespace causeway::gateway
