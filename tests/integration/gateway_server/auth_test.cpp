// Operator and governance authentication (issue #6 "Who may do what"; docs/api-security.md): bearer token
// from a 0600 file compared in constant time, secp256k1-signed requests with a replay window.
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/gateway/auth.hpp"

using namespace causeway;
using namespace causeway::gateway;

namespace {

constexpr std::int64_t kNow = 1'800'000'000;
const std::string kToken = "c0ffee-operator-token-0123456789abcdef";

std::string write_token(const std::string& name, const std::string& content, mode_t mode) {
  const auto path = (std::filesystem::temp_directory_path() /
                     ("causeway-auth-" + name + "-" + std::to_string(::getpid())))
                        .string();
  std::filesystem::remove(path);
  std::ofstream(path) << content;
  ::chmod(path.c_str(), mode);
  return path;
}

secp256k1::SecretKey key(std::uint8_t n) {
  std::array<std::uint8_t, 32> b{};
  b[31] = n;
  return secp256k1::parse_secret_key(ByteView(b.data(), b.size())).value();
}

secp256k1::Address addr(std::uint8_t n) { return secp256k1::eth_address(secp256k1::public_key_of(key(n))); }

Request signed_request(const std::vector<secp256k1::SecretKey>& keys, std::int64_t ts, const std::string& nonce,
                       const std::string& body = R"({"threshold":2})") {
  Request r;
  r.method = "POST";
  r.target = "/v1/islands/isl-a/update?dry=0";
  r.body = body;
  const auto headers = sign_request(r.method, r.target, r.body, ts, nonce, keys).value();
  for (const auto& [k, v] : headers) {
    std::string lower = k;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers.emplace_back(lower, v);
  }
  return r;
}

std::unique_ptr<Authenticator> make(std::atomic<std::int64_t>& clock, std::string token_file = "",
                                    std::vector<secp256k1::Address> operators = {}) {
  AuthOptions o;
  o.token_file = std::move(token_file);
  o.operators = std::move(operators);
  o.clock_s = [&clock] { return clock.load(); };
  return Authenticator::open(o).value();
}

Request bearer(const std::string& token) {
  Request r;
  r.method = "POST";
  r.target = "/v1/packets/x/retry";
  r.headers.emplace_back("authorization", "Bearer " + token);
  return r;
}

}  // namespace

TEST_CASE("signing string is exactly the documented one", "[gateway][auth]") {
  const std::string s = signing_string("POST", "/v1/x?y=1", "{}", "1800000000", "00112233445566778899aabbccddeeff");
  CHECK(s == "causeway-request-v1\nPOST\n/v1/x?y=1\n"
             "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\n1800000000\n"
             "00112233445566778899aabbccddeeff");
  CHECK(request_digest("POST", "/v1/x?y=1", "{}", "1800000000", "00112233445566778899aabbccddeeff") ==
        keccak256(ByteView(reinterpret_cast<const std::uint8_t*>(s.data()), s.size())));
}

TEST_CASE("operator token: missing or wrong is 401 ERR_UNAUTHORIZED, the file's token is accepted", "[gateway][auth]") {
  std::atomic<std::int64_t> clock{kNow};
  const auto path = write_token("ok", kToken + "\n", 0600);
  auto auth = make(clock, path);
  Request none;
  none.method = "GET";
  none.target = "/v1/x";
  auto r = auth->check_operator(none);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Code::Unauthorized);
  CHECK(http_status_for(r.error().code) == 401);
  CHECK(auth->check_operator(bearer(kToken)).has_value());
  CHECK(auth->check_operator(bearer(kToken + "x")).error().code == Code::Unauthorized);
  CHECK(auth->check_operator(bearer(kToken.substr(0, 16))).error().code == Code::Unauthorized);
  Request basic;
  basic.headers.emplace_back("authorization", "Basic " + kToken);
  CHECK(basic.header("Authorization") == "Basic " + kToken);
  CHECK(auth->check_operator(basic).error().code == Code::Unauthorized);
  std::filesystem::remove(path);
}

TEST_CASE("operator token file readable by group or others is refused with ERR_KEY_PERMISSIONS", "[gateway][auth]") {
  std::atomic<std::int64_t> clock{kNow};
  for (mode_t mode : {mode_t{0640}, mode_t{0604}, mode_t{0660}}) {
    const auto path = write_token("perm", kToken, mode);
    AuthOptions o;
    o.token_file = path;
    auto a = Authenticator::open(o);
    REQUIRE_FALSE(a);
    CHECK(a.error().code == Code::KeyPermissions);
    std::filesystem::remove(path);
  }
  const auto short_path = write_token("short", "tooshort", 0600);
  AuthOptions o;
  o.token_file = short_path;
  CHECK(Authenticator::open(o).error().code == Code::InvalidArgument);
  std::filesystem::remove(short_path);
  o.token_file = "/nonexistent/causeway-token";
  CHECK(Authenticator::open(o).error().code == Code::Io);
}

