// The stored form of a verified Bitcoin header (relay/store HeaderRow), built from the light client's entry.
#pragma once

#include "causeway/bitcoin/chain.hpp"
#include "causeway/store/header_store.hpp"

namespace causeway::app {

// Precondition: `hash` is held by `chain` (callers pass the hash add_header just returned).
inline store::HeaderRow header_row(const bitcoin::HeaderChain& chain, const Hash32& hash) {
  const auto info = *chain.find(hash);
  store::HeaderRow row;
  row.height = info.height;
  row.hash = info.hash;
  row.parent = info.header.prev_hash;
  const auto raw = bitcoin::encode_header(info.header);
  row.raw.assign(raw.begin(), raw.end());
  const auto work = info.chainwork.to_le().reversed();  // the store keeps work big-endian
  std::copy(work.b.begin(), work.b.end(), row.chainwork.begin());
  return row;
}

}  // namespace causeway::app
