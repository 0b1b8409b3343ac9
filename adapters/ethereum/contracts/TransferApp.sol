// SPDX-License-Identifier: Apache-2.0
// The ICS-20-style fungible-token application of the Causeway endpoint (../shared/PACKET.md "Transfer payload",
// docs/contracts.md). payload = abi.encode(string denom, uint256 amount, bytes sender, bytes receiver,
// string memo). Sending: a voucher whose denom trace starts with this packet's source_port/source_channel/ is
// going home and is burned; anything else (a registered ERC-20, denom = its lowercase 0x address, or a voucher
// of another route) is escrowed per channel. Receiving: a denom starting with the packet's
// source_port/source_channel/ comes home — the prefix is stripped and the tokens are released from this channel's
// escrow; any other denom mints the voucher dest_port/dest_channel/denom (one Voucher ERC-20 per trace).
// Refunds (error acknowledgement, timeout) undo the send exactly once (the endpoint settles each packet once).
// Every token movement is checked by balances afterwards (A08): a token that reports success without moving
// exactly the amount is refused. Failures revert with "ERR_…: detail" (the endpoint turns a revert while
// receiving into an error acknowledgement whose result is that string).
pragma solidity ^0.8.20;

import "./PacketTypes.sol";
import "./Voucher.sol";

interface IERC20Minimal {
    function balanceOf(address owner) external view returns (uint256);
}

interface IEndpointForApp {
    function sendPacket(string calldata channelId, bytes calldata sender, bytes calldata receiver,
                        bytes calldata payload, uint64 timeoutHeight, uint64 timeoutTimestampNs)
        external returns (uint64 sequence, bytes32 commitment);
    function portOf(string calldata channelId) external view returns (string memory);
}

