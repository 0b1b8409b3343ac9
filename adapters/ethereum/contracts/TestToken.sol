// SPDX-License-Identifier: Apache-2.0
// A plain ERC-20 for tests and demos: the whole supply goes to the deployer. Never use it for value.
pragma solidity ^0.8.20;

import "./ERC20.sol";

contract TestToken is ERC20 {
    constructor(string memory name_, string memory symbol_, uint256 supply) ERC20(name_, symbol_, 18) {
        _mint(msg.sender, supply);
    }
}
