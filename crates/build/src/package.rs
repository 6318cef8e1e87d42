//! The `.tcx` package: a zip with one top folder `<app_name>_<version>` holding the app minus
//! its excludes, directory entries included, and install.json normalised.
//!
//! Deterministic: entries sorted by path, every timestamp 1980-01-01 00:00, permissions 0644
//! for files and 0755 for folders, one deflate level. The same files give the same bytes.

use crate::excludes::Excludes;
use crate::normalize::{PackageFacts, Version, normalize_install_json};
use crate::{BuildError, Files};
use domain::app::{package_name, package_prefix};
use domain::manifest::Document;
use domain::manifest::model::{InstallJson, TcexJson};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::io::{Cursor, Write};
use zip::write::SimpleFileOptions;

/// A written package.
#[derive(Debug, Clone)]
pub struct Package {
    /// The top folder, the platform's upgrade key: `TCPB_-_Hello_v1`.
    pub folder: String,
    /// `<folder>.tcx`.
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// Lower-case hex.
    pub sha256: String,
    /// The files inside the top folder, sorted (folders not listed).
    pub files: Vec<String>,
}

/// Where the package's name comes from: tcex.json's `app_name` and `app_version` when set, else
/// the runtime level's prefix with the display name, and `v` + the major of `programVersion`.
pub fn folder_name(install: &InstallJson, tcex: &TcexJson) -> Result<String, BuildError> {
    let app_name = match &tcex.app_name {
        Some(name) => name.clone(),
        None => {
            let level = install.runtime_level.as_deref().unwrap_or_default();
            let prefix = package_prefix(level).ok_or_else(|| {
                BuildError::Invalid(format!("install.json runtimeLevel {level:?} is not one tcex-cli knows"))
            })?;
            package_name(prefix, install.display_name.as_deref().unwrap_or_default())
        }
    };
    if app_name.is_empty() || app_name.contains([' ', '/', '\\']) || app_name.starts_with('.') {
        return Err(BuildError::Invalid(format!(
            "tcex.json package.app_name {app_name:?} may not be empty, start with '.', or contain spaces or slashes"
        )));
    }
    let version = match &tcex.app_version {
        Some(version) if !version.is_empty() && !version.contains(['/', '\\', ' ']) => version.clone(),
        Some(version) => {
            return Err(BuildError::Invalid(format!(
                "tcex.json package.app_version {version:?} is not a usable version"
            )));
        }
        None => {
            let program = install.program_version.as_deref().unwrap_or_default();
            let major = strict_major(program).ok_or_else(|| {
                BuildError::Invalid(format!("install.json programVersion {program:?} is not X.Y.Z (for example 1.0.0)"))
            })?;
            format!("v{major}")
        }
    };
    Ok(format!("{app_name}_{version}"))
}

fn strict_major(version: &str) -> Option<u64> {
    let parts: Vec<&str> = version.split('.').collect();
    let numeric = |p: &&str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if parts.len() == 3 && parts.iter().all(numeric) { parts[0].parse().ok() } else { None }
}

/// The version of the tcex vendored under `deps/` or `lib_*/`, from its `.dist-info` folder.
pub fn vendored_tcex(files: &Files) -> Option<Version> {
    files.keys().find_map(|path| {
        let mut segments = path.split('/');
        let top = segments.next()?;
        let second = segments.next()?;
        let vendored = top == "deps" || top.starts_with("lib_");
        let version = second.strip_prefix("tcex-")?.strip_suffix(".dist-info")?;
        if vendored { Version::coerce(version) } else { None }
    })
}

