// Signed tree heads and the audit key: see causeway/audit/sth.hpp for the contract.
#include "causeway/audit/sth.hpp"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "causeway/audit/jcs.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/core/packet.hpp"

namespace causeway::audit {

namespace {

using json = nlohmann::json;

std::string mode_octal(mode_t m) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(m & 07777));
  return buf;
}

Status random_bytes(std::uint8_t* out, std::size_t n) {
  if (RAND_bytes(out, static_cast<int>(n)) != 1) return fail(Code::CryptoInternal, "RAND_bytes failed");
  return {};
}

Result<std::uint64_t> u53_field(const json& j, const char* key, const std::string& at) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_unsigned() ||
      it->get<std::uint64_t>() > static_cast<std::uint64_t>(kMaxSafeInteger)) {
    return fail(Code::AuditExport, std::string(key) + " must be an integer 0 … 2^53 − 1", at + key);
  }
  return it->get<std::uint64_t>();
}

Result<Bytes> hex_field(const json& j, const char* key, std::size_t len, const std::string& at) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return fail(Code::AuditExport, std::string(key) + " missing", at + key);
  auto b = from_hex(it->get_ref<const std::string&>(), len);
  if (!b || b->size() != len || to_hex(*b) != it->get_ref<const std::string&>()) {
    return fail(Code::AuditExport,
                std::string(key) + " must be 0x + lowercase hex of " + std::to_string(len) + " bytes", at + key);
  }
  return b;
}

}  // namespace

json sth_to_json(const SignedTreeHead& s) {
  return json{{"tree_size", s.tree_size},
              {"root_hash", to_hex(s.root_hash.view())},
              {"timestamp_ms", s.timestamp_ms},
              {"log_id", to_hex(s.log_id)},
              {"signature", to_hex(s.signature)}};
}

Result<SignedTreeHead> sth_from_json(const json& j, const std::string& at_in) {
  const std::string at = at_in.empty() ? "" : at_in + ".";
  if (!j.is_object()) return fail(Code::AuditExport, "a signed tree head is a JSON object", at_in);
  for (auto it = j.begin(); it != j.end(); ++it) {
    const auto& k = it.key();
    if (k != "tree_size" && k != "root_hash" && k != "timestamp_ms" && k != "log_id" && k != "signature") {
      return fail(Code::AuditExport, "unknown field in a signed tree head", at + k);
    }
  }
  SignedTreeHead s;
  auto size = u53_field(j, "tree_size", at);
  if (!size) return tl::unexpected<Error>(std::move(size.error()));
  auto ts = u53_field(j, "timestamp_ms", at);
  if (!ts) return tl::unexpected<Error>(std::move(ts.error()));
  auto root = hex_field(j, "root_hash", 32, at);
  if (!root) return tl::unexpected<Error>(std::move(root.error()));
  auto id = hex_field(j, "log_id", 32, at);
  if (!id) return tl::unexpected<Error>(std::move(id.error()));
  auto sig = hex_field(j, "signature", 64, at);
  if (!sig) return tl::unexpected<Error>(std::move(sig.error()));
  s.tree_size = *size;
  s.timestamp_ms = *ts;
  s.root_hash = Hash32::from(*root);
  std::copy(id->begin(), id->end(), s.log_id.begin());
  std::copy(sig->begin(), sig->end(), s.signature.begin());
  return s;
}

Status verify_sth(const SignedTreeHead& s) {
  const Hash32 msg = packet::sth_message_hash(s.tree_size, s.timestamp_ms, s.root_hash);
  auto ok = secp256k1::schnorr_verify(s.signature, msg, s.log_id);
  if (!ok) {
    return fail(Code::SthSignature, "BIP-340 signature over tree size " + std::to_string(s.tree_size) +
                                        " does not verify under log id " + to_hex(s.log_id) + " (" +
                                        std::string(code_name(ok.error().code)) + ")");
  }
  return {};
}

AuditKey::AuditKey(const secp256k1::SecretKey& sk) : sk_(sk), log_id_(secp256k1::xonly_public_key(sk)) {}

Result<AuditKey> AuditKey::from_secret(ByteView secret32) {
  auto sk = secp256k1::parse_secret_key(secret32);
  if (!sk) return tl::unexpected<Error>(std::move(sk.error()));
  return AuditKey(*sk);
}

Result<AuditKey> AuditKey::load_or_create(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) return fail(Code::Io, "cannot stat audit key " + path + ": " + std::strerror(errno));
    // First run: create the key.
    std::array<std::uint8_t, 32> secret{};
    for (int tries = 0;; ++tries) {
      if (auto r = random_bytes(secret.data(), secret.size()); !r) return tl::unexpected<Error>(std::move(r.error()));
      if (secp256k1::parse_secret_key(secret)) break;
      if (tries > 8) return fail(Code::CryptoInternal, "could not draw a valid secret key");
    }
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return fail(Code::Io, "cannot create audit key " + path + ": " + std::strerror(errno));
    const std::string text = to_hex_bare(secret) + "\n";
    const bool ok = ::fchmod(fd, 0600) == 0 &&
                    ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                    ::fsync(fd) == 0;
    const int saved = errno;
    ::close(fd);
    if (!ok) {
      ::unlink(path.c_str());
      return fail(Code::Io, "cannot write audit key " + path + ": " + std::strerror(saved));
    }
    return from_secret(secret);
  }
  if (!S_ISREG(st.st_mode)) return fail(Code::Io, "audit key " + path + " is not a regular file");
  if ((st.st_mode & 077) != 0) {
    return fail(Code::KeyPermissions, "audit key " + path + " has mode " + mode_octal(st.st_mode) +
                                          ": it must not be accessible by group or others (chmod 600 " + path + ")");
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(Code::Io, "cannot open audit key " + path + ": " + std::strerror(errno));
  char buf[80];
  const ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  if (n < 0) return fail(Code::Io, "cannot read audit key " + path);
  std::string text(buf, static_cast<std::size_t>(n));
  if (!text.empty() && text.back() == '\n') text.pop_back();
  if (text.rfind("0x", 0) == 0) text.erase(0, 2);
  if (text.size() != 64) return fail(Code::BadHex, "audit key " + path + " must hold 64 hex digits");
  auto secret = from_hex_bare(text, 32);
  if (!secret) return fail(Code::BadHex, "audit key " + path + " must hold 64 hex digits");
  return from_secret(*secret);
}

Result<SignedTreeHead> AuditKey::sign(std::uint64_t tree_size, const Hash32& root_hash, std::uint64_t timestamp_ms) const {
  std::array<std::uint8_t, 32> aux{};
  if (auto r = random_bytes(aux.data(), aux.size()); !r) return tl::unexpected<Error>(std::move(r.error()));
  const Hash32 msg = packet::sth_message_hash(tree_size, timestamp_ms, root_hash);
  auto sig = secp256k1::schnorr_sign(msg, sk_, aux);
  if (!sig) return tl::unexpected<Error>(std::move(sig.error()));
  SignedTreeHead s;
  s.tree_size = tree_size;
  s.root_hash = root_hash;
  s.timestamp_ms = timestamp_ms;
  s.log_id = log_id_;
  s.signature = *sig;
  return s;
}

}  // namespace causeway::audit
