// causeway-devnet/v1 header codec: see causeway/bft/devnet_codec.hpp.
#include "causeway/bft/devnet_codec.hpp"

#include <algorithm>

namespace causeway::bft::devnet {
namespace {

constexpr std::string_view kHeaderTag = "causeway-devnet/v1/header";
constexpr std::string_view kSignTag = "causeway-devnet/v1/sign";
constexpr std::string_view kValidatorsTag = "causeway-devnet/v1/validators";

void put_tag(Bytes& out, std::string_view tag) { out.insert(out.end(), tag.begin(), tag.end()); }
void put_u16(Bytes& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}
void put_u32(Bytes& out, std::uint32_t v) {
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void put_u64(Bytes& out, std::uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void put_hash(Bytes& out, const Hash32& h) { out.insert(out.end(), h.b.begin(), h.b.end()); }
void put_var(Bytes& out, ByteView v) {  // precondition: v.size() ≤ 65535 (checked by callers)
  put_u16(out, static_cast<std::uint16_t>(v.size()));
  append(out, v);
}

ByteView str_view(std::string_view s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

Status check_chain_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxChainIdSize)
    return fail(Code::HeaderEncoding, "chain_id must be 1..64 bytes", "chain_id");
  for (char c : id) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u > 0x7e) return fail(Code::HeaderEncoding, "chain_id must be printable ASCII", "chain_id");
  }
  return {};
}

Status check_fields(const Header& h) {
  if (auto ok = check_chain_id(h.chain_id); !ok) return ok;
  if (h.time_ms == 0) return fail(Code::HeaderEncoding, "time_ms is 0", "time_ms");
  if (h.proposer.empty() || h.proposer.size() > kMaxProposerSize)
    return fail(Code::HeaderEncoding, "proposer must be 1..65 bytes", "proposer");
  if (h.tx_root.is_zero()) return fail(Code::ZeroRoot, "tx_root is all zero", "tx_root");
  if (h.event_root.is_zero()) return fail(Code::ZeroRoot, "event_root is all zero", "event_root");
  if (h.state_root.is_zero()) return fail(Code::ZeroRoot, "state_root is all zero", "state_root");
  if (h.validators_hash.is_zero()) return fail(Code::ZeroRoot, "validators_hash is all zero", "validators_hash");
  if (h.next_validators_hash.is_zero())
    return fail(Code::ZeroRoot, "next_validators_hash is all zero", "next_validators_hash");
  return {};
}

// Bounds-checked reader over the untrusted input.
class Reader {
 public:
  explicit Reader(ByteView in) : in_(in) {}
  bool u8(std::uint8_t& v) {
    if (!need(1)) return false;
    v = in_[pos_++];
    return true;
  }
  bool u16(std::uint16_t& v) {
    if (!need(2)) return false;
    v = static_cast<std::uint16_t>((in_[pos_] << 8) | in_[pos_ + 1]);
    pos_ += 2;
    return true;
  }
  bool u64(std::uint64_t& v) {
    if (!need(8)) return false;
    v = read_be64(in_.data() + pos_);
    pos_ += 8;
    return true;
  }
  bool hash(Hash32& h) {
    if (!need(32)) return false;
    h = Hash32::from(in_.subspan(pos_, 32));
    pos_ += 32;
    return true;
  }
  bool bytes(std::size_t n, ByteView& v) {
    if (!need(n)) return false;
    v = in_.subspan(pos_, n);
    pos_ += n;
    return true;
  }
  bool done() const { return pos_ == in_.size(); }

 private:
  bool need(std::size_t n) const { return in_.size() - pos_ >= n; }
  ByteView in_;
  std::size_t pos_ = 0;
};

}  // namespace

Result<Bytes> encode(const Header& h) {
  if (auto ok = check_fields(h); !ok) return tl::unexpected(ok.error());
  Bytes out;
  out.reserve(kMaxHeaderSize);
  out.push_back(kVersion);
  put_var(out, str_view(h.chain_id));
  put_u64(out, h.height);
  put_u64(out, h.time_ms);
  put_hash(out, h.parent_hash);
  put_hash(out, h.tx_root);
  put_hash(out, h.event_root);
  put_u64(out, h.tx_count);
  put_u64(out, h.event_count);
  put_hash(out, h.state_root);
  put_hash(out, h.validators_hash);
  put_hash(out, h.next_validators_hash);
  put_var(out, h.proposer);
  return out;
}

