// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {L2Messenger} from "./L2Messenger.sol";

/// @title Escrow
/// @notice The L2 side of a cross-chain order, after the YAB escrow (hence the snake_case names).
///         A user locks `amount + fee` here for `recipient_address`; the market maker pays the
///         recipient `amount` on L1 through the PaymentRegistry, which then sends a message back
///         here that releases `amount + fee` to the market maker. If nobody fills the order, the
///         user takes the money back after `reclaim_delay`.
/// @dev Security rests on three rules:
///      - only the PaymentRegistry, through the L2Messenger, can release an order: a claim must
///        come from `messenger` *and* carry `paymentRegistry` as its L1 sender, since either check
///        alone can be satisfied by someone else;
///      - an order leaves the open state exactly once (claimed or reclaimed), and its status is
///        written before any ether moves (checks-effects-interactions). A re-entrant call from
///        the market maker or the order's sender, made while they receive ether, therefore finds
///        the order closed (`OrderNotOpen`) or fails the caller checks (`NotRegistry`,
///        `NotOrderSender`), so nothing is released twice without a reentrancy lock;
///      - a claim names the recipient and amount the market maker paid on L1, and they must
///        match the order, so a payment to the wrong address or of the wrong amount cannot
///        release it.
contract Escrow {
    /// @notice An order's state. `amount` goes to `recipient_address` on L1; `fee` is the market
    ///         maker's reward; `sender` locked both and may reclaim them.
    /// @dev status: 0 = none (never set), 1 = open, 2 = claimed, 3 = reclaimed.
    struct Order {
        address recipient_address;
        uint256 amount;
        uint256 fee;
        address sender;
        uint64 created_at;
        uint8 status;
    }

    uint8 internal constant STATUS_NONE = 0;
    uint8 internal constant STATUS_OPEN = 1;
    uint8 internal constant STATUS_CLAIMED = 2;
    uint8 internal constant STATUS_RECLAIMED = 3;

    /// @notice The L2Messenger that delivers the PaymentRegistry's messages.
    address public immutable messenger;
    /// @notice The PaymentRegistry on L1: the only L1 sender whose messages release orders.
    address public immutable paymentRegistry;
    /// @notice Where released orders are paid: the market maker's address on this chain.
    address public immutable mm_address;
    /// @notice Seconds after an order's creation from which its sender may reclaim it. It gives
    ///         the market maker time to pay on L1 and to get the claim message relayed.
    uint64 public immutable reclaim_delay;

    /// @notice The id the next order gets; ids start at 0.
    uint256 public current_order_id;

    mapping(uint256 => Order) internal orders;

    event SetOrder(uint256 indexed order_id, address recipient_address, uint256 amount, uint256 fee);
    /// @notice Order `order_id` was released to the market maker; `amount` is the order's amount
    ///         plus its fee.
    event ClaimPayment(uint256 indexed order_id, address mm_address, uint256 amount);
    /// @notice Order `order_id` was refunded to its sender; `amount` is the order's amount plus
    ///         its fee.
    event ReclaimOrder(uint256 indexed order_id, address sender, uint256 amount);

    /// @notice A constructor address is zero.
    error ZeroAddress();
    /// @notice `recipient_address` is zero: the market maker could never pay it.
    error InvalidRecipient();
    /// @notice `msg.value` does not exceed the fee, so the order would carry no amount.
    error InsufficientValue(uint256 value, uint256 fee);
    /// @notice A claim did not come from the PaymentRegistry through the messenger.
    error NotRegistry();
    /// @notice The order is not open: never set (0), claimed (2) or reclaimed (3).
    error OrderNotOpen(uint256 order_id, uint8 status);
    /// @notice The recipient or amount of a claim differ from the order's.
    error OrderMismatch(uint256 order_id);
    /// @notice Only the order's sender may reclaim it.
    error NotOrderSender(uint256 order_id, address caller);
    /// @notice The order may be reclaimed from `reclaimable_at` (a unix time) on.
    error ReclaimTooEarly(uint256 order_id, uint256 reclaimable_at);
    /// @notice A batch's arrays differ in length.
    error LengthMismatch();
    /// @notice A batch has no orders.
    error EmptyBatch();
    /// @notice Sending ether to `to` failed.
    error PaymentFailed(address to, uint256 amount);

    /// @param messenger_ The L2Messenger on this chain.
    /// @param paymentRegistry_ The PaymentRegistry on L1.
    /// @param mmAddress The market maker's address on this chain.
    /// @param reclaimDelay Seconds before an order's sender may reclaim it.
    constructor(address messenger_, address paymentRegistry_, address mmAddress, uint64 reclaimDelay) {
        if (messenger_ == address(0) || paymentRegistry_ == address(0) || mmAddress == address(0)) {
            revert ZeroAddress();
        }
        messenger = messenger_;
        paymentRegistry = paymentRegistry_;
        mm_address = mmAddress;
        reclaim_delay = reclaimDelay;
    }

    /// @notice The order `order_id`; all zero (status 0) if it was never set.
    function get_order(uint256 order_id) external view returns (Order memory) {
        return orders[order_id];
    }

    /// @notice Lock `msg.value` for `recipient_address`: `msg.value - fee` is to be paid to the
    ///         recipient on L1, `fee` rewards the market maker who does it.
    /// @return order_id The new order's id.
    function set_order(address recipient_address, uint256 fee) external payable returns (uint256 order_id) {
        if (recipient_address == address(0)) revert InvalidRecipient();
        // strictly greater: an order without an amount would pay the market maker for nothing
        if (msg.value <= fee) revert InsufficientValue(msg.value, fee);
        uint256 amount;
        unchecked {
            amount = msg.value - fee;
        }

        order_id = current_order_id;
        unchecked {
            current_order_id = order_id + 1;
        }
        orders[order_id] = Order({
            recipient_address: recipient_address,
            amount: amount,
            fee: fee,
            sender: msg.sender,
            created_at: uint64(block.timestamp),
            status: STATUS_OPEN
        });
        emit SetOrder(order_id, recipient_address, amount, fee);
    }

    /// @notice Release order `order_id` to the market maker, who paid `amount` to
    ///         `recipient_address` on L1. Called by the L2Messenger for a PaymentRegistry message.
    function claim_payment(uint256 order_id, address recipient_address, uint256 amount) external {
        _onlyRegistry();
        uint256 released = _claim(order_id, recipient_address, amount);
        _pay(mm_address, released);
    }

    /// @notice Release several orders at once, as `claim_payment` does for each; all or none
    ///         (any invalid element reverts the whole batch). The total is paid in one transfer.
    function claim_payment_batch(
        uint256[] calldata order_ids,
        address[] calldata recipient_addresses,
        uint256[] calldata amounts
    ) external {
        _onlyRegistry();
        uint256 n = order_ids.length;
        if (n == 0) revert EmptyBatch();
        if (recipient_addresses.length != n || amounts.length != n) revert LengthMismatch();
        uint256 total;
        for (uint256 i; i < n; ++i) {
            // a duplicate id within the batch fails here: its first occurrence closed the order
            total += _claim(order_ids[i], recipient_addresses[i], amounts[i]);
        }
        _pay(mm_address, total);
    }

    /// @notice Take back an unfilled order: only its sender, only while it is open, and only
    ///         once `reclaim_delay` has passed since it was set.
    /// @dev The delay protects the market maker: once it has paid on L1 it can count on the
    ///      order staying open long enough for the claim message to arrive.
    function reclaim_order(uint256 order_id) external {
        Order storage order = orders[order_id];
        if (order.status != STATUS_OPEN) revert OrderNotOpen(order_id, order.status);
        if (msg.sender != order.sender) revert NotOrderSender(order_id, msg.sender);
        uint256 reclaimable_at = uint256(order.created_at) + reclaim_delay;
        if (block.timestamp < reclaimable_at) revert ReclaimTooEarly(order_id, reclaimable_at);

        order.status = STATUS_RECLAIMED;
        uint256 refund = order.amount + order.fee;
        emit ReclaimOrder(order_id, msg.sender, refund);
        _pay(msg.sender, refund);
    }

    /// @dev The two halves of the registry check; see the contract's notes.
    function _onlyRegistry() private view {
        if (msg.sender != messenger || L2Messenger(messenger).xDomainMessageSender() != paymentRegistry) {
            revert NotRegistry();
        }
    }

    /// @dev Checks and closes one order (effects only, no ether moves) and returns what it
    ///      releases, so a batch can pay once after all its orders are closed.
    function _claim(uint256 order_id, address recipient_address, uint256 amount) private returns (uint256) {
        Order storage order = orders[order_id];
        if (order.status != STATUS_OPEN) revert OrderNotOpen(order_id, order.status);
        if (order.recipient_address != recipient_address || order.amount != amount) {
            revert OrderMismatch(order_id);
        }
        order.status = STATUS_CLAIMED;
        uint256 released = amount + order.fee;
        emit ClaimPayment(order_id, mm_address, released);
        return released;
    }

    /// @dev The only interaction; always the last step. All gas is forwarded so that a contract
    ///      wallet can receive; a revert undoes the whole claim or reclaim, leaving the order open.
    function _pay(address to, uint256 value) private {
        (bool ok,) = to.call{value: value}("");
        if (!ok) revert PaymentFailed(to, value);
    }
}
