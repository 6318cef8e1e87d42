//! An app's problems: the metadata rules of `domain::manifest` plus what only the server can
//! check — that the top-level Python files parse. Shared by `GET .../problems`, the build and
//! `appbuilder validate DIR`.

use domain::manifest::{Files, validate};
use domain::problem::{Problem, Severity};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::process::{Command, Stdio};

/// Parses Python sources without running them (`ast.parse` only builds a syntax tree): reads a
/// JSON list of `[path, source]` and prints `path<TAB>line<TAB>message` for each that fails.
const PARSE_ONLY: &str = r#"
import ast, json, sys
for path, src in json.load(sys.stdin):
    try:
        ast.parse(src, path)
    except SyntaxError as e:
        print(f"{path}\t{e.lineno or 0}\t{e.msg}")
"#;

/// The files the rules read: every top-level `.json` and `.py` file's text, and every path.
pub fn files_to_check(slug: &str, all: impl IntoIterator<Item = (String, Vec<u8>)>) -> (Files, Vec<(String, Vec<u8>)>) {
    let mut texts = BTreeMap::new();
    let mut paths = BTreeSet::new();
    let mut python = Vec::new();
    for (path, bytes) in all {
        let top_level = !path.contains('/');
        if top_level && path.ends_with(".json") {
            texts.insert(path.clone(), String::from_utf8_lossy(&bytes).into_owned());
        } else if top_level && path.ends_with(".py") {
            // The contract rules read the Python too; python3 checks its syntax.
            texts.insert(path.clone(), String::from_utf8_lossy(&bytes).into_owned());
            python.push((path.clone(), bytes));
        }
        paths.insert(path);
    }
    (Files { texts, paths, slug: slug.to_owned() }, python)
}

/// Every problem: metadata rules, then Python syntax (when a `python3` is on the PATH; its
/// absence is itself reported, as info).
pub fn check(files: &Files, python: &[(String, Vec<u8>)]) -> Vec<Problem> {
    let mut problems = validate(files);
    problems.extend(check_python(python));
    problems
}

/// The syntax problems of Python sources (`path`, bytes): one per file that does not parse, or
/// one note when no `python3` can be started.
///
/// A file tree-sitter's Python grammar reads without an error (and without Python 2 statements,
/// which that grammar also accepts) is taken as valid at once; only the others go to one
/// `python3` process, whose `ast.parse` has the last word (the grammar is slightly more lenient
/// than CPython, never stricter in practice, so no valid file is reported).
pub fn check_python(python: &[(String, Vec<u8>)]) -> Vec<Problem> {
    let doubtful: Vec<(String, Vec<u8>)> =
        python.iter().filter(|(_, source)| !clearly_valid(source)).cloned().collect();
    if doubtful.is_empty() {
        return Vec::new();
    }
    match python_syntax(&doubtful) {
        Ok(failures) => failures
            .into_iter()
            .map(|(path, line, message)| Problem {
                line: Some(line),
                ..Problem::file(
                    "python.syntax",
                    Severity::Error,
                    &path,
                    format!("{path} does not parse as Python: {message} (line {line})."),
                )
            })
            .collect(),
        Err(why) => vec![Problem::file(
            "python.unchecked",
            Severity::Info,
            &python[0].0,
            format!("Python syntax was not checked: {why}."),
        )],
    }
}

/// Whether tree-sitter reads `source` as Python 3 without an error.
fn clearly_valid(source: &[u8]) -> bool {
    let mut parser = tree_sitter::Parser::new();
    if parser.set_language(&tree_sitter_python::LANGUAGE.into()).is_err() {
        return false;
    }
    let Some(tree) = parser.parse(source, None) else { return false };
    if tree.root_node().has_error() {
        return false;
    }
    let mut cursor = tree.walk();
    loop {
        if matches!(cursor.node().kind(), "print_statement" | "exec_statement") {
            return false;
        }
        if cursor.goto_first_child() || cursor.goto_next_sibling() {
            continue;
        }
        loop {
            if !cursor.goto_parent() {
                return true;
            }
            if cursor.goto_next_sibling() {
                break;
            }
        }
    }
}

/// `(path, line, message)` of every source that does not parse.
fn python_syntax(python: &[(String, Vec<u8>)]) -> Result<Vec<(String, u32, String)>, String> {
    let sources: Vec<(&str, String)> =
        python.iter().map(|(path, bytes)| (path.as_str(), String::from_utf8_lossy(bytes).into_owned())).collect();
    let input = serde_json::to_vec(&sources).map_err(|err| err.to_string())?;
    let mut child = Command::new("python3")
        .args(["-I", "-S", "-c", PARSE_ONLY])
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|err| format!("python3 could not be started ({err})"))?;
    child.stdin.take().expect("piped").write_all(&input).map_err(|err| err.to_string())?;
    let output = child.wait_with_output().map_err(|err| err.to_string())?;
    if !output.status.success() {
        return Err(format!("python3 failed ({})", output.status));
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| {
            let mut parts = line.splitn(3, '\t');
            let (path, number, message) = (parts.next()?, parts.next()?, parts.next()?);
            Some((path.to_owned(), number.parse().unwrap_or(0), message.to_owned()))
        })
        .collect())
}

/// [`check_python`] on the blocking pool (it starts a process).
pub async fn check_python_off_thread(python: Vec<(String, Vec<u8>)>) -> Vec<Problem> {
    tokio::task::spawn_blocking(move || check_python(&python)).await.unwrap_or_else(|err| {
        vec![Problem::file("python.unchecked", Severity::Info, "", format!("Python syntax was not checked: {err}."))]
    })
}

/// Whether any problem is an error (what makes `appbuilder validate` and a build fail).
pub fn has_errors(problems: &[Problem]) -> bool {
    problems.iter().any(|p| p.severity == Severity::Error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_syntax_errors_are_found_without_running_the_code() {
        let (files, python) = files_to_check(
            "demo",
            [
                ("ok.py".to_owned(), b"import os\nprint(1)\n".to_vec()),
                ("bad.py".to_owned(), b"def f(:\n    pass\n".to_vec()),
                ("runs.py".to_owned(), b"open('/tmp/appbuilder-must-not-exist', 'w')\n".to_vec()),
                ("lib/nested.py".to_owned(), b"this is not python".to_vec()),
                ("py2.py".to_owned(), b"print 'python 2'\n".to_vec()),
                (
                    "modern.py".to_owned(),
                    b"match x:\n    case 1:\n        pass\ndef f[T](x: T) -> T: return x\n".to_vec(),
                ),
            ],
        );
        let problems = check(&files, &python);
        let python: Vec<&Problem> = problems.iter().filter(|p| p.code.starts_with("python.")).collect();
        let files: Vec<&str> = python.iter().map(|p| p.file.as_str()).collect();
        assert_eq!(files, ["bad.py", "py2.py"], "{python:#?}");
        assert_eq!(python[0].line, Some(1));
        assert!(!std::path::Path::new("/tmp/appbuilder-must-not-exist").exists());
        assert!(has_errors(&problems), "no install.json is an error too");
    }
}
