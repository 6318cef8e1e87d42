//! The app's Python against its contract: an input read that install.json does not declare as a
//! param, and an output written (a dict key with the app's output prefix) that install.json does
//! not declare. Both are warnings — the run would get nothing, or drop the output — and the second
//! has a fix that declares the output. A plain scan of the source (never run, never imported): it
//! finds `inputs.get('name')`, `inputs['name']` and `'<prefix>.name':`.

use crate::manifest::model::InstallJson;
use crate::problem::{Edit, Fix, Problem, Severity};
use serde_json::{Value, json};

/// Inputs the runtime gives besides the params (a webhook's request).
const RUNTIME_INPUTS: &[&str] = &["trg.http.body", "trg.http.header", "trg.http.queryparam"];

/// Problems of `file` (a top-level .py file's `source`) against install.json.
pub fn check(install: &InstallJson, install_value: &Value, slug: &str, file: &str, source: &str) -> Vec<Problem> {
    let mut problems = Vec::new();
    let params: Vec<&str> = install.params.iter().filter_map(|p| p.name.as_deref()).collect();
    for (offset, name) in input_reads(source) {
        if !params.contains(&name) && !RUNTIME_INPUTS.contains(&name) {
            problems.push(problem(
                "python.input.undeclared",
                file,
                line_of(source, offset),
                format!("{file} reads the input {name:?}, which install.json does not declare: add a param {name:?}, or fix the name (the run would get nothing)."),
            ));
        }
    }
    let declared: Vec<&str> = install.outputs.iter().filter_map(|o| o.name.as_deref()).collect();
    let mut prefixes: Vec<String> = declared.iter().filter_map(|n| n.split('.').next()).map(str::to_owned).collect();
    prefixes.push(slug.replace('-', "_"));
    let outputs = install_value.pointer("/playbook/outputVariables").and_then(Value::as_array);
    for (offset, name) in dict_keys(source) {
        let first = name.split('.').next().unwrap_or_default();
        if !name.contains('.') || !prefixes.iter().any(|p| p == first) || declared.contains(&name) {
            continue;
        }
        let mut found = problem(
            "python.output.undeclared",
            file,
            line_of(source, offset),
            format!(
                "{file} writes the output {name:?}, which install.json does not declare: the run would drop it. Declare it (and pick its type), or fix the name."
            ),
        );
        if let Some(outputs) = outputs {
            found.fix = Some(Fix {
                title: format!("Declare {name} (String) in install.json"),
                edits: vec![Edit::Set {
                    file: "install.json".into(),
                    pointer: format!("/playbook/outputVariables/{}", outputs.len()),
                    value: json!({"name": name, "type": "String"}),
                }],
            });
        }
        problems.push(found);
    }
    problems
}

/// The names the editor completes in Python, from install.json's text: each param (`where:
/// "input"`) and each declared output (`where: "output"`) with its type. Empty when the text does
/// not parse.
pub fn completion_names(install_text: &str) -> String {
    let Ok(value) = serde_json::from_str::<Value>(install_text) else {
        return "[]".to_owned();
    };
    let install = InstallJson::read(&value);
    let params = install.params.iter().filter_map(|p| {
        let name = p.name.as_deref()?;
        Some(json!({"label": name, "detail": format!("input · {}", p.kind.as_deref().unwrap_or("String")), "where": "input"}))
    });
    let outputs = install.outputs.iter().filter_map(|o| {
        let name = o.name.as_deref()?;
        Some(json!({"label": name, "detail": format!("output · {}", o.kind.as_deref().unwrap_or("?")), "where": "output"}))
    });
    Value::Array(params.chain(outputs).collect()).to_string()
}

fn problem(code: &str, file: &str, line: u32, message: String) -> Problem {
    Problem {
        code: code.into(),
        severity: Severity::Warning,
        file: file.into(),
        pointer: String::new(),
        line: Some(line),
        message,
        fix: None,
    }
}

fn line_of(source: &str, offset: usize) -> u32 {
    u32::try_from(source[..offset].matches('\n').count() + 1).unwrap_or(u32::MAX)
}

