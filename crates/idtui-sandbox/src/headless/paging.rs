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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_skips_recorded_gaps() {
        let conn = Connection::open_in_memory().unwrap();
        super::super::store::migrate(&conn).unwrap();
        // Ordinals 1..=10 handed out; 2, 3 and 7 deleted: live = 1,4,5,6,8,9,10.
        for ord in [2, 3, 7] {
            record_gap(&conn, "users", ord).unwrap();
        }
        let live = [1, 4, 5, 6, 8, 9, 10];
        for (rank, ord) in live.iter().enumerate() {
            assert_eq!(ordinal_at_rank(&conn, "users", rank as i64).unwrap(), *ord);
        }
        // Gaps of another kind do not count.
        assert_eq!(ordinal_at_rank(&conn, "clients", 3).unwrap(), 4);
    }

    #[test]
    fn page_and_length_are_validated() {
        let q = |pairs: &[(&str, &str)]| {
            PageReq::from_query(
                &pairs
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            )
        };
        let def = q(&[]).unwrap();
        assert_eq!((def.page, def.length), (0, 100));
        assert!(q(&[("page", "x")]).is_err());
        assert!(q(&[("length", "0")]).is_err());
        assert!(q(&[("length", "1001")]).is_err());
        assert!(q(&[("page", "-1")]).is_err());
        let huge = q(&[("page", "18446744073709551615"), ("length", "1000")]).unwrap();
        assert_eq!(huge.first_rank(), None);
    }
}
