// SPDX-License-Identifier: Apache-2.0
// Test contract of anvil_integration_test (tests/integration/anvil_integration_test.cpp). Compiled at test time
// with the pinned solc-js (tools/node_modules/solc, standard JSON input); never deployed anywhere else.
//
// It mirrors what the relay needs from a real EVM endpoint (../shared/PACKET.md):
//   - event PacketSent(bytes32 indexed commitment, uint64 indexed sequence, bytes packet), commitment =
//     keccak256(packet bytes), emitted as log 1 of its receipt (log 0 is a Ping, so "log index inside the
//     receipt" is exercised);
//   - mapping(bytes32 => bytes32) receipts at storage slot 0, written by writeReceipt (ack commitment =
//     keccak256(ack bytes)), provable with eth_getProof at slot keccak256(commitment ‖ uint256(0));
//   - another event, Ping, so receipts carry logs that are not packets.
pragma solidity ^0.8.20;

contract TestEndpoint {
    mapping(bytes32 => bytes32) public receipts; // slot 0 (PACKET.md "Acknowledgements and timeouts")
    uint256 public pings;                        // slot 1

    event PacketSent(bytes32 indexed commitment, uint64 indexed sequence, bytes packet);
    event AcknowledgementWritten(bytes32 indexed commitment, bytes ack);
    event Ping(address indexed from, uint256 indexed count, bytes note);

    function sendPacket(uint64 sequence, bytes calldata packet) external {
        emit Ping(msg.sender, ++pings, "packet");
        emit PacketSent(keccak256(packet), sequence, packet);
    }

    function writeReceipt(bytes32 commitment, bytes calldata ack) external {
        receipts[commitment] = keccak256(ack);
        emit AcknowledgementWritten(commitment, ack);
    }

    function ping(bytes calldata note) external {
        emit Ping(msg.sender, ++pings, note);
    }
}
