//! The balance manager's plan: which moves bring every party-A allocation back to the policy's
//! health, from where the collateral comes, and where the spare goes. Pure, so the workflow can
//! decide it deterministically from what its activities read.
//!
//! In order: collateral the hot wallet holds beyond its float (a move that stopped halfway left
//! it there) is deposited back into the book; allocations without positions, or far above `release_above`, are released to the
//! book's free balance (never one whose quote is between steps); allocations below `min_health`
//! are topped up to `target_health`, the weakest first, from the free balance and, when that is
//! short, from the broker account's balance above its floor; a book left below its reserve is
//! refilled from the broker's balance above its target; a broker account below its floor gets
//! what the book holds beyond its reserve.

use hedgeflow_proto::balance::{Allocation, BalanceMove, BalancePolicy, BalanceSheet};
use rust_decimal::{Decimal, RoundingStrategy};

/// Collateral amounts are moved in millionths: readable, and far below any `min_move`.
const DP: u32 = 6;

pub fn plan(sheet: &BalanceSheet, broker_available: Option<Decimal>) -> Vec<BalanceMove> {
    let policy = &sheet.policy;
    let worth = |amount: &Decimal| worth_moving(policy, amount);
    let (releases, mut top_ups) = releases_and_top_ups(sheet);
    let mut moves = deposit_and_releases(sheet, releases);
    let mut free = sheet.book_free
        + moves
            .iter()
            .map(|m| match m {
                BalanceMove::Release { amount, .. } | BalanceMove::Deposit { amount } => *amount,
                _ => Decimal::ZERO,
            })
            .sum::<Decimal>();

    top_ups.sort_by_key(|(health, ..)| *health);
    let wanted: Decimal = top_ups.iter().map(|(_, _, amount)| *amount).sum();
    let broker_spare = broker_available
        .filter(|_| policy.broker_moves)
        .map(|available| available - policy.broker_min_available);
    if let Some(spare) = broker_spare {
        // What the top-ups lack, from above the broker's floor; then what the book's reserve
        // lacks after them, from above the broker's target.
        let for_top_ups = (wanted - free).min(spare).max(Decimal::ZERO);
        let above_target =
            spare + policy.broker_min_available - policy.broker_target_available - for_top_ups;
        let left = (free + for_top_ups - wanted).max(Decimal::ZERO);
        let for_reserve = (policy.chain_reserve - left)
            .min(above_target)
            .max(Decimal::ZERO);
        let pull = round(for_top_ups + for_reserve, RoundingStrategy::AwayFromZero);
        if worth(&pull) {
            moves.push(BalanceMove::BrokerToChain { amount: pull });
            free += pull;
        }
    }
    for (_, allocation, amount) in top_ups {
        let amount = round(amount, RoundingStrategy::AwayFromZero).min(free);
        if worth(&amount) {
            moves.push(BalanceMove::TopUp {
                party_a: allocation.party_a,
                amount,
            });
            free -= amount;
        }
    }
    if let Some(spare) = broker_spare
        && spare.is_sign_negative()
    {
        let short = policy.broker_target_available - policy.broker_min_available - spare;
        let send = round(
            short.min(free - policy.chain_reserve),
            RoundingStrategy::ToZero,
        );
        if worth(&send) {
            moves.push(BalanceMove::ChainToBroker { amount: send });
        }
    }
    moves
}

/// An allocation and what to release from it.
type Release<'a> = (&'a Allocation, Decimal);
/// An allocation's health, the allocation and what it lacks.
type TopUp<'a> = (Decimal, &'a Allocation, Decimal);

/// The allocations to release and those to top up, in the sheet's order.
fn releases_and_top_ups(sheet: &BalanceSheet) -> (Vec<Release<'_>>, Vec<TopUp<'_>>) {
    let policy = &sheet.policy;
    let mut releases = Vec::new();
    let mut top_ups = Vec::new();
    for allocation in &sheet.allocations {
        let target = policy.target_health * allocation.maintenance;
        match allocation.health() {
            None if !allocation.busy => releases.push((allocation, allocation.free())),
            Some(health) if health < policy.min_health => {
                top_ups.push((health, allocation, target - allocation.equity()));
            }
            Some(health) if health > policy.release_above && !allocation.busy => {
                let excess = (allocation.equity() - target).min(allocation.free());
                releases.push((allocation, excess));
            }
            _ => {}
        }
    }
    (releases, top_ups)
}

