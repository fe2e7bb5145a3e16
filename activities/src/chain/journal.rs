//! The hot wallet's transaction journal: every transaction it signs, written to disk (and synced)
//! *before* it is broadcast.
//!
//! This is what makes `submit_transaction` exactly-once in effect: a retry after a crash, whether
//! the crash came before or after the broadcast, finds the signed transaction here under its
//! intent key and rebroadcasts or waits for that one, instead of signing a new one. The journal is
//! an append-only JSON-lines file owned by the hot-wallet role (which holds no DB credentials); a
//! torn last line from a crash mid-write is ignored, since its transaction was never broadcast.

use alloy::primitives::{Address, B256, Bytes};
use serde::{Deserialize, Serialize};
use std::{
    collections::BTreeMap,
    fs::{File, OpenOptions},
    io::{BufRead, BufReader, Read, Seek, SeekFrom, Write},
    path::Path,
    sync::Mutex,
};
use tracing::warn;

/// One signed transaction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    pub intent_key: String,
    pub chain_id: u64,
    pub from: Address,
    pub nonce: u64,
    pub tx_hash: B256,
    /// The signed, encoded transaction, ready to rebroadcast.
    pub raw: Bytes,
    pub max_fee_per_gas: u128,
    pub max_priority_fee_per_gas: u128,
    /// Unix seconds; a replacement is due `replace_after` past the newest attempt.
    pub signed_at: u64,
}

#[derive(Debug)]
pub struct TxJournal {
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    file: File,
    by_intent: BTreeMap<String, Vec<JournalEntry>>,
}

impl TxJournal {
    pub fn open(path: &Path) -> std::io::Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut by_intent: BTreeMap<String, Vec<JournalEntry>> = BTreeMap::new();
        if path.exists() {
            for (number, line) in BufReader::new(File::open(path)?).lines().enumerate() {
                let line = line?;
                match serde_json::from_str::<JournalEntry>(&line) {
                    Ok(entry) => by_intent
                        .entry(entry.intent_key.clone())
                        .or_default()
                        .push(entry),
                    Err(error) => {
                        warn!(path = %path.display(), line = number + 1, %error, "skipping torn journal line")
                    }
                }
            }
        }
        let mut file = OpenOptions::new().create(true).append(true).open(path)?;
        // A torn line left by a crash would swallow the next entry's start: end it first.
        if !ends_with_newline(path)? {
            file.write_all(b"\n")?;
            file.sync_data()?;
        }
        Ok(Self {
            inner: Mutex::new(Inner { file, by_intent }),
        })
    }

    /// Appends and fsyncs the entry; only then is it safe to broadcast.
    pub fn append(&self, entry: JournalEntry) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(&entry).map_err(std::io::Error::other)?;
        line.push(b'\n');
        let mut inner = self.inner.lock().expect("journal lock poisoned");
        inner.file.write_all(&line)?;
        inner.file.sync_data()?;
        inner
            .by_intent
            .entry(entry.intent_key.clone())
            .or_default()
            .push(entry);
        Ok(())
    }

    /// Every transaction signed for the intent, oldest first.
    pub fn attempts(&self, intent_key: &str) -> Vec<JournalEntry> {
        let inner = self.inner.lock().expect("journal lock poisoned");
        inner.by_intent.get(intent_key).cloned().unwrap_or_default()
    }

    /// The first transaction of every intent on `chain_id` signed at or after Unix second
    /// `since`: what the hot wallet agreed to sign in that window, once each.
    pub fn first_attempts_since(&self, chain_id: u64, since: u64) -> Vec<JournalEntry> {
        let inner = self.inner.lock().expect("journal lock poisoned");
        inner
            .by_intent
            .values()
            .filter_map(|attempts| attempts.first())
            .filter(|first| first.chain_id == chain_id && first.signed_at >= since)
            .cloned()
            .collect()
    }

    /// The nonce after the highest one journaled for `from` on `chain_id`.
    pub fn next_nonce(&self, chain_id: u64, from: Address) -> Option<u64> {
        let inner = self.inner.lock().expect("journal lock poisoned");
        inner
            .by_intent
            .values()
            .flatten()
            .filter(|e| e.chain_id == chain_id && e.from == from)
            .map(|e| e.nonce + 1)
            .max()
    }
}

/// True for an empty file or one whose last byte is a newline.
fn ends_with_newline(path: &Path) -> std::io::Result<bool> {
    let mut file = File::open(path)?;
    if file.metadata()?.len() == 0 {
        return Ok(true);
    }
    let mut last = [0u8];
    file.seek(SeekFrom::End(-1))?;
    file.read_exact(&mut last)?;
    Ok(last[0] == b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(intent: &str, nonce: u64) -> JournalEntry {
        JournalEntry {
            intent_key: intent.into(),
            chain_id: 1,
            from: Address::repeat_byte(1),
            nonce,
            tx_hash: B256::repeat_byte(nonce as u8),
            raw: Bytes::from(vec![nonce as u8]),
            max_fee_per_gas: 10,
            max_priority_fee_per_gas: 1,
            signed_at: 0,
        }
    }

    #[test]
    fn survives_reopen_and_a_torn_tail() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        {
            let journal = TxJournal::open(&path).unwrap();
            journal.append(entry("a", 0)).unwrap();
            journal.append(entry("b", 1)).unwrap();
            journal.append(entry("a", 0)).unwrap();
        }
        // A crash mid-write leaves half a line.
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(b"{\"intent_key\":\"c\",\"cha").unwrap();
        drop(file);

        let journal = TxJournal::open(&path).unwrap();
        assert_eq!(journal.attempts("a").len(), 2);
        assert_eq!(journal.attempts("b"), vec![entry("b", 1)]);
        assert!(journal.attempts("c").is_empty());
        assert_eq!(journal.next_nonce(1, Address::repeat_byte(1)), Some(2));
        assert_eq!(journal.next_nonce(2, Address::repeat_byte(1)), None);

        journal.append(entry("d", 2)).unwrap();
        drop(journal);
        let journal = TxJournal::open(&path).unwrap();
        assert_eq!(
            journal.attempts("d"),
            vec![entry("d", 2)],
            "an entry after a torn line survives"
        );
    }
}
