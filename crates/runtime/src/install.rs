//! Installing a package: unpack it (with the import's checks against hostile archives) into a
//! folder named by its sha256, written beside and renamed, so a half-written install never shows.

use crate::RuntimeError;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// An installed package.
#[derive(Debug, Clone)]
pub struct Installed {
    pub dir: PathBuf,
    /// install.json as packaged.
    pub install: Value,
}

impl Installed {
    /// The entry point's path inside `dir`: `programMain` ("run.py", or the legacy module "run").
    pub fn entry_point(&self) -> PathBuf {
        let main = self.install.get("programMain").and_then(Value::as_str).unwrap_or("run.py");
        let file = if main.ends_with(".py") { main.to_owned() } else { format!("{main}.py") };
        self.dir.join(file)
    }

    /// The vendored dependency folder, when there is one.
    pub fn vendored(&self) -> Option<PathBuf> {
        let deps = self.dir.join("deps");
        if deps.is_dir() {
            return Some(deps);
        }
        std::fs::read_dir(&self.dir)
            .ok()?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.is_dir() && p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("lib_")))
    }

    pub fn language_version(&self) -> Option<&str> {
        self.install.get("languageVersion").and_then(Value::as_str)
    }
}

/// Installs the package `bytes` (whose digest is `sha256`) under `root`, or finds it installed.
pub fn install(root: &Path, sha256: &str, bytes: &[u8]) -> Result<Installed, RuntimeError> {
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(RuntimeError::Invalid(format!("{sha256:?} is not a sha256")));
    }
    let dir = root.join(sha256);
    if !dir.join(".complete").is_file() {
        let unpacked = apps::archive::unpack(bytes)
            .map_err(|e| RuntimeError::Invalid(format!("the package cannot be installed: {e}")))?;
        let internal = |e: std::io::Error| RuntimeError::Internal(format!("installing into {}: {e}", root.display()));
        let partial = root.join(format!("{sha256}.partial-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&partial);
        for (path, content) in &unpacked.files {
            let target = partial.join(path.as_str());
            std::fs::create_dir_all(target.parent().expect("a file has a folder")).map_err(internal)?;
            std::fs::write(&target, content).map_err(internal)?;
        }
        std::fs::write(partial.join(".complete"), sha256).map_err(internal)?;
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::rename(&partial, &dir).map_err(internal)?;
    }
    load(&dir)
}

/// Reads an installed package's install.json.
pub fn load(dir: &Path) -> Result<Installed, RuntimeError> {
    let text = std::fs::read(dir.join("install.json"))
        .map_err(|e| RuntimeError::Invalid(format!("the installed package has no install.json ({e})")))?;
    let install = serde_json::from_slice(&text).map_err(|e| RuntimeError::Invalid(format!("install.json: {e}")))?;
    Ok(Installed { dir: dir.to_path_buf(), install })
}
