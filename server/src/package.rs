//! `appbuilder package DIR [-o OUT]`: the build's package step on a folder, for CI pipelines.
//! Validates like `appbuilder validate` (errors stop it), then writes the same deterministic
//! `.tcx` a server build writes, and prints its path, size and sha256.

use crate::config::PackageArgs;
use crate::validate::{default_slug, human};
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit code 1 when the app has errors or cannot be packaged, 2 when the folder cannot be read
/// or the package cannot be written.
pub fn run(args: &PackageArgs) -> ExitCode {
    let files = match build::source::read_folder(&args.dir, "") {
        Ok(files) => files,
        Err(err) => {
            eprintln!("appbuilder package: cannot read {}: {err}", args.dir.display());
            return ExitCode::from(2);
        }
    };
    let slug = args.slug.clone().unwrap_or_else(|| default_slug(&args.dir));
    let (checked, python) = apps::problems::files_to_check(&slug, files.iter().map(|(p, b)| (p.clone(), b.clone())));
    let problems = apps::problems::check(&checked, &python);
    if apps::problems::has_errors(&problems) {
        for problem in problems.iter().filter(|p| p.severity == domain::problem::Severity::Error) {
            eprintln!("{}", human(problem));
        }
        eprintln!("appbuilder package: the app has errors; fix them (see `appbuilder validate`) and package again");
        return ExitCode::from(1);
    }
    let package = match build::package(&files) {
        Ok(package) => package,
        Err(err) => {
            eprintln!("appbuilder package: {err}");
            return ExitCode::from(1);
        }
    };
    let out = output_path(args, &package.file_name);
    let written =
        out.parent().map_or(Ok(()), std::fs::create_dir_all).and_then(|()| write_atomically(&out, &package.bytes));
    if let Err(err) = written {
        eprintln!("appbuilder package: cannot write {}: {err}", out.display());
        return ExitCode::from(2);
    }
    if args.json {
        let report = serde_json::json!({
            "path": out, "file_name": package.file_name, "folder": package.folder,
            "size": package.bytes.len(), "sha256": package.sha256, "files": package.files,
        });
        println!("{}", serde_json::to_string_pretty(&report).expect("a report serialises"));
    } else {
        println!("package: {}", out.display());
        println!("size:    {} bytes", package.bytes.len());
        println!("sha256:  {}", package.sha256);
    }
    ExitCode::SUCCESS
}

/// `-o` names a file, or a folder (existing, or written with a trailing `/`) to put it in;
/// the default is the app's `target/` folder, as with `tcex package`.
fn output_path(args: &PackageArgs, file_name: &str) -> PathBuf {
    match &args.output {
        Some(out) if out.is_dir() || out.as_os_str().to_string_lossy().ends_with('/') => out.join(file_name),
        Some(out) => out.clone(),
        None => args.dir.join("target").join(file_name),
    }
}

/// Writes beside the destination and renames, so a reader never sees half a package.
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let partial = path.with_extension("tcx.partial");
    std::fs::write(&partial, bytes)?;
    std::fs::rename(&partial, path)
}
