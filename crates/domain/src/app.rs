//! Apps and their files as the store sees them: slugs, file paths, revisions, changes.
//!
//! File paths arrive from browsers, scripts and archives, so [`RepoPath::parse`] treats every one
//! as hostile and accepts only plain relative paths that cannot reach outside an app or into git.

use serde::{Deserialize, Serialize};

/// The longest path accepted, in bytes.
pub const MAX_PATH_BYTES: usize = 1024;
/// The longest path segment accepted, in bytes.
pub const MAX_SEGMENT_BYTES: usize = 255;
/// The largest single file, in bytes.
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;
/// The largest app (all files at one revision), in bytes.
pub const MAX_APP_BYTES: u64 = 50 * 1024 * 1024;

/// A path inside an app: `/`-separated, relative, with no way out and no way into `.git`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RepoPath(String);

/// Why a path was refused; the text names the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error("the path is empty")]
    Empty,
    #[error("the path is longer than {MAX_PATH_BYTES} bytes")]
    TooLong,
    #[error("the path has a segment longer than {MAX_SEGMENT_BYTES} bytes")]
    SegmentTooLong,
    #[error("the path is absolute or has an empty segment ('//', a leading or trailing '/')")]
    EmptySegment,
    #[error("the path has a '.' or '..' segment")]
    DotSegment,
    #[error("the path names '.git', which is reserved")]
    GitDir,
    #[error("the path has a backslash")]
    Backslash,
    #[error("the path has a NUL or control character")]
    ControlCharacter,
}

