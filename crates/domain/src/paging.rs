//! Pagination of lists, as the API describes it: `?limit=` (default 50, max 500) and an opaque
//! `?cursor=`, answered with `{"items": [...], "next_cursor": ... | null}`.

use serde::{Deserialize, Serialize};

/// Page size when the client names none.
pub const DEFAULT_LIMIT: u32 = 50;
/// The largest page a client may ask for.
pub const MAX_LIMIT: u32 = 500;

/// A request for one page. Cursors are opaque to clients; each list decides what goes in them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct PageRequest {
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// The limit was outside 1..=MAX_LIMIT.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("limit must be between 1 and {MAX_LIMIT}")]
pub struct BadLimit;

impl PageRequest {
    /// The page size to use: the default when absent, an error when out of range.
    pub fn limit(&self) -> Result<u32, BadLimit> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT),
            Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            Some(_) => Err(BadLimit),
        }
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// A page from a query that fetched up to `limit + 1` items: an extra item only says that
    /// there is a next page, whose cursor `cursor_of` takes from the last item kept.
    pub fn from_overfetch(mut items: Vec<T>, limit: u32, cursor_of: impl Fn(&T) -> String) -> Self {
        let limit = limit as usize;
        let next_cursor = if items.len() > limit {
            items.truncate(limit);
            items.last().map(cursor_of)
        } else {
            None
        };
        Self { items, next_cursor }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_defaults_to_fifty_and_refuses_zero_and_over_five_hundred() {
        assert_eq!(PageRequest::default().limit(), Ok(50));
        let ask = |n| PageRequest { limit: Some(n), cursor: None }.limit();
        assert_eq!(ask(500), Ok(500));
        assert_eq!(ask(0), Err(BadLimit));
        assert_eq!(ask(501), Err(BadLimit));
    }

    #[test]
    fn an_overfetched_item_means_a_next_page_from_the_last_kept_one() {
        let page = Page::from_overfetch(vec![1, 2, 3], 2, |n| n.to_string());
        assert_eq!((page.items, page.next_cursor), (vec![1, 2], Some("2".into())));
        let last = Page::from_overfetch(vec![1, 2], 2, |n| n.to_string());
        assert_eq!((last.items, last.next_cursor), (vec![1, 2], None));
    }
}
