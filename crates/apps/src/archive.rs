//! Archives in and out: `.zip` folders, `.tcx` packages and App Builder `.abx` exports.
//!
//! Every archive is hostile until proven otherwise. Before anything is stored, an archive is
//! refused (400, with the reason) for absolute or `..` paths, backslashes or control characters
//! in names, links, device files, more than [`MAX_ENTRIES`] entries, more than
//! [`MAX_UNPACKED_BYTES`] unpacked (counted while inflating, not trusted from headers), or an
//! entry whose compression ratio is above [`MAX_RATIO`]. `.git/` folders are skipped.

use crate::error::AppsError;
use base64::Engine;
use domain::app::{MAX_APP_BYTES, MAX_FILE_BYTES, RepoPath};
use std::io::{Cursor, Read, Write};
use zip::ZipArchive;
use zip::write::SimpleFileOptions;

/// Most entries an archive may have.
pub const MAX_ENTRIES: usize = 10_000;
/// Most bytes an archive may unpack to.
pub const MAX_UNPACKED_BYTES: u64 = 100 * 1024 * 1024;
/// Highest ratio of unpacked to packed size for one entry.
pub const MAX_RATIO: u64 = 100;

/// The files of an imported app, its root folder removed.
#[derive(Debug)]
pub struct Unpacked {
    pub format: &'static str,
    pub files: Vec<(RepoPath, Vec<u8>)>,
    /// A name the archive itself gives the app (an .abx's displayName).
    pub display_name: Option<String>,
    /// Things worth telling the importer (skipped entries).
    pub notes: Vec<String>,
}

fn unsafe_archive(reason: impl Into<String>) -> AppsError {
    AppsError::UnsafeArchive(reason.into())
}

/// One raw entry, checked and inflated.
struct Entry {
    name: String,
    bytes: Vec<u8>,
}

/// Checks an entry's name and type; `Ok(None)` for folders.
fn check_entry<R: Read>(file: &zip::read::ZipFile<'_, R>) -> Result<Option<String>, AppsError> {
    let name = file.name().to_owned();
    if name.contains('\\') {
        return Err(unsafe_archive(format!("{name:?} has a backslash in its path")));
    }
    if name.starts_with('/') || name.get(1..2) == Some(":") {
        return Err(unsafe_archive(format!("{name:?} is an absolute path")));
    }
    if name.split('/').any(|segment| segment == "..") {
        return Err(unsafe_archive(format!("{name:?} climbs out of the archive with '..'")));
    }
    if name.chars().any(char::is_control) {
        return Err(unsafe_archive(format!("{name:?} has a control character in its path")));
    }
    if let Some(mode) = file.unix_mode() {
        match mode & 0o170000 {
            0o120000 => return Err(unsafe_archive(format!("{name:?} is a symbolic link"))),
            0o020000 | 0o060000 | 0o010000 | 0o140000 => {
                return Err(unsafe_archive(format!("{name:?} is a device, pipe or socket")));
            }
            _ => {}
        }
    }
    if file.is_dir() {
        return Ok(None);
    }
    if file.compressed_size() > 0 && file.size() / file.compressed_size() > MAX_RATIO {
        return Err(unsafe_archive(format!("{name:?} expands more than {MAX_RATIO} times (a zip bomb?)")));
    }
    Ok(Some(name))
}

/// Inflates an entry, counting real bytes against the archive's budget.
fn inflate<R: Read>(
    file: &mut zip::read::ZipFile<'_, R>,
    name: &str,
    unpacked: &mut u64,
) -> Result<Vec<u8>, AppsError> {
    let mut bytes = Vec::new();
    let budget = MAX_UNPACKED_BYTES.saturating_sub(*unpacked) + 1;
    file.take(budget)
        .read_to_end(&mut bytes)
        .map_err(|err| unsafe_archive(format!("{name:?} cannot be unpacked: {err}")))?;
    *unpacked += bytes.len() as u64;
    if *unpacked > MAX_UNPACKED_BYTES {
        return Err(unsafe_archive(format!(
            "the archive unpacks to more than {} MB",
            MAX_UNPACKED_BYTES / 1024 / 1024
        )));
    }
    let packed = file.compressed_size().max(1);
    if bytes.len() as u64 / packed > MAX_RATIO {
        return Err(unsafe_archive(format!("{name:?} expands more than {MAX_RATIO} times (a zip bomb?)")));
    }
    Ok(bytes)
}

