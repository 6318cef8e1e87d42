//! Which files a package leaves out, decided exactly as `tcex package` (tcex-cli 2.0.0) decides:
//! its default patterns plus tcex.json's `package.excludes`, matched with Python's `fnmatch`
//! against each path relative to the app folder (and that path with a trailing `/`); an excluded
//! folder takes everything under it along.
//!
//! `fnmatch`'s `*` crosses `/`, so `tests` excludes only the top-level `tests` folder while
//! `**/*.pyc` excludes `.pyc` files in sub-folders but not at the top (tcex-cli behaves the same;
//! we add `*.pyc`, the one difference: bytecode never ships).

/// Patterns tcex-cli applies at any depth.
const GLOB_EXCLUDES: [&str; 4] = ["**/__pycache__/**", "**/*.iml", "**/*.pyc", "**/*.zip"];

/// Patterns tcex-cli applies to paths relative to the app folder (its `output_dir` `target` first).
const BASE_EXCLUDES: [&str; 51] = [
    "target",
    "__pycache__/**",
    ".cache",
    ".c9",
    ".coverage",
    ".coveragerc",
    ".cspell",
    ".DS_Store",
    ".env",
    ".git",
    ".gitignore",
    ".gitlab-ci.yml",
    ".gitmodules",
    ".history",
    ".idea",
    ".pre-commit-config.yaml",
    ".prettierignore",
    ".prettierrc.json",
    ".prettierrc.toml",
    ".pytest_cache/**",
    ".python-version",
    ".ruff_cache/**",
    ".template_manifest.json",
    "manifest.json",
    "template.json",
    ".venv",
    ".vscode",
    "angular.json",
    "app.yaml",
    "app_inputs*.json",
    "app_inputs.d",
    "artifacts",
    "assets",
    "cspell.json",
    "deps_tests",
    "local-*",
    "log",
    "JIRA.html",
    "JIRA.md",
    "karma.conf.js",
    "mappings/projects",
    "mappings/source",
    "package-lock.json",
    "package.json",
    "pyproject.toml",
    "README.html",
    "run_local.py",
    "target",
    "test-reports",
    "tests",
    // Not tcex-cli's (its `**/*.pyc` misses the top level): bytecode never ships.
    "*.pyc",
];

/// The exclude rules of one package: the defaults plus the app's own patterns.
#[derive(Debug, Clone)]
pub struct Excludes {
    patterns: Vec<String>,
}

impl Excludes {
    /// The defaults and `extra` (tcex.json `package.excludes`).
    pub fn new(extra: &[String]) -> Self {
        let patterns = GLOB_EXCLUDES
            .iter()
            .chain(BASE_EXCLUDES.iter())
            .map(|p| (*p).to_owned())
            .chain(extra.iter().cloned())
            .collect();
        Excludes { patterns }
    }

    /// Whether the entry at `path` (relative, `/`-separated; a file or a folder) is left out by
    /// itself, not counting its parents.
    pub fn matches(&self, path: &str) -> bool {
        let slashed = format!("{path}/");
        self.patterns.iter().any(|p| fnmatch(path, p) || fnmatch(&slashed, p))
    }

    /// Whether `path` or any folder above it is left out.
    pub fn excludes(&self, path: &str) -> bool {
        let parents = path.char_indices().filter(|(_, c)| *c == '/').map(|(i, _)| &path[..i]);
        parents.chain(std::iter::once(path)).any(|p| self.matches(p))
    }
}

/// Python's `fnmatch.fnmatchcase`: `*` any run (slashes too), `?` one character, `[abc]`,
/// `[a-z]` and `[!abc]` sets; everything else literal, the whole name must match.
pub fn fnmatch(name: &str, pattern: &str) -> bool {
    let name: Vec<char> = name.chars().collect();
    let pattern: Vec<char> = pattern.chars().collect();
    matches_from(&name, &pattern)
}

fn matches_from(name: &[char], pattern: &[char]) -> bool {
    // Iterative with one backtrack point per `*` (the classic wildcard algorithm).
    let (mut n, mut p) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        if p < pattern.len() {
            match pattern[p] {
                '*' => {
                    star = Some((p, n));
                    p += 1;
                    continue;
                }
                '?' => {
                    n += 1;
                    p += 1;
                    continue;
                }
                '[' => {
                    if let Some((hit, next)) = class(pattern, p, name[n]) {
                        if hit {
                            n += 1;
                            p = next;
                            continue;
                        }
                    } else if name[n] == '[' {
                        // An unclosed `[` is a literal, as in Python.
                        n += 1;
                        p += 1;
                        continue;
                    }
                }
                c if c == name[n] => {
                    n += 1;
                    p += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some((sp, sn)) => {
                p = sp + 1;
                n = sn + 1;
                star = Some((sp, sn + 1));
            }
            None => return false,
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

/// Matches `c` against the set starting at `pattern[start] == '['`: `Some((hit, index after
/// the set))`, or `None` when the set is not closed.
fn class(pattern: &[char], start: usize, c: char) -> Option<(bool, usize)> {
    let mut i = start + 1;
    let negated = matches!(pattern.get(i), Some('!'));
    if negated {
        i += 1;
    }
    let first = i;
    let mut hit = false;
    loop {
        let here = *pattern.get(i)?;
        if here == ']' && i > first {
            return Some((hit != negated, i + 1));
        }
        if pattern.get(i + 1) == Some(&'-') && pattern.get(i + 2).is_some_and(|e| *e != ']') {
            let end = pattern[i + 2];
            hit |= here <= c && c <= end;
            i += 3;
        } else {
            hit |= here == c;
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnmatch_follows_python() {
        assert!(fnmatch("tests", "tests"));
        assert!(!fnmatch("sub/tests", "tests"));
        assert!(fnmatch("a/b/c.pyc", "**/*.pyc"));
        assert!(!fnmatch("c.pyc", "**/*.pyc"), "the `/` in the pattern must be matched");
        assert!(fnmatch("app_inputs.sample.json", "app_inputs*.json"));
        assert!(fnmatch("__pycache__/", "__pycache__/**"));
        assert!(fnmatch("log", "l?g"));
        assert!(fnmatch("x1", "x[0-9]"));
        assert!(!fnmatch("xa", "x[0-9]"));
        assert!(fnmatch("xa", "x[!0-9]"));
        assert!(fnmatch("a[b", "a[b"), "an unclosed set is literal");
        assert!(fnmatch("", "*"));
        assert!(!fnmatch("abc", "ab"));
        assert!(fnmatch("abcabd", "*abd"));
    }

    #[test]
    fn folders_take_their_contents_along() {
        let ex = Excludes::new(&["docs/internal".to_owned()]);
        assert!(ex.excludes("tests/test_app.py"));
        assert!(ex.excludes("docs/internal/plan.md"));
        assert!(!ex.excludes("docs/guide.md"));
        assert!(ex.excludes("sub/__pycache__/m.cpython-311.pyc"));
        assert!(ex.excludes(".git/config"));
        assert!(ex.excludes("app_inputs.json"));
        assert!(!ex.excludes("app.py"));
        assert!(!ex.excludes("deps/requests/__init__.py"));
        assert!(!ex.excludes("sub/tests/x.py"), "tcex-cli only drops the top-level tests folder");
    }
}