contract TransferApp is IPacketApp {
    address public immutable endpoint;
    address public immutable governance;

    mapping(address => bool) public registeredAsset;                     // ERC-20s this island may send out
    mapping(string => mapping(address => uint256)) public escrowed;      // channel → token → amount in escrow
    mapping(bytes32 => address) public voucherOf;                        // keccak256(trace) → voucher
    mapping(address => string) public traceOf;                           // voucher → trace

    event AssetRegistered(address indexed token);
    event VoucherCreated(address indexed voucher, string trace);
    event Refunded(bytes32 indexed commitment, address indexed to, address indexed token, uint256 amount);

    uint256 internal constant MAX_DENOM_BYTES = 1024;

    constructor(address endpoint_, address governance_) {
        require(endpoint_.code.length != 0 && governance_ != address(0), "ERR_INVALID_ARGUMENT");
        endpoint = endpoint_;
        governance = governance_;
    }

    modifier onlyEndpoint() {
        require(msg.sender == endpoint, "ERR_UNAUTHORIZED");
        _;
    }

    /// Governance registers the ERC-20s that may be escrowed (never the zero address, never an account
    /// without code, never a voucher of this app).
    function registerAsset(address token) external {
        require(msg.sender == governance, "ERR_UNAUTHORIZED");
        require(token != address(0) && token.code.length != 0 && bytes(traceOf[token]).length == 0,
                "ERR_INVALID_ARGUMENT: asset");
        registeredAsset[token] = true;
        emit AssetRegistered(token);
    }

    /// The voucher of `trace`, or the zero address.
    function voucherFor(string calldata trace) external view returns (address) {
        return voucherOf[keccak256(bytes(trace))];
    }

    /// Sends `amount` of `token` (a registered ERC-20, approved to this app, or a voucher of this app) over
    /// `channelId` to `receiver` (1–64 bytes) on the counterparty. At least one timeout is required.
    function sendTransfer(string calldata channelId, address token, uint256 amount, bytes calldata receiver,
                          string calldata memo, uint64 timeoutHeight, uint64 timeoutTimestampNs)
        external returns (uint64 sequence, bytes32 commitment)
    {
        require(amount != 0, "ERR_PACKET_INVALID: amount");
        require(timeoutHeight != 0 || timeoutTimestampNs != 0, "ERR_PACKET_INVALID: no timeout");
        string memory denom = _takeIn(channelId, token, amount);
        bytes memory sender = abi.encodePacked(msg.sender);
        bytes memory payload = abi.encode(denom, amount, sender, receiver, memo);
        return IEndpointForApp(endpoint).sendPacket(channelId, sender, receiver, payload, timeoutHeight,
                                                    timeoutTimestampNs);
    }

    function onRecvPacket(Packet calldata p) external onlyEndpoint returns (bytes memory) {
        (string memory denom, uint256 amount, , bytes memory receiver, ) =
            abi.decode(p.payload, (string, uint256, bytes, bytes, string));
        require(amount != 0, "ERR_PACKET_INVALID: amount");
        require(receiver.length == 20, "ERR_PACKET_INVALID: receiver is not 20 bytes");
        require(bytes(denom).length != 0 && bytes(denom).length <= MAX_DENOM_BYTES, "ERR_PACKET_INVALID: denom");
        address to = address(bytes20(receiver));
        string memory home = string.concat(p.sourcePort, "/", p.sourceChannel, "/");
        if (_startsWith(denom, home)) {
            address token = _tokenOf(_suffix(denom, bytes(home).length));
            _release(p.destChannel, token, to, amount);
        } else {
            address v = _voucher(string.concat(p.destPort, "/", p.destChannel, "/", denom));
            Voucher(v).mint(to, amount);
        }
        return hex"01";
    }

    function onAcknowledgementPacket(Packet calldata p, bool success, bytes calldata) external onlyEndpoint {
        if (!success) _refund(p);
    }

    function onTimeoutPacket(Packet calldata p) external onlyEndpoint {
        _refund(p);
    }

    // ---- internals ------------------------------------------------------------------------------------

    /// Burns (voucher going home) or escrows; returns the denom the payload carries.
    function _takeIn(string calldata channelId, address token, uint256 amount) internal returns (string memory denom) {
        string memory trace = traceOf[token];
        if (bytes(trace).length != 0) {
            denom = trace;
            string memory home = string.concat(IEndpointForApp(endpoint).portOf(channelId), "/", channelId, "/");
            if (_startsWith(trace, home)) {
                require(Voucher(token).balanceOf(msg.sender) >= amount, "ERR_INSUFFICIENT_FUNDS");
                Voucher(token).burn(msg.sender, amount);
                return denom;
            }
        } else {
            require(registeredAsset[token], "ERR_UNKNOWN_DENOM: asset not registered");
            denom = _hexAddress(token);
        }
        uint256 before = IERC20Minimal(token).balanceOf(address(this));
        _call(token, abi.encodeWithSignature("transferFrom(address,address,uint256)", msg.sender, address(this), amount));
        uint256 afterwards = IERC20Minimal(token).balanceOf(address(this));
        require(afterwards >= before && afterwards - before == amount, "ERR_POSTCONDITION: escrow did not grow by amount");
        escrowed[channelId][token] += amount;
    }

    /// Pays `amount` of `token` out of `channelId`'s escrow to `to`, checked by balances.
    function _release(string memory channelId, address token, address to, uint256 amount) internal {
        uint256 held = escrowed[channelId][token];
        require(held >= amount, "ERR_INSUFFICIENT_FUNDS: escrow");
        escrowed[channelId][token] = held - amount;
        uint256 before = IERC20Minimal(token).balanceOf(to);
        _call(token, abi.encodeWithSignature("transfer(address,uint256)", to, amount));
        uint256 afterwards = IERC20Minimal(token).balanceOf(to);
        require(afterwards >= before && afterwards - before == amount, "ERR_POSTCONDITION: receiver did not gain amount");
    }

    function _refund(Packet calldata p) internal {
        (string memory denom, uint256 amount, bytes memory sender, , ) =
            abi.decode(p.payload, (string, uint256, bytes, bytes, string));
        require(sender.length == 20, "ERR_PACKET_INVALID: sender");
        address to = address(bytes20(sender));
        string memory home = string.concat(p.sourcePort, "/", p.sourceChannel, "/");
        address token;
        if (_startsWith(denom, home)) {  // a burned voucher: mint it again
            token = voucherOf[keccak256(bytes(denom))];
            require(token != address(0), "ERR_UNKNOWN_DENOM");
            Voucher(token).mint(to, amount);
        } else {
            token = _tokenOf(denom);
            _release(p.sourceChannel, token, to, amount);
        }
        emit Refunded(keccak256(abi.encode(p)), to, token, amount);
    }

    /// The token a (base or voucher) denom names on this island: a voucher of this app, or a registered ERC-20
    /// written as its lowercase 0x address.
    function _tokenOf(string memory denom) internal view returns (address) {
        address v = voucherOf[keccak256(bytes(denom))];
        if (v != address(0)) return v;
        address token = _parseAddress(bytes(denom));
        require(registeredAsset[token], "ERR_UNKNOWN_DENOM");
        return token;
    }

    function _voucher(string memory trace) internal returns (address v) {
        bytes32 key = keccak256(bytes(trace));
        v = voucherOf[key];
        if (v == address(0)) {
            v = address(new Voucher(trace));
            voucherOf[key] = v;
            traceOf[v] = trace;
            emit VoucherCreated(v, trace);
        }
    }

    /// A token call that must not revert and, if it returns data, must return true.
    function _call(address token, bytes memory data) internal {
        (bool ok, bytes memory ret) = token.call(data);
        require(ok && (ret.length == 0 || (ret.length == 32 && abi.decode(ret, (bool)))),
                "ERR_INSUFFICIENT_FUNDS: token transfer failed");
    }

    function _startsWith(string memory s, string memory prefix) internal pure returns (bool) {
        bytes memory a = bytes(s);
        bytes memory b = bytes(prefix);
        if (a.length < b.length) return false;
        for (uint256 i = 0; i < b.length; i++) if (a[i] != b[i]) return false;
        return true;
    }

    function _suffix(string memory s, uint256 from) internal pure returns (string memory) {
        bytes memory a = bytes(s);
        bytes memory out = new bytes(a.length - from);
        for (uint256 i = 0; i < out.length; i++) out[i] = a[from + i];
        return string(out);
    }

    function _hexAddress(address a) internal pure returns (string memory) {
        bytes memory digits = "0123456789abcdef";
        bytes memory out = new bytes(42);
        out[0] = "0";
        out[1] = "x";
        uint160 v = uint160(a);
        for (uint256 i = 41; i >= 2; i--) {
            out[i] = digits[v & 0xf];
            v >>= 4;
        }
        return string(out);
    }

    /// "0x" + 40 lowercase hex digits (the only spelling a base ERC-20 denom has), else ERR_UNKNOWN_DENOM.
    function _parseAddress(bytes memory s) internal pure returns (address) {
        require(s.length == 42 && s[0] == "0" && s[1] == "x", "ERR_UNKNOWN_DENOM");
        uint160 v = 0;
        for (uint256 i = 2; i < 42; i++) {
            uint8 c = uint8(s[i]);
            uint8 d;
            if (c >= 48 && c <= 57) d = c - 48;
            else if (c >= 97 && c <= 102) d = c - 87;
            else revert("ERR_UNKNOWN_DENOM");
            v = (v << 4) | d;
        }
        return address(v);
    }
}
