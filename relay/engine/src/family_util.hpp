// Helpers shared by the family plug-ins' sources (family.cpp, family_fisco.cpp); internal to relay/engine.
#pragma once

#include <string>

#include "causeway/core/error.hpp"
#include "causeway/domain/island.hpp"
#include "causeway/engine/family.hpp"

namespace causeway::engine {

// The anchor of a quorum (bft) island: anchor.extra is the 32-byte validator-set hash pinned with the block (A03).
// Errors: ERR_INVALID_ARGUMENT (`extra_rule`: extra is not 32 bytes), ERR_OVERFLOW (time), ERR_ZERO_ROOT (A01: a zero
// anchor hash, validator-set hash or time).
Result<ConsensusState> quorum_anchor_state(const domain::IslandSpec& s, const std::string& extra_rule);

}  // namespace causeway::engine
