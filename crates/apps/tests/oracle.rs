//! Oracle tests: fixture apps (one valid, and broken ones for each rule tcex-cli checks) run
//! through `tcex validate` (tcex-cli 2.0.0, the platform's own checker) and through our checks.
//! Wherever tcex reports a problem we must report it too (with a code that names it); where tcex
//! crashes we must still give a precise verdict.
//!
//! `TCEX_BIN` names the tcex command (scripts/test installs it into target/tcex-venv); under CI its
//! absence is a failure.

use apps::problems::{check, files_to_check};
use domain::problem::{Problem, Severity};
use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;

/// A fixture: its files, and the codes our checks must report for it.
struct Case {
    name: &'static str,
    files: Vec<(&'static str, String)>,
    ours: &'static [&'static str],
}

fn install() -> Value {
    json!({
        "appId": "3f2b9c1e-8d4a-4c7b-9e2f-1a2b3c4d5e6f",
        "allowOnDemand": true,
        "displayName": "Oracle App",
        "features": ["appBuilderCompliant", "layoutEnabledApp", "redisPasswordSupport", "runtimeVariables"],
        "languageVersion": "3.11",
        "listDelimiter": "|",
        "programLanguage": "PYTHON",
        "programMain": "run.py",
        "programVersion": "1.0.0",
        "runtimeLevel": "Playbook",
        "params": [
            {"label": "Action", "name": "tc_action", "type": "Choice", "validValues": ["Lookup", "Report"], "sequence": 1, "required": true},
            {"label": "Indicator", "name": "indicator", "type": "String", "playbookDataType": ["String"], "sequence": 2},
            {"label": "API Key", "name": "api_key", "type": "String", "encrypt": true, "sequence": 3}
        ],
        "playbook": {"type": "Utility", "outputVariables": [
            {"name": "oracle_app.response.json.raw", "type": "String"},
            {"name": "oracle_app.results.score", "type": "String"}
        ]}
    })
}

fn layout() -> Value {
    json!({
        "inputs": [
            {"title": "Action", "sequence": 1, "parameters": [{"name": "tc_action"}]},
            {"title": "Lookup", "sequence": 2, "parameters": [
                {"name": "indicator", "display": "tc_action in ('Lookup')"},
                {"name": "api_key"}
            ]}
        ],
        "outputs": [{"name": "oracle_app.results.score", "display": "tc_action = 'Lookup'"}]
    })
}

fn tcex_json() -> Value {
    json!({"package": {"app_name": "TCPB_-_Oracle_App", "excludes": ["tests"]}})
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).expect("serialises")
}