/// Packs `files` (the app's files, vendored dependencies included) into a `.tcx`.
pub fn package(files: &Files) -> Result<Package, BuildError> {
    let install_bytes =
        files.get("install.json").ok_or_else(|| BuildError::Invalid("the app has no install.json".into()))?;
    let mut install_doc = Document::parse(&String::from_utf8_lossy(install_bytes))
        .map_err(|e| BuildError::Invalid(format!("install.json line {}: {}", e.line, e.message)))?;
    let install = InstallJson::read(&install_doc.value);
    if install.app_id.as_deref().is_none_or(str::is_empty) {
        return Err(BuildError::Invalid(
            "install.json has no appId; add one (the editor offers a fix) so the platform keeps recognising the app"
                .into(),
        ));
    }
    let tcex = match files.get("tcex.json") {
        Some(bytes) => {
            let doc = Document::parse(&String::from_utf8_lossy(bytes))
                .map_err(|e| BuildError::Invalid(format!("tcex.json line {}: {}", e.line, e.message)))?;
            TcexJson::read(&doc.value)
        }
        None => TcexJson::default(),
    };
    let folder = folder_name(&install, &tcex)?;
    let facts = PackageFacts { has_layout: files.contains_key("layout.json"), tcex: vendored_tcex(files) };
    normalize_install_json(&mut install_doc.value, &facts);
    let install_text = install_doc.to_text();

    let excludes = Excludes::new(&tcex.excludes);
    let shipped: Vec<&String> = files.keys().filter(|path| !excludes.excludes(path)).collect();
    // A folder ships when it is not excluded, even if everything in it is (as copytree makes it).
    let mut folders = BTreeSet::new();
    for path in files.keys() {
        for (i, _) in path.match_indices('/') {
            folders.insert(&path[..i]);
        }
    }
    folders.retain(|folder| !excludes.excludes(folder));

    // Folders and files in one sorted list, so a folder's entry precedes its contents.
    let mut entries: Vec<(String, Option<&[u8]>)> = folders.into_iter().map(|f| (format!("{f}/"), None)).collect();
    for path in &shipped {
        let bytes = if path.as_str() == "install.json" { install_text.as_bytes() } else { files[*path].as_slice() };
        entries.push(((*path).clone(), Some(bytes)));
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));

    let bytes = write_zip(&folder, &entries)?;
    let sha256 = hex::encode(Sha256::digest(&bytes));
    Ok(Package {
        file_name: format!("{folder}.tcx"),
        folder,
        sha256,
        bytes,
        files: shipped.into_iter().cloned().collect(),
    })
}

