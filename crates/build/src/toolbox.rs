//! The host's build tools, found once at start-up: Python interpreters by `major.minor` (on the
//! PATH, pyenv's versions, `/usr/bin`, `/usr/local/bin`) and the pinned ruff.

use crate::normalize::Version;
use crate::sandbox::host_output;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The ruff version `scripts/setup` installs (into `target/build-tools`).
pub const RUFF_VERSION: &str = "0.17.0";

/// One interpreter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Python {
    /// `3.11.7`.
    pub version: String,
    pub executable: PathBuf,
    /// Its install prefix (`sys.base_prefix`), mounted read-only into the sandbox.
    pub prefix: PathBuf,
}

impl Python {
    /// `3.11`.
    pub fn major_minor(&self) -> String {
        self.version.splitn(3, '.').take(2).collect::<Vec<_>>().join(".")
    }
}

/// What a build can use on this host.
#[derive(Debug, Clone, Default)]
pub struct Toolbox {
    /// By `major.minor`.
    pub pythons: BTreeMap<Version, Python>,
    pub ruff: Option<PathBuf>,
}

/// The interpreter picked for an app, and whether it is the one asked for.
#[derive(Debug, Clone)]
pub struct Choice<'a> {
    pub python: &'a Python,
    pub exact: bool,
}

const ASK: &str = "import sys; print(sys.version.split()[0]); print(sys.base_prefix)";

impl Toolbox {
    /// Looks for interpreters 3.6 to 3.14 and for ruff (`ruff` given, else
    /// `target/build-tools/bin/ruff`, else on the PATH).
    pub fn discover(ruff: Option<PathBuf>) -> Toolbox {
        let mut candidates: Vec<PathBuf> = Vec::new();
        let path_dirs: Vec<PathBuf> =
            std::env::var_os("PATH").map(|p| std::env::split_paths(&p).collect()).unwrap_or_default();
        let pyenv = std::env::var_os("PYENV_ROOT")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".pyenv")));
        let mut pyenv_bins: Vec<PathBuf> = pyenv
            .and_then(|root| std::fs::read_dir(root.join("versions")).ok())
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .map(|e| e.path().join("bin"))
            .collect();
        pyenv_bins.sort();
        for minor in 6..=14 {
            let name = format!("python3.{minor}");
            for dir in
                pyenv_bins.iter().chain(&path_dirs).chain(&[PathBuf::from("/usr/bin"), PathBuf::from("/usr/local/bin")])
            {
                let candidate = dir.join(&name);
                if candidate.is_file() && !candidate.to_string_lossy().contains("/shims/") {
                    candidates.push(candidate);
                }
            }
        }
        let mut pythons = BTreeMap::new();
        for candidate in candidates {
            let Some(answer) = host_output(&candidate, &["-I", "-c", ASK]) else { continue };
            let mut lines = answer.lines();
            let (Some(version), Some(prefix)) = (lines.next(), lines.next()) else { continue };
            let Some(parsed) = Version::coerce(version) else { continue };
            let key = Version(parsed.0, parsed.1, 0);
            pythons.entry(key).or_insert_with(|| Python {
                version: version.to_owned(),
                executable: candidate.canonicalize().unwrap_or(candidate),
                prefix: PathBuf::from(prefix),
            });
        }
        let ruff = ruff
            .or_else(|| Some(PathBuf::from("target/build-tools/bin/ruff")).filter(|p| p.is_file()))
            .or_else(|| path_dirs.iter().map(|d| d.join("ruff")).find(|p| p.is_file()))
            .filter(|p| host_output(p, &["--version"]).is_some_and(|v| v.contains(RUFF_VERSION)))
            .map(|p| p.canonicalize().unwrap_or(p));
        Toolbox { pythons, ruff }
    }

    /// The interpreter for an app's `languageVersion`: that `major.minor` when present, else the
    /// nearest newer one, else the newest.
    pub fn python_for(&self, language_version: Option<&str>) -> Option<Choice<'_>> {
        let wanted = language_version.and_then(Version::coerce).map(|v| Version(v.0, v.1, 0));
        if let Some(wanted) = wanted {
            if let Some(python) = self.pythons.get(&wanted) {
                return Some(Choice { python, exact: true });
            }
            if let Some((_, python)) = self.pythons.range(wanted..).next() {
                return Some(Choice { python, exact: false });
            }
        }
        self.pythons.values().next_back().map(|python| Choice { python, exact: wanted.is_none() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn python(version: &str) -> Python {
        Python {
            version: version.into(),
            executable: PathBuf::from(format!("/x/{version}")),
            prefix: PathBuf::from("/x"),
        }
    }

    #[test]
    fn the_asked_version_else_the_nearest_newer_else_the_newest() {
        let toolbox = Toolbox {
            pythons: [(Version(3, 9, 0), python("3.9.18")), (Version(3, 11, 0), python("3.11.7"))].into(),
            ruff: None,
        };
        let pick = |v: Option<&str>| toolbox.python_for(v).map(|c| (c.python.version.clone(), c.exact));
        assert_eq!(pick(Some("3.11")), Some(("3.11.7".into(), true)));
        assert_eq!(pick(Some("3.6.x")), Some(("3.9.18".into(), false)));
        assert_eq!(pick(Some("3.10")), Some(("3.11.7".into(), false)));
        assert_eq!(pick(Some("3.13")), Some(("3.11.7".into(), false)));
        assert_eq!(pick(None), Some(("3.11.7".into(), true)));
        assert_eq!(Toolbox::default().python_for(Some("3.11")).map(|c| c.exact), None);
    }

    #[test]
    fn this_host_has_a_python_3() {
        let toolbox = Toolbox::discover(None);
        let choice = toolbox.python_for(Some("3.11")).expect("an interpreter");
        assert!(choice.python.executable.is_file());
        assert!(choice.python.version.starts_with("3."));
    }
}
