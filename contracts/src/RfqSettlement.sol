// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title RfqSettlement
/// @notice Settles the RFQ dealer's quotes. The maker (our hot wallet) signs an order with the
///         0x v4 `RfqOrder` field layout; the taker signs an approval of that very order; the
///         order's `txOrigin` (the hot wallet) submits both, and the two legs move at once with
///         ERC-20 `transferFrom`: `takerAmount` of `takerToken` from the taker to the maker, then
///         `makerAmount` of `makerToken` from the maker to the taker. Both parties approve this
///         contract for their tokens beforehand. Written from scratch after 0x v4's
///         `fillRfqOrder` (same order type, hash and `RfqOrderFilled` event), restricted to whole
///         fills of taker-approved orders.
/// @dev EIP-712 domain: EIP712Domain(string name,string version,uint256 chainId,
///      address verifyingContract) with name "hedgeflow RfqSettlement" and version "1"; also
///      reported by `eip712Domain()` (EIP-5267). Signed types:
///      - the maker signs `RfqOrder(address makerToken,address takerToken,uint128 makerAmount,
///        uint128 takerAmount,address maker,address taker,address txOrigin,bytes32 pool,
///        uint64 expiry,uint256 salt)`; its EIP-712 digest (`getRfqOrderHash`) is the order's id;
///      - the taker signs `RfqFillApproval(RfqOrder order)` (EIP-712 encodes the nested type as
///        `RfqFillApproval(RfqOrder order)RfqOrder(...)`; digest: `getRfqFillApprovalHash`).
///        The approval embeds the whole order rather than its hash: it commits to every field,
///        the salt included, so it approves one order only, and the domain binds it to this
///        contract on this chain; a wallet shows the taker the trade it approves instead of an
///        opaque hash. Its own type hash keeps it apart from a maker's order signature.
///      Rules, each with its own error:
///      - only `txOrigin` submits, directly (`OnlyTxOrigin`; see `fillRfqOrder`);
///      - an order fills whole, at most once (`OrderAlreadyFilled`), never once its maker
///        cancelled it (`OrderCancelled`), and only before its expiry (`OrderExpired`); a
///        filled or cancelled order reports that before its expiry, so a retried submission
///        learns what happened;
///      - an order names a concrete taker (`TakerRequired`): the taker's approval is what
///        authorises taking its tokens, so an order open to anyone would have no one to approve;
///      - signatures are 65-byte (r, s, v) ECDSA with v in {27, 28} and s in the lower half of
///        the curve order, so each has exactly one valid encoding; the maker's must recover to
///        `order.maker` (`BadMakerSignature`), the approval to `order.taker`
///        (`BadTakerApproval`). Contract signatures (EIP-1271) are not supported.
///      The order's state is written before any token moves (checks-effects-interactions): a
///      token that calls back into this contract finds the order filled.
contract RfqSettlement {
    /// @notice An RFQ order, field for field 0x v4's `LibNativeOrder.RfqOrder`.
    /// @param makerToken The token the maker sells.
    /// @param takerToken The token the taker sells.
    /// @param makerAmount How much `makerToken` the taker receives.
    /// @param takerAmount How much `takerToken` the maker receives.
    /// @param maker Who signs the order and pays `makerToken`.
    /// @param taker Who approves the fill and pays `takerToken`; never zero here.
    /// @param txOrigin The only account that may submit the fill.
    /// @param pool Opaque to this contract; carried into the event (0x's staking pool id).
    /// @param expiry Unix time from which the order can no longer be filled.
    /// @param salt Makes otherwise equal orders distinct.
    struct RfqOrder {
        address makerToken;
        address takerToken;
        uint128 makerAmount;
        uint128 takerAmount;
        address maker;
        address taker;
        address txOrigin;
        bytes32 pool;
        uint64 expiry;
        uint256 salt;
    }

    /// @dev An order's stored status: never filled nor cancelled (it may still be unsigned or
    ///      expired: status only records what happened on chain), filled, or cancelled.
    uint8 internal constant STATUS_NONE = 0;
    uint8 internal constant STATUS_FILLED = 1;
    uint8 internal constant STATUS_CANCELLED = 2;

    string private constant NAME = "hedgeflow RfqSettlement";
    string private constant VERSION = "1";

    bytes32 public constant RFQ_ORDER_TYPEHASH = keccak256(
        "RfqOrder(address makerToken,address takerToken,uint128 makerAmount,uint128 takerAmount,"
        "address maker,address taker,address txOrigin,bytes32 pool,uint64 expiry,uint256 salt)"
    );
    bytes32 public constant RFQ_FILL_APPROVAL_TYPEHASH = keccak256(
        "RfqFillApproval(RfqOrder order)"
        "RfqOrder(address makerToken,address takerToken,uint128 makerAmount,uint128 takerAmount,"
        "address maker,address taker,address txOrigin,bytes32 pool,uint64 expiry,uint256 salt)"
    );
    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    /// @dev ERC-20 `transferFrom`, called by selector: declaring an IERC20 interface here would
    ///      give it an artifact of its own (contracts/build writes one per contract).
    bytes4 private constant TRANSFER_FROM = bytes4(keccak256("transferFrom(address,address,uint256)"));
    /// @dev Half the secp256k1 group order: a larger s is the malleable twin of a valid one.
    uint256 private constant MAX_S = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;

    /// @dev The domain separator for the deployment chain, recomputed if the chain id changes
    ///      (after a fork) so signatures from one fork are not valid on the other.
    bytes32 private immutable cachedDomainSeparator;
    uint256 private immutable cachedChainId;

    /// @notice Status per order hash: 0 = none, 1 = filled, 2 = cancelled.
    mapping(bytes32 orderHash => uint8) public orderStatus;

    /// @notice The order was filled, whole. 0x v4's event, field for field (the taker amount
    ///         comes first), so 0x indexers decode it unchanged.
    event RfqOrderFilled(
        bytes32 orderHash,
        address maker,
        address taker,
        address makerToken,
        address takerToken,
        uint128 takerTokenFilledAmount,
        uint128 makerTokenFilledAmount,
        bytes32 pool
    );
    /// @notice The maker cancelled the order (0x v4's `OrderCancelled`, renamed because the error
    ///         of that name is taken).
    event RfqOrderCancelled(bytes32 orderHash, address maker);

    /// @notice The fill was not sent by `txOrigin` itself: `sender` called, in a transaction
    ///         signed by `origin`.
    error OnlyTxOrigin(address txOrigin, address sender, address origin);
    /// @notice The order's expiry has come.
    error OrderExpired(bytes32 orderHash, uint64 expiry);
    error OrderAlreadyFilled(bytes32 orderHash);
    error OrderCancelled(bytes32 orderHash);
    /// @notice The order names no taker (address zero).
    error TakerRequired(bytes32 orderHash);
    /// @notice The maker signature is malformed or recovers to another address than the maker.
    error BadMakerSignature(bytes32 orderHash);
    /// @notice The taker approval is malformed or recovers to another address than the taker
    ///         (it was signed by someone else, or for another order).
    error BadTakerApproval(bytes32 orderHash);
    /// @notice Only the order's maker may cancel it.
    error NotMaker(bytes32 orderHash, address caller);
    /// @notice `token.transferFrom(from, to, amount)` reverted, returned false, or `token` has no
    ///         code. The token's own reason is not passed on: callers get one error to classify
    ///         and can read balances and allowances themselves.
    error TransferFailed(address token, address from, address to, uint256 amount);

    constructor() {
        cachedChainId = block.chainid;
        cachedDomainSeparator = _domainSeparator();
    }

    /// @notice The EIP-712 domain separator of this contract on the current chain.
    function DOMAIN_SEPARATOR() public view returns (bytes32) {
        return block.chainid == cachedChainId ? cachedDomainSeparator : _domainSeparator();
    }

    /// @notice The EIP-712 domain (EIP-5267): name, version, chain id and this contract; no salt,
    ///         no extensions.
    function eip712Domain()
        external
        view
        returns (
            bytes1 fields,
            string memory name,
            string memory version,
            uint256 chainId,
            address verifyingContract,
            bytes32 salt,
            uint256[] memory extensions
        )
    {
        return (hex"0f", NAME, VERSION, block.chainid, address(this), bytes32(0), new uint256[](0));
    }

    /// @notice The EIP-712 digest the maker signs; also the order's id everywhere else.
    function getRfqOrderHash(RfqOrder calldata order) public view returns (bytes32) {
        return _digest(_orderStructHash(order));
    }

    /// @notice The EIP-712 digest the taker signs to approve filling `order`.
    function getRfqFillApprovalHash(RfqOrder calldata order) public view returns (bytes32) {
        return _digest(keccak256(abi.encode(RFQ_FILL_APPROVAL_TYPEHASH, _orderStructHash(order))));
    }

    /// @notice Whether the order with this hash was filled.
    function filled(bytes32 orderHash) external view returns (bool) {
        return orderStatus[orderHash] == STATUS_FILLED;
    }

    /// @notice Fill `order` whole: `takerAmount` of `takerToken` goes from the taker to the
    ///         maker, `makerAmount` of `makerToken` from the maker to the taker. Both must have
    ///         approved this contract for at least those amounts.
    /// @param makerSignature The maker's signature of `getRfqOrderHash(order)`: r, s, v.
    /// @param takerApproval The taker's signature of `getRfqFillApprovalHash(order)`: r, s, v.
    /// @return orderHash The filled order's hash.
    /// @dev Only `order.txOrigin` may call, and it must call directly: `tx.origin` *and*
    ///      `msg.sender` must both be it. `tx.origin` alone would let any contract the hot wallet
    ///      calls for another reason (a token hook, a phishing contract) submit its fills at a
    ///      moment of its choosing; `msg.sender` alone no longer proves the hot wallet signed the
    ///      transaction, since an account with delegated code (EIP-7702) can be made to call
    ///      from a transaction someone else started. Together they mean the hot wallet's own key
    ///      signed this very call.
    function fillRfqOrder(RfqOrder calldata order, bytes calldata makerSignature, bytes calldata takerApproval)
        external
        returns (bytes32 orderHash)
    {
        if (msg.sender != order.txOrigin || tx.origin != order.txOrigin) {
            revert OnlyTxOrigin(order.txOrigin, msg.sender, tx.origin);
        }
        orderHash = getRfqOrderHash(order);
        // what happened on chain first, so a retried submission learns it already succeeded
        uint8 status = orderStatus[orderHash];
        if (status == STATUS_FILLED) revert OrderAlreadyFilled(orderHash);
        if (status == STATUS_CANCELLED) revert OrderCancelled(orderHash);
        if (block.timestamp >= order.expiry) revert OrderExpired(orderHash, order.expiry);
        if (order.taker == address(0)) revert TakerRequired(orderHash);
        if (!_isSignedBy(orderHash, makerSignature, order.maker)) revert BadMakerSignature(orderHash);
        if (!_isSignedBy(getRfqFillApprovalHash(order), takerApproval, order.taker)) {
            revert BadTakerApproval(orderHash);
        }

        orderStatus[orderHash] = STATUS_FILLED;
        emit RfqOrderFilled(
            orderHash,
            order.maker,
            order.taker,
            order.makerToken,
            order.takerToken,
            order.takerAmount,
            order.makerAmount,
            order.pool
        );
        _transferFrom(order.takerToken, order.taker, order.maker, order.takerAmount);
        _transferFrom(order.makerToken, order.maker, order.taker, order.makerAmount);
    }

    /// @notice Cancel `order` so it can never be filled. Only its maker; not once it is filled
    ///         (`OrderAlreadyFilled`: the cancel came too late) or cancelled (`OrderCancelled`).
    ///         An expired order may still be cancelled.
    function cancelRfqOrder(RfqOrder calldata order) external {
        bytes32 orderHash = getRfqOrderHash(order);
        if (msg.sender != order.maker) revert NotMaker(orderHash, msg.sender);
        uint8 status = orderStatus[orderHash];
        if (status == STATUS_FILLED) revert OrderAlreadyFilled(orderHash);
        if (status == STATUS_CANCELLED) revert OrderCancelled(orderHash);
        orderStatus[orderHash] = STATUS_CANCELLED;
        emit RfqOrderCancelled(orderHash, msg.sender);
    }

    function _domainSeparator() private view returns (bytes32) {
        return keccak256(
            abi.encode(DOMAIN_TYPEHASH, keccak256(bytes(NAME)), keccak256(bytes(VERSION)), block.chainid, address(this))
        );
    }

    /// @dev hashStruct(order): every field is a static type, so abi.encode gives EIP-712's
    ///      encodeData (one 32-byte word per field, in declaration order).
    function _orderStructHash(RfqOrder calldata order) private pure returns (bytes32) {
        return keccak256(abi.encode(RFQ_ORDER_TYPEHASH, order));
    }

    function _digest(bytes32 structHash) private view returns (bytes32) {
        return keccak256(abi.encodePacked(hex"1901", DOMAIN_SEPARATOR(), structHash));
    }

    /// @dev Whether `signature` is `signer`'s over `digest`. False for a malformed signature (not
    ///      65 bytes, v not 27 or 28, s in the upper half) and for one ecrecover cannot recover,
    ///      which it reports as address(0): hence a zero `signer` never matches.
    function _isSignedBy(bytes32 digest, bytes calldata signature, address signer) private pure returns (bool) {
        if (signature.length != 65 || signer == address(0)) return false;
        bytes32 r = bytes32(signature[0:32]);
        bytes32 s = bytes32(signature[32:64]);
        uint8 v = uint8(signature[64]);
        if ((v != 27 && v != 28) || uint256(s) > MAX_S) return false;
        return ecrecover(digest, v, r, s) == signer;
    }

    /// @dev transferFrom for any ERC-20: a token may return true or nothing (USDT-style); it
    ///      fails if it reverts, returns anything else, or is not a contract (a call to an
    ///      account without code succeeds and returns nothing, moving no tokens).
    function _transferFrom(address token, address from, address to, uint256 amount) private {
        (bool ok, bytes memory data) = token.call(abi.encodeWithSelector(TRANSFER_FROM, from, to, amount));
        bool done = ok
            && (data.length == 0 ? token.code.length > 0 : data.length >= 32 && abi.decode(data, (uint256)) == 1);
        if (!done) revert TransferFailed(token, from, to, amount);
    }
}