/// The first moves: the hot wallet's stranded collateral deposited back, then the releases, each
/// rounded down and kept only when worth a move.
fn deposit_and_releases(sheet: &BalanceSheet, releases: Vec<Release>) -> Vec<BalanceMove> {
    let policy = &sheet.policy;
    let worth = |amount: &Decimal| worth_moving(policy, amount);
    let stranded = round(
        sheet.wallet_collateral - policy.wallet_float,
        RoundingStrategy::ToZero,
    );
    let mut moves: Vec<BalanceMove> = Some(stranded)
        .filter(worth)
        .map(|amount| BalanceMove::Deposit { amount })
        .into_iter()
        .collect();
    moves.extend(
        releases
            .into_iter()
            .map(|(allocation, amount)| {
                (allocation.party_a, round(amount, RoundingStrategy::ToZero))
            })
            .filter(|(_, amount)| worth(amount))
            .map(|(party_a, amount)| BalanceMove::Release { party_a, amount }),
    );
    moves
}

fn worth_moving(policy: &BalancePolicy, amount: &Decimal) -> bool {
    *amount >= policy.min_move && amount.is_sign_positive()
}

fn round(amount: Decimal, strategy: RoundingStrategy) -> Decimal {
    amount.round_dp_with_strategy(DP, strategy).normalize()
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::primitives::Address;
    use hedgeflow_proto::balance::{Allocation, BalancePolicy};
    use rust_decimal_macros::dec;

    fn policy() -> BalancePolicy {
        BalancePolicy {
            min_health: dec!(1.5),
            target_health: dec!(2),
            release_above: dec!(4),
            broker_min_available: dec!(1000),
            broker_target_available: dec!(5000),
            chain_reserve: dec!(100),
            min_move: dec!(1),
            broker_moves: true,
            broker_asset: Default::default(),
            wallet_float: dec!(500),
        }
    }

    fn party(n: u8) -> Address {
        Address::repeat_byte(n)
    }

    /// An allocation of `allocated` with `maintenance` margin (cva + lf = 10) and `upnl`.
    fn allocation(n: u8, allocated: Decimal, maintenance: Decimal, upnl: Decimal) -> Allocation {
        let cva_lf = if maintenance.is_zero() {
            Decimal::ZERO
        } else {
            dec!(10)
        };
        Allocation {
            party_a: party(n),
            allocated,
            cva_lf,
            maintenance,
            reserved: cva_lf + maintenance,
            upnl,
            busy: false,
        }
    }

    fn sheet(book_free: Decimal, allocations: Vec<Allocation>) -> BalanceSheet {
        BalanceSheet {
            chain_id: 1,
            book: party(0xbb),
            collateral: party(0xcc),
            party_b: party(0xb0),
            book_free,
            wallet_collateral: dec!(500),
            allocations,
            policy: policy(),
        }
    }

    #[test]
    fn a_weak_allocation_is_topped_up_to_the_target_from_the_free_balance() {
        // equity 70 - 10 (loss) - 10 (cva + lf) = 50 over maintenance 50: health 1 < 1.5
        let sheet = sheet(
            dec!(1000),
            vec![allocation(1, dec!(70), dec!(50), dec!(-10))],
        );
        let moves = plan(&sheet, Some(dec!(2000)));
        // target 2 × 50 = 100, equity 50
        assert_eq!(
            moves,
            [BalanceMove::TopUp {
                party_a: party(1),
                amount: dec!(50)
            }]
        );
    }

    #[test]
    fn healthy_allocations_are_left_alone_and_rich_ones_give_back_their_excess() {
        let sheet = sheet(
            dec!(1000),
            vec![
                // health (100 - 10) / 50 = 1.8: between min and release_above
                allocation(1, dec!(100), dec!(50), Decimal::ZERO),
                // health (400 + 20 - 10) / 50 = 8.2: release down to equity 100, within free 340
                allocation(2, dec!(400), dec!(50), dec!(20)),
            ],
        );
        assert_eq!(
            plan(&sheet, None),
            [BalanceMove::Release {
                party_a: party(2),
                amount: dec!(310)
            }]
        );
    }

    #[test]
    fn an_allocation_without_positions_is_released_unless_its_quote_is_mid_step() {
        let idle = allocation(1, dec!(80), Decimal::ZERO, Decimal::ZERO);
        let mut busy = allocation(2, dec!(80), Decimal::ZERO, Decimal::ZERO);
        busy.busy = true;
        let moves = plan(&sheet(dec!(0), vec![idle, busy]), None);
        assert_eq!(
            moves,
            [BalanceMove::Release {
                party_a: party(1),
                amount: dec!(80)
            }]
        );
    }

    #[test]
    fn a_release_pays_for_another_partys_top_up_before_the_broker_is_asked() {
        let sheet = sheet(
            Decimal::ZERO,
            vec![
                allocation(1, dec!(60), dec!(50), Decimal::ZERO),
                allocation(2, dec!(1000), dec!(50), Decimal::ZERO),
            ],
        );
        let moves = plan(&sheet, Some(dec!(50000)));
        assert_eq!(
            moves,
            [
                BalanceMove::Release {
                    party_a: party(2),
                    amount: dec!(890)
                },
                BalanceMove::TopUp {
                    party_a: party(1),
                    amount: dec!(50)
                },
            ]
        );
    }

    #[test]
    fn the_broker_covers_what_the_chain_cannot_and_only_above_its_floor() {
        let weak = allocation(1, dec!(20), dec!(100), dec!(-5));
        // equity 5, target 200: 195 wanted, 45 free
        let moves = plan(&sheet(dec!(45), vec![weak.clone()]), Some(dec!(1100)));
        assert_eq!(
            moves,
            [
                BalanceMove::BrokerToChain { amount: dec!(100) },
                BalanceMove::TopUp {
                    party_a: party(1),
                    amount: dec!(145)
                },
            ],
            "the broker gives only its 100 above the floor"
        );
        let mut no_broker = sheet(dec!(45), vec![weak]);
        no_broker.policy.broker_moves = false;
        assert_eq!(
            plan(&no_broker, Some(dec!(1100))),
            [BalanceMove::TopUp {
                party_a: party(1),
                amount: dec!(45)
            }]
        );
    }

    #[test]
    fn a_book_below_its_reserve_is_refilled_from_the_brokers_excess_over_its_target() {
        // reserve 100, free 40: 60 short; the broker has 6000, 1000 above its target
        assert_eq!(
            plan(&sheet(dec!(40), vec![]), Some(dec!(6000))),
            [BalanceMove::BrokerToChain { amount: dec!(60) }]
        );
        // at its target the broker keeps what it has
        assert!(plan(&sheet(dec!(40), vec![]), Some(dec!(5000))).is_empty());
        // a top-up first takes the free 40, then the reserve's 100 comes on top
        let weak = allocation(1, dec!(60), dec!(50), Decimal::ZERO);
        assert_eq!(
            plan(&sheet(dec!(40), vec![weak]), Some(dec!(6000))),
            [
                BalanceMove::BrokerToChain { amount: dec!(110) },
                BalanceMove::TopUp {
                    party_a: party(1),
                    amount: dec!(50)
                },
            ]
        );
    }

    #[test]
    fn the_weakest_allocation_is_served_first_when_collateral_is_short() {
        let sheet = sheet(
            dec!(30),
            vec![
                allocation(1, dec!(80), dec!(50), Decimal::ZERO),
                allocation(2, dec!(40), dec!(50), Decimal::ZERO),
            ],
        );
        let moves = plan(&sheet, None);
        assert_eq!(
            moves,
            [BalanceMove::TopUp {
                party_a: party(2),
                amount: dec!(30)
            }]
        );
    }

    #[test]
    fn a_broker_below_its_floor_gets_the_books_spare_beyond_the_reserve() {
        let moves = plan(&sheet(dec!(3000), vec![]), Some(dec!(400)));
        // wants 5000 - 400 = 4600; the book spares 3000 - 100
        assert_eq!(moves, [BalanceMove::ChainToBroker { amount: dec!(2900) }]);
        assert!(plan(&sheet(dec!(3000), vec![]), Some(dec!(1500))).is_empty());
    }

    #[test]
    fn moves_below_the_minimum_are_not_made() {
        let sheet = sheet(
            dec!(10),
            vec![allocation(1, dec!(99.5), dec!(50), Decimal::ZERO)],
        );
        // health 1.79 is fine; an idle dust allocation is not worth a transaction either
        let mut dust = sheet.clone();
        dust.allocations
            .push(allocation(2, dec!(0.5), Decimal::ZERO, Decimal::ZERO));
        assert!(plan(&dust, None).is_empty());
    }

    #[test]
    fn collateral_a_stopped_move_left_in_the_hot_wallet_goes_back_into_the_book_first() {
        // 1000 beyond the wallet's float of 500; with it the book's 50 free covers the top-up
        let mut stranded = sheet(dec!(50), vec![allocation(1, dec!(70), dec!(50), dec!(-10))]);
        stranded.wallet_collateral = dec!(1500.25);
        assert_eq!(
            plan(&stranded, None),
            [
                BalanceMove::Deposit {
                    amount: dec!(1000.25)
                },
                BalanceMove::TopUp {
                    party_a: party(1),
                    amount: dec!(50)
                }
            ]
        );
        // at or below the float: nothing to bring back
        stranded.wallet_collateral = dec!(400);
        assert_eq!(
            plan(&stranded, None),
            [BalanceMove::TopUp {
                party_a: party(1),
                amount: dec!(50)
            }]
        );
    }
}
