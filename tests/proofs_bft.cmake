# relay/proofs family `bft`, codec causeway-devnet/v1 (PROOF-BUNDLE.md "Family bft") through
# causeway::proofs::verify_bundle.
#   bft_bundle_test  bundles built here from devnet chains signed by tests/unit/bft/chain.cpp's deterministic keys
#                    (secp256k1-sha256 and sm2-sm3), packets from core's codec (no outside data: always runs)
causeway_unit_test(bft_bundle_test
  SOURCES unit/proofs/bft_bundle_test.cpp unit/bft/chain.cpp
  LIBS causeway::proofs causeway::bft)
target_include_directories(bft_bundle_test PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/proofs ${CMAKE_CURRENT_SOURCE_DIR}/unit/bft ${CMAKE_SOURCE_DIR}/relay/proofs/src)
