//! Coassemble `page`/`length` paging, served without OFFSET scans.
//!
//! Clients and users carry an AUTOINCREMENT ordinal; every ordinal ever handed out either
//! still exists or is recorded in `hl_gaps` when its row is deleted. The row at rank `r` is
//! then the least `o` with `o = r + 1 + |gaps <= o|`, found by a short fixed-point iteration
//! over the (usually tiny) gap index, and a page is one `ord >= o` range read. Rows appended
//! during a walk get higher ordinals, so a walk sees no duplicates and misses nothing.

use std::collections::HashMap;

use rusqlite::{Connection, params};

use super::errors::HlError;

pub const DEFAULT_LENGTH: u64 = 100;
/// The docs give no maximum; a cap keeps responses bounded, and answering 400 (not
/// silently clamping) keeps "short page = end of list" true for clients.
pub const MAX_LENGTH: u64 = 1000;

#[derive(Debug, Clone, Copy)]
pub struct PageReq {
    pub page: u64,
    pub length: u64,
}

impl PageReq {
    pub fn from_query(q: &HashMap<String, String>) -> Result<Self, HlError> {
        let num = |key: &str, default: u64| -> Result<u64, HlError> {
            match q.get(key) {
                None => Ok(default),
                Some(v) => v.trim().parse::<u64>().map_err(|_| {
                    HlError::bad_request(format!("{key} must be a non-negative integer"))
                }),
            }
        };
        let page = num("page", 0)?;
        let length = num("length", DEFAULT_LENGTH)?;
        if !(1..=MAX_LENGTH).contains(&length) {
            return Err(HlError::bad_request(format!(
                "length must be between 1 and {MAX_LENGTH}"
            )));
        }
        Ok(Self { page, length })
    }

    /// Rank of the first row on this page, if it is representable at all.
    pub fn first_rank(&self) -> Option<i64> {
        self.page
            .checked_mul(self.length)
            .and_then(|r| i64::try_from(r).ok())
    }
}

/// Smallest ordinal whose rank is `rank` among live rows of `kind`.
pub fn ordinal_at_rank(conn: &Connection, kind: &str, rank: i64) -> rusqlite::Result<i64> {
    let mut stmt =
        conn.prepare_cached("SELECT count(*) FROM hl_gaps WHERE kind = ?1 AND ord <= ?2")?;
    let mut ord = rank.saturating_add(1);
    loop {
        let gaps: i64 = stmt.query_row(params![kind, ord], |r| r.get(0))?;
        let next = rank.saturating_add(1).saturating_add(gaps);
        if next == ord {
            return Ok(ord);
        }
        ord = next;
    }
}

pub fn record_gap(conn: &Connection, kind: &str, ord: i64) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT OR IGNORE INTO hl_gaps (kind, ord) VALUES (?1, ?2)")?
        .execute(params![kind, ord])?;
    Ok(())
}
