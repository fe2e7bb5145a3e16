// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title L2Messenger
/// @notice The L2 half of the minimal L1 -> L2 message bus (see L1Messenger). A trusted relayer
///         delivers each message sent through the L1Messenger by calling `relayMessage`; the
///         target is called by this contract, and while that call runs `xDomainMessageSender`
///         tells the target who sent the message on L1.
/// @dev Trust model: a real rollup proves L1 messages to the L2 through its own derivation; this
///      stand-in trusts `relayer` to copy `MessageSent` logs faithfully instead. Hence only the
///      relayer may relay, and a target must check both `msg.sender == messenger` and
///      `xDomainMessageSender()` - the latter alone would be readable by anyone, the former
///      alone would accept a message from any L1 sender.
///
///      Failure handling differs from Optimism on purpose: a message whose call reverts is not
///      recorded as relayed (the whole relay reverts with the target's revert data), so it can
///      simply be retried, e.g. after the relayer supplied more gas. There is no "failed
///      message" state to replay from, and hence nothing to replay twice.
contract L2Messenger {
    /// @notice The only account allowed to relay messages.
    address public immutable relayer;

    /// @notice Whether the message with a given L1 nonce has been relayed (successfully).
    mapping(uint256 => bool) public relayed;

    /// @notice The L1 sender of the message being relayed; address(0) outside a relay.
    /// @dev Set just before and cleared just after the target call, so a target can only see a
    ///      non-zero value while it is being called by this contract for that message.
    address public xDomainMessageSender;

    /// @notice The message with L1 nonce `nonce` from `sender` was delivered to `target`.
    event MessageRelayed(uint256 indexed nonce, address indexed sender, address indexed target);

    /// @notice The caller of `relayMessage` is not the relayer.
    error NotRelayer(address caller);
    /// @notice The message with this nonce was relayed already; a message is delivered once.
    error AlreadyRelayed(uint256 nonce);
    /// @notice A zero relayer would make the messenger unusable.
    error ZeroAddress();

    /// @param relayer_ The account that delivers the L1Messenger's messages.
    constructor(address relayer_) {
        if (relayer_ == address(0)) revert ZeroAddress();
        relayer = relayer_;
    }

    /// @notice Deliver message `nonce`: call `target` with `data`, with `sender` exposed as
    ///         `xDomainMessageSender` for the duration of the call.
    /// @dev Reverts with the target's own revert data when its call reverts, so the relayer (and
    ///      whoever reads its logs) sees the real reason, e.g. the Escrow's `OrderNotOpen`, and
    ///      the nonce stays unrelayed. `relayed[nonce]` is set before the call
    ///      (checks-effects-interactions); a nested relay is impossible anyway as only the
    ///      relayer may call this.
    /// @param nonce The message's nonce in the L1Messenger.
    /// @param sender The message's sender on L1.
    /// @param target The contract to call on this chain.
    /// @param data The calldata for `target`.
    function relayMessage(uint256 nonce, address sender, address target, bytes calldata data) external {
        if (msg.sender != relayer) revert NotRelayer(msg.sender);
        if (relayed[nonce]) revert AlreadyRelayed(nonce);

        relayed[nonce] = true;
        xDomainMessageSender = sender;
        (bool ok, bytes memory returned) = target.call(data);
        xDomainMessageSender = address(0);

        if (!ok) {
            // Bubble the target's revert data up unchanged; this also undoes `relayed[nonce]`.
            assembly ("memory-safe") {
                revert(add(returned, 32), mload(returned))
            }
        }
        emit MessageRelayed(nonce, sender, target);
    }
}