/// Reads every entry of a zip with a central directory.
fn read_zip(bytes: &[u8]) -> Result<Option<Vec<Entry>>, AppsError> {
    let Ok(mut archive) = ZipArchive::new(Cursor::new(bytes)) else { return Ok(None) };
    if archive.len() > MAX_ENTRIES {
        return Err(unsafe_archive(format!("the archive has {} entries, more than {MAX_ENTRIES}", archive.len())));
    }
    let mut unpacked = 0u64;
    let mut entries = Vec::new();
    for index in 0..archive.len() {
        let mut file =
            archive.by_index(index).map_err(|err| unsafe_archive(format!("entry {index} is unreadable: {err}")))?;
        if let Some(name) = check_entry(&file)? {
            let bytes = inflate(&mut file, &name, &mut unpacked)?;
            entries.push(Entry { name, bytes });
        }
    }
    Ok(Some(entries))
}

/// Reads a zip stream without a central directory (how App Builder writes .abx files).
fn read_zip_stream(bytes: &[u8]) -> Result<Vec<Entry>, AppsError> {
    let mut reader = Cursor::new(bytes);
    let mut unpacked = 0u64;
    let mut entries = Vec::new();
    let mut count = 0usize;
    loop {
        let failure = match zip::read::read_zipfile_from_stream(&mut reader) {
            Ok(None) => break,
            Ok(Some(mut file)) => {
                count += 1;
                if count > MAX_ENTRIES {
                    return Err(unsafe_archive(format!("the archive has more than {MAX_ENTRIES} entries")));
                }
                if let Some(name) = check_entry(&file)? {
                    let bytes = inflate(&mut file, &name, &mut unpacked)?;
                    entries.push(Entry { name, bytes });
                }
                continue;
            }
            Err(err) => err.to_string(),
        };
        // A stream cut after its last entry (no central directory at all) simply ends there.
        if !entries.is_empty() && reader.position() as usize >= bytes.len() {
            break;
        }
        return Err(AppsError::Invalid(format!("not a zip, .tcx or .abx archive: {failure}")));
    }
    if entries.is_empty() {
        return Err(AppsError::Invalid("not a zip, .tcx or .abx archive".into()));
    }
    Ok(entries)
}

/// Unpacks an uploaded archive into an app's files.
pub fn unpack(bytes: &[u8]) -> Result<Unpacked, AppsError> {
    let entries = match read_zip(bytes)? {
        Some(entries) => entries,
        None => read_zip_stream(bytes)?,
    };
    let single_json =
        entries.len() == 1 && entries[0].name.ends_with(".json") && !entries[0].name.ends_with("install.json");
    if single_json {
        return unpack_abx(&entries[0].bytes);
    }
    from_folder(entries)
}

/// A .zip or .tcx: the folder holding the shallowest install.json is the app.
fn from_folder(entries: Vec<Entry>) -> Result<Unpacked, AppsError> {
    let root = entries
        .iter()
        .filter(|e| e.name == "install.json" || e.name.ends_with("/install.json"))
        .map(|e| e.name.trim_end_matches("install.json").to_owned())
        .min_by_key(|prefix| prefix.matches('/').count())
        .or_else(|| single_top_folder(&entries))
        .unwrap_or_default();
    let format = if !root.is_empty() && root.contains("_-_") { "tcx" } else { "zip" };
    let mut notes = Vec::new();
    let mut files = Vec::new();
    let mut skipped_outside = 0;
    for entry in entries {
        let Some(relative) = entry.name.strip_prefix(&root) else {
            skipped_outside += 1;
            continue;
        };
        if relative.split('/').any(|s| s.eq_ignore_ascii_case(".git")) {
            continue;
        }
        let path = crate::service::parse_path(relative)?;
        files.push((path, entry.bytes));
    }
    if skipped_outside > 0 {
        notes.push(format!("{skipped_outside} file(s) outside the app folder {root:?} were not imported"));
    }
    Ok(Unpacked { format, files, display_name: None, notes })
}

