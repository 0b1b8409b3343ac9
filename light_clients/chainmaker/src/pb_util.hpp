// Internal helpers around the generated protobuf classes (light_clients/chainmaker only).
#pragma once

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/message.h>

#include <climits>
#include <string>

#include "causeway/chainmaker/block.hpp"
#include "causeway/chainmaker/chainmaker.pb.h"
#include "causeway/core/bytes.hpp"

namespace causeway::chainmaker::detail {

inline Bytes bytes_of(const std::string& s) { return Bytes(s.begin(), s.end()); }

// Canonical proto3 encoding: deterministic serialization (fields in ascending number order, defaults omitted;
// map entries sorted by key — only AdditionalData has a map and it is never hashed).
inline Bytes serialize(const google::protobuf::Message& m) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream zs(&out);
    google::protobuf::io::CodedOutputStream cs(&zs);
    cs.SetSerializationDeterministic(true);
    m.SerializeToCodedStream(&cs);
  }
  return Bytes(out.begin(), out.end());
}

// Parses untrusted bytes (the caller bounds their size). Never throws; false on malformed input.
inline bool parse(google::protobuf::Message& m, ByteView bytes) {
  if (bytes.size() > static_cast<std::size_t>(INT_MAX)) return false;
  return m.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
}

Member member_of(const pb::Member& m);
void to_pb(const Member& m, pb::Member& out);
Header header_of(const pb::BlockHeader& h);
Result<Transaction> transaction_of(const pb::Transaction& t, std::uint32_t block_version);

}  // namespace causeway::chainmaker::detail