/// The quoted text starting at `at` (a quote character), if it closes on the same line.
fn quoted(source: &str, at: usize) -> Option<&str> {
    let quote = source[at..].chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let rest = &source[at + 1..];
    let end = rest.find([quote, '\n'])?;
    rest[end..].starts_with(quote).then(|| &rest[..end])
}

/// `inputs.get('name')` and `inputs['name']`: (offset, name).
fn input_reads(source: &str) -> Vec<(usize, &str)> {
    let mut found = Vec::new();
    for opener in ["inputs.get(", "inputs["] {
        for (at, _) in source.match_indices(opener) {
            let start = at + opener.len();
            let skipped = source[start..].len() - source[start..].trim_start_matches([' ', '\t']).len();
            if let Some(name) = quoted(source, start + skipped) {
                found.push((at, name));
            }
        }
    }
    found.sort_unstable();
    found
}

/// String literals used as dict keys (`'name':`) that look like variable names: (offset, name).
fn dict_keys(source: &str) -> Vec<(usize, &str)> {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(next) = source[at..].find(['\'', '"']) {
        let start = at + next;
        match quoted(source, start) {
            Some(text) => {
                let after = start + text.len() + 2;
                let is_key = source[after..].trim_start_matches([' ', '\t']).starts_with(':');
                let plain = !text.is_empty()
                    && text.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '[' | ']'));
                if is_key && plain {
                    found.push((start, text));
                }
                at = after;
            }
            None => at = start + 1,
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn install() -> Value {
        json!({"params": [{"name": "text", "type": "String"}],
               "playbook": {"outputVariables": [{"name": "hello.results.text", "type": "String"}]}})
    }

    fn problems(source: &str) -> Vec<Problem> {
        let value = install();
        check(&InstallJson::read(&value), &value, "hello", "app.py", source)
    }

    #[test]
    fn completion_names_are_the_params_and_the_outputs_with_their_types() {
        let names: Value = serde_json::from_str(&completion_names(&install().to_string())).expect("json");
        assert_eq!(
            names,
            json!([{"label": "text", "detail": "input · String", "where": "input"},
                   {"label": "hello.results.text", "detail": "output · String", "where": "output"}])
        );
        assert_eq!(completion_names("{ broken"), "[]");
    }

    #[test]
    fn declared_inputs_and_outputs_pass() {
        let source = "def run(self):\n    t = self.inputs.get('text')\n    b = self.inputs.get('trg.http.body')\n    return {'hello.results.text': t, 'status': 1}\n";
        assert_eq!(problems(source), []);
    }

    #[test]
    fn an_undeclared_input_and_output_are_warned_about_on_their_lines() {
        let source = "x = self.inputs.get( \"txet\" )\ny = self.inputs['text']\nreturn {\n  'hello.results.length': 3,\n  'other.thing': 1,\n}\n";
        let found = problems(source);
        let codes: Vec<(&str, Option<u32>)> = found.iter().map(|p| (p.code.as_str(), p.line)).collect();
        assert_eq!(codes, [("python.input.undeclared", Some(1)), ("python.output.undeclared", Some(4))]);
        assert!(found[0].message.contains("\"txet\""));
        let fix = found[1].fix.as_ref().expect("a fix");
        assert_eq!(
            fix.edits,
            [Edit::Set {
                file: "install.json".into(),
                pointer: "/playbook/outputVariables/1".into(),
                value: json!({"name": "hello.results.length", "type": "String"})
            }]
        );
    }

    #[test]
    fn the_fix_declares_the_output_and_the_warning_goes() {
        let source = "return {'hello.results.length': 3}\n";
        let mut files = std::collections::BTreeMap::from([("install.json".to_owned(), install().to_string())]);
        let fix = problems(source)[0].fix.clone().expect("a fix");
        crate::manifest::apply_fix(&mut files, &fix).expect("applies");
        let value: Value = serde_json::from_str(&files["install.json"]).expect("json");
        assert_eq!(check(&InstallJson::read(&value), &value, "hello", "app.py", source), []);
    }
}
