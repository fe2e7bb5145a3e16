// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Escrow} from "./Escrow.sol";
import {L1Messenger} from "./L1Messenger.sol";

/// @title PaymentRegistry
/// @notice The L1 side of a cross-chain order. The market maker pays an order's recipient
///         through `transfer`, which records the payment under a key; `claimPayment` then proves
///         that payment to the order's Escrow on its L2 by sending a message through that L2's
///         L1Messenger, which releases the escrowed amount and fee to the market maker.
/// @dev A payment is identified by key = keccak256(abi.encode(orderId, destAddress, amount,
///      chainId)). Binding the amount and recipient into the key (rather than using the order id
///      alone) means the claim carries exactly what was paid, and the Escrow checks it against
///      the order: paying the wrong recipient or the wrong amount records a payment that can
///      never release the order. Each key can be transferred once and claimed once, so one L1
///      payment releases at most one order, once.
contract PaymentRegistry {
    /// @notice Where an L2's claims go: its L1Messenger and the Escrow on that L2.
    struct Chain {
        address messenger;
        address escrow;
    }

    /// @notice What happened to a payment key.
    struct TransferState {
        bool transferred;
        bool claimed;
    }

    /// @notice The only account that may pay and claim: the escrows release funds to the market
    ///         maker, so only the market maker's own payments may count.
    address public immutable marketMaker;
    /// @notice The deployer, who registers chains.
    address public immutable owner;

    /// @notice The messenger and escrow per L2 chain id; zero when not registered.
    mapping(uint128 => Chain) public chains;
    /// @notice Payment state per key (see `transferKey`).
    mapping(bytes32 => TransferState) public transfers;

    /// @notice The market maker paid `amount` to `destAddress` for order `orderId` of `chainId`.
    event Transfer(
        uint256 indexed orderId, address srcAddress, address indexed destAddress, uint256 amount, uint128 indexed chainId
    );
    /// @notice A claim for order `orderId` of `chainId` was sent to that chain's escrow.
    event ClaimPayment(uint256 indexed orderId, address destAddress, uint256 amount, uint128 indexed chainId);
    /// @notice `chainId`'s claims now go to `escrow` through `messenger`.
    event ChainRegistered(uint128 indexed chainId, address messenger, address escrow);

    error NotOwner(address caller);
    error NotMarketMaker(address caller);
    /// @notice A zero address where a real one is needed.
    error ZeroAddress();
    /// @notice No messenger and escrow registered for this chain id.
    error ChainNotRegistered(uint128 chainId);
    /// @notice A transfer must move some ether.
    error ZeroValue();
    error AlreadyTransferred(bytes32 key);
    error NotTransferred(bytes32 key);
    error AlreadyClaimed(bytes32 key);
    /// @notice A batch's arrays differ in length.
    error LengthMismatch();
    /// @notice A batch has no orders.
    error EmptyBatch();
    /// @notice Forwarding the payment to `to` failed.
    error TransferFailed(address to, uint256 amount);

    /// @param marketMaker_ The market maker's L1 address.
    constructor(address marketMaker_) {
        if (marketMaker_ == address(0)) revert ZeroAddress();
        marketMaker = marketMaker_;
        owner = msg.sender;
    }

    /// @notice Route `chainId`'s claims to `escrow` through `messenger`. Owner only; may be called
    ///         again to replace a chain's contracts.
    function registerChain(uint128 chainId, address messenger, address escrow) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        if (messenger == address(0) || escrow == address(0)) revert ZeroAddress();
        chains[chainId] = Chain({messenger: messenger, escrow: escrow});
        emit ChainRegistered(chainId, messenger, escrow);
    }

    /// @notice The key a payment is recorded under.
    function transferKey(uint256 orderId, address destAddress, uint256 amount, uint128 chainId)
        external
        pure
        returns (bytes32)
    {
        return _key(orderId, destAddress, amount, chainId);
    }

    /// @notice Pay `msg.value` to `destAddress` for order `orderId` on `chainId`. Market maker
    ///         only; once per key.
    /// @dev Chain registration is checked here, not only at claim time, so that the market maker
    ///      cannot pay for an order it could never claim. The key is marked before the ether is
    ///      forwarded (checks-effects-interactions).
    function transfer(uint256 orderId, address destAddress, uint128 chainId) external payable {
        _onlyMarketMaker();
        _registered(chainId);
        if (msg.value == 0) revert ZeroValue();
        if (destAddress == address(0)) revert ZeroAddress();
        bytes32 key = _key(orderId, destAddress, msg.value, chainId);
        TransferState storage state = transfers[key];
        if (state.transferred) revert AlreadyTransferred(key);

        state.transferred = true;
        emit Transfer(orderId, msg.sender, destAddress, msg.value, chainId);

        (bool ok,) = destAddress.call{value: msg.value}("");
        if (!ok) revert TransferFailed(destAddress, msg.value);
    }

    /// @notice Send the claim for a transferred payment to the order's escrow. Market maker
    ///         only; once per key.
    function claimPayment(uint256 orderId, address destAddress, uint256 amount, uint128 chainId) external {
        _onlyMarketMaker();
        Chain memory chain = _registered(chainId);
        _markClaimed(_key(orderId, destAddress, amount, chainId));

        L1Messenger(chain.messenger).sendMessage(
            chain.escrow, abi.encodeCall(Escrow.claim_payment, (orderId, destAddress, amount))
        );
        emit ClaimPayment(orderId, destAddress, amount, chainId);
    }

    /// @notice Claim several transferred payments of one chain in a single message; every
    ///         element is checked as in `claimPayment`, and any failure reverts them all.
    function claimPaymentBatch(
        uint256[] calldata orderIds,
        address[] calldata destAddresses,
        uint256[] calldata amounts,
        uint128 chainId
    ) external {
        _onlyMarketMaker();
        Chain memory chain = _registered(chainId);
        uint256 n = orderIds.length;
        if (n == 0) revert EmptyBatch();
        if (destAddresses.length != n || amounts.length != n) revert LengthMismatch();
        for (uint256 i; i < n; ++i) {
            // a duplicate within the batch fails here: its first occurrence marked it claimed
            _markClaimed(_key(orderIds[i], destAddresses[i], amounts[i], chainId));
            emit ClaimPayment(orderIds[i], destAddresses[i], amounts[i], chainId);
        }

        L1Messenger(chain.messenger).sendMessage(
            chain.escrow, abi.encodeCall(Escrow.claim_payment_batch, (orderIds, destAddresses, amounts))
        );
    }

    function _key(uint256 orderId, address destAddress, uint256 amount, uint128 chainId)
        private
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(orderId, destAddress, amount, chainId));
    }

    function _onlyMarketMaker() private view {
        if (msg.sender != marketMaker) revert NotMarketMaker(msg.sender);
    }

    function _registered(uint128 chainId) private view returns (Chain memory chain) {
        chain = chains[chainId];
        if (chain.messenger == address(0)) revert ChainNotRegistered(chainId);
    }

    function _markClaimed(bytes32 key) private {
        TransferState storage state = transfers[key];
        if (!state.transferred) revert NotTransferred(key);
        if (state.claimed) revert AlreadyClaimed(key);
        state.claimed = true;
    }
}