fn single_top_folder(entries: &[Entry]) -> Option<String> {
    let first = entries.first()?.name.split_once('/')?.0;
    entries.iter().all(|e| e.name.split_once('/').is_some_and(|(top, _)| top == first)).then(|| format!("{first}/"))
}

/// An App Builder export: one JSON document listing every file as base64.
fn unpack_abx(json: &[u8]) -> Result<Unpacked, AppsError> {
    let doc: serde_json::Value = serde_json::from_slice(json)
        .map_err(|err| AppsError::Invalid(format!("the .abx document is not JSON: {err}")))?;
    let list = ["files", "appFiles", "fileList"]
        .iter()
        .find_map(|key| doc.get(key).and_then(|v| v.as_array()))
        .ok_or_else(|| AppsError::Invalid("the .abx document lists no files".into()))?;
    if list.len() > MAX_ENTRIES {
        return Err(unsafe_archive(format!("the .abx lists {} files, more than {MAX_ENTRIES}", list.len())));
    }
    let mut files = Vec::new();
    let mut total = 0u64;
    for item in list {
        let text = |keys: &[&str]| keys.iter().find_map(|k| item.get(*k).and_then(|v| v.as_str()));
        let name = text(&["path", "name", "fileName", "filename"])
            .ok_or_else(|| AppsError::Invalid("an .abx file entry has no name".into()))?;
        let contents = text(&["contents", "content"]).unwrap_or("");
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(contents.trim())
            .map_err(|err| AppsError::Invalid(format!("the contents of {name:?} are not base64: {err}")))?;
        total += bytes.len() as u64;
        if total > MAX_UNPACKED_BYTES {
            return Err(unsafe_archive(format!(
                "the .abx unpacks to more than {} MB",
                MAX_UNPACKED_BYTES / 1024 / 1024
            )));
        }
        if name.starts_with('/') || name.split(['/', '\\']).any(|s| s == "..") {
            return Err(unsafe_archive(format!("{name:?} climbs out of the app")));
        }
        files.push((crate::service::parse_path(name)?, bytes));
    }
    let display_name = doc.get("displayName").and_then(|v| v.as_str()).map(str::to_owned);
    Ok(Unpacked { format: "abx", files, display_name, notes: Vec::new() })
}

/// Checks the sizes an app may have (413 over them).
pub fn check_sizes(files: &[(RepoPath, Vec<u8>)]) -> Result<(), AppsError> {
    let mut total = 0u64;
    for (path, bytes) in files {
        if bytes.len() > MAX_FILE_BYTES {
            return Err(AppsError::TooLarge(format!(
                "{path} has {} bytes, over the limit of {MAX_FILE_BYTES} bytes per file",
                bytes.len()
            )));
        }
        total += bytes.len() as u64;
    }
    if total > MAX_APP_BYTES {
        return Err(AppsError::TooLarge(format!("the app has {total} bytes, over the limit of {MAX_APP_BYTES} bytes")));
    }
    Ok(())
}

/// Packs files into a zip under one top folder (what export downloads, and import reads back).
pub fn pack(top: &str, files: &[(RepoPath, Vec<u8>)]) -> Result<Vec<u8>, AppsError> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options =
        SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).unix_permissions(0o644);
    let fail = |err: &dyn std::fmt::Display| AppsError::Internal(format!("writing the zip: {err}"));
    writer.add_directory(format!("{top}/"), options).map_err(|e| fail(&e))?;
    for (path, bytes) in files {
        writer.start_file(format!("{top}/{path}"), options).map_err(|e| fail(&e))?;
        writer.write_all(bytes).map_err(|e| fail(&e))?;
    }
    Ok(writer.finish().map_err(|e| fail(&e))?.into_inner())
}
