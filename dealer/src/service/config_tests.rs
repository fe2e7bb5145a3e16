//! The dealer config's example converts, and bad configs are refused.

use super::*;

pub(crate) const EXAMPLE: &str = r#"
[obm]
endpoint = "http://127.0.0.1:50061"
exchange = "paper"

[hot-wallet]
endpoint = "http://127.0.0.1:50062"
address = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"

[settlement]
chain-id = 31337
contract = "0x5fbdb2315678afecb367f032d93f642f64180aa3"
gas-limit = 250000
gas-price = 1000000000

[assets.WETH]
address = "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512"
decimals = 18
[assets.USDC]
address = "0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0"
decimals = 6
[assets.WBTC]
address = "0xcf7ed3acca5a467e9e704c703e8d87f634fb0fc9"
decimals = 8

[exposure-caps]
WETH = "50"

[[markets]]
id = "WETH/USDC"
base = "WETH"
quote = "USDC"
route = { direct = "ETHUSDT" }
taker-fee = "0.001"
premium-bps = "5"
volatility-multiplier = "1"
skew-factor-bps = "5"
inventory-limit = "20"
min-base = "0.01"
max-base = "10"
max-deviation-bps = "200"
quote-ttl = "10s"
max-book-age = "2s"

[[markets]]
id = "WETH/WBTC"
base = "WETH"
quote = "WBTC"
route = { via = { asset = "USDT", base-symbol = "ETHUSDT", quote-symbol = "BTCUSDT" } }
taker-fee = "0.001"
premium-bps = "8"
volatility-multiplier = "1"
skew-factor-bps = "0"
inventory-limit = "20"
min-base = "0.1"
max-base = "5"
max-deviation-bps = "300"
quote-ttl = "10s"
max-book-age = "2s"
"#;

fn example() -> DealerConfig {
    toml::from_str(EXAMPLE).unwrap()
}

#[test]
fn the_example_converts_to_maker_markets_and_front_door_markets() {
    let settings = example().settings().unwrap();
    assert_eq!(settings.maker.markets().count(), 2);
    assert_eq!(settings.books.symbols, ["BTCUSDT", "ETHUSDT"]);
    assert_eq!(settings.markets.len(), 4);
    let weth: Address = "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512"
        .parse()
        .unwrap();
    let usdc: Address = "0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0"
        .parse()
        .unwrap();
    let sells_weth = settings
        .markets
        .iter()
        .find(|m| m.serves(weth, usdc))
        .unwrap();
    let e18 = U256::from(10u64).pow(U256::from(18));
    assert_eq!(sells_weth.quote_info.min_size, e18 / U256::from(100));
    assert_eq!(sells_weth.quote_info.max_size, e18 * U256::from(10));
    assert_eq!(sells_weth.trade_info.chain_id, 31337);
    let pair = &settings.pairs[&(usdc, weth)];
    assert_eq!(
        (pair.market.as_str(), pair.side),
        ("WETH/USDC", TakerSide::Sell)
    );
    assert_eq!((pair.maker.decimals, pair.taker.decimals), (6, 18));
    assert_eq!(settings.books.levels, 100);
}

#[test]
fn bad_configs_are_refused() {
    let text = EXAMPLE.replace("quote-ttl = \"10s\"\n", "quote-ttl = \"10s\"\nspeed = 1\n");
    assert!(
        toml::from_str::<DealerConfig>(&text).is_err(),
        "unknown field"
    );

    let mut config = example();
    config.markets[0].quote = "DAI".into();
    assert!(matches!(
        config.settings(),
        Err(SettingsError::UnknownAsset { .. })
    ));
    let mut config = example();
    config.markets[1].quote = "USDC".into();
    assert!(matches!(
        config.settings(),
        Err(SettingsError::SamePair(..))
    ));
    let mut config = example();
    config.markets[0].min_base = Decimal::ZERO;
    assert!(matches!(config.settings(), Err(SettingsError::Market(_))));
    let mut config = example();
    config.exposure_caps.insert("DAI".into(), Decimal::ONE);
    assert_eq!(
        config.settings().err(),
        Some(SettingsError::UnknownCap("DAI".into()))
    );
    let mut config = example();
    config.assets.get_mut("WBTC").unwrap().address = config.assets["WETH"].address;
    assert!(matches!(
        config.settings(),
        Err(SettingsError::SharedAddress(..))
    ));
}
