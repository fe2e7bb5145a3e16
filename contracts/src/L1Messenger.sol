// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title L1Messenger
/// @notice The L1 half of a minimal L1 -> L2 message bus, one instance per L2. It stands in for
///         a rollup's native messaging (Optimism's L1CrossDomainMessenger, Arbitrum's inbox, ...)
///         on hedgeflow's local chains, so the claim flow can be exercised end to end without a
///         real rollup: the PaymentRegistry sends a message here, an off-chain relayer reads the
///         `MessageSent` log and delivers it through the L2Messenger on the L2.
/// @dev The contract only records intent; it holds no funds and has no privileged role, which
///      is why anyone may send. The receiving side is what authenticates a message: the
///      L2Messenger exposes the L1 sender (`xDomainMessageSender`) and each target decides whom
///      it trusts (the Escrow trusts only the PaymentRegistry). A message is identified by its
///      nonce, which the L2Messenger uses to relay it at most once.
contract L1Messenger {
    /// @notice The nonce the next message gets. Starts at 0 and only grows, so a nonce names
    ///         exactly one message for the life of this messenger.
    uint256 public messageNonce;

    /// @notice A message for `target` on the L2, to be relayed with `sender` as its L1 sender.
    /// @dev Everything the relayer needs to call `L2Messenger.relayMessage` is in this event;
    ///      `data` is not indexed so that it is readable from the log.
    event MessageSent(uint256 indexed nonce, address indexed sender, address indexed target, bytes data);

    /// @notice Queue a call of `target` with `data` on the L2, sent by `msg.sender`.
    /// @param target The contract to call on the L2.
    /// @param data The calldata of that call.
    /// @return nonce The message's nonce, under which the L2Messenger relays it.
    function sendMessage(address target, bytes calldata data) external returns (uint256 nonce) {
        nonce = messageNonce;
        unchecked {
            // 2^256 messages will never be sent
            messageNonce = nonce + 1;
        }
        emit MessageSent(nonce, msg.sender, target, data);
    }
}
