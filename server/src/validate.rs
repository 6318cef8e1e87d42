//! `appbuilder validate DIR`: the same checks as `GET .../problems`, on a folder, for CI.

use crate::config::ValidateArgs;
use domain::app::AppSlug;
use domain::problem::{Problem, Severity};
use std::path::Path;
use std::process::ExitCode;

/// Prints the folder's problems; exit code 1 when any is an error, 2 when the folder cannot be read.
pub fn run(args: &ValidateArgs) -> ExitCode {
    let contents = match read_folder(&args.dir) {
        Ok(contents) => contents,
        Err(err) => {
            eprintln!("appbuilder validate: cannot read {}: {err}", args.dir.display());
            return ExitCode::from(2);
        }
    };
    let slug = args.slug.clone().unwrap_or_else(|| default_slug(&args.dir));
    let (files, python) = apps::problems::files_to_check(&slug, contents);
    let problems = apps::problems::check(&files, &python);
    let count = |severity| problems.iter().filter(|p| p.severity == severity).count();
    if args.json {
        let report = serde_json::json!({
            "problems": problems,
            "errors": count(Severity::Error),
            "warnings": count(Severity::Warning),
        });
        println!("{}", serde_json::to_string_pretty(&report).expect("problems serialise"));
    } else {
        for problem in &problems {
            println!("{}", human(problem));
        }
        println!(
            "{} error(s), {} warning(s), {} note(s)",
            count(Severity::Error),
            count(Severity::Warning),
            count(Severity::Info)
        );
    }
    if apps::problems::has_errors(&problems) { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

/// The slug an app folder stands for when none is given: its name, made a slug.
pub fn default_slug(dir: &Path) -> String {
    let name = dir.canonicalize().ok().and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()));
    AppSlug::from_name(name.as_deref().unwrap_or("app")).to_string()
}

/// `install.json:12: error [param.name.duplicate] message (fix: title)`.
pub fn human(problem: &Problem) -> String {
    let severity = match problem.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    };
    let place = match problem.line {
        Some(line) => format!("{}:{line}", problem.file),
        None => problem.file.clone(),
    };
    let pointer = if problem.pointer.is_empty() { String::new() } else { format!(" at {}", problem.pointer) };
    let fix = problem.fix.as_ref().map(|f| format!(" (fix: {})", f.title)).unwrap_or_default();
    format!("{place}: {severity} [{}]{pointer} {}{fix}", problem.code, problem.message)
}

/// Every file under `dir` (paths relative, `/`-separated); contents only of the top-level files
/// the checks read. Links are not followed; `.git` is skipped.
fn read_folder(dir: &Path) -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let mut out = Vec::new();
    let mut pending = vec![(dir.to_path_buf(), String::new())];
    while let Some((folder, prefix)) = pending.pop() {
        for entry in std::fs::read_dir(&folder)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let kind = entry.file_type()?;
            let path = format!("{prefix}{name}");
            if kind.is_dir() && name != ".git" {
                pending.push((entry.path(), format!("{path}/")));
            } else if kind.is_file() {
                let checked = prefix.is_empty() && (name.ends_with(".json") || name.ends_with(".py"));
                let bytes = if checked { std::fs::read(entry.path())? } else { Vec::new() };
                out.push((path, bytes));
            }
        }
    }
    Ok(out)
}