/// The valid app with `edit_install` and `edit_layout` applied, plus extra files.
fn app(
    edit_install: impl FnOnce(&mut Value),
    edit_layout: impl FnOnce(&mut Value),
    extra: &[(&'static str, &str)],
) -> Vec<(&'static str, String)> {
    let (mut i, mut l) = (install(), layout());
    edit_install(&mut i);
    edit_layout(&mut l);
    let mut files = vec![
        ("install.json", pretty(&i)),
        ("layout.json", pretty(&l)),
        ("tcex.json", pretty(&tcex_json())),
        ("run.py", "print('run')\n".to_owned()),
        ("requirements.txt", "tcex>=4.0\n".to_owned()),
    ];
    for (path, text) in extra {
        files.retain(|(p, _)| p != path);
        files.push((path, (*text).to_owned()));
    }
    files
}

fn none(_: &mut Value) {}

fn cases() -> Vec<Case> {
    vec![
        Case { name: "valid", files: app(none, none, &[]), ours: &[] },
        Case {
            name: "python-syntax",
            files: app(none, none, &[("helpers.py", "def f(:\n    pass\n")]),
            ours: &["python.syntax"],
        },
        Case {
            name: "json-syntax",
            files: app(none, none, &[("tcex.json", "{\"package\": {\"app_name\": \"X\"\n")]),
            ours: &["json.syntax"],
        },
        Case {
            name: "duplicate-param-names-and-sequences",
            files: app(
                |i| {
                    i["params"][2]["name"] = json!("indicator");
                    i["params"][2]["sequence"] = json!(2);
                },
                |l| {
                    l["inputs"][1]["parameters"].as_array_mut().unwrap().pop();
                },
                &[],
            ),
            ours: &["param.name.duplicate", "param.sequence.duplicate"],
        },
        Case {
            name: "duplicate-outputs",
            files: app(
                |i| {
                    i["playbook"]["outputVariables"]
                        .as_array_mut()
                        .unwrap()
                        .push(json!({"name": "oracle_app.results.score", "type": "String"}))
                },
                none,
                &[],
            ),
            ours: &["output.duplicate"],
        },
        Case {
            name: "layout-unknown-param",
            files: app(
                none,
                |l| l["inputs"][0]["parameters"].as_array_mut().unwrap().push(json!({"name": "ghost"})),
                &[],
            ),
            ours: &["layout.param.unknown"],
        },
        Case {
            name: "layout-hidden-param",
            files: app(|i| i["params"][2]["hidden"] = json!(true), none, &[]),
            ours: &["layout.param.hidden"],
        },
        Case {
            name: "layout-missing-param",
            files: app(
                none,
                |l| {
                    l["inputs"][1]["parameters"].as_array_mut().unwrap().pop();
                },
                &[],
            ),
            ours: &["layout.param.missing"],
        },
        Case {
            name: "layout-bad-display",
            files: app(none, |l| l["inputs"][1]["parameters"][0]["display"] = json!("nope in ('x')"), &[]),
            ours: &["layout.display.invalid"],
        },
        Case {
            name: "layout-bad-display-syntax",
            files: app(none, |l| l["outputs"][0]["display"] = json!("tc_action = = 'x'"), &[]),
            ours: &["layout.display.invalid"],
        },
        Case {
            name: "layout-unknown-output",
            files: app(
                none,
                |l| l["outputs"].as_array_mut().unwrap().push(json!({"name": "oracle_app.results.nothing"})),
                &[],
            ),
            ours: &["layout.output.unknown"],
        },
        Case {
            name: "layout-short-title",
            files: app(none, |l| l["inputs"][0]["title"] = json!("A"), &[]),
            ours: &["layout.section.title"],
        },
        Case {
            name: "program-version-not-strict",
            files: app(|i| i["programVersion"] = json!("1.0"), none, &[]),
            ours: &["install.program_version.format"],
        },
        Case {
            name: "missing-required-fields",
            files: app(
                |i| {
                    i.as_object_mut().unwrap().shift_remove("displayName");
                    i.as_object_mut().unwrap().shift_remove("runtimeLevel");
                },
                none,
                &[],
            ),
            ours: &["install.required"],
        },
        Case {
            name: "missing-features",
            files: app(
                |i| {
                    i.as_object_mut().unwrap().shift_remove("features");
                },
                none,
                &[],
            ),
            ours: &["install.features.missing"],
        },
        Case {
            name: "short-display-name",
            files: app(|i| i["displayName"] = json!("X"), none, &[]),
            ours: &["install.display_name.length"],
        },
        Case {
            name: "param-without-type",
            files: app(
                |i| {
                    i["params"][1].as_object_mut().unwrap().shift_remove("type");
                },
                none,
                &[],
            ),
            ours: &["param.type.missing"],
        },
        Case {
            name: "param-unknown-type",
            files: app(|i| i["params"][1]["type"] = json!("Number"), none, &[]),
            ours: &["param.type.unknown"],
        },
        Case {
            name: "param-without-label",
            files: app(
                |i| {
                    i["params"][1].as_object_mut().unwrap().shift_remove("label");
                },
                none,
                &[],
            ),
            ours: &["param.label.missing"],
        },
        Case {
            name: "integer-default",
            files: app(|i| i["params"][1]["default"] = json!(5), none, &[]),
            ours: &["param.default.integer"],
        },
        Case {
            name: "legacy-expose-as",
            files: app(|i| i["params"][1]["exposePlaybookKeyAs"] = json!("TCEnhancedEntity"), none, &[]),
            ours: &["param.expose_as.legacy"],
        },
        Case {
            name: "bad-app-id",
            files: app(|i| i["appId"] = json!("not-a-uuid"), none, &[]),
            ours: &["install.app_id.format"],
        },
        Case {
            name: "tcex-app-name-with-spaces",
            files: app(none, none, &[("tcex.json", "{\"package\": {\"app_name\": \"TCPB - Oracle App\"}}")]),
            ours: &["tcex.app_name.spaces"],
        },
        Case {
            name: "install-trailing-comma",
            files: {
                let mut files = app(none, none, &[]);
                files[0].1 = files[0].1.replacen("\"Report\"", "\"Report\",", 1);
                files
            },
            ours: &["json.trailing_comma"],
        },
    ]
}

/// What our checks say about a fixture.
fn ours(case: &Case) -> Vec<Problem> {
    let contents = case.files.iter().map(|(p, t)| ((*p).to_owned(), t.as_bytes().to_vec()));
    let (files, python) = files_to_check("oracle-app", contents);
    check(&files, &python)
}

/// tcex's verdict: its "Validation Errors" bullets, and whether it crashed.
fn tcex(tcex: &Path, case: &Case) -> (Vec<String>, bool, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, text) in &case.files {
        std::fs::write(dir.path().join(path), text).expect("write fixture");
    }
    let run = Command::new(tcex)
        .arg("validate")
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .env("COLUMNS", "400")
        .output()
        .expect("tcex runs");
    let report = format!("{}{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
    let crashed = report.contains("Traceback") || !run.status.success();
    let bullets = report
        .lines()
        .filter_map(|line| line.trim().trim_matches('│').trim().strip_prefix("• ").map(|b| b.trim().to_owned()))
        .collect();
    (bullets, crashed, report)
}

/// Which of our codes answer a tcex message (any one of them will do); `Err(file)` for a
/// file-level schema failure, answered by any error in that file. A message this table does not
/// know fails the test, so that a new tcex check gets a rule here too.
fn answers(bullet: &str) -> Result<&'static [&'static str], String> {
    let table: [(&str, &[&str]); 8] = [
        ("Duplicate input name", &["param.name.duplicate"]),
        ("Duplicate sequence number", &["param.sequence.duplicate"]),
        ("Duplicate output variable", &["output.duplicate"]),
        ("hidden or not found in install.json", &["layout.param.unknown", "layout.param.hidden"]),
        ("query is an invalid statement", &["layout.display.invalid"]),
        ("were not included in layout.json", &["layout.param.missing"]),
        ("Layouts output", &["layout.output.unknown", "layout.display.invalid"]),
        ("Syntax validation failed for", &["python.syntax", "json.syntax"]),
    ];
    for (needle, codes) in table {
        if bullet.contains(needle) {
            return Ok(codes);
        }
    }
    let rest = bullet
        .strip_prefix("Schema validation failed for ")
        .unwrap_or_else(|| panic!("a tcex message with no rule here: {bullet:?}"));
    Err(rest.split_once(". ").map_or(rest, |(file, _)| file).trim_end_matches('.').to_owned())
}

#[test]
fn where_tcex_validate_reports_a_problem_we_report_it_too() {
    let Some(bin) = std::env::var_os("TCEX_BIN") else {
        assert!(std::env::var_os("CI").is_none(), "CI must provide TCEX_BIN (scripts/test does)");
        eprintln!("TCEX_BIN is not set: skipping the tcex oracle (scripts/test sets it)");
        return;
    };
    let mut verdicts = Vec::new();
    for case in cases() {
        let problems = ours(&case);
        let codes: Vec<&str> = problems.iter().map(|p| p.code.as_str()).collect();
        for wanted in case.ours {
            assert!(codes.contains(wanted), "{}: we must report {wanted}; we said {codes:?}", case.name);
        }
        let (bullets, crashed, report) = tcex(Path::new(&bin), &case);
        for bullet in &bullets {
            match answers(bullet) {
                Ok(wanted) => assert!(
                    wanted.iter().any(|w| codes.contains(w)),
                    "{}: tcex says {bullet:?}; we must report one of {wanted:?}, we said {codes:?}",
                    case.name
                ),
                Err(file) => assert!(
                    problems.iter().any(|p| p.severity == Severity::Error && p.file == file),
                    "{}: tcex says {bullet:?}; we must report an error in {file}, we said {codes:?}",
                    case.name
                ),
            }
        }
        if crashed {
            assert!(
                !case.ours.is_empty() && problems.iter().any(|p| p.severity == Severity::Error),
                "{}: tcex crashed; we must name the error: {report}",
                case.name
            );
        }
        if case.name == "valid" {
            assert!(bullets.is_empty() && !crashed, "the valid fixture passes tcex: {report}");
            assert!(!problems.iter().any(|p| p.severity == Severity::Error), "and passes ours: {problems:#?}");
        }
        verdicts.push(format!(
            "{:<36} tcex: {:<2} problem(s){}  ours: {:?}",
            case.name,
            bullets.len(),
            if crashed { ", crashed" } else { "" },
            case.ours
        ));
    }
    eprintln!("{}", verdicts.join("\n"));
}

#[test]
fn every_fixture_that_should_fail_fails_our_checks() {
    for case in cases().into_iter().filter(|c| !c.ours.is_empty()) {
        let problems = ours(&case);
        let codes: Vec<&str> = problems.iter().map(|p| p.code.as_str()).collect();
        for wanted in case.ours {
            assert!(codes.contains(wanted), "{}: {wanted} in {codes:?}", case.name);
        }
    }
}

/// Writes every fixture into `ORACLE_FIXTURES_DIR/<name>/` (for bench/validate.sh).
#[test]
#[ignore = "run by bench/validate.sh"]
fn write_fixtures() {
    let root = std::path::PathBuf::from(std::env::var_os("ORACLE_FIXTURES_DIR").expect("ORACLE_FIXTURES_DIR"));
    for case in cases() {
        let dir = root.join(case.name);
        std::fs::create_dir_all(&dir).expect("fixture dir");
        for (path, text) in &case.files {
            std::fs::write(dir.join(path), text).expect("write fixture");
        }
    }
}
