//! Release notes drafted from the commit messages since the last release and the contract
//! changes; the developer edits them before releasing.

use domain::history::CommitInfo;
use domain::manifest::contract::ContractDiff;

/// Markdown: the contract changes (breaking ones first and marked), then one line per commit
/// (its first line), oldest first.
pub fn draft(version: &str, contract: Option<&ContractDiff>, commits: &[CommitInfo]) -> String {
    let mut out = format!("## {version}\n");
    if let Some(diff) = contract.filter(|d| !d.changes.is_empty()) {
        out.push_str("\n### Contract changes\n");
        let (breaking, other): (Vec<_>, Vec<_>) = diff.changes.iter().partition(|c| c.breaking);
        for change in breaking {
            out.push_str(&format!("- **Breaking:** {}\n", change.detail));
        }
        for change in other {
            out.push_str(&format!("- {}\n", change.detail));
        }
    }
    let lines: Vec<&str> =
        commits.iter().rev().filter_map(|c| c.message.lines().next()).filter(|l| !l.trim().is_empty()).collect();
    if !lines.is_empty() {
        out.push_str("\n### Changes\n");
        for line in lines {
            out.push_str(&format!("- {}\n", line.trim()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::manifest::contract::{Bump, ContractItem};

    #[test]
    fn notes_list_breaking_changes_first_then_commits_oldest_first() {
        let item = |detail: &str, breaking: bool| ContractItem {
            kind: "x".into(),
            name: "n".into(),
            detail: detail.into(),
            breaking,
        };
        let diff = ContractDiff {
            breaking: true,
            suggested_bump: Bump::Major,
            changes: vec![item("new output a (String)", false), item("input b removed", true)],
        };
        let commit = |message: &str| CommitInfo {
            revision: domain::app::Revision::parse(&"a".repeat(40)).expect("rev"),
            parents: vec![],
            author: domain::history::Author { name: "a".into(), email: "a@x".into() },
            message: message.into(),
            time: time::OffsetDateTime::UNIX_EPOCH,
            stats: domain::history::Stats { files: 1, additions: 1, deletions: 0 },
        };
        let notes = draft("2.0.0", Some(&diff), &[commit("Second\n\nbody"), commit("First")]);
        assert_eq!(
            notes,
            "## 2.0.0\n\n### Contract changes\n- **Breaking:** input b removed\n- new output a (String)\n\n### Changes\n- First\n- Second\n"
        );
    }
}
