// SPDX-License-Identifier: Apache-2.0
// The Causeway endpoint of an EVM island (../shared/PACKET.md, docs/contracts.md). Source side: sendPacket
// emits PacketSent; acknowledgePacket / timeoutPacket settle a sent packet exactly once on k committee
// attestations and let its application refund. Destination side: recvPacket accepts a packet on k distinct
// committee attestations, refuses replays, timed-out packets and out-of-order sequences, calls the port's
// application and writes the acknowledgement. Same rules, in the same order, as the devnet endpoint module
// (docs/devnet.md "Endpoint module and transfer application"). Refusals revert with the project's error code
// name as the reason string ("ERR_PACKET_REPLAYED", …; docs/error-codes.md).
pragma solidity ^0.8.20;

import "./PacketTypes.sol";

contract Endpoint {
    // ---- storage (the order is part of the protocol: docs/contracts.md "Storage layout") ----------------

    /// Slot 0 (PACKET.md): commitment → keccak256(ack_bytes) of every packet received here. Provable with
    /// eth_getProof at keccak256(commitment ‖ uint256(0)); 0 at a height past the timeout proves non-delivery.
    mapping(bytes32 => bytes32) public receipts;
    /// Slot 1: commitment → status of every packet sent here (0 unknown, 1 pending, 2 acknowledged,
    /// 3 refunded after an error acknowledgement, 4 timed out and refunded). Settles each packet once.
    mapping(bytes32 => uint8) public sentStatus;

    struct Channel {
        string port;
        string counterpartyIsland;
        bytes32 counterpartyGenesis;
        string counterpartyChannel;
        string counterpartyPort;
        bool ordered;
        uint64 nextSendSequence;
        uint64 nextRecvSequence; // ordered channels only
    }

    /// The governance record that opens a channel (registerChannel).
    struct ChannelConfig {
        string channelId;
        string port;
        string counterpartyIsland;
        bytes32 counterpartyGenesis;
        string counterpartyChannel;
        string counterpartyPort;
        bool ordered;
        uint64 nextSendSequence; // ≥ 1
        uint64 nextRecvSequence; // ≥ 1
    }

    mapping(string => Channel) internal channels_;   // slot 2
    mapping(string => address) public portApp;         // slot 3: port → application
    string[] public channelIds;                        // slot 4
    mapping(address => bool) public isMember;          // slot 5: relay committee
    address[] internal members_;                       // slot 6
    string public island;                              // slot 7: this island's CAIP-2 id

    bytes32 public immutable genesisHash;   // this island's genesis hash, as registered with the relay
    uint256 public immutable threshold;     // k
    address public immutable governance;    // the only address that binds ports and registers channels
    bytes32 internal immutable islandHash;  // keccak256(bytes(island))

    uint8 internal constant PENDING = 1;
    uint8 internal constant ACKNOWLEDGED = 2;
    uint8 internal constant REFUNDED = 3;
    uint8 internal constant TIMED_OUT = 4;

    bytes32 internal constant ATTESTATION_TAG = keccak256("causeway.attestation.v1");
    bytes32 internal constant ACK_TAG = keccak256("causeway.ack.v1");
    bytes32 internal constant TIMEOUT_TAG = keccak256("causeway.timeout.v1");
    uint256 internal constant HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;
    uint256 internal constant MAX_MEMBERS = 64;
    uint256 internal constant MAX_ACCOUNT_BYTES = 64;   // PACKET.md bounds (core/packet.hpp)
    uint256 internal constant MAX_PAYLOAD_BYTES = 65536;
    uint256 internal constant MAX_REASON_BYTES = 1024;

    event PacketSent(bytes32 indexed commitment, uint64 indexed sequence, bytes packet);
    event AcknowledgementWritten(bytes32 indexed commitment, bytes ack);
    event PacketAcknowledged(bytes32 indexed commitment, bool success);
    event PacketTimedOut(bytes32 indexed commitment);
    event PortBound(string port, address app);
    event ChannelRegistered(string channelId, string port, string counterpartyIsland, bytes32 counterpartyGenesis,
                            string counterpartyChannel, string counterpartyPort, bool ordered);

    /// island_: this island's CAIP-2 id (e.g. "eip155:31338"); genesis_: its genesis hash (non-zero);
    /// committee: the relay committee (1–64 distinct non-zero addresses); k: 1 ≤ k ≤ committee.length;
    /// governance_: the governance address (non-zero).
    constructor(string memory island_, bytes32 genesis_, address[] memory committee, uint256 k, address governance_) {
        require(_validIsland(bytes(island_)), "ERR_INVALID_ARGUMENT: island");
        require(genesis_ != bytes32(0), "ERR_ZERO_ROOT: genesis");
        require(committee.length != 0 && committee.length <= MAX_MEMBERS, "ERR_INVALID_ARGUMENT: committee size");
        require(k != 0 && k <= committee.length, "ERR_INVALID_ARGUMENT: k");
        require(governance_ != address(0), "ERR_INVALID_ARGUMENT: governance");
        for (uint256 i = 0; i < committee.length; i++) {
            address m = committee[i];
            require(m != address(0), "ERR_INVALID_ARGUMENT: zero member");
            require(!isMember[m], "ERR_DUPLICATE_SEAL: member listed twice");
            isMember[m] = true;
            members_.push(m);
        }
        island = island_;
        islandHash = keccak256(bytes(island_));
        genesisHash = genesis_;
        threshold = k;
        governance = governance_;
    }

    // ---- governance -----------------------------------------------------------------------------------

    modifier onlyGovernance() {
        require(msg.sender == governance, "ERR_UNAUTHORIZED");
        _;
    }

    /// Binds `port` to the application contract `app`, once. The endpoint itself is never an application
    /// (A04): a packet cannot make the endpoint call its own governance functions.
    function bindPort(string calldata port, address app) external onlyGovernance {
        require(_validId(bytes(port)), "ERR_INVALID_ARGUMENT: port");
        require(app != address(this) && app.code.length != 0, "ERR_FORBIDDEN_TARGET");
        require(portApp[port] == address(0), "ERR_STORE_CONFLICT: port bound");
        portApp[port] = app;
        emit PortBound(port, app);
    }

    /// Opens a channel on a bound port, bound to its counterparty (island, genesis, channel, port).
    function registerChannel(ChannelConfig calldata c) external onlyGovernance {
        require(_validId(bytes(c.channelId)) && _validId(bytes(c.port)) && _validId(bytes(c.counterpartyChannel)) &&
                    _validId(bytes(c.counterpartyPort)), "ERR_INVALID_ARGUMENT: id");
        require(_validIsland(bytes(c.counterpartyIsland)), "ERR_INVALID_ARGUMENT: counterparty island");
        require(c.counterpartyGenesis != bytes32(0), "ERR_ZERO_ROOT: counterparty genesis");
        require(c.nextSendSequence != 0 && c.nextRecvSequence != 0, "ERR_INVALID_ARGUMENT: sequence");
        require(portApp[c.port] != address(0), "ERR_UNKNOWN_CHANNEL: port not bound");
        Channel storage ch = channels_[c.channelId];
        require(bytes(ch.port).length == 0, "ERR_STORE_CONFLICT: channel exists");
        ch.port = c.port;
        ch.counterpartyIsland = c.counterpartyIsland;
        ch.counterpartyGenesis = c.counterpartyGenesis;
        ch.counterpartyChannel = c.counterpartyChannel;
        ch.counterpartyPort = c.counterpartyPort;
        ch.ordered = c.ordered;
        ch.nextSendSequence = c.nextSendSequence;
        ch.nextRecvSequence = c.nextRecvSequence;
        channelIds.push(c.channelId);
        emit ChannelRegistered(c.channelId, c.port, c.counterpartyIsland, c.counterpartyGenesis,
                               c.counterpartyChannel, c.counterpartyPort, c.ordered);
    }

    // ---- source side ----------------------------------------------------------------------------------

    /// Sends a packet on `channelId`; only the application bound to the channel's port may call. The packet:
    /// source = this island and genesis, destination = the channel's counterparty, sequence = the channel's
    /// next send sequence. Emits PacketSent(commitment, sequence, packet_bytes) and records it as pending.
    function sendPacket(string calldata channelId, bytes calldata sender, bytes calldata receiver,
                        bytes calldata payload, uint64 timeoutHeight, uint64 timeoutTimestampNs)
        external returns (uint64 sequence, bytes32 commitment)
    {
        Channel storage ch = channels_[channelId];
        require(bytes(ch.port).length != 0, "ERR_UNKNOWN_CHANNEL");
        require(msg.sender == portApp[ch.port], "ERR_UNAUTHORIZED");
        require(sender.length <= MAX_ACCOUNT_BYTES && receiver.length != 0 && receiver.length <= MAX_ACCOUNT_BYTES &&
                    payload.length <= MAX_PAYLOAD_BYTES, "ERR_TOO_LARGE");
        sequence = ch.nextSendSequence;
        ch.nextSendSequence = sequence + 1;
        Packet memory p;
        p.version = 1;
        p.sourceIsland = island;
        p.sourceGenesis = genesisHash;
        p.sourceChannel = channelId;
        p.sourcePort = ch.port;
        p.destIsland = ch.counterpartyIsland;
        p.destGenesis = ch.counterpartyGenesis;
        p.destChannel = ch.counterpartyChannel;
        p.destPort = ch.counterpartyPort;
        p.sequence = sequence;
        p.sender = sender;
        p.receiver = receiver;
        p.payload = payload;
        p.timeoutHeight = timeoutHeight;
        p.timeoutTimestampNs = timeoutTimestampNs;
        bytes memory packetBytes = abi.encode(p);
        commitment = keccak256(packetBytes);
        sentStatus[commitment] = PENDING;
        emit PacketSent(commitment, sequence, packetBytes);
    }

    /// Settles a pending packet sent here with its acknowledgement (ack_bytes = abi.encode(commitment, success,
    /// result), canonical) on k attestations over the PACKET.md ack digest. The application is told once; on an
    /// error acknowledgement it refunds.
    function acknowledgePacket(Packet calldata p, bytes calldata ack, Attestation[] calldata atts) external {
        bytes32 c = keccak256(abi.encode(p));
        _requirePending(c);
        (bytes32 ackFor, bool success, bytes memory result) = abi.decode(ack, (bytes32, bool, bytes));
        require(ackFor == c && keccak256(abi.encode(ackFor, success, result)) == keccak256(ack), "ERR_PACKET_INVALID: ack");
        bytes32 ackCommitment = keccak256(ack);
        _checkQuorum(1, c, ackCommitment, atts);
        sentStatus[c] = success ? ACKNOWLEDGED : REFUNDED;
        IPacketApp(portApp[p.sourcePort]).onAcknowledgementPacket(p, success, result);
        emit PacketAcknowledged(c, success);
    }

    /// Settles a pending packet sent here as timed out on k attestations over the PACKET.md timeout digest (the
    /// relay attests only after proving non-delivery at a destination block past the timeout). The application
    /// refunds, once.
    function timeoutPacket(Packet calldata p, Attestation[] calldata atts) external {
        bytes32 c = keccak256(abi.encode(p));
        _requirePending(c);
        require(p.timeoutHeight != 0 || p.timeoutTimestampNs != 0, "ERR_PACKET_INVALID: no timeout");
        _checkQuorum(2, c, bytes32(0), atts);
        sentStatus[c] = TIMED_OUT;
        IPacketApp(portApp[p.sourcePort]).onTimeoutPacket(p);
        emit PacketTimedOut(c);
    }

    // ---- destination side -----------------------------------------------------------------------------

    /// Receives a packet: checks in the devnet module's order (docs/devnet.md) — version, destination island and
    /// genesis, channel binding, k distinct committee attestations, no receipt yet, not timed out at this
    /// block, ordered sequence — then calls the port's application and writes
    /// ack_bytes = abi.encode(commitment, success, result), receipts[commitment] = keccak256(ack_bytes).
    function recvPacket(Packet calldata p, Attestation[] calldata atts) external returns (bytes memory ack) {
        require(p.version == 1, "ERR_PACKET_INVALID: version");
        require(keccak256(bytes(p.destIsland)) == islandHash && p.destGenesis == genesisHash, "ERR_ISLAND_MISMATCH");
        Channel storage ch = channels_[p.destChannel];
        require(bytes(ch.port).length != 0 && _eq(ch.port, p.destPort) && _eq(ch.counterpartyIsland, p.sourceIsland) &&
                    ch.counterpartyGenesis == p.sourceGenesis && _eq(ch.counterpartyChannel, p.sourceChannel) &&
                    _eq(ch.counterpartyPort, p.sourcePort), "ERR_UNKNOWN_CHANNEL");
        bytes32 c = keccak256(abi.encode(p));
        _checkQuorum(0, c, bytes32(0), atts);
        require(receipts[c] == bytes32(0), "ERR_PACKET_REPLAYED");
        require(!isTimedOut(p.timeoutHeight, p.timeoutTimestampNs), "ERR_PACKET_TIMED_OUT");
        if (ch.ordered) {
            require(p.sequence == ch.nextRecvSequence, "ERR_PACKET_SEQUENCE");
            ch.nextRecvSequence = p.sequence + 1;
        }
        (bool success, bytes memory result) = _callRecv(portApp[p.destPort], p);
        ack = abi.encode(c, success, result);
        receipts[c] = keccak256(ack);
        emit AcknowledgementWritten(c, ack);
    }

    // ---- views ----------------------------------------------------------------------------------------

    /// PACKET.md "Timed out" at the current block: (timeout_height ≠ 0 and block.number ≥ timeout_height) or
    /// (timeout_timestamp_ns ≠ 0 and block.timestamp × 10^9 ≥ timeout_timestamp_ns).
    function isTimedOut(uint64 timeoutHeight, uint64 timeoutTimestampNs) public view returns (bool) {
        return (timeoutHeight != 0 && block.number >= timeoutHeight) ||
               (timeoutTimestampNs != 0 && block.timestamp * 1e9 >= timeoutTimestampNs);
    }

    /// PACKET.md attestation digest with dest = this island, genesis and address.
    function attestationDigest(bytes32 commitment, uint64 auditIndex) public view returns (bytes32) {
        return keccak256(abi.encode(ATTESTATION_TAG, island, genesisHash, abi.encodePacked(address(this)),
                                    commitment, auditIndex));
    }

    /// PACKET.md ack attestation digest with source = this island, genesis and address.
    function ackDigest(bytes32 commitment, bytes32 ackCommitment, uint64 auditIndex) public view returns (bytes32) {
        return keccak256(abi.encode(ACK_TAG, island, genesisHash, abi.encodePacked(address(this)), commitment,
                                    ackCommitment, auditIndex));
    }

    /// PACKET.md timeout attestation digest with source = this island, genesis and address.
    function timeoutDigest(bytes32 commitment, uint64 auditIndex) public view returns (bytes32) {
        return keccak256(abi.encode(TIMEOUT_TAG, island, genesisHash, abi.encodePacked(address(this)), commitment,
                                    auditIndex));
    }

    function members() external view returns (address[] memory) {
        return members_;
    }

    function channel(string calldata channelId) external view returns (Channel memory) {
        return channels_[channelId];
    }

    /// The port a channel is registered on ("" if none).
    function portOf(string calldata channelId) external view returns (string memory) {
        return channels_[channelId].port;
    }

    function channelCount() external view returns (uint256) {
        return channelIds.length;
    }

    // ---- internals ------------------------------------------------------------------------------------

    function _requirePending(bytes32 c) internal view {
        uint8 s = sentStatus[c];
        require(s != 0, "ERR_PACKET_INVALID: not sent here");
        require(s == PENDING, "ERR_PACKET_REPLAYED");
    }

    /// Every attestation must recover (65 bytes, v ∈ {27, 28}, low-S) to a committee member, each member at
    /// most once however encoded; at least k of them. kind: 0 attestation, 1 ack, 2 timeout.
    function _checkQuorum(uint8 kind, bytes32 c, bytes32 ackCommitment, Attestation[] calldata atts) internal view {
        uint256 n = atts.length;
        require(n <= MAX_MEMBERS, "ERR_TOO_LARGE: attestations");
        address[] memory seen = new address[](n);
        for (uint256 i = 0; i < n; i++) {
            uint64 idx = atts[i].auditIndex;
            bytes32 d = kind == 0 ? attestationDigest(c, idx)
                      : kind == 1 ? ackDigest(c, ackCommitment, idx)
                                  : timeoutDigest(c, idx);
            address signer = _recover(d, atts[i].signature);
            require(isMember[signer], "ERR_NOT_VALIDATOR");
            for (uint256 j = 0; j < i; j++) require(seen[j] != signer, "ERR_DUPLICATE_SEAL");
            seen[i] = signer;
        }
        require(n >= threshold, "ERR_INSUFFICIENT_QUORUM");
    }

    function _recover(bytes32 digest, bytes calldata sig) internal pure returns (address signer) {
        require(sig.length == 65, "ERR_SIG_ENCODING");
        bytes32 r = bytes32(sig[0:32]);
        bytes32 s = bytes32(sig[32:64]);
        uint8 v = uint8(sig[64]);
        require((v == 27 || v == 28) && r != bytes32(0) && s != bytes32(0), "ERR_SIG_ENCODING");
        require(uint256(s) <= HALF_N, "ERR_SIG_HIGH_S");
        signer = ecrecover(digest, v, r, s);
        require(signer != address(0), "ERR_SIG_INVALID");
    }

    /// Calls the application. A revert is an error acknowledgement whose result is the revert reason (or
    /// "ERR_APP_FAILED"); running out of gas is not (the whole transaction reverts, so a relayer cannot force an
    /// error acknowledgement by sending too little gas). A call that "succeeds" without returning a non-empty
    /// result — an account without code, a no-op fallback — is refused (A08): nothing is written.
    function _callRecv(address app, Packet calldata p) internal returns (bool, bytes memory) {
        uint256 gasBefore = gasleft();
        (bool ok, bytes memory ret) = app.call(abi.encodeCall(IPacketApp.onRecvPacket, (p)));
        if (!ok) {
            require(gasleft() > gasBefore / 63, "ERR_OUT_OF_GAS");
            return (false, _reason(ret));
        }
        require(app.code.length != 0 && ret.length >= 96, "ERR_POSTCONDITION: no result");
        bytes memory result = abi.decode(ret, (bytes));
        require(result.length != 0, "ERR_POSTCONDITION: empty result");
        return (true, result);
    }

    /// The string of a revert with Error(string) (at most MAX_REASON_BYTES), else "ERR_APP_FAILED".
    function _reason(bytes memory ret) internal pure returns (bytes memory out) {
        if (ret.length >= 68 && bytes4(ret) == 0x08c379a0) {
            uint256 off;
            uint256 len;
            assembly {
                off := mload(add(ret, 36))
                len := mload(add(ret, 68))
            }
            if (off == 32 && len != 0 && len <= ret.length - 68 && len <= MAX_REASON_BYTES) {
                out = new bytes(len);
                for (uint256 i = 0; i < len; i++) out[i] = ret[68 + i];
                return out;
            }
        }
        return bytes("ERR_APP_FAILED");
    }

    function _eq(string storage a, string calldata b) internal pure returns (bool) {
        return keccak256(bytes(a)) == keccak256(bytes(b));
    }

    /// Channel and port ids: 2–64 bytes of [a-zA-Z0-9._+-#<>[]] (ICS-24 without '/'; relay/domain ids.hpp).
    function _validId(bytes memory s) internal pure returns (bool) {
        if (s.length < 2 || s.length > 64) return false;
        for (uint256 i = 0; i < s.length; i++) {
            bytes1 ch = s[i];
            bool ok = (ch >= "a" && ch <= "z") || (ch >= "A" && ch <= "Z") || (ch >= "0" && ch <= "9") || ch == "." ||
                      ch == "_" || ch == "+" || ch == "-" || ch == "#" || ch == "<" || ch == ">" || ch == "[" || ch == "]";
            if (!ok) return false;
        }
        return true;
    }

    /// CAIP-2: namespace [-a-z0-9]{3,8} ":" reference [-_a-zA-Z0-9]{1,32}.
    function _validIsland(bytes memory s) internal pure returns (bool) {
        uint256 colon = type(uint256).max;
        for (uint256 i = 0; i < s.length; i++) {
            if (s[i] == ":") { colon = i; break; }
        }
        if (colon < 3 || colon > 8 || s.length - colon - 1 < 1 || s.length - colon - 1 > 32) return false;
        for (uint256 i = 0; i < s.length; i++) {
            if (i == colon) continue;
            bytes1 ch = s[i];
            bool ok = (ch >= "a" && ch <= "z") || (ch >= "0" && ch <= "9") || ch == "-";
            if (i > colon) ok = ok || (ch >= "A" && ch <= "Z") || ch == "_";
            if (!ok) return false;
        }
        return true;
    }
}