TEST_CASE("operator signed request: a configured operator address is accepted, any other signer is not", "[gateway][auth]") {
  std::atomic<std::int64_t> clock{kNow};
  auto auth = make(clock, "", {addr(1)});
  CHECK(auth->check_operator(signed_request({key(1)}, kNow, "0123456789abcdef")).has_value());
  auto other = auth->check_operator(signed_request({key(2)}, kNow, "0123456789abcdee"));
  REQUIRE_FALSE(other);
  CHECK(other.error().code == Code::Unauthorized);
}

TEST_CASE("governance signed request: good signatures meeting the threshold are accepted", "[gateway][auth]") {
  std::atomic<std::int64_t> clock{kNow};
  auto auth = make(clock);
  const std::vector<secp256k1::Address> keys = {addr(1), addr(2), addr(3)};
  CHECK(auth->check_governance(signed_request({key(1), key(3)}, kNow, "aa00000000000001"), keys, 2).has_value());
  CHECK(auth->nonces_remembered() == 1);
}

TEST_CASE("governance signed request: a bad signature is 401 ERR_UNAUTHORIZED", "[gateway][auth]") {
  std::atomic<std::int64_t> clock{kNow};
  auto auth = make(clock);
  const std::vector<secp256k1::Address> keys = {addr(1), addr(2)};
  // Signed over another body: the recovered signer is some other address.
  Request r = signed_request({key(1)}, kNow, "bb00000000000001");
  r.body = R"({"threshold":3})";
  auto e = auth->check_governance(r, keys, 1);
  REQUIRE_FALSE(e);
  CHECK(e.error().code == Code::Unauthorized);
  // Garbage signature bytes.
  Request g = signed_request({key(1)}, kNow, "bb00000000000002");
  for (auto& [k, v] : g.headers)
    if (k == "x-causeway-signature") v = "0x" + std::string(130, 'f');
  CHECK(auth->check_governance(g, keys, 1).error().code == Code::Unauthorized);
  CHECK(auth->nonces_remembered() == 0);  // refused requests burn no nonce
}

TEST_CASE("governance signed request: a timestamp outside ±300 s is ERR_REQUEST_REPLAYED", "[gateway][auth]") {
  std::atomic<std::int64_t> clock{kNow};
  auto auth = make(clock);
  const std::vector<secp256k1::Address> keys = {addr(1)};
  CHECK(auth->check_governance(signed_request({key(1)}, kNow - 301, "cc00000000000001"), keys, 1).error().code ==
        Code::RequestReplayed);
  CHECK(auth->check_governance(signed_request({key(1)}, kNow + 301, "cc00000000000002"), keys, 1).error().code ==
        Code::RequestReplayed);
  CHECK(auth->check_governance(signed_request({key(1)}, kNow - 300, "cc00000000000003"), keys, 1).has_value());
  CHECK(auth->check_governance(signed_request({key(1)}, kNow + 300, "cc00000000000004"), keys, 1).has_value());
  CHECK(http_status_for(Code::RequestReplayed) == 401);
}

TEST_CASE("governance signed request: a reused nonce is ERR_REQUEST_REPLAYED until it leaves the window", "[gateway][auth]") {
  std::atomic<std::int64_t> clock{kNow};
  auto auth = make(clock);
  const std::vector<secp256k1::Address> keys = {addr(1)};
  const Request r = signed_request({key(1)}, kNow, "dd00000000000001");
  CHECK(auth->check_governance(r, keys, 1).has_value());
  auto again = auth->check_governance(r, keys, 1);
  REQUIRE_FALSE(again);
  CHECK(again.error().code == Code::RequestReplayed);
  // The same nonce in another case is the same nonce.
  CHECK(auth->check_governance(signed_request({key(1)}, kNow, "DD00000000000001"), keys, 1).error().code ==
        Code::RequestReplayed);
  // Past the window the nonce is forgotten (memory bounded) and the old request is stale anyway.
  clock = kNow + 301;
  CHECK(auth->check_governance(r, keys, 1).error().code == Code::RequestReplayed);
  CHECK(auth->check_governance(signed_request({key(1)}, kNow + 301, "dd00000000000002"), keys, 1).has_value());
  CHECK(auth->nonces_remembered() == 1);  // the first one was evicted by time
}

