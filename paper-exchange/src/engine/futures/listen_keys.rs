//! Listen keys of the futures user data stream: one per account, valid for 60 minutes after
//! its creation or last keepalive, as on Binance.

use std::collections::HashMap;

use crate::engine::accounts::AccountId;

/// How long a listen key lives without a keepalive.
pub const VALIDITY_MS: u64 = 60 * 60 * 1000;
/// Length of a generated key (Binance's are 64 characters).
const KEY_LEN: usize = 64;

/// The live listen keys and their expiry, in ms since the epoch.
#[derive(Debug, Default)]
pub struct ListenKeys {
    by_account: HashMap<AccountId, (String, u64)>,
}

impl ListenKeys {
    /// The account's live key, extended, or a new one (Binance hands back the same key while
    /// it is valid).
    pub fn create(&mut self, account: AccountId, now: u64) -> String {
        let key = match self.by_account.get(&account) {
            Some((key, expires)) if *expires > now => key.clone(),
            _ => generate(),
        };
        self.by_account
            .insert(account, (key.clone(), now + VALIDITY_MS));
        key
    }

    /// Extends the account's live key; `false` when it has none.
    pub fn keepalive(&mut self, account: AccountId, now: u64) -> bool {
        match self.by_account.get_mut(&account) {
            Some((_, expires)) if *expires > now => {
                *expires = now + VALIDITY_MS;
                true
            }
            _ => false,
        }
    }

    pub fn delete(&mut self, account: AccountId) {
        self.by_account.remove(&account);
    }

    /// The account `key` belongs to, if it is live at `now`.
    pub fn account_of(&self, key: &str, now: u64) -> Option<AccountId> {
        self.by_account
            .iter()
            .find(|(_, (k, expires))| k == key && *expires > now)
            .map(|(account, _)| *account)
    }
}

/// A random key, not drawn from the market's seeded generator.
fn generate() -> String {
    use rand::Rng;
    use rand::distr::Alphanumeric;
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(KEY_LEN)
        .map(char::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_lives_an_hour_after_its_last_keepalive() {
        let mut keys = ListenKeys::default();
        let account = AccountId(0);
        let key = keys.create(account, 0);
        assert_eq!(key.len(), KEY_LEN);
        assert_eq!(keys.create(account, 10), key);
        assert!(keys.keepalive(account, VALIDITY_MS));
        assert_eq!(keys.account_of(&key, VALIDITY_MS * 2 - 1), Some(account));
        assert_eq!(keys.account_of(&key, VALIDITY_MS * 2 + 10), None);
        assert!(!keys.keepalive(account, VALIDITY_MS * 3));
        keys.delete(account);
        assert_eq!(keys.account_of(&key, 0), None);
    }
}