Result<Header> decode(ByteView encoded) {
  if (encoded.size() > kMaxHeaderSize) return fail(Code::TooLarge, "header longer than " + std::to_string(kMaxHeaderSize) + " bytes");
  Reader r(encoded);
  Header h;
  std::uint8_t version = 0;
  if (!r.u8(version)) return fail(Code::HeaderEncoding, "empty header", "version");
  if (version != kVersion) return fail(Code::HeaderEncoding, "unknown header version " + std::to_string(version), "version");
  std::uint16_t len = 0;
  ByteView v;
  if (!r.u16(len) || !r.bytes(len, v)) return fail(Code::HeaderEncoding, "truncated", "chain_id");
  h.chain_id.assign(v.begin(), v.end());
  if (!r.u64(h.height)) return fail(Code::HeaderEncoding, "truncated", "height");
  if (!r.u64(h.time_ms)) return fail(Code::HeaderEncoding, "truncated", "time_ms");
  if (!r.hash(h.parent_hash)) return fail(Code::HeaderEncoding, "truncated", "parent_hash");
  if (!r.hash(h.tx_root)) return fail(Code::HeaderEncoding, "truncated", "tx_root");
  if (!r.hash(h.event_root)) return fail(Code::HeaderEncoding, "truncated", "event_root");
  if (!r.u64(h.tx_count)) return fail(Code::HeaderEncoding, "truncated", "tx_count");
  if (!r.u64(h.event_count)) return fail(Code::HeaderEncoding, "truncated", "event_count");
  if (!r.hash(h.state_root)) return fail(Code::HeaderEncoding, "truncated", "state_root");
  if (!r.hash(h.validators_hash)) return fail(Code::HeaderEncoding, "truncated", "validators_hash");
  if (!r.hash(h.next_validators_hash)) return fail(Code::HeaderEncoding, "truncated", "next_validators_hash");
  if (!r.u16(len) || !r.bytes(len, v)) return fail(Code::HeaderEncoding, "truncated", "proposer");
  h.proposer.assign(v.begin(), v.end());
  if (!r.done()) return fail(Code::HeaderEncoding, "trailing bytes after the header");
  if (auto ok = check_fields(h); !ok) return tl::unexpected(ok.error());
  return h;
}

Hash32 header_hash(Suite s, ByteView encoded_header) { return suite_hash(s, str_view(kHeaderTag), encoded_header); }

Bytes sign_bytes(std::string_view chain_id, std::uint64_t height, const Hash32& hh) {
  Bytes out;
  out.reserve(kSignTag.size() + 2 + chain_id.size() + 8 + 32);
  put_tag(out, kSignTag);
  put_var(out, str_view(chain_id.substr(0, 0xffff)));
  put_u64(out, height);
  put_hash(out, hh);
  return out;
}

Hash32 validators_hash(const ValidatorSet& set) {
  Bytes buf;
  buf.reserve(64 + set.size() * (2 + 65 + 8));
  put_tag(buf, kValidatorsTag);
  put_var(buf, str_view(suite_name(set.suite())));
  put_u32(buf, static_cast<std::uint32_t>(set.size()));
  for (const auto& v : set.validators()) {
    put_var(buf, v.key);
    put_u64(buf, v.power);
  }
  return suite_hash(set.suite(), buf);
}

Result<HeaderInfo> DevnetCodec::decode(ByteView encoded) const {
  auto h = devnet::decode(encoded);
  if (!h) return tl::unexpected(h.error());
  HeaderInfo info;
  info.hash = header_hash(suite_, encoded);
  info.sign_bytes = sign_bytes(h->chain_id, h->height, info.hash);
  info.chain_id = std::move(h->chain_id);
  info.height = h->height;
  info.time_ms = h->time_ms;
  info.parent_hash = h->parent_hash;
  info.tx_root = h->tx_root;
  info.tx_count = h->tx_count;
  info.event_root = h->event_root;
  info.event_count = h->event_count;
  info.state_root = h->state_root;
  info.validators_hash = h->validators_hash;
  info.next_validators_hash = h->next_validators_hash;
  info.proposer = std::move(h->proposer);
  info.encoded.assign(encoded.begin(), encoded.end());
  return info;
}

Result<HeaderInfo> DevnetCodec::info(const Header& h) const {
  auto bytes = encode(h);
  if (!bytes) return tl::unexpected(bytes.error());
  return decode(*bytes);
}

}  // namespace causeway::bft::devnet

namespace causeway::bft {

Result<std::shared_ptr<const HeaderCodec>> make_codec(std::string_view codec, std::string_view crypto) {
  if (codec != devnet::kCodecName) return fail(Code::UnsupportedFamily, "bft codec not implemented: " + std::string(codec));
  auto suite = parse_suite(crypto);
  if (!suite) return tl::unexpected(suite.error());
  return std::shared_ptr<const HeaderCodec>(std::make_shared<devnet::DevnetCodec>(*suite));
}

}  // namespace causeway::bft
