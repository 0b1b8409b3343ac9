// SPDX-License-Identifier: Apache-2.0
// The packet of ../shared/PACKET.md ("Packet", 15 fields in this order) and the interface between the Causeway
// endpoint (Endpoint.sol) and the applications bound to its ports (TransferApp.sol). docs/contracts.md.
pragma solidity ^0.8.20;

/// PACKET.md "Packet": packet_bytes = abi.encode(packet) (one tuple argument, so it starts with the word 0x20);
/// commitment = keccak256(packet_bytes).
struct Packet {
    uint8 version;             // 1
    string sourceIsland;       // CAIP-2 id of the source island
    bytes32 sourceGenesis;     // genesis hash of the source island
    string sourceChannel;
    string sourcePort;
    string destIsland;
    bytes32 destGenesis;
    string destChannel;
    string destPort;
    uint64 sequence;           // per (source island, source channel), from 1
    bytes sender;              // 20 bytes on EVM chains
    bytes receiver;
    bytes payload;             // application data (transfer: PACKET.md "Transfer payload")
    uint64 timeoutHeight;      // destination height; 0 = none
    uint64 timeoutTimestampNs; // destination block time in ns; 0 = none
}

/// One relay committee member's attestation: the leaf index of its own audit entry and its 65-byte r ‖ s ‖ v
/// signature (v ∈ {27, 28}, low-S) over the PACKET.md digest.
struct Attestation {
    uint64 auditIndex;
    bytes signature;
}

/// An application bound to a port of the endpoint. The endpoint calls it only for packets of channels
/// registered on that port, and only these three functions (never a target chosen by a packet: A04).
interface IPacketApp {
    /// Destination side. Returns the success result written into the acknowledgement (non-empty). A revert
    /// is an error acknowledgement (the app's state changes are discarded with the revert).
    function onRecvPacket(Packet calldata packet) external returns (bytes memory result);
    /// Source side, once per packet, on its verified acknowledgement (success or error: an app refunds on error).
    function onAcknowledgementPacket(Packet calldata packet, bool success, bytes calldata result) external;
    /// Source side, once per packet, on its verified timeout: an app refunds.
    function onTimeoutPacket(Packet calldata packet) external;
}
