// SPDX-License-Identifier: Apache-2.0
// The voucher of one denom trace (PACKET.md "Transfer payload": `port/channel/…/base`), deployed by the
// transfer application (TransferApp.sol) the first time it mints that trace. Only that application mints and
// burns. docs/contracts.md.
pragma solidity ^0.8.20;

import "./ERC20.sol";

contract Voucher is ERC20 {
    /// The transfer application that deployed this voucher: the only minter and burner.
    address public immutable app;
    /// The full denom trace, e.g. "transfer/channel-0/0x5fbdb2315678afecb367f032d93f642f64180aa3".
    string public denomTrace;

    constructor(string memory trace) ERC20(trace, "CWV", 18) {
        app = msg.sender;
        denomTrace = trace;
    }

    function mint(address to, uint256 value) external {
        require(msg.sender == app, "ERR_UNAUTHORIZED");
        _mint(to, value);
    }

    function burn(address from, uint256 value) external {
        require(msg.sender == app, "ERR_UNAUTHORIZED");
        _burn(from, value);
    }
}
