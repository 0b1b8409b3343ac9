// Stable error codes and the result type of every verification function (DESIGN.md §3 rule 2).
//
// Codes are part of the public API: their spelling never changes once released, and each one is
// listed in docs/error-codes.md (generated from this list by `causeway errors --markdown`).
// Thread-safety: everything here is immutable or value-typed; safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <tl/expected.hpp>

namespace causeway {

// X-macro: (enumerator, "stable code", "one-line meaning"). Append only; never reorder or rename.
#define CAUSEWAY_ERROR_CODES(X)                                                                          \
  X(InvalidArgument, "ERR_INVALID_ARGUMENT", "an argument is outside its documented domain")             \
  X(BadHex, "ERR_BAD_HEX", "not 0x-prefixed hex of an even number of digits")                            \
  X(BadLength, "ERR_BAD_LENGTH", "a byte string or list has the wrong length")                           \
  X(TooLarge, "ERR_TOO_LARGE", "input exceeds its size bound")                                            \
  X(Overflow, "ERR_OVERFLOW", "an integer does not fit its type")                                         \
  X(RlpTruncated, "ERR_RLP_TRUNCATED", "RLP item declares more bytes than the input holds")              \
  X(RlpNonCanonical, "ERR_RLP_NON_CANONICAL", "RLP uses a non-minimal encoding")                          \
  X(RlpTrailing, "ERR_RLP_TRAILING", "bytes follow the RLP item")                                         \
  X(RlpType, "ERR_RLP_TYPE", "RLP item is a list where a string is expected, or the reverse")            \
  X(AbiDecode, "ERR_ABI_DECODE", "contract-ABI data is malformed or not strictly encoded")                \
  X(SigEncoding, "ERR_SIG_ENCODING", "signature is not in the required encoding (DER, r||s, r||s||v)")   \
  X(SigHighS, "ERR_SIG_HIGH_S", "signature has s > n/2 where the policy requires low S")                 \
  X(SigInvalid, "ERR_SIG_INVALID", "signature does not verify")                                           \
  X(PubkeyInvalid, "ERR_PUBKEY_INVALID", "public key is not a valid point")                               \
  X(SeckeyInvalid, "ERR_SECKEY_INVALID", "secret key is zero or not below the group order")              \
  X(CryptoInternal, "ERR_CRYPTO_INTERNAL", "the crypto library failed unexpectedly")                     \
  X(PacketInvalid, "ERR_PACKET_INVALID", "packet fields violate PACKET.md")                               \
  X(DepositInvalid, "ERR_DEPOSIT_INVALID", "OP_RETURN data is not a CWY1 deposit")                        \
  X(MerkleMutated, "ERR_MERKLE_MUTATED", "Merkle tree or branch shows the CVE-2012-2459 duplication")    \
  X(MerkleBranch, "ERR_MERKLE_BRANCH", "Merkle branch does not lead to the committed root")              \
  X(MerkleIndex, "ERR_MERKLE_INDEX", "leaf index or branch length does not fit the tree size")           \
  X(ZeroRoot, "ERR_ZERO_ROOT", "an all-zero root or anchor hash is never trusted (A01)")                 \
  X(InclusionProof, "ERR_INCLUSION_PROOF", "RFC 6962 inclusion proof does not verify")                   \
  X(ConsistencyProof, "ERR_CONSISTENCY_PROOF", "RFC 6962 consistency proof does not verify")             \
  X(HeaderEncoding, "ERR_HEADER_ENCODING", "header is not exactly its serialized size")                  \
  X(PrevHashMismatch, "ERR_PREV_HASH_MISMATCH", "header does not link to the previous header")          \
  X(BadBits, "ERR_BAD_BITS", "header bits differ from the difficulty the rules require")                 \
  X(BadTarget, "ERR_BAD_TARGET", "compact target is zero, negative, overflowing or above the pow limit") \
  X(BadPow, "ERR_BAD_POW", "header hash is above its target")                                             \
  X(TimeTooOld, "ERR_TIME_TOO_OLD", "header time is not after the median of the previous 11")            \
  X(TimeTooNew, "ERR_TIME_TOO_NEW", "header time is more than the allowed drift after now")              \
  X(TimeWarp, "ERR_TIME_WARP", "BIP 94: first block of a period is over 600 s before its parent")        \
  X(AnchorInsufficient, "ERR_ANCHOR_INSUFFICIENT", "the anchor lacks data a rule needs")                 \
  X(UntrustedAnchor, "ERR_UNTRUSTED_ANCHOR", "the anchor is not one of the trusted anchors")             \
  X(UnknownHeader, "ERR_UNKNOWN_HEADER", "no verified header with that hash or height")                  \
  X(Confirmations, "ERR_INSUFFICIENT_CONFIRMATIONS", "proving header has too few confirmations")        \
  X(TxMismatch, "ERR_TX_MISMATCH", "raw transaction does not hash to the claimed txid")                 \
  X(Tx64Bytes, "ERR_TX_64_BYTES", "64-byte transactions are refused (Merkle ambiguity)")                 \
  X(TxMalformed, "ERR_TX_MALFORMED", "raw transaction cannot be parsed")                                 \
  X(UnknownNetwork, "ERR_UNKNOWN_NETWORK", "network name is not one Causeway knows")                     \
  X(UnsupportedFamily, "ERR_UNSUPPORTED_FAMILY", "proof family not implemented yet")                     \
  X(BundleSchema, "ERR_BUNDLE_SCHEMA", "proof bundle violates schemas/proof-bundle.schema.json")         \
  X(BundleParse, "ERR_BUNDLE_PARSE", "input is not readable JSON")                                       \
  X(StoreIo, "ERR_STORE_IO", "the database failed")                                                      \
  X(StoreUnsafe, "ERR_STORE_UNSAFE", "an unsafe database setting was refused")                           \
  X(StoreMigration, "ERR_STORE_MIGRATION", "schema migration failed or the database is newer")          \
  X(StoreConflict, "ERR_STORE_CONFLICT", "stored data conflicts with the request")                       \
  X(IslandMismatch, "ERR_ISLAND_MISMATCH", "island id does not match the network or genesis")            \
  X(MptNodeEncoding, "ERR_MPT_NODE_ENCODING", "trie node is not a canonical Merkle-Patricia node encoding") \
  X(MptProof, "ERR_MPT_PROOF", "Merkle-Patricia proof does not link the root to the key")                 \
  X(EthHeader, "ERR_ETH_HEADER", "Ethereum header fields have the wrong shape, size or fork order")         \
  X(ReceiptStatus, "ERR_RECEIPT_STATUS", "receipt has status 0 or no status: it proves nothing")           \
  X(ReceiptEncoding, "ERR_RECEIPT_ENCODING", "receipt or log is not a canonical EIP-2718 receipt encoding") \
  X(LogMismatch, "ERR_LOG_MISMATCH", "log index, topics or data differ from the claimed event")           \
  X(WrongEmitter, "ERR_WRONG_EMITTER", "log was emitted by another address than the registered one (A19)") \
  X(AccountEncoding, "ERR_ACCOUNT_ENCODING", "proven account value is not [nonce, balance, root, codeHash]") \
  X(StorageEncoding, "ERR_STORAGE_ENCODING", "proven storage value is a list or a stored zero")          \
  X(ClientFrozen, "ERR_CLIENT_FROZEN", "the light client is frozen: misbehaviour was seen (A14)")          \
  X(ClientExpired, "ERR_CLIENT_EXPIRED", "trusted header time + trusting period <= now: client expired")   \
  X(InsufficientQuorum, "ERR_INSUFFICIENT_QUORUM", "fewer distinct validators signed than the quorum")    \
  X(DuplicateSeal, "ERR_DUPLICATE_SEAL", "two seals recover to the same signer (any encoding, A17)")      \
  X(NotValidator, "ERR_NOT_VALIDATOR", "a signer, committer or proposer is not in the trusted set")       \
  X(ValidatorSetMismatch, "ERR_VALIDATOR_SET_MISMATCH", "header's validator/signer list differs from the tally") \
  X(BftExtraData, "ERR_BFT_EXTRA_DATA", "extraData is not a valid IBFT 2.0 / QBFT encoding")              \
  X(CliqueExtraData, "ERR_CLIQUE_EXTRA_DATA", "extraData is not vanity, signers, seal as EIP-225 requires") \
  X(ConsensusField, "ERR_CONSENSUS_FIELD", "a field the consensus fixes (mixHash, nonce, ommers, ...) differs") \
  X(WrongDifficulty, "ERR_WRONG_DIFFICULTY", "Clique difficulty is not 2 in turn / 1 out of turn")        \
  X(RecentlySigned, "ERR_RECENTLY_SIGNED", "the Clique signer signed one of the last floor(n/2) blocks")  \
  X(InvalidVote, "ERR_INVALID_VOTE", "a vote field has no valid meaning (Clique nonce, checkpoint vote)") \
  X(TimestampOrder, "ERR_TIMESTAMP_ORDER", "header time is before the parent's time plus the block period") \
  X(RpcTrustedRefused, "ERR_RPC_TRUSTED_REFUSED", "rpc-trusted mode refused for a public chain id")       \
  X(ConflictsFinalized, "ERR_CONFLICTS_FINALIZED", "header conflicts with a finalized header")             \
  X(RpcTransport, "ERR_RPC_TRANSPORT", "the RPC node could not be reached or the HTTP exchange failed")   \
  X(RpcTimeout, "ERR_RPC_TIMEOUT", "the RPC node did not connect or answer within the timeout")          \
  X(RpcError, "ERR_RPC_ERROR", "the RPC node answered with a JSON-RPC error object")                     \
  X(RpcResponse, "ERR_RPC_RESPONSE", "the RPC response is not well-formed JSON-RPC 2.0 or a field is malformed") \
  X(RpcInconsistent, "ERR_RPC_INCONSISTENT", "the RPC response contradicts itself or the request (hash, index)") \
  X(ClaimMismatch, "ERR_CLAIM_MISMATCH", "the proven value differs from the value the bundle claims") \
  X(Io, "ERR_IO", "a file could not be read or written")                                                \
  X(TxNonce, "ERR_TX_NONCE", "transaction nonce is not the sender's next nonce")                          \
  X(InsufficientFunds, "ERR_INSUFFICIENT_FUNDS", "balance or escrow is lower than the amount")            \
  X(PacketReplayed, "ERR_PACKET_REPLAYED", "packet already received, acknowledged or timed out")          \
  X(PacketTimedOut, "ERR_PACKET_TIMED_OUT", "packet is timed out at the block being built") \
  X(PacketSequence, "ERR_PACKET_SEQUENCE", "ordered channel: sequence is not the next expected one")      \
  X(UnknownChannel, "ERR_UNKNOWN_CHANNEL", "no open channel matches the packet's channel, port and counterparty") \
  X(Unauthorized, "ERR_UNAUTHORIZED", "the signer may not perform this action (governance only)")          \
  X(Unsupported, "ERR_UNSUPPORTED", "a rule no real data confirms yet is refused rather than guessed")      \
  X(HeaderHashMismatch, "ERR_HEADER_HASH_MISMATCH", "the header fields do not hash to the block's stated hash") \
  X(ForbiddenTarget, "ERR_FORBIDDEN_TARGET", "a routed packet targets a governance path or the endpoint itself (A04)") \
  X(WrongDestination, "ERR_WRONG_DESTINATION", "packet destination island, genesis or channel is not its channel's counterparty (A20)") \
  X(UnknownIsland, "ERR_UNKNOWN_ISLAND", "no island with that id is registered") \
  X(IslandExists, "ERR_ISLAND_EXISTS", "an island with that id or genesis hash is already registered") \
  X(GovernanceNonce, "ERR_GOVERNANCE_NONCE", "governance record nonce is not the current nonce + 1 (stale or replayed)") \
  X(ChannelExists, "ERR_CHANNEL_EXISTS", "a channel with that id already exists on the island") \
  X(ChannelClosed, "ERR_CHANNEL_CLOSED", "the channel is closed: no new packets") \
  X(ChannelHalted, "ERR_CHANNEL_HALTED", "the channel is halted (escrow invariant broke) until an operator acts (A05)") \
  X(IllegalTransition, "ERR_ILLEGAL_TRANSITION", "the packet's stage does not allow this event") \
  X(CommitmentConflict, "ERR_COMMITMENT_CONFLICT", "same packet identity seen with a different commitment (alert)") \
  X(NotTimedOut, "ERR_NOT_TIMED_OUT", "the verified destination block is not past the packet's timeout") \
  X(NonDeliveryUnproven, "ERR_NON_DELIVERY_UNPROVEN", "non-delivery proof is missing or does not cover the timeout block") \
  X(UnknownDenom, "ERR_UNKNOWN_DENOM", "denom is not a registered asset or a voucher this relay minted") \
  X(EscrowInvariant, "ERR_ESCROW_INVARIANT", "escrowed != vouchers outstanding + in flight on a channel (A05)") \
  X(TransferHeld, "ERR_TRANSFER_HELD", "transfer is held: over the channel's value cap for the window (A05)") \
  X(ThresholdTooLow, "ERR_THRESHOLD_TOO_LOW", "committee threshold k <= 2n/3 without a logged override (A06)") \
  X(Postcondition, "ERR_POSTCONDITION", "balance or escrow did not move by exactly the amount (A08)") \
  X(ProtobufDecode, "ERR_PROTOBUF_DECODE", "bytes do not decode as the expected protobuf message") \
  X(BadProposerSignature, "ERR_BAD_PROPOSER_SIGNATURE", "the block proposer's signature over the block hash does not verify") \
  X(UnknownCa, "ERR_UNKNOWN_CA", "certificate does not chain to the trust roots or pinned certificates of its org") \
  X(CertInvalid, "ERR_CERT_INVALID", "certificate is malformed, badly signed or of an unsupported key/algorithm") \
  X(CertExpired, "ERR_CERT_EXPIRED", "a certificate of the chain is not valid at the block's own timestamp") \
  X(CertRole, "ERR_CERT_ROLE", "certificate's role (OU) is not the one the signature needs (consensus)") \
  X(VoteType, "ERR_VOTE_TYPE", "commit vote or vote set is not a PRECOMMIT") \
  X(VoteHeight, "ERR_VOTE_HEIGHT", "commit vote or vote set is for another height than the block") \
  X(DuplicateVoter, "ERR_DUPLICATE_VOTER", "a voter node id or signing certificate appears in two votes") \
  X(VoterCert, "ERR_VOTER_CERT", "a vote is signed by a certificate not bound to its voter node id") \
  X(QcMissing, "ERR_QC_MISSING", "the block carries no commit quorum certificate (TBFT vote set)") \
  X(TxFailed, "ERR_TX_FAILED", "the transaction's result code is not SUCCESS: its events prove nothing") \
  X(NotCanonicalJson, "ERR_NOT_CANONICAL_JSON", "audit entry is not RFC 8785 canonical JSON of the allowed shape") \
  X(AuditEvent, "ERR_AUDIT_EVENT", "audit entry kind unknown, or a field missing, malformed or undefined for its kind") \
  X(AuditLeafHash, "ERR_AUDIT_LEAF_HASH", "audit leaf's recorded hash differs from SHA-256(0x00 || leaf data)") \
  X(AuditRootMismatch, "ERR_AUDIT_ROOT_MISMATCH", "audit leaves do not hash to a signed tree head's root") \
  X(AuditTruncated, "ERR_AUDIT_TRUNCATED", "the audit log has fewer leaves than its latest signed tree head") \
  X(AuditInconsistent, "ERR_AUDIT_INCONSISTENT", "audit log contradicts itself (STH order, log id, leaf index)") \
  X(AuditBundleHash, "ERR_AUDIT_BUNDLE_HASH", "stored proof bundle missing or not hashing to the entry's bundle_hash") \
  X(AuditBundleMismatch, "ERR_AUDIT_BUNDLE_MISMATCH", "proof bundle proves another island, height or header than its entry") \
  X(SthSignature, "ERR_STH_SIGNATURE", "signed tree head's BIP-340 signature does not verify under its log id") \
  X(KeyPermissions, "ERR_KEY_PERMISSIONS", "key file is readable or writable by group or others (needs mode 0600)") \
  X(AuditExport, "ERR_AUDIT_EXPORT", "file is not a causeway audit export (format, version or record shape)") \
  X(UnknownPacket, "ERR_UNKNOWN_PACKET", "no packet with that identity has been observed") \
  X(StoreIntegrity, "ERR_STORE_INTEGRITY", "PRAGMA integrity_check found the database damaged: the relay refuses to start") \
  X(NotPacketEvent, "ERR_NOT_PACKET_EVENT", "the proven event is not a sent packet of the island's endpoint (PACKET.md \"Source events\")") \
  X(DeliveryFailed, "ERR_DELIVERY_FAILED", "the destination refused or did not confirm a delivery (retried after reconciliation, A30)") \
  X(PartialMerkleTree, "ERR_PARTIAL_MERKLE_TREE", "BIP 37 partial Merkle tree is malformed: counts, or bits/hashes missing or unused") \
  X(AppFailed, "ERR_APP_FAILED", "the destination application reverted without a reason: written as an error acknowledgement") \
  X(OutOfGas, "ERR_OUT_OF_GAS", "the destination application ran out of gas: the receive reverts (no forced error ack); retry with more gas") \
  X(RateLimited, "ERR_RATE_LIMITED", "too many requests or connections from this client: retry later (A29)") \
  X(RequestReplayed, "ERR_REQUEST_REPLAYED", "signed request reuses a nonce or its timestamp is outside the replay window") \
  X(BodySchema, "ERR_BODY_SCHEMA", "request body violates the route's JSON schema in schemas/") \
  X(NoTreeHead, "ERR_NO_TREE_HEAD", "the audit log has no signed tree head yet (serve signs one at start; or run causeway audit sth)") \
  X(LessWork, "ERR_LESS_WORK", "a Bitcoin branch without more cumulative work than the best one the relay holds (A13)")

enum class Code {
#define CAUSEWAY_X(name, str, doc) name,
  CAUSEWAY_ERROR_CODES(CAUSEWAY_X)
#undef CAUSEWAY_X
};

// The stable string of a code, e.g. "ERR_BAD_POW".
std::string_view code_name(Code c) noexcept;
// The one-line meaning documented for a code.
std::string_view code_doc(Code c) noexcept;

// An error: stable code, human detail, and where in the input it was found ("headers[3]", may be empty).
struct Error {
  Code code;
  std::string detail;
  std::string at;
};

template <class T>
using Result = tl::expected<T, Error>;
using Status = tl::expected<void, Error>;

inline tl::unexpected<Error> fail(Code c, std::string detail = {}, std::string at = {}) {
  return tl::unexpected<Error>(Error{c, std::move(detail), std::move(at)});
}

}  // namespace causeway
