// SPDX-License-Identifier: Apache-2.0
// Test-only contracts of contracts_anvil_test (tests/integration/contracts_anvil_test.cpp), compiled at test time
// with the pinned solc-js; never deployed anywhere else.
//   TestApp   an application for Endpoint.sol whose behaviour on receive is chosen by the test: return 0x01,
//             revert with a reason, return nothing (A08), run out of gas; it counts acknowledgements/timeouts
//             and sends packets with caller-chosen sender and payload (to reproduce the golden packet).
//   NoopToken an "ERC-20" that reports success and moves nothing (A08).
pragma solidity ^0.8.20;

struct Packet {
    uint8 version; string sourceIsland; bytes32 sourceGenesis; string sourceChannel; string sourcePort;
    string destIsland; bytes32 destGenesis; string destChannel; string destPort; uint64 sequence;
    bytes sender; bytes receiver; bytes payload; uint64 timeoutHeight; uint64 timeoutTimestampNs;
}

interface IEndpointSend {
    function sendPacket(string calldata channelId, bytes calldata sender, bytes calldata receiver,
                        bytes calldata payload, uint64 timeoutHeight, uint64 timeoutTimestampNs)
        external returns (uint64 sequence, bytes32 commitment);
}

contract TestApp {
    address public immutable endpoint;
    uint8 public mode;  // 0 result 0x01, 1 revert with a reason, 2 return nothing, 3 burn all gas
    uint256 public recvCount;
    uint256 public ackCount;
    uint256 public timeoutCount;
    bool public lastAckSuccess;

    constructor(address endpoint_) { endpoint = endpoint_; }

    function setMode(uint8 m) external { mode = m; }

    function send(string calldata channelId, bytes calldata sender, bytes calldata receiver, bytes calldata payload,
                  uint64 timeoutHeight, uint64 timeoutTimestampNs) external returns (uint64, bytes32) {
        return IEndpointSend(endpoint).sendPacket(channelId, sender, receiver, payload, timeoutHeight, timeoutTimestampNs);
    }

    function onRecvPacket(Packet calldata) external returns (bytes memory) {
        require(msg.sender == endpoint, "not the endpoint");
        if (mode == 1) revert("ERR_TEST: refused by the app");
        if (mode == 2) assembly { return(0, 0) }
        if (mode == 3) { uint256 i = 0; while (true) { i++; } }
        recvCount++;
        return hex"01";
    }

    function onAcknowledgementPacket(Packet calldata, bool success, bytes calldata) external {
        require(msg.sender == endpoint, "not the endpoint");
        ackCount++;
        lastAckSuccess = success;
    }

    function onTimeoutPacket(Packet calldata) external {
        require(msg.sender == endpoint, "not the endpoint");
        timeoutCount++;
    }
}

contract NoopToken {
    function balanceOf(address) external pure returns (uint256) { return 0; }
    function transferFrom(address, address, uint256) external pure returns (bool) { return true; }
    function transfer(address, uint256) external pure returns (bool) { return true; }
}
