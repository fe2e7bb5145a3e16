// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IntentBook
/// @notice A SYMMIO-style quote book, written from scratch. Party A (a trader) posts an intent to
///         open a LONG or SHORT position on a symbol at a price; a registered party B (hedgeflow,
///         the market maker) locks it, opens it in whole or in part, and later fills the close
///         requests party A sends, settling the P&L between the two parties' allocations. Both
///         sides back every quote with collateral moved from their deposit into an allocation:
///         party A's is one pool, party B's is kept per party A, so a counterparty's losses never
///         touch what party B allocated for another.
/// @dev Conventions: every amount, price and quantity is 18-decimal fixed point; the collateral
///      is the one ERC-20 given to the constructor. Each quote reserves its locked values
///      (cva + lf + partyAmm for party A, cva + lf + partyBmm for party B) from the parties' free
///      allocation: "pending" while the quote waits to be opened (PENDING, LOCKED,
///      CANCEL_PENDING), "locked" once it is (OPENED, CLOSE_PENDING, CANCEL_CLOSE_PENDING), and
///      released when it ends or as it is closed. Free allocation = allocated - locked - pending
///      (zero when a loss has eaten into the reserve). `quote.lockedValues` always holds what the
///      quote still reserves: an opened quote's shrink as it is closed.
///      Fill prices are checked against a price signed by `priceSigner` (standing in for
///      SYMMIO's Muon oracle): see `priceDigest`.
///      Every quote action emits exactly one event (expireQuote: one per quote) and updates the
///      quote's `statusModifyTimestamp`. The only external call is to the collateral token
///      (deposit, withdraw), made after the state changes (checks-effects-interactions).
///      Out of scope: liquidation, funding payments, trading and platform fees, force close,
///      uPnL signatures (solvency is checked on allocations only).
contract IntentBook {
    enum QuoteStatus {
        PENDING,
        LOCKED,
        CANCEL_PENDING,
        CANCELED,
        OPENED,
        CLOSE_PENDING,
        CANCEL_CLOSE_PENDING,
        CLOSED,
        EXPIRED
    }

    enum PositionType {
        LONG,
        SHORT
    }

    enum OrderType {
        LIMIT,
        MARKET
    }

    /// @notice The collateral a quote reserves: credit value adjustment, liquidation fee and
    ///         each party's maintenance margin.
    struct LockedValues {
        uint256 cva;
        uint256 lf;
        uint256 partyAmm;
        uint256 partyBmm;
    }

    /// @notice A price signed by `priceSigner`: `signature` is over `priceDigest(symbolId,
    ///         price, timestamp)` with the EIP-191 personal_sign prefix, as r, s, v.
    struct PriceSig {
        uint256 symbolId;
        uint256 price;
        uint256 timestamp;
        bytes signature;
    }

    struct Symbol {
        uint256 symbolId;
        string name;
        bool isValid;
        uint256 minAcceptableQuoteValue;
    }

    struct Quote {
        uint256 id;
        address[] partyBsWhiteList;
        uint256 symbolId;
        PositionType positionType;
        OrderType orderType;
        uint256 openedPrice;
        uint256 requestedOpenPrice;
        uint256 quantity;
        uint256 closedAmount;
        LockedValues lockedValues;
        uint256 maxFundingRate;
        address partyA;
        address partyB;
        QuoteStatus quoteStatus;
        uint256 avgClosedPrice;
        uint256 requestedClosePrice;
        uint256 quantityToClose;
        OrderType closeOrderType;
        uint256 parentId;
        uint256 createTimestamp;
        uint256 statusModifyTimestamp;
        uint256 deadline;
        uint256 closeDeadline;
    }

    uint256 private constant ONE = 1e18;
    uint256 private constant BPS = 10_000;
    /// @dev Half the secp256k1 group order: a larger s is the malleable twin of a valid one.
    uint256 private constant MAX_S = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;
    /// @dev ERC-20 calls by selector: an IERC20 interface here would get an artifact of its own.
    bytes4 private constant TRANSFER = bytes4(keccak256("transfer(address,uint256)"));
    bytes4 private constant TRANSFER_FROM = bytes4(keccak256("transferFrom(address,address,uint256)"));

    /// @notice The deployer: adds symbols, registers party Bs, sets the price signer.
    address public immutable admin;
    /// @notice The ERC-20 every balance is denominated in.
    address public immutable collateral;
    /// @notice Seconds after a cancel request (CANCEL_PENDING) before party A may force it.
    uint256 public immutable forceCancelCooldown;
    /// @notice Seconds after a cancel-close request (CANCEL_CLOSE_PENDING) before party A may
    ///         force it.
    uint256 public immutable forceCancelCloseCooldown;
    /// @notice How old, in seconds, a signed price may be when a fill uses it.
    uint256 public immutable priceValidity;
    /// @notice How far a fill price may be from the signed price, in basis points of the latter.
    uint256 public immutable maxPriceDeviationBps;
    /// @notice Whose signature makes a price valid.
    address public priceSigner;

    /// @notice The number of symbols; ids run from 1 to it.
    uint256 public symbolsCount;
    /// @notice The last quote id; ids run from 1 to it.
    uint256 public quotesCount;
    mapping(uint256 symbolId => Symbol) private symbols;
    mapping(uint256 quoteId => Quote) private quotes;

    /// @notice Whether `partyB` may lock and open quotes.
    mapping(address partyB => bool) public isPartyB;
    /// @notice Deposited and not allocated: what `withdraw` can take out.
    mapping(address user => uint256) public balanceOf;
    mapping(address partyA => uint256) public allocatedBalanceOfPartyA;
    /// @notice cva + lf + partyAmm of party A's PENDING, LOCKED and CANCEL_PENDING quotes.
    mapping(address partyA => uint256) public pendingLockedBalanceOfPartyA;
    /// @notice cva + lf + partyAmm still locked by party A's opened quotes (OPENED,
    ///         CLOSE_PENDING, CANCEL_CLOSE_PENDING).
    mapping(address partyA => uint256) public lockedBalanceOfPartyA;
    mapping(address partyB => mapping(address partyA => uint256)) public allocatedBalanceOfPartyB;
    /// @notice cva + lf + partyBmm of the quotes of `partyA` that `partyB` locked and has not
    ///         opened yet.
    mapping(address partyB => mapping(address partyA => uint256)) public pendingLockedBalanceOfPartyB;
    /// @notice cva + lf + partyBmm still locked by the positions `partyB` opened for `partyA`.
    mapping(address partyB => mapping(address partyA => uint256)) public lockedBalanceOfPartyB;

    event AddSymbol(uint256 symbolId, string name);
    event SetSymbolValidation(uint256 symbolId, bool isValid);
    event RegisterPartyB(address partyB);
    event SetPriceSigner(address oldSigner, address newSigner);
    event Deposit(address sender, address user, uint256 amount);
    event Withdraw(address sender, address user, uint256 amount);
    event AllocatePartyA(address user, uint256 amount);
    event DeallocatePartyA(address user, uint256 amount);
    event AllocateForPartyB(address partyB, address partyA, uint256 amount);
    event DeallocateForPartyB(address partyB, address partyA, uint256 amount);
    event SendQuote(
        address partyA,
        uint256 quoteId,
        address[] partyBsWhiteList,
        uint256 symbolId,
        PositionType positionType,
        OrderType orderType,
        uint256 price,
        uint256 quantity,
        uint256 cva,
        uint256 lf,
        uint256 partyAmm,
        uint256 partyBmm,
        uint256 maxFundingRate,
        uint256 deadline
    );
    event LockQuote(address partyB, uint256 quoteId);
    event UnlockQuote(address partyB, uint256 quoteId, QuoteStatus quoteStatus);
    event RequestToCancelQuote(address partyA, address partyB, QuoteStatus quoteStatus, uint256 quoteId);
    event AcceptCancelRequest(uint256 quoteId, QuoteStatus quoteStatus);
    event ForceCancelQuote(uint256 quoteId, QuoteStatus quoteStatus);
    event OpenPosition(
        uint256 quoteId, address partyA, address partyB, uint256 filledAmount, uint256 openedPrice, uint256 newQuoteId
    );
    event RequestToClosePosition(
        address partyA,
        address partyB,
        uint256 quoteId,
        uint256 closePrice,
        uint256 quantityToClose,
        OrderType orderType,
        uint256 deadline,
        QuoteStatus quoteStatus
    );
    event RequestToCancelCloseRequest(address partyA, address partyB, uint256 quoteId, QuoteStatus quoteStatus);
    event AcceptCancelCloseRequest(uint256 quoteId, QuoteStatus quoteStatus);
    event ForceCancelCloseRequest(uint256 quoteId, QuoteStatus quoteStatus);
    event FillCloseRequest(
        uint256 quoteId,
        address partyA,
        address partyB,
        uint256 filledAmount,
        uint256 closedPrice,
        QuoteStatus quoteStatus
    );
    event ExpireQuoteOpen(QuoteStatus quoteStatus, uint256 quoteId);
    event ExpireQuoteClose(QuoteStatus quoteStatus, uint256 quoteId);

    error ZeroAddress();
    error OnlyAdmin(address caller);
    error UnknownSymbol(uint256 symbolId);
    /// @notice The symbol is unknown or disabled.
    error InvalidSymbol(uint256 symbolId);
    error AlreadyPartyB(address partyB);
    /// @notice The caller is not a registered party B.
    error NotPartyB(address caller);
    error UnknownQuote(uint256 quoteId);
    /// @notice Only the quote's party A may do this.
    error OnlyPartyA(uint256 quoteId, address caller);
    /// @notice Only the quote's party B (the one that locked it) may do this.
    error OnlyPartyB(uint256 quoteId, address caller);
    /// @notice Party A cannot take its own quote.
    error SelfTrade(uint256 quoteId, address caller);
    /// @notice The quote's whitelist does not name the caller.
    error NotWhitelisted(uint256 quoteId, address partyB);
    /// @notice The action is not allowed in the quote's current status.
    error WrongStatus(uint256 quoteId, QuoteStatus quoteStatus);
    /// @notice The deadline (open or close) given has already come.
    error InvalidDeadline(uint256 deadline, uint256 timestamp);
    /// @notice The quote's deadline (open or close) has passed.
    error QuoteExpired(uint256 quoteId, uint256 deadline);
    /// @notice expireQuote on a quote whose deadline (open or close) has not passed.
    error QuoteNotExpired(uint256 quoteId, uint256 deadline);
    /// @notice The force-cancel cooldown runs until `cooldownEnd` (inclusive).
    error CooldownNotOver(uint256 quoteId, uint256 cooldownEnd);
    error InvalidPrice(uint256 price);
    error InvalidQuantity(uint256 quantity);
    /// @notice price * quantity is below the symbol's minimum.
    error NotionalTooSmall(uint256 notional, uint256 minimum);
    /// @notice Not 0 < filledAmount <= maximum (the quote's quantity, or its quantity to close).
    error InvalidFillAmount(uint256 quoteId, uint256 filledAmount, uint256 maximum);
    /// @notice A MARKET quote or close request fills whole or not at all.
    error MarketMustFillWhole(uint256 quoteId, uint256 filledAmount, uint256 quantity);
    /// @notice The fill price is worse for party A than the price it asked for.
    error PriceWorseThanRequested(uint256 quoteId, uint256 price, uint256 requestedPrice);
    /// @notice `balanceOf(user)` is below what the action takes.
    error InsufficientBalance(address user, uint256 balance, uint256 needed);
    /// @notice `party`'s allocation is short: `available` is its free allocation (for a
    ///         reservation or a deallocation) or its whole allocation (for a P&L payment).
    error InsufficientAllocation(address party, uint256 available, uint256 needed);
    error PriceSymbolMismatch(uint256 expectedSymbolId, uint256 symbolId);
    /// @notice The signed price is from the future or older than `priceValidity`.
    error StalePrice(uint256 timestamp, uint256 blockTimestamp);
    /// @notice The price signature is malformed or not `priceSigner`'s.
    error BadPriceSignature();
    /// @notice The fill price is more than `maxPriceDeviationBps` away from the signed price.
    error PriceOutOfRange(uint256 price, uint256 signedPrice, uint256 maxDeviationBps);
    error TransferFailed(address token, address from, address to, uint256 amount);

    modifier onlyAdmin() {
        if (msg.sender != admin) revert OnlyAdmin(msg.sender);
        _;
    }

    modifier onlyPartyB() {
        if (!isPartyB[msg.sender]) revert NotPartyB(msg.sender);
        _;
    }

    constructor(
        address collateral_,
        address priceSigner_,
        uint256 forceCancelCooldown_,
        uint256 forceCancelCloseCooldown_,
        uint256 priceValidity_,
        uint256 maxPriceDeviationBps_
    ) {
        if (collateral_ == address(0) || priceSigner_ == address(0)) revert ZeroAddress();
        admin = msg.sender;
        collateral = collateral_;
        priceSigner = priceSigner_;
        forceCancelCooldown = forceCancelCooldown_;
        forceCancelCloseCooldown = forceCancelCloseCooldown_;
        priceValidity = priceValidity_;
        maxPriceDeviationBps = maxPriceDeviationBps_;
    }

    // ---------------------------------------------------------------- admin

    /// @notice Add a tradable symbol, valid from now on. Ids start at 1.
    function addSymbol(string calldata name, uint256 minAcceptableQuoteValue)
        external
        onlyAdmin
        returns (uint256 symbolId)
    {
        symbolId = ++symbolsCount;
        symbols[symbolId] = Symbol(symbolId, name, true, minAcceptableQuoteValue);
        emit AddSymbol(symbolId, name);
    }

    /// @notice Enable or disable a symbol for new quotes (existing ones are not affected).
    function setSymbolValidation(uint256 symbolId, bool isValid) external onlyAdmin {
        if (symbolId == 0 || symbolId > symbolsCount) revert UnknownSymbol(symbolId);
        symbols[symbolId].isValid = isValid;
        emit SetSymbolValidation(symbolId, isValid);
    }

    function registerPartyB(address partyB) external onlyAdmin {
        if (partyB == address(0)) revert ZeroAddress();
        if (isPartyB[partyB]) revert AlreadyPartyB(partyB);
        isPartyB[partyB] = true;
        emit RegisterPartyB(partyB);
    }

    function setPriceSigner(address signer) external onlyAdmin {
        if (signer == address(0)) revert ZeroAddress();
        emit SetPriceSigner(priceSigner, signer);
        priceSigner = signer;
    }

    function getSymbol(uint256 symbolId) external view returns (Symbol memory) {
        if (symbolId == 0 || symbolId > symbolsCount) revert UnknownSymbol(symbolId);
        return symbols[symbolId];
    }

    // ---------------------------------------------------------------- balances

    /// @notice Deposit `amount` of collateral (approved to this contract) to the caller's balance.
    function deposit(uint256 amount) external {
        balanceOf[msg.sender] += amount;
        emit Deposit(msg.sender, msg.sender, amount);
        bytes memory data = abi.encodeWithSelector(TRANSFER_FROM, msg.sender, address(this), amount);
        _call(data, msg.sender, address(this), amount);
    }

    /// @notice Withdraw `amount` of the caller's unallocated balance.
    function withdraw(uint256 amount) external {
        _debit(msg.sender, amount);
        emit Withdraw(msg.sender, msg.sender, amount);
        _call(abi.encodeWithSelector(TRANSFER, msg.sender, amount), address(this), msg.sender, amount);
    }

    /// @notice Move `amount` of the caller's balance into its party A allocation.
    function allocate(uint256 amount) external {
        _debit(msg.sender, amount);
        allocatedBalanceOfPartyA[msg.sender] += amount;
        emit AllocatePartyA(msg.sender, amount);
    }

    /// @notice Move `amount` of the caller's free party A allocation back to its balance.
    function deallocate(uint256 amount) external {
        uint256 free = _freeA(msg.sender);
        if (free < amount) revert InsufficientAllocation(msg.sender, free, amount);
        allocatedBalanceOfPartyA[msg.sender] -= amount;
        balanceOf[msg.sender] += amount;
        emit DeallocatePartyA(msg.sender, amount);
    }

    /// @notice Move `amount` of the caller's (a party B's) balance into what it allocates for
    ///         trading with `partyA`.
    function allocateForPartyB(uint256 amount, address partyA) external onlyPartyB {
        _debit(msg.sender, amount);
        allocatedBalanceOfPartyB[msg.sender][partyA] += amount;
        emit AllocateForPartyB(msg.sender, partyA, amount);
    }

    /// @notice Move `amount` of the caller's free allocation for `partyA` back to its balance.
    function deallocateForPartyB(uint256 amount, address partyA) external onlyPartyB {
        uint256 free = _freeB(msg.sender, partyA);
        if (free < amount) revert InsufficientAllocation(msg.sender, free, amount);
        allocatedBalanceOfPartyB[msg.sender][partyA] -= amount;
        balanceOf[msg.sender] += amount;
        emit DeallocateForPartyB(msg.sender, partyA, amount);
    }

    // ---------------------------------------------------------------- opening

    /// @notice Party A's intent to open a position of `quantity` at `price` (at most `price` for
    ///         a LONG, at least for a SHORT), lockable by the party Bs of `partyBsWhiteList`
    ///         (anyone registered if empty) until `deadline`. Reserves cva + lf + partyAmm of
    ///         the caller's free allocation.
    function sendQuote(
        address[] memory partyBsWhiteList,
        uint256 symbolId,
        PositionType positionType,
        OrderType orderType,
        uint256 price,
        uint256 quantity,
        uint256 cva,
        uint256 lf,
        uint256 partyAmm,
        uint256 partyBmm,
        uint256 maxFundingRate,
        uint256 deadline
    ) external returns (uint256 quoteId) {
        _checkNewQuote(symbolId, price, quantity, deadline);
        _reservePartyA(cva + lf + partyAmm);
        quoteId = ++quotesCount;
        Quote storage quote = quotes[quoteId];
        quote.id = quoteId;
        quote.partyBsWhiteList = partyBsWhiteList;
        quote.symbolId = symbolId;
        quote.positionType = positionType;
        quote.orderType = orderType;
        quote.requestedOpenPrice = price;
        quote.quantity = quantity;
        quote.lockedValues = LockedValues(cva, lf, partyAmm, partyBmm);
        quote.maxFundingRate = maxFundingRate;
        quote.partyA = msg.sender;
        quote.createTimestamp = block.timestamp;
        quote.statusModifyTimestamp = block.timestamp;
        quote.deadline = deadline;
        // quoteStatus is PENDING, the zero value
        _emitSendQuote(quote);
    }

    /// @notice Party B takes the quote, reserving cva + lf + partyBmm of what it allocated for
    ///         the quote's party A; no other party B can lock it until it is unlocked.
    function lockQuote(uint256 quoteId) external onlyPartyB {
        Quote storage quote = _quote(quoteId);
        if (msg.sender == quote.partyA) revert SelfTrade(quoteId, msg.sender);
        _requireStatus(quote, QuoteStatus.PENDING);
        if (block.timestamp > quote.deadline) revert QuoteExpired(quoteId, quote.deadline);
        if (!_whitelisted(quote.partyBsWhiteList, msg.sender)) revert NotWhitelisted(quoteId, msg.sender);
        address partyA = quote.partyA;
        uint256 reserve = _reserveB(quote.lockedValues);
        uint256 free = _freeB(msg.sender, partyA);
        if (free < reserve) revert InsufficientAllocation(msg.sender, free, reserve);
        pendingLockedBalanceOfPartyB[msg.sender][partyA] += reserve;
        quote.partyB = msg.sender;
        _setStatus(quote, QuoteStatus.LOCKED);
        emit LockQuote(msg.sender, quoteId);
    }

    /// @notice Party B lets go of a quote it locked: back to PENDING for others, or EXPIRED if its
    ///         deadline has passed.
    function unlockQuote(uint256 quoteId) external {
        Quote storage quote = _quote(quoteId);
        _requirePartyB(quote);
        _requireStatus(quote, QuoteStatus.LOCKED);
        pendingLockedBalanceOfPartyB[msg.sender][quote.partyA] -= _reserveB(quote.lockedValues);
        quote.partyB = address(0);
        QuoteStatus status;
        if (block.timestamp > quote.deadline) {
            pendingLockedBalanceOfPartyA[quote.partyA] -= _reserveA(quote.lockedValues);
            status = QuoteStatus.EXPIRED;
        } else {
            status = QuoteStatus.PENDING;
        }
        _setStatus(quote, status);
        emit UnlockQuote(msg.sender, quoteId, status);
    }

    /// @notice Party A withdraws its quote: at once if nobody locked it (CANCELED), else it asks
    ///         the locking party B (CANCEL_PENDING), which may still open it. Past the deadline
    ///         the quote expires instead.
    function requestToCancelQuote(uint256 quoteId) external {
        Quote storage quote = _quote(quoteId);
        _requirePartyA(quote);
        QuoteStatus status = quote.quoteStatus;
        if (status != QuoteStatus.PENDING && status != QuoteStatus.LOCKED) revert WrongStatus(quoteId, status);
        if (block.timestamp > quote.deadline) {
            _releasePending(quote);
            status = QuoteStatus.EXPIRED;
        } else if (status == QuoteStatus.PENDING) {
            _releasePending(quote);
            status = QuoteStatus.CANCELED;
        } else {
            status = QuoteStatus.CANCEL_PENDING;
        }
        _setStatus(quote, status);
        emit RequestToCancelQuote(msg.sender, quote.partyB, status, quoteId);
    }

    /// @notice Party B agrees to party A's cancel request.
    function acceptCancelRequest(uint256 quoteId) external {
        Quote storage quote = _quote(quoteId);
        _requirePartyB(quote);
        _requireStatus(quote, QuoteStatus.CANCEL_PENDING);
        _releasePending(quote);
        _setStatus(quote, QuoteStatus.CANCELED);
        emit AcceptCancelRequest(quoteId, QuoteStatus.CANCELED);
    }

    /// @notice Party A cancels without party B once party B left its cancel request unanswered
    ///         for longer than `forceCancelCooldown`.
    function forceCancelQuote(uint256 quoteId) external {
        Quote storage quote = _quote(quoteId);
        _requirePartyA(quote);
        _requireStatus(quote, QuoteStatus.CANCEL_PENDING);
        _requireCooldownOver(quote, forceCancelCooldown);
        _releasePending(quote);
        _setStatus(quote, QuoteStatus.CANCELED);
        emit ForceCancelQuote(quoteId, QuoteStatus.CANCELED);
    }

    /// @notice Party B opens `filledAmount` of the quote at `openedPrice`. Opening wins over a
    ///         pending cancel request (as in SYMMIO: party B may already have hedged). A partial
    ///         fill of a LIMIT quote leaves the remainder in a new child quote: PENDING for any
    ///         party B to lock, or CANCELED if party A had asked to cancel.
    /// @return newQuoteId The child quote's id, or 0 for a whole fill.
    function openPosition(uint256 quoteId, uint256 filledAmount, uint256 openedPrice, PriceSig calldata sig)
        external
        returns (uint256 newQuoteId)
    {
        Quote storage quote = _quote(quoteId);
        _requirePartyB(quote);
        QuoteStatus status = quote.quoteStatus;
        if (status != QuoteStatus.LOCKED && status != QuoteStatus.CANCEL_PENDING) {
            revert WrongStatus(quoteId, status);
        }
        if (block.timestamp > quote.deadline) revert QuoteExpired(quoteId, quote.deadline);
        uint256 quantity = quote.quantity;
        _checkFillAmount(quoteId, filledAmount, quantity, quote.orderType);
        _checkOpenPrice(quote, openedPrice);
        _checkPriceSig(quote.symbolId, openedPrice, sig);

        // The whole quote's reservation leaves pending; the opened part's comes back as locked,
        // the child's (if it stays PENDING) as pending again.
        LockedValues memory all = quote.lockedValues;
        address partyA = quote.partyA;
        pendingLockedBalanceOfPartyA[partyA] -= _reserveA(all);
        pendingLockedBalanceOfPartyB[msg.sender][partyA] -= _reserveB(all);
        if (filledAmount < quantity) {
            LockedValues memory opened = _scale(all, filledAmount, quantity);
            newQuoteId = _createChild(quote, quantity - filledAmount, _minus(all, opened), status);
            quote.quantity = filledAmount;
            quote.lockedValues = opened;
            all = opened;
        }
        lockedBalanceOfPartyA[partyA] += _reserveA(all);
        lockedBalanceOfPartyB[msg.sender][partyA] += _reserveB(all);
        quote.openedPrice = openedPrice;
        _setStatus(quote, QuoteStatus.OPENED);
        emit OpenPosition(quoteId, partyA, msg.sender, filledAmount, openedPrice, newQuoteId);
    }

    // ---------------------------------------------------------------- closing

    /// @notice Party A asks to close `quantityToClose` of its open position at `closePrice` (at
    ///         least for a LONG, at most for a SHORT) until `deadline`.
    function requestToClosePosition(
        uint256 quoteId,
        uint256 closePrice,
        uint256 quantityToClose,
        OrderType orderType,
        uint256 deadline
    ) external {
        Quote storage quote = _quote(quoteId);
        _requirePartyA(quote);
        _requireStatus(quote, QuoteStatus.OPENED);
        uint256 open = quote.quantity - quote.closedAmount;
        if (quantityToClose == 0 || quantityToClose > open) {
            revert InvalidFillAmount(quoteId, quantityToClose, open);
        }
        if (closePrice == 0) revert InvalidPrice(closePrice);
        if (deadline <= block.timestamp) revert InvalidDeadline(deadline, block.timestamp);
        quote.requestedClosePrice = closePrice;
        quote.quantityToClose = quantityToClose;
        quote.closeOrderType = orderType;
        quote.closeDeadline = deadline;
        _setStatus(quote, QuoteStatus.CLOSE_PENDING);
        emit RequestToClosePosition(
            msg.sender,
            quote.partyB,
            quoteId,
            closePrice,
            quantityToClose,
            orderType,
            deadline,
            QuoteStatus.CLOSE_PENDING
        );
    }

    /// @notice Party A withdraws its close request: it asks party B (CANCEL_CLOSE_PENDING), or,
    ///         past the close deadline, the request simply lapses (OPENED).
    function requestToCancelCloseRequest(uint256 quoteId) external {
        Quote storage quote = _quote(quoteId);
        _requirePartyA(quote);
        _requireStatus(quote, QuoteStatus.CLOSE_PENDING);
        QuoteStatus status;
        if (block.timestamp > quote.closeDeadline) {
            quote.quantityToClose = 0;
            status = QuoteStatus.OPENED;
        } else {
            status = QuoteStatus.CANCEL_CLOSE_PENDING;
        }
        _setStatus(quote, status);
        emit RequestToCancelCloseRequest(msg.sender, quote.partyB, quoteId, status);
    }

    /// @notice Party B agrees to party A's request to cancel its close request.
    function acceptCancelCloseRequest(uint256 quoteId) external {
        Quote storage quote = _quote(quoteId);
        _requirePartyB(quote);
        _requireStatus(quote, QuoteStatus.CANCEL_CLOSE_PENDING);
        quote.quantityToClose = 0;
        _setStatus(quote, QuoteStatus.OPENED);
        emit AcceptCancelCloseRequest(quoteId, QuoteStatus.OPENED);
    }

    /// @notice Party A cancels its close request without party B once party B left the cancel
    ///         unanswered for longer than `forceCancelCloseCooldown`.
    function forceCancelCloseRequest(uint256 quoteId) external {
        Quote storage quote = _quote(quoteId);
        _requirePartyA(quote);
        _requireStatus(quote, QuoteStatus.CANCEL_CLOSE_PENDING);
        _requireCooldownOver(quote, forceCancelCloseCooldown);
        quote.quantityToClose = 0;
        _setStatus(quote, QuoteStatus.OPENED);
        emit ForceCancelCloseRequest(quoteId, QuoteStatus.OPENED);
    }

    /// @notice Party B closes `filledAmount` of the close request at `closedPrice`, settling the
    ///         P&L against the opened price between the two allocations and unlocking the
    ///         closed part's locked values. A fill wins over a pending cancel of the request.
    function fillCloseRequest(uint256 quoteId, uint256 filledAmount, uint256 closedPrice, PriceSig calldata sig)
        external
    {
        Quote storage quote = _quote(quoteId);
        _requirePartyB(quote);
        QuoteStatus status = quote.quoteStatus;
        if (status != QuoteStatus.CLOSE_PENDING && status != QuoteStatus.CANCEL_CLOSE_PENDING) {
            revert WrongStatus(quoteId, status);
        }
        if (block.timestamp > quote.closeDeadline) revert QuoteExpired(quoteId, quote.closeDeadline);
        _checkFillAmount(quoteId, filledAmount, quote.quantityToClose, quote.closeOrderType);
        _checkClosePrice(quote, closedPrice);
        _checkPriceSig(quote.symbolId, closedPrice, sig);

        _settlePnl(quote, filledAmount, closedPrice);
        // Unlock the closed share of what the position still locks; the last fill unlocks the
        // rest exactly, so no rounding dust stays locked.
        uint256 closed = quote.closedAmount;
        LockedValues memory unlocked = _scale(quote.lockedValues, filledAmount, quote.quantity - closed);
        quote.lockedValues = _minus(quote.lockedValues, unlocked);
        lockedBalanceOfPartyA[quote.partyA] -= _reserveA(unlocked);
        lockedBalanceOfPartyB[msg.sender][quote.partyA] -= _reserveB(unlocked);

        quote.avgClosedPrice = (quote.avgClosedPrice * closed + closedPrice * filledAmount) / (closed + filledAmount);
        quote.closedAmount = closed + filledAmount;
        quote.quantityToClose -= filledAmount;
        if (closed + filledAmount == quote.quantity) {
            status = QuoteStatus.CLOSED;
        } else if (quote.quantityToClose == 0) {
            status = QuoteStatus.OPENED;
        }
        _setStatus(quote, status);
        emit FillCloseRequest(quoteId, quote.partyA, msg.sender, filledAmount, closedPrice, status);
    }

    // ---------------------------------------------------------------- expiry

    /// @notice Anyone expires quotes past their deadline: an unopened quote becomes EXPIRED
    ///         (releasing its reservations), a close request lapses (back to OPENED). Reverts
    ///         whole if any quote is neither.
    function expireQuote(uint256[] calldata quoteIds) external {
        for (uint256 i = 0; i < quoteIds.length; i++) {
            uint256 quoteId = quoteIds[i];
            Quote storage quote = _quote(quoteId);
            QuoteStatus status = quote.quoteStatus;
            if (
                status == QuoteStatus.PENDING || status == QuoteStatus.LOCKED || status == QuoteStatus.CANCEL_PENDING
            ) {
                if (block.timestamp <= quote.deadline) revert QuoteNotExpired(quoteId, quote.deadline);
                _releasePending(quote);
                _setStatus(quote, QuoteStatus.EXPIRED);
                emit ExpireQuoteOpen(QuoteStatus.EXPIRED, quoteId);
            } else if (status == QuoteStatus.CLOSE_PENDING || status == QuoteStatus.CANCEL_CLOSE_PENDING) {
                if (block.timestamp <= quote.closeDeadline) revert QuoteNotExpired(quoteId, quote.closeDeadline);
                quote.quantityToClose = 0;
                _setStatus(quote, QuoteStatus.OPENED);
                emit ExpireQuoteClose(QuoteStatus.OPENED, quoteId);
            } else {
                revert WrongStatus(quoteId, status);
            }
        }
    }

    // ---------------------------------------------------------------- views

    function getQuote(uint256 quoteId) external view returns (Quote memory) {
        return _quote(quoteId);
    }

    /// @notice The hash a price signature signs, before the EIP-191 personal_sign prefix: it
    ///         binds the price to this contract on this chain, to the symbol and to a time.
    function priceDigest(uint256 symbolId, uint256 price, uint256 timestamp) public view returns (bytes32) {
        return keccak256(abi.encode(address(this), block.chainid, symbolId, price, timestamp));
    }

    // ---------------------------------------------------------------- internals

    function _quote(uint256 quoteId) private view returns (Quote storage quote) {
        if (quoteId == 0 || quoteId > quotesCount) revert UnknownQuote(quoteId);
        return quotes[quoteId];
    }

    function _requirePartyA(Quote storage quote) private view {
        if (msg.sender != quote.partyA) revert OnlyPartyA(quote.id, msg.sender);
    }

    /// @dev A quote nobody locked has partyB == address(0), which no caller is.
    function _requirePartyB(Quote storage quote) private view {
        if (msg.sender != quote.partyB) revert OnlyPartyB(quote.id, msg.sender);
    }

    function _requireStatus(Quote storage quote, QuoteStatus status) private view {
        if (quote.quoteStatus != status) revert WrongStatus(quote.id, quote.quoteStatus);
    }

    /// @dev The cooldown counts from the cancel request, the last status change.
    function _requireCooldownOver(Quote storage quote, uint256 cooldown) private view {
        uint256 end = quote.statusModifyTimestamp + cooldown;
        if (block.timestamp <= end) revert CooldownNotOver(quote.id, end);
    }

    function _setStatus(Quote storage quote, QuoteStatus status) private {
        quote.quoteStatus = status;
        quote.statusModifyTimestamp = block.timestamp;
    }

    function _checkNewQuote(uint256 symbolId, uint256 price, uint256 quantity, uint256 deadline) private view {
        if (symbolId == 0 || symbolId > symbolsCount || !symbols[symbolId].isValid) revert InvalidSymbol(symbolId);
        if (quantity == 0) revert InvalidQuantity(quantity);
        if (price == 0) revert InvalidPrice(price);
        if (deadline <= block.timestamp) revert InvalidDeadline(deadline, block.timestamp);
        uint256 notional = price * quantity / ONE;
        uint256 minimum = symbols[symbolId].minAcceptableQuoteValue;
        if (notional < minimum) revert NotionalTooSmall(notional, minimum);
    }

    /// @dev Moves `reserve` of the caller's free party A allocation to pending.
    function _reservePartyA(uint256 reserve) private {
        uint256 free = _freeA(msg.sender);
        if (free < reserve) revert InsufficientAllocation(msg.sender, free, reserve);
        pendingLockedBalanceOfPartyA[msg.sender] += reserve;
    }

    /// @dev Emitted from storage: the fourteen fields do not fit the stack next to
    ///      sendQuote's parameters.
    function _emitSendQuote(Quote storage quote) private {
        LockedValues storage values = quote.lockedValues;
        emit SendQuote(
            quote.partyA,
            quote.id,
            quote.partyBsWhiteList,
            quote.symbolId,
            quote.positionType,
            quote.orderType,
            quote.requestedOpenPrice,
            quote.quantity,
            values.cva,
            values.lf,
            values.partyAmm,
            values.partyBmm,
            quote.maxFundingRate,
            quote.deadline
        );
    }

    function _whitelisted(address[] storage whitelist, address partyB) private view returns (bool) {
        uint256 length = whitelist.length;
        if (length == 0) return true;
        for (uint256 i = 0; i < length; i++) {
            if (whitelist[i] == partyB) return true;
        }
        return false;
    }

    function _checkFillAmount(uint256 quoteId, uint256 filledAmount, uint256 maximum, OrderType orderType)
        private
        pure
    {
        if (filledAmount == 0 || filledAmount > maximum) revert InvalidFillAmount(quoteId, filledAmount, maximum);
        if (orderType == OrderType.MARKET && filledAmount != maximum) {
            revert MarketMustFillWhole(quoteId, filledAmount, maximum);
        }
    }

    /// @dev Party A buys (LONG) at most, or sells (SHORT) at least, at its requested price.
    function _checkOpenPrice(Quote storage quote, uint256 openedPrice) private view {
        uint256 requested = quote.requestedOpenPrice;
        bool worse = quote.positionType == PositionType.LONG ? openedPrice > requested : openedPrice < requested;
        if (worse) revert PriceWorseThanRequested(quote.id, openedPrice, requested);
    }

    /// @dev Closing reverses the trade: a LONG sells at least, a SHORT buys at most.
    function _checkClosePrice(Quote storage quote, uint256 closedPrice) private view {
        uint256 requested = quote.requestedClosePrice;
        bool worse = quote.positionType == PositionType.LONG ? closedPrice < requested : closedPrice > requested;
        if (worse) revert PriceWorseThanRequested(quote.id, closedPrice, requested);
    }

    function _checkPriceSig(uint256 symbolId, uint256 fillPrice, PriceSig calldata sig) private view {
        if (sig.symbolId != symbolId) revert PriceSymbolMismatch(symbolId, sig.symbolId);
        if (sig.timestamp > block.timestamp || block.timestamp - sig.timestamp > priceValidity) {
            revert StalePrice(sig.timestamp, block.timestamp);
        }
        bytes32 digest = keccak256(
            abi.encodePacked("\x19Ethereum Signed Message:\n32", priceDigest(sig.symbolId, sig.price, sig.timestamp))
        );
        if (!_isSignedBy(digest, sig.signature, priceSigner)) revert BadPriceSignature();
        uint256 gap = fillPrice > sig.price ? fillPrice - sig.price : sig.price - fillPrice;
        if (gap * BPS > sig.price * maxPriceDeviationBps) {
            revert PriceOutOfRange(fillPrice, sig.price, maxPriceDeviationBps);
        }
    }

    /// @dev False for a malformed signature (not 65 bytes, v not 27 or 28, s in the upper half)
    ///      and for one ecrecover cannot recover (address(0), which is never `signer`).
    function _isSignedBy(bytes32 digest, bytes calldata signature, address signer) private pure returns (bool) {
        if (signature.length != 65) return false;
        bytes32 r = bytes32(signature[0:32]);
        bytes32 s = bytes32(signature[32:64]);
        uint8 v = uint8(signature[64]);
        if ((v != 27 && v != 28) || uint256(s) > MAX_S) return false;
        return ecrecover(digest, v, r, s) == signer;
    }

    /// @dev Party A's P&L on `filledAmount` closed at `closedPrice`: a LONG gains when the price
    ///      rose, a SHORT when it fell. The loser pays from its allocation (locked part
    ///      included: that is what it was locked for).
    function _settlePnl(Quote storage quote, uint256 filledAmount, uint256 closedPrice) private {
        uint256 openedPrice = quote.openedPrice;
        bool rose = closedPrice >= openedPrice;
        uint256 amount = (rose ? closedPrice - openedPrice : openedPrice - closedPrice) * filledAmount / ONE;
        if (amount == 0) return;
        bool partyAGains = rose == (quote.positionType == PositionType.LONG);
        address partyA = quote.partyA;
        if (partyAGains) {
            uint256 allocated = allocatedBalanceOfPartyB[msg.sender][partyA];
            if (allocated < amount) revert InsufficientAllocation(msg.sender, allocated, amount);
            allocatedBalanceOfPartyB[msg.sender][partyA] = allocated - amount;
            allocatedBalanceOfPartyA[partyA] += amount;
        } else {
            uint256 allocated = allocatedBalanceOfPartyA[partyA];
            if (allocated < amount) revert InsufficientAllocation(partyA, allocated, amount);
            allocatedBalanceOfPartyA[partyA] = allocated - amount;
            allocatedBalanceOfPartyB[msg.sender][partyA] += amount;
        }
    }

    /// @dev The remainder of a partially opened quote: same terms, no party B, its own id.
    function _createChild(Quote storage parent, uint256 quantity, LockedValues memory values, QuoteStatus parentStatus)
        private
        returns (uint256 childId)
    {
        childId = ++quotesCount;
        Quote storage child = quotes[childId];
        child.id = childId;
        child.partyBsWhiteList = parent.partyBsWhiteList;
        child.symbolId = parent.symbolId;
        child.positionType = parent.positionType;
        child.orderType = parent.orderType;
        child.requestedOpenPrice = parent.requestedOpenPrice;
        child.quantity = quantity;
        child.lockedValues = values;
        child.maxFundingRate = parent.maxFundingRate;
        child.partyA = parent.partyA;
        child.parentId = parent.id;
        child.createTimestamp = block.timestamp;
        child.deadline = parent.deadline;
        if (parentStatus == QuoteStatus.CANCEL_PENDING) {
            // party A asked to cancel: the part not opened is canceled, its reservation freed
            _setStatus(child, QuoteStatus.CANCELED);
        } else {
            pendingLockedBalanceOfPartyA[parent.partyA] += _reserveA(values);
            _setStatus(child, QuoteStatus.PENDING);
        }
    }

    /// @dev Releases the pending reservations of an unopened quote: party A's, and party B's if
    ///      one locked it.
    function _releasePending(Quote storage quote) private {
        address partyA = quote.partyA;
        pendingLockedBalanceOfPartyA[partyA] -= _reserveA(quote.lockedValues);
        if (quote.quoteStatus != QuoteStatus.PENDING) {
            pendingLockedBalanceOfPartyB[quote.partyB][partyA] -= _reserveB(quote.lockedValues);
        }
    }

    function _freeA(address partyA) private view returns (uint256) {
        uint256 allocated = allocatedBalanceOfPartyA[partyA];
        uint256 reserved = lockedBalanceOfPartyA[partyA] + pendingLockedBalanceOfPartyA[partyA];
        return allocated > reserved ? allocated - reserved : 0;
    }

    function _freeB(address partyB, address partyA) private view returns (uint256) {
        uint256 allocated = allocatedBalanceOfPartyB[partyB][partyA];
        uint256 reserved = lockedBalanceOfPartyB[partyB][partyA] + pendingLockedBalanceOfPartyB[partyB][partyA];
        return allocated > reserved ? allocated - reserved : 0;
    }

    function _reserveA(LockedValues memory values) private pure returns (uint256) {
        return values.cva + values.lf + values.partyAmm;
    }

    function _reserveB(LockedValues memory values) private pure returns (uint256) {
        return values.cva + values.lf + values.partyBmm;
    }

    /// @dev Each of `values` times numerator / denominator, rounded down.
    function _scale(LockedValues memory values, uint256 numerator, uint256 denominator)
        private
        pure
        returns (LockedValues memory)
    {
        return LockedValues(
            values.cva * numerator / denominator,
            values.lf * numerator / denominator,
            values.partyAmm * numerator / denominator,
            values.partyBmm * numerator / denominator
        );
    }

    function _minus(LockedValues memory a, LockedValues memory b) private pure returns (LockedValues memory) {
        return LockedValues(a.cva - b.cva, a.lf - b.lf, a.partyAmm - b.partyAmm, a.partyBmm - b.partyBmm);
    }

    function _debit(address user, uint256 amount) private {
        uint256 balance = balanceOf[user];
        if (balance < amount) revert InsufficientBalance(user, balance, amount);
        balanceOf[user] = balance - amount;
    }

    /// @dev Calls the collateral token; it must succeed and return true or nothing (a token
    ///      without code fails, since a call to it would move nothing).
    function _call(bytes memory data, address from, address to, uint256 amount) private {
        (bool ok, bytes memory result) = collateral.call(data);
        bool done = ok
            && (
                result.length == 0
                    ? collateral.code.length > 0
                    : result.length >= 32 && abi.decode(result, (uint256)) == 1
            );
        if (!done) revert TransferFailed(collateral, from, to, amount);
    }
}
