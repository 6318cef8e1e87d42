//! Reading an app folder from disk. Links are never followed (a vendored package could plant one
//! pointing anywhere on the host), `.git` is skipped, and the size limits of the version store
//! apply to what is read.

use crate::{BuildError, Files};
use std::path::Path;

/// The largest folder read, in bytes (vendored dependencies included).
pub const MAX_FOLDER_BYTES: u64 = 500 * 1024 * 1024;
/// The most files read from one folder.
pub const MAX_FOLDER_FILES: usize = 100_000;

/// Every regular file under `dir`, by relative path; `prefix` is put before each path
/// (`"deps/"` to read a vendored folder into an app's files).
pub fn read_folder(dir: &Path, prefix: &str) -> Result<Files, BuildError> {
    let mut files = Files::new();
    let mut total = 0u64;
    let mut pending = vec![(dir.to_path_buf(), prefix.to_owned())];
    let fail = |path: &Path, err: std::io::Error| BuildError::Internal(format!("reading {}: {err}", path.display()));
    while let Some((folder, relative)) = pending.pop() {
        for entry in std::fs::read_dir(&folder).map_err(|e| fail(&folder, e))? {
            let entry = entry.map_err(|e| fail(&folder, e))?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                return Err(BuildError::Invalid(format!("{} has a file name that is not UTF-8", folder.display())));
            };
            // file_type() does not follow links: a link is neither a file nor a folder here.
            let kind = entry.file_type().map_err(|e| fail(&entry.path(), e))?;
            let path = format!("{relative}{name}");
            if kind.is_dir() {
                if name != ".git" {
                    pending.push((entry.path(), format!("{path}/")));
                }
            } else if kind.is_file() {
                let bytes = std::fs::read(entry.path()).map_err(|e| fail(&entry.path(), e))?;
                total += bytes.len() as u64;
                if total > MAX_FOLDER_BYTES || files.len() >= MAX_FOLDER_FILES {
                    return Err(BuildError::Invalid(format!(
                        "{} holds more than {MAX_FOLDER_FILES} files or {MAX_FOLDER_BYTES} bytes",
                        dir.display()
                    )));
                }
                files.insert(path, bytes);
            }
        }
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_and_git_are_not_read() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("pkg/sub")).expect("mkdir");
        std::fs::create_dir_all(dir.path().join(".git")).expect("mkdir");
        std::fs::write(dir.path().join("pkg/sub/a.py"), "a").expect("write");
        std::fs::write(dir.path().join(".git/HEAD"), "ref").expect("write");
        std::os::unix::fs::symlink("/etc/passwd", dir.path().join("pkg/passwd")).expect("link");
        std::os::unix::fs::symlink("/etc", dir.path().join("etc")).expect("link");
        let files = read_folder(dir.path(), "deps/").expect("reads");
        assert_eq!(files.keys().collect::<Vec<_>>(), ["deps/pkg/sub/a.py"]);
    }
}