fn write_zip(folder: &str, entries: &[(String, Option<&[u8]>)]) -> Result<Vec<u8>, BuildError> {
    let fixed = SimpleFileOptions::default().last_modified_time(zip::DateTime::default());
    let files =
        fixed.compression_method(zip::CompressionMethod::Deflated).compression_level(Some(6)).unix_permissions(0o644);
    let dirs = fixed.compression_method(zip::CompressionMethod::Stored).unix_permissions(0o755);
    let fail = |err: &dyn std::fmt::Display| BuildError::Internal(format!("writing the package: {err}"));
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    writer.add_directory(format!("{folder}/"), dirs).map_err(|e| fail(&e))?;
    for (path, content) in entries {
        match content {
            None => writer.add_directory(format!("{folder}/{path}"), dirs).map_err(|e| fail(&e))?,
            Some(bytes) => {
                let options = if bytes.len() > u32::MAX as usize / 2 { files.large_file(true) } else { files };
                writer.start_file(format!("{folder}/{path}"), options).map_err(|e| fail(&e))?;
                writer.write_all(bytes).map_err(|e| fail(&e))?;
            }
        }
    }
    Ok(writer.finish().map_err(|e| fail(&e))?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn app(extra: &[(&str, &str)]) -> Files {
        let install = r#"{
  "appId": "4b8c6a8e-7d3f-4c8e-9a51-0c2d3c1f2a10",
  "displayName": "Hello World",
  "features": [],
  "programVersion": "2.1.0",
  "runtimeLevel": "Playbook"
}
"#;
        let mut files: Files = [("install.json", install), ("app.py", "print('hi')\n"), ("tests/test_app.py", "")]
            .into_iter()
            .map(|(p, c)| (p.to_owned(), c.as_bytes().to_vec()))
            .collect();
        files.extend(extra.iter().map(|(p, c)| ((*p).to_owned(), c.as_bytes().to_vec())));
        files
    }

    fn names(bytes: &[u8]) -> Vec<String> {
        let archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
        archive.file_names().map(str::to_owned).collect()
    }

    #[test]
    fn the_folder_is_named_from_the_runtime_level_and_major_version_or_tcex_json() {
        let package = package(&app(&[])).expect("packs");
        assert_eq!(package.folder, "TCPB_-_Hello_World_v2");
        assert_eq!(package.file_name, "TCPB_-_Hello_World_v2.tcx");
        let custom = app(&[("tcex.json", r#"{"package": {"app_name": "TCPB_-_Hi", "app_version": "v2.0"}}"#)]);
        assert_eq!(super::package(&custom).expect("packs").folder, "TCPB_-_Hi_v2.0");
        let spaced = app(&[("tcex.json", r#"{"package": {"app_name": "TCPB - Hi"}}"#)]);
        assert!(matches!(super::package(&spaced), Err(BuildError::Invalid(m)) if m.contains("spaces")));
    }

    #[test]
    fn entries_are_sorted_with_folders_and_excludes_applied() {
        let files = app(&[
            ("deps/lib/__init__.py", ""),
            ("deps/lib/__pycache__/x.cpython-311.pyc", ""),
            ("app_inputs.json", "{}"),
            ("docs/private/notes.md", ""),
            ("tcex.json", r#"{"package": {"app_name": "TCPB_-_Hi", "excludes": ["docs/private"]}}"#),
        ]);
        let package = package(&files).expect("packs");
        assert_eq!(
            names(&package.bytes),
            [
                "TCPB_-_Hi_v2/",
                "TCPB_-_Hi_v2/app.py",
                "TCPB_-_Hi_v2/deps/",
                "TCPB_-_Hi_v2/deps/lib/",
                "TCPB_-_Hi_v2/deps/lib/__init__.py",
                "TCPB_-_Hi_v2/docs/",
                "TCPB_-_Hi_v2/install.json",
                "TCPB_-_Hi_v2/tcex.json",
            ]
        );
    }

    #[test]
    fn the_same_files_give_the_same_bytes() {
        let first = package(&app(&[("README.md", "# hi")])).expect("packs");
        let second = package(&app(&[("README.md", "# hi")])).expect("packs");
        assert_eq!(first.bytes, second.bytes);
        assert_eq!(first.sha256, second.sha256);
        let changed = package(&app(&[("README.md", "# hi!")])).expect("packs");
        assert_ne!(first.sha256, changed.sha256);
    }

    #[test]
    fn install_json_is_normalised_inside_and_a_missing_app_id_is_refused() {
        let files = app(&[("deps/tcex-4.0.5.dist-info/METADATA", "")]);
        let package = package(&files).expect("packs");
        let mut archive = zip::ZipArchive::new(Cursor::new(&package.bytes)).expect("a zip");
        let mut text = String::new();
        archive
            .by_name("TCPB_-_Hello_World_v2/install.json")
            .expect("present")
            .read_to_string(&mut text)
            .expect("utf-8");
        let value: serde_json::Value = serde_json::from_str(&text).expect("json");
        assert_eq!(value["sdkVersion"], "4.0.5");
        assert_eq!(value["appId"], "4b8c6a8e-7d3f-4c8e-9a51-0c2d3c1f2a10");
        let file = archive.by_name("TCPB_-_Hello_World_v2/app.py").expect("present");
        assert_eq!(file.unix_mode().map(|m| m & 0o777), Some(0o644));

        let mut no_id = app(&[]);
        no_id.insert(
            "install.json".into(),
            br#"{"displayName": "X", "programVersion": "1.0.0", "runtimeLevel": "Playbook"}"#.to_vec(),
        );
        assert!(matches!(super::package(&no_id), Err(BuildError::Invalid(m)) if m.contains("appId")));
    }

    #[test]
    fn a_loose_program_version_is_refused() {
        let mut files = app(&[]);
        let text = String::from_utf8(files["install.json"].clone()).expect("utf-8").replace("2.1.0", "2.1");
        files.insert("install.json".into(), text.into_bytes());
        assert!(matches!(package(&files), Err(BuildError::Invalid(m)) if m.contains("X.Y.Z")));
    }
}
