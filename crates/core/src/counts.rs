//! What the operator's side reads of a store: its counts ([`StoreStats`], kept exact by the
//! metadata engine) and whether it takes writes now.

use crate::error::Result;
use crate::meta::StoreStats;
use crate::store::Store;

impl Store {
    /// The store's counts as kept in the metadata store: a few lookups, whatever its size.
    pub fn stats(&self) -> Result<StoreStats> {
        Ok(StoreStats::read(&*self.read()?)?)
    }

    /// The same counts found by reading every record (slow on a large store): what
    /// [`Store::stats`] must equal.
    pub fn stats_by_scan(&self) -> Result<StoreStats> {
        Ok(StoreStats::scan(&*self.read()?)?)
    }

    /// Whether the store takes writes now: [`Store::ready`], then an operation that writes
    /// nothing goes through the group-commit writer and its batch commits durably, which
    /// proves the writer thread alive and the metadata engine able to commit.
    pub async fn writable(&self) -> Result<()> {
        self.ready()?;
        self.write(|_| Ok(()), |_, ()| Ok(())).await
    }
}