TEST_CASE("governance signed request: a threshold not met is refused; a duplicate signer counts once", "[gateway][auth]") {
  std::atomic<std::int64_t> clock{kNow};
  auto auth = make(clock);
  const std::vector<secp256k1::Address> keys = {addr(1), addr(2), addr(3)};
  auto one = auth->check_governance(signed_request({key(1)}, kNow, "ee00000000000001"), keys, 2);
  REQUIRE_FALSE(one);
  CHECK(one.error().code == Code::Unauthorized);
  // The same key twice: one signer.
  auto twice = auth->check_governance(signed_request({key(2), key(2)}, kNow, "ee00000000000002"), keys, 2);
  REQUIRE_FALSE(twice);
  CHECK(twice.error().code == Code::Unauthorized);
  CHECK(twice.error().detail.find("1 distinct") != std::string::npos);
  // A signature and its high-S twin are the same signer (and high-S is refused outright).
  Request twin = signed_request({key(2)}, kNow, "ee00000000000003");
  // A signer outside the set makes the request unauthorized.
  CHECK(auth->check_governance(signed_request({key(1), key(9)}, kNow, "ee00000000000004"), keys, 1).error().code ==
        Code::Unauthorized);
  // Threshold 0 or above the key count is refused (fail closed).
  CHECK(auth->check_governance(twin, keys, 0).error().code == Code::Unauthorized);
  CHECK(auth->check_governance(twin, keys, 4).error().code == Code::Unauthorized);
  CHECK(auth->check_governance(signed_request({key(1), key(2)}, kNow, "ee00000000000005"), keys, 2).has_value());
}

TEST_CASE("signed request headers are validated: missing, malformed timestamp or nonce", "[gateway][auth]") {
  std::atomic<std::int64_t> clock{kNow};
  auto auth = make(clock);
  const std::vector<secp256k1::Address> keys = {addr(1)};
  Request none;
  CHECK(auth->check_governance(none, keys, 1).error().code == Code::Unauthorized);
  CHECK(auth->check_governance(signed_request({key(1)}, kNow, "abc"), keys, 1).error().code == Code::Unauthorized);
  CHECK(auth->check_governance(signed_request({key(1)}, kNow, std::string(65, 'a')), keys, 1).error().code ==
        Code::Unauthorized);
  CHECK(auth->check_governance(signed_request({key(1)}, kNow, "zz00000000000000"), keys, 1).error().code ==
        Code::Unauthorized);
  Request bad_ts = signed_request({key(1)}, kNow, "ff00000000000001");
  for (auto& [k, v] : bad_ts.headers)
    if (k == "x-causeway-timestamp") v = "-5";
  CHECK(auth->check_governance(bad_ts, keys, 1).error().code == Code::Unauthorized);
}

// ---- over real HTTP: the Authenticator guarding a route of the real Server ----------------------------------

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace {

// One HTTP/1.1 request over a plain POSIX socket (this file stays free of Beast); returns the status code.
int http_status(std::uint16_t port, const std::string& raw) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  (void)::send(fd, raw.data(), raw.size(), 0);
  std::string got;
  char buf[4096];
  while (got.find("\r\n") == std::string::npos) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return got.size() > 12 ? std::stoi(got.substr(9, 3)) : -1;
}

}  // namespace

TEST_CASE("operator route over HTTP: 401 without or with a wrong token, 200 with the file's token or an operator signature", "[gateway][auth]") {
  std::atomic<std::int64_t> clock{kNow};
  const auto path = write_token("http", kToken, 0600);
  auto auth = make(clock, path, {addr(1)});
  ServerOptions so;
  so.port = 0;
  Server server(so);
  server.route("POST", "/v1/op", [&auth](const Request& req, Respond respond) {
    if (auto ok = auth->check_operator(req); !ok) return respond(error_response(ok.error()));
    respond(Response{200, "{}"});
  });
  const auto port = server.start().value();
  const std::string head = "POST /v1/op HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 2\r\n";
  CHECK(http_status(port, head + "\r\n{}") == 401);
  CHECK(http_status(port, head + "Authorization: Bearer wrong-token-0000000000\r\n\r\n{}") == 401);
  CHECK(http_status(port, head + "Authorization: Bearer " + kToken + "\r\n\r\n{}") == 200);
  std::string sig_headers;
  const auto signed_headers = sign_request("POST", "/v1/op", "{}", kNow, "abababababababab", {key(1)}).value();
  for (const auto& [k, v] : signed_headers) sig_headers += k + ": " + v + "\r\n";
  CHECK(http_status(port, head + sig_headers + "\r\n{}") == 200);
  CHECK(http_status(port, head + sig_headers + "\r\n{}") == 401);  // the same nonce again: replayed
  server.stop();
  std::filesystem::remove(path);
}
