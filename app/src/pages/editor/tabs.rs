//! Open tabs and the one in front, as editors keep them; and the quick-open filter.

use serde::{Deserialize, Serialize};

/// The open files in tab order, and the active one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tabs {
    pub open: Vec<String>,
    pub active: Option<String>,
}

impl Tabs {
    /// Opens `path` (after the active tab when it is new) and brings it to the front.
    pub fn open(&mut self, path: &str) {
        if !self.open.iter().any(|p| p == path) {
            let at = self.active_index().map_or(self.open.len(), |i| i + 1);
            self.open.insert(at, path.to_owned());
        }
        self.active = Some(path.to_owned());
    }

    /// Closes `path`; when it was in front, its right neighbour (else its left one) comes forward.
    pub fn close(&mut self, path: &str) {
        let Some(index) = self.open.iter().position(|p| p == path) else { return };
        self.open.remove(index);
        if self.active.as_deref() == Some(path) {
            self.active = self.open.get(index).or_else(|| index.checked_sub(1).and_then(|i| self.open.get(i))).cloned();
        }
    }

    /// Follows a rename of a file or a folder.
    pub fn renamed(&mut self, from: &str, to: &str) {
        let rename = |p: &mut String| {
            if p == from {
                *p = to.to_owned();
            } else if let Some(rest) = p.strip_prefix(&format!("{from}/")) {
                *p = format!("{to}/{rest}");
            }
        };
        self.open.iter_mut().for_each(rename);
        if let Some(active) = &mut self.active {
            rename(active);
        }
    }

    /// Closes tabs whose files are gone.
    pub fn retain(&mut self, exists: impl Fn(&str) -> bool) {
        let gone: Vec<String> = self.open.iter().filter(|p| !exists(p)).cloned().collect();
        for path in gone {
            self.close(&path);
        }
    }

    fn active_index(&self) -> Option<usize> {
        let active = self.active.as_deref()?;
        self.open.iter().position(|p| p == active)
    }
}

/// The paths matching `query` for quick open, best first: every character of the query must
/// appear in order (case-insensitive); matches in the file name, at word starts and in a row
/// rank higher, shorter paths break ties.
pub fn quick_open<'a>(query: &str, paths: impl IntoIterator<Item = &'a str>, limit: usize) -> Vec<&'a str> {
    let query: Vec<char> = query.trim().to_lowercase().chars().filter(|c| !c.is_whitespace()).collect();
    let mut scored: Vec<(i64, &str)> = paths.into_iter().filter_map(|p| score(&query, p).map(|s| (s, p))).collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.len().cmp(&b.1.len())).then(a.1.cmp(b.1)));
    scored.into_iter().take(limit).map(|(_, p)| p).collect()
}

fn score(query: &[char], path: &str) -> Option<i64> {
    let lower: Vec<char> = path.to_lowercase().chars().collect();
    let name_start = lower.iter().rposition(|c| *c == '/').map_or(0, |i| i + 1);
    let mut score = 0i64;
    let mut at = 0usize;
    let mut previous: Option<usize> = None;
    for wanted in query {
        let found = (at..lower.len()).find(|&i| lower[i] == *wanted)?;
        score += 1;
        if found >= name_start {
            score += 2;
        }
        if found == 0 || matches!(lower[found - 1], '/' | '_' | '-' | '.') {
            score += 3;
        }
        if previous.is_some_and(|p| p + 1 == found) {
            score += 4;
        }
        previous = Some(found);
        at = found + 1;
    }
    Some(score)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opening_puts_the_tab_after_the_active_one_and_closing_picks_a_neighbour() {
        let mut tabs = Tabs::default();
        tabs.open("a.py");
        tabs.open("b.py");
        tabs.open("a.py");
        tabs.open("c.py");
        assert_eq!(tabs.open, vec!["a.py", "c.py", "b.py"]);
        assert_eq!(tabs.active.as_deref(), Some("c.py"));
        tabs.close("c.py");
        assert_eq!(tabs.active.as_deref(), Some("b.py"));
        tabs.close("b.py");
        assert_eq!(tabs.active.as_deref(), Some("a.py"));
        tabs.close("a.py");
        assert_eq!(tabs.active, None);
    }

    #[test]
    fn renames_and_deletions_follow_the_files() {
        let mut tabs = Tabs::default();
        tabs.open("lib/x.py");
        tabs.open("app.py");
        tabs.renamed("lib", "pkg");
        assert_eq!(tabs.open, vec!["pkg/x.py", "app.py"]);
        tabs.retain(|p| p != "app.py");
        assert_eq!(tabs.open, vec!["pkg/x.py"]);
        assert_eq!(tabs.active.as_deref(), Some("pkg/x.py"));
    }

    #[test]
    fn quick_open_ranks_file_names_and_runs_first() {
        let paths = ["install.json", "lib/install_helper.py", "app.py", "tests/test_app.py", "README.md"];
        assert_eq!(quick_open("app", paths, 10)[..2], ["app.py", "tests/test_app.py"]);
        assert_eq!(quick_open("inst", paths, 10)[0], "install.json");
        assert_eq!(quick_open("ihp", paths, 10), vec!["lib/install_helper.py"]);
        assert!(quick_open("zzz", paths, 10).is_empty());
        assert_eq!(quick_open("", paths, 2).len(), 2);
    }
}