impl RepoPath {
    /// Checks a path against every rule; the first broken rule is the error.
    pub fn parse(raw: &str) -> Result<Self, PathError> {
        if raw.is_empty() {
            return Err(PathError::Empty);
        }
        if raw.len() > MAX_PATH_BYTES {
            return Err(PathError::TooLong);
        }
        if raw.chars().any(char::is_control) {
            return Err(PathError::ControlCharacter);
        }
        if raw.contains('\\') {
            return Err(PathError::Backslash);
        }
        for segment in raw.split('/') {
            match segment {
                "" => return Err(PathError::EmptySegment),
                "." | ".." => return Err(PathError::DotSegment),
                s if s.eq_ignore_ascii_case(".git") => return Err(PathError::GitDir),
                s if s.len() > MAX_SEGMENT_BYTES => return Err(PathError::SegmentTooLong),
                _ => {}
            }
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The last segment.
    pub fn file_name(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or(&self.0)
    }
}

/// An app's stable URL name: 1 to 64 of `a-z 0-9 -`, not starting or ending with `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AppSlug(String);

/// The text is not a slug.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an app slug is 1 to 64 of a-z, 0-9 and '-', not starting or ending with '-'")]
pub struct SlugError;

impl AppSlug {
    pub fn parse(raw: &str) -> Result<Self, SlugError> {
        let ok = (1..=64).contains(&raw.len())
            && raw.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !raw.starts_with('-')
            && !raw.ends_with('-');
        if ok { Ok(Self(raw.to_owned())) } else { Err(SlugError) }
    }

    /// The slug a display name suggests: lower-case words joined by `-`; `app` when nothing is left.
    pub fn from_name(name: &str) -> Self {
        let mut slug = String::new();
        for c in name.chars() {
            if c.is_ascii_alphanumeric() {
                slug.push(c.to_ascii_lowercase());
            } else if !slug.is_empty() && !slug.ends_with('-') {
                slug.push('-');
            }
        }
        slug.truncate(56);
        let slug = slug.trim_end_matches('-');
        Self(if slug.is_empty() { "app".to_owned() } else { slug.to_owned() })
    }

    /// Slugs that name API routes (`/api/v1/apps/import`) and so cannot name an app.
    pub fn is_reserved(&self) -> bool {
        matches!(self.0.as_str(), "import")
    }

    /// This slug with a numeric suffix, for when the plain one is taken (`name-2`, `name-3`, ...).
    pub fn with_suffix(&self, n: u32) -> Self {
        Self(format!("{}-{n}", self.0))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An app as lists and details show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppSummary {
    pub slug: AppSlug,
    pub display_name: String,
    pub runtime_level: String,
    pub head: Revision,
    pub template: Option<String>,
    pub created_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: time::OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: time::OffsetDateTime,
    pub size_bytes: u64,
}

/// A full git commit id: 40 lower-case hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Revision(String);

/// The text is not a full revision id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a revision is a full 40-digit hex commit id")]
pub struct RevisionError;

impl Revision {
    pub fn parse(raw: &str) -> Result<Self, RevisionError> {
        if raw.len() == 40 && raw.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(RevisionError)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One change in a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileChange {
    /// Create or replace a file.
    Put { path: RepoPath, content: Vec<u8> },
    /// Remove a file.
    Delete { path: RepoPath },
    /// Rename a file, keeping its content.
    Move { from: RepoPath, to: RepoPath },
}

impl FileChange {
    /// The paths this change touches (both ends of a move).
    pub fn paths(&self) -> Vec<&RepoPath> {
        match self {
            FileChange::Put { path, .. } | FileChange::Delete { path } => vec![path],
            FileChange::Move { from, to } => vec![from, to],
        }
    }
}

string_newtype!(RepoPath, PathError);
string_newtype!(AppSlug, SlugError);
string_newtype!(Revision, RevisionError);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_relative_paths_are_accepted() {
        for ok in ["install.json", "src/app.py", "deps/pkg-1.0/x.py", ".gitignore", "a/.github/x", "..x", "x..y"] {
            assert_eq!(RepoPath::parse(ok).map(String::from), Ok(ok.to_owned()), "{ok}");
        }
    }

    #[test]
    fn hostile_paths_are_refused_with_the_rule_they_break() {
        let cases = [
            ("", PathError::Empty),
            ("/etc/passwd", PathError::EmptySegment),
            ("a//b", PathError::EmptySegment),
            ("a/", PathError::EmptySegment),
            ("../x", PathError::DotSegment),
            ("a/./b", PathError::DotSegment),
            (".git/config", PathError::GitDir),
            ("sub/.GIT/hooks/x", PathError::GitDir),
            ("a\\b", PathError::Backslash),
            ("a\0b", PathError::ControlCharacter),
            ("a\nb", PathError::ControlCharacter),
        ];
        for (raw, err) in cases {
            assert_eq!(RepoPath::parse(raw), Err(err), "{raw:?}");
        }
        assert_eq!(RepoPath::parse(&"s".repeat(256)), Err(PathError::SegmentTooLong));
        assert_eq!(RepoPath::parse(&["s"; 513].join("/")), Err(PathError::TooLong));
        assert!(RepoPath::parse(&"s".repeat(255)).is_ok());
    }

    #[test]
    fn slugs_come_from_names_and_are_checked() {
        assert_eq!(AppSlug::from_name("  My Great App! v2 ").as_str(), "my-great-app-v2");
        assert_eq!(AppSlug::from_name("¡¡¡").as_str(), "app");
        assert_eq!(AppSlug::from_name("x").with_suffix(3).as_str(), "x-3");
        assert!(AppSlug::parse("ok-slug-1").is_ok());
        for bad in ["", "-x", "x-", "Upper", "a_b", &"a".repeat(65)] {
            assert_eq!(AppSlug::parse(bad), Err(SlugError), "{bad}");
        }
    }

    #[test]
    fn revisions_are_full_lower_case_hex() {
        assert!(Revision::parse(&"a1".repeat(20)).is_ok());
        assert!(Revision::parse("a1b2").is_err());
        assert!(Revision::parse(&"A1".repeat(20)).is_err());
        assert!(Revision::parse(&"g1".repeat(20)).is_err());
    }
}

/// The package name prefix for a runtime level (`Playbook` → `TCPB_-_`), per tcex-cli.
pub fn package_prefix(runtime_level: &str) -> Option<&'static str> {
    Some(match runtime_level {
        "Playbook" => "TCPB_-_",
        "Organization" => "TC_-_",
        "ApiService" => "TCVA_-_",
        "FeedApiService" => "TCVF_-_",
        "TriggerService" => "TCVC_-_",
        "WebhookTriggerService" => "TCVW_-_",
        _ => return None,
    })
}

/// The package (`tcex.json` `app_name`) for a display name: the prefix, then the name's words
/// joined by `_`, keeping only `A-Z a-z 0-9 _ -` (no spaces, as tcex-cli requires).
pub fn package_name(prefix: &str, display_name: &str) -> String {
    let words: Vec<String> = display_name
        .split_whitespace()
        .map(|w| w.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect::<String>())
        .filter(|w| !w.is_empty())
        .collect();
    format!("{prefix}{}", if words.is_empty() { "App".to_owned() } else { words.join("_") })
}

#[cfg(test)]
mod package_tests {
    use super::*;

    #[test]
    fn package_names_follow_the_runtime_level_prefix_and_have_no_spaces() {
        assert_eq!(package_prefix("Playbook"), Some("TCPB_-_"));
        assert_eq!(package_prefix("Organization"), Some("TC_-_"));
        assert_eq!(package_prefix("WebhookTriggerService"), Some("TCVW_-_"));
        assert_eq!(package_prefix("playbook"), None);
        assert_eq!(package_name("TCPB_-_", "Hello  World!"), "TCPB_-_Hello_World");
        assert_eq!(package_name("TC_-_", "¡!"), "TC_-_App");
    }
}
