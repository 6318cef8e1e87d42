//! The rules. Each problem has a stable code (documented in docs/metadata.md), a severity, the
//! file, a JSON pointer, the line where known, a message that says what to do, and a fix where the
//! repair is mechanical.

use super::json::{Scan, scan};
use super::model::{DATA_TYPES, FEATURES, InstallJson, LayoutJson, PARAM_TYPES, Param, RUNTIME_LEVELS, TcexJson};
use super::sql::check_display;
use super::{Document, json};
use crate::app::{package_name, package_prefix};
use crate::problem::{Edit, Fix, Problem, Severity};
use serde_json::{Value, json as j};
use std::collections::{BTreeMap, BTreeSet, HashMap};

const INSTALL: &str = "install.json";
const LAYOUT: &str = "layout.json";
const TCEX: &str = "tcex.json";

/// What the validator looks at: the texts of the app's top-level JSON files (at least
/// install.json, layout.json and tcex.json when they exist), every path of the app, and its slug
/// (for the output naming standard).
#[derive(Debug, Clone, Default)]
pub struct Files {
    pub texts: BTreeMap<String, String>,
    pub paths: BTreeSet<String>,
    pub slug: String,
}

struct Report {
    problems: Vec<Problem>,
    scans: HashMap<String, Scan>,
}

impl Report {
    fn add(
        &mut self,
        code: &str,
        severity: Severity,
        file: &str,
        pointer: &str,
        message: impl Into<String>,
    ) -> &mut Problem {
        let line = self.scans.get(file).and_then(|s| s.line_of(pointer));
        self.problems.push(Problem {
            code: code.into(),
            severity,
            file: file.into(),
            pointer: pointer.into(),
            line,
            message: message.into(),
            fix: None,
        });
        self.problems.last_mut().expect("just pushed")
    }
}

fn fix(title: impl Into<String>, edits: Vec<Edit>) -> Option<Fix> {
    Some(Fix { title: title.into(), edits })
}

fn set(file: &str, pointer: &str, value: Value) -> Edit {
    Edit::Set { file: file.into(), pointer: pointer.into(), value }
}

/// Every problem of the app's metadata, in file order.
pub fn validate(files: &Files) -> Vec<Problem> {
    let mut report = Report { problems: Vec::new(), scans: HashMap::new() };
    let mut docs: BTreeMap<&str, Document> = BTreeMap::new();
    for (path, text) in &files.texts {
        if path.contains('/') || !path.ends_with(".json") {
            continue;
        }
        report.scans.insert(path.clone(), scan(text));
        match Document::parse(text) {
            Ok(doc) => {
                if !doc.trailing_commas.is_empty() {
                    let (clean, _) = json::without_trailing_commas(text);
                    let p = report.add(
                        "json.trailing_comma",
                        Severity::Error,
                        path,
                        "",
                        "This file has trailing commas, which strict JSON readers (and the platform) refuse.",
                    );
                    p.line = doc.trailing_commas.first().copied();
                    p.fix = fix("Remove the trailing commas", vec![Edit::Write { file: path.clone(), text: clean }]);
                }
                docs.insert(path, doc);
            }
            Err(err) => {
                let p = report.add(
                    "json.syntax",
                    Severity::Error,
                    path,
                    "",
                    format!(
                        "{path} is not valid JSON: {}. Fix the syntax at line {}, column {}.",
                        err.message, err.line, err.column
                    ),
                );
                p.line = Some(err.line);
            }
        }
    }
    match docs.get(INSTALL) {
        Some(doc) => check_install(&mut report, &doc.value, files),
        None if files.texts.contains_key(INSTALL) => {}
        None => {
            report.add(
                "install.missing",
                Severity::Error,
                INSTALL,
                "",
                "The app has no install.json; every app needs one.",
            );
        }
    }
    let install = docs.get(INSTALL).map(|d| InstallJson::read(&d.value)).unwrap_or_default();
    if let Some(doc) = docs.get(INSTALL) {
        for (path, source) in files.texts.iter().filter(|(p, _)| !p.contains('/') && p.ends_with(".py")) {
            report.problems.extend(super::python_contract::check(&install, &doc.value, &files.slug, path, source));
        }
    }
    if let Some(doc) = docs.get(LAYOUT) {
        check_layout(&mut report, &doc.value, &install);
    }
    match docs.get(TCEX) {
        Some(doc) => check_tcex(&mut report, &doc.value, &install),
        None if files.texts.contains_key(TCEX) => {}
        None => {
            let name = suggested_app_name(&install);
            let text =
                Document::new(j!({"package": {"app_name": name, "excludes": [".git", "tests", "target"]}})).to_text();
            let p = report.add(
                "tcex.missing",
                Severity::Warning,
                TCEX,
                "",
                "The app has no tcex.json; packaging needs one naming the package (package.app_name).",
            );
            p.fix =
                fix(format!("Create tcex.json with app_name {name}"), vec![Edit::Write { file: TCEX.into(), text }]);
        }
    }
    if let Some(main) = install.program_main.as_deref() {
        let file = if main.ends_with(".py") { main.to_owned() } else { format!("{main}.py") };
        if !files.paths.is_empty() && !files.paths.contains(&file) {
            report.add(
                "install.program_main.missing_file",
                Severity::Error,
                INSTALL,
                "/programMain",
                format!("programMain names {main}, but the app has no {file}."),
            );
        }
    }
    report.problems
}

fn check_install(report: &mut Report, value: &Value, files: &Files) {
    let Some(object) = value.as_object() else {
        report.add("install.not_object", Severity::Error, INSTALL, "", "install.json must hold a JSON object.");
        return;
    };
    for (key, kind) in [
        ("displayName", "text"),
        ("programVersion", "text"),
        ("runtimeLevel", "text"),
        ("programLanguage", "text"),
        ("programMain", "text"),
        ("languageVersion", "text"),
        ("listDelimiter", "text"),
        ("features", "list"),
        ("allowOnDemand", "true/false"),
        ("params", "list"),
    ] {
        let pointer = format!("/{key}");
        match object.get(key) {
            None => {
                let legacy_fix = match key {
                    "features" => {
                        fix("Add the default features", vec![set(INSTALL, "/features", default_features(value))])
                    }
                    "listDelimiter" => fix("Set listDelimiter to |", vec![set(INSTALL, "/listDelimiter", j!("|"))]),
                    "allowOnDemand" => fix("Set allowOnDemand to true", vec![set(INSTALL, "/allowOnDemand", j!(true))]),
                    "params" => fix("Add an empty params list", vec![set(INSTALL, "/params", j!([]))]),
                    "programLanguage" => {
                        fix("Set programLanguage to PYTHON", vec![set(INSTALL, "/programLanguage", j!("PYTHON"))])
                    }
                    _ => None,
                };
                // tcex-cli requires all but allowOnDemand and params, which older platforms want.
                let (code, severity) = match key {
                    "features" => ("install.features.missing", Severity::Error),
                    "allowOnDemand" | "params" => ("install.recommended", Severity::Warning),
                    _ => ("install.required", Severity::Error),
                };
                let p =
                    report.add(code, severity, INSTALL, &pointer, format!("install.json should have {key} ({kind})."));
                p.fix = legacy_fix;
            }
            Some(found) => {
                let ok = match kind {
                    "text" => found.is_string(),
                    "list" => found.is_array(),
                    _ => found.is_boolean(),
                };
                if !ok {
                    report.add(
                        "install.type",
                        Severity::Error,
                        INSTALL,
                        &pointer,
                        format!("{key} must be {kind}, not {}.", type_name(found)),
                    );
                }
            }
        }
    }
    let install = InstallJson::read(value);
    if let Some(name) = &install.display_name {
        let length = name.chars().count();
        if !(3..=100).contains(&length) {
            report.add(
                "install.display_name.length",
                Severity::Error,
                INSTALL,
                "/displayName",
                format!("displayName must be 3 to 100 characters; it has {length}."),
            );
        }
    }
    if let Some(version) = &install.program_version
        && !is_semver(version)
    {
        let p = report.add(
            "install.program_version.format",
            Severity::Error,
            INSTALL,
            "/programVersion",
            format!("programVersion must be X.Y.Z (three numbers), not {version:?}."),
        );
        if let Some(fixed) = pad_version(version) {
            p.fix = fix(format!("Use {fixed}"), vec![set(INSTALL, "/programVersion", j!(fixed))]);
        }
    }
    match install.runtime_level.as_deref() {
        Some(level) if !RUNTIME_LEVELS.contains(&level) => {
            let known = RUNTIME_LEVELS.join(", ");
            report.add(
                "install.runtime_level.unknown",
                Severity::Error,
                INSTALL,
                "/runtimeLevel",
                format!("runtimeLevel {level:?} is not one of {known}."),
            );
        }
        _ => {}
    }
    match install.program_language.as_deref() {
        Some("PYTHON") | None => {}
        Some("python") => {
            let p = report.add(
                "install.program_language.legacy",
                Severity::Warning,
                INSTALL,
                "/programLanguage",
                "programLanguage should be upper-case PYTHON.",
            );
            p.fix = fix("Use PYTHON", vec![set(INSTALL, "/programLanguage", j!("PYTHON"))]);
        }
        Some(other) => {
            report.add(
                "install.program_language.unsupported",
                Severity::Error,
                INSTALL,
                "/programLanguage",
                format!("AppBuilder builds Python apps; programLanguage is {other:?}."),
            );
        }
    }
    if let Some(version) = &install.language_version
        && let Some(short) = version.strip_suffix(".x")
    {
        let p = report.add(
            "install.language_version.legacy",
            Severity::Warning,
            INSTALL,
            "/languageVersion",
            format!("languageVersion {version:?} is an old form; write {short:?}."),
        );
        p.fix = fix(format!("Use {short}"), vec![set(INSTALL, "/languageVersion", j!(short))]);
    }
    if let Some(delimiter) = &install.list_delimiter
        && delimiter != "|"
    {
        let p = report.add(
            "install.list_delimiter",
            Severity::Error,
            INSTALL,
            "/listDelimiter",
            "listDelimiter must be |.",
        );
        p.fix = fix("Use |", vec![set(INSTALL, "/listDelimiter", j!("|"))]);
    }
    match value.get("appId") {
        None => {
            let p = report.add("install.app_id.missing", Severity::Warning, INSTALL, "/appId", "install.json has no appId: the platform would see every package as a new app. Add one and keep it forever.");
            p.fix = fix("Add an appId", vec![set(INSTALL, "/appId", j!(derived_uuid(&files.slug)))]);
        }
        Some(Value::String(id)) if is_uuid(id) => {}
        Some(_) => {
            report.add(
                "install.app_id.format",
                Severity::Error,
                INSTALL,
                "/appId",
                "appId must be a UUID such as 3f2b9c1e-8d4a-4c7b-9e2f-1a2b3c4d5e6f.",
            );
        }
    }
    check_features(report, &install);
    check_params(report, value, &install);
    check_outputs(report, value, &install, &files.slug);
}

fn check_features(report: &mut Report, install: &InstallJson) {
    let level = install.runtime_level.as_deref().unwrap_or("");
    for (i, feature) in install.features.iter().enumerate() {
        let pointer = format!("/features/{i}");
        let known =
            FEATURES.contains(&feature.as_str()) || feature.starts_with("Creates") || feature.starts_with("Deletes");
        if feature == "aotExecutionEnabled" {
            let p = report.add(
                "install.features.deprecated",
                Severity::Warning,
                INSTALL,
                &pointer,
                "aotExecutionEnabled is deprecated; tcex-cli drops it.",
            );
            let rest: Vec<&String> = install.features.iter().filter(|f| *f != feature).collect();
            p.fix = fix("Remove aotExecutionEnabled", vec![set(INSTALL, "/features", j!(rest))]);
        } else if !known {
            report.add(
                "install.features.unknown",
                Severity::Warning,
                INSTALL,
                &pointer,
                format!("{feature:?} is not a feature tcex-cli knows; it is kept, but check the spelling."),
            );
        } else if feature.starts_with("webhook") && level != "WebhookTriggerService" {
            report.add(
                "install.features.runtime_level",
                Severity::Warning,
                INSTALL,
                &pointer,
                format!("{feature} only means something for WebhookTriggerService apps; this one is {level}."),
            );
        } else if feature == "runtimeVariables" && level != "Playbook" {
            report.add(
                "install.features.runtime_level",
                Severity::Info,
                INSTALL,
                &pointer,
                format!("runtimeVariables is for Playbook apps; this one is {level}."),
            );
        }
    }
}

fn check_params(report: &mut Report, value: &Value, install: &InstallJson) {
    let mut names: HashMap<String, usize> = HashMap::new();
    let mut sequences: HashMap<i64, usize> = HashMap::new();
    for (i, param) in install.params.iter().enumerate() {
        let at = |field: &str| if field.is_empty() { format!("/params/{i}") } else { format!("/params/{i}/{field}") };
        let raw = &value["params"][i];
        match &param.name {
            None => {
                report.add(
                    "param.name.missing",
                    Severity::Error,
                    INSTALL,
                    &at(""),
                    "Every param needs a name (the key the app reads the input by).",
                );
            }
            Some(name) => {
                if !name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') || name.is_empty() {
                    let p = report.add(
                        "param.name.format",
                        Severity::Error,
                        INSTALL,
                        &at("name"),
                        format!("Param name {name:?} may only hold lower-case letters, digits and _."),
                    );
                    let fixed = snake_case(name);
                    if !fixed.is_empty() {
                        p.fix = fix(format!("Rename to {fixed}"), vec![set(INSTALL, &at("name"), j!(fixed))]);
                    }
                }
                if let Some(first) = names.insert(name.clone(), i) {
                    report.add(
                        "param.name.duplicate",
                        Severity::Error,
                        INSTALL,
                        &at("name"),
                        format!("Param name {name:?} is used twice (params {first} and {i}); names must be unique."),
                    );
                }
            }
        }
        match raw.get("type") {
            None => {
                let p = report.add("param.type.missing", Severity::Error, INSTALL, &at(""), "This param has no type.");
                p.fix = fix("Make it a String param", vec![set(INSTALL, &at("type"), j!("String"))]);
            }
            Some(Value::String(kind)) if PARAM_TYPES.contains(&kind.as_str()) => {}
            Some(other) => {
                report.add(
                    "param.type.unknown",
                    Severity::Error,
                    INSTALL,
                    &at("type"),
                    format!("Param type {other} is not one of {}.", PARAM_TYPES.join(", ")),
                );
            }
        }
        if param.label.as_deref().is_none_or(|l| l.trim().is_empty()) {
            let label = param.name.as_deref().map(title_case).unwrap_or_default();
            let p = report.add(
                "param.label.missing",
                Severity::Error,
                INSTALL,
                &at(""),
                "This param has no label: users see the label in the form, and tcex-cli requires it.",
            );
            if !label.is_empty() {
                p.fix = fix(format!("Label it {label:?}"), vec![set(INSTALL, &at("label"), j!(label))]);
            }
        }
        if let Some(sequence) = param.sequence
            && let Some(first) = sequences.insert(sequence, i)
        {
            report.add(
                "param.sequence.duplicate",
                Severity::Error,
                INSTALL,
                &at("sequence"),
                format!("Sequence {sequence} is used by params {first} and {i}; sequence numbers must be unique."),
            );
        }
        check_param_values(report, raw, param, &at);
    }
}

fn check_param_values(report: &mut Report, raw: &Value, param: &Param, at: &dyn Fn(&str) -> String) {
    let kind = param.kind.as_deref().unwrap_or("");
    let choices: Vec<&String> = param.valid_values.iter().filter(|v| !v.starts_with("${")).collect();
    if matches!(kind, "Choice" | "MultiChoice") && param.valid_values.is_empty() {
        report.add(
            "param.choice.valid_values",
            Severity::Error,
            INSTALL,
            &at(""),
            format!("A {kind} param needs validValues: the choices users pick from."),
        );
    }
    match raw.get("default") {
        Some(Value::Number(n)) => {
            let p = report.add(
                "param.default.integer",
                Severity::Error,
                INSTALL,
                &at("default"),
                "default is a number; tcex-cli and the platform expect text (or true/false for Boolean params).",
            );
            p.fix = fix(format!("Use \"{n}\""), vec![set(INSTALL, &at("default"), j!(n.to_string()))]);
        }
        Some(Value::String(default)) if matches!(kind, "Choice" | "MultiChoice") && !choices.is_empty() => {
            let parts: Vec<&str> =
                if kind == "MultiChoice" { default.split('|').collect() } else { vec![default.as_str()] };
            if let Some(bad) = parts.into_iter().find(|d| !d.is_empty() && !choices.iter().any(|c| c == d)) {
                report.add(
                    "param.default.not_a_choice",
                    Severity::Error,
                    INSTALL,
                    &at("default"),
                    format!("default {bad:?} is not one of the validValues."),
                );
            }
        }
        Some(Value::Bool(_)) if kind != "Boolean" && !kind.is_empty() => {
            report.add(
                "param.default.type",
                Severity::Warning,
                INSTALL,
                &at("default"),
                format!("A {kind} param's default should be text."),
            );
        }
        _ => {}
    }
    if raw.get("exposePlaybookKeyAs").and_then(Value::as_str) == Some("TCEnhancedEntity") {
        let p = report.add(
            "param.expose_as.legacy",
            Severity::Error,
            INSTALL,
            &at("exposePlaybookKeyAs"),
            "exposePlaybookKeyAs TCEnhancedEntity is an old form tcex-cli refuses; write TCEntity.",
        );
        p.fix = fix("Use TCEntity", vec![set(INSTALL, &at("exposePlaybookKeyAs"), j!("TCEntity"))]);
    }
    for (k, data_type) in param.playbook_data_type.iter().enumerate() {
        if !is_data_type(data_type) {
            report.add(
                "param.playbook_data_type.unknown",
                Severity::Error,
                INSTALL,
                &at(&format!("playbookDataType/{k}")),
                format!("{data_type:?} is not a playbook data type."),
            );
        }
    }
    if param.encrypt && kind != "String" && !kind.is_empty() {
        report.add(
            "param.encrypt.type",
            Severity::Warning,
            INSTALL,
            &at("encrypt"),
            "Only String params can be encrypted (passwords, keys).",
        );
    }
}

fn check_outputs(report: &mut Report, value: &Value, install: &InstallJson, slug: &str) {
    let retry = &value["playbook"]["retry"];
    if retry.is_object() {
        for key in ["defaultDelayMinutes", "defaultMaxRetries"] {
            if retry.get(key).is_none() {
                let p = report.add(
                    "playbook.retry.defaults",
                    Severity::Warning,
                    INSTALL,
                    "/playbook/retry",
                    format!("playbook.retry lacks {key}."),
                );
                p.fix = fix(format!("Set {key} to 0"), vec![set(INSTALL, &format!("/playbook/retry/{key}"), j!(0))]);
            }
        }
    }
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    let prefix = slug.replace('-', "_");
    for (i, output) in install.outputs.iter().enumerate() {
        let at = |field: &str| {
            format!(
                "/playbook/outputVariables/{i}{}",
                if field.is_empty() { String::new() } else { format!("/{field}") }
            )
        };
        let Some(name) = &output.name else {
            report.add("output.name.missing", Severity::Error, INSTALL, &at(""), "Every output variable needs a name.");
            continue;
        };
        let kind = output.kind.clone().unwrap_or_default();
        if output.kind.is_none() {
            report.add(
                "output.type.missing",
                Severity::Error,
                INSTALL,
                &at(""),
                format!("Output {name} needs a type (String, StringArray, TCEntity...)."),
            );
        } else if !is_data_type(&kind) {
            report.add(
                "output.type.unknown",
                Severity::Error,
                INSTALL,
                &at("type"),
                format!("{kind:?} is not a playbook data type."),
            );
        }
        if let Some(first) = seen.insert((name.clone(), kind.clone()), i) {
            report.add(
                "output.duplicate",
                Severity::Error,
                INSTALL,
                &at(""),
                format!("Output {name}!{kind} is declared twice (outputs {first} and {i})."),
            );
        }
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || "_.-[]".contains(c)) || name.is_empty() {
            report.add(
                "output.name.format",
                Severity::Error,
                INSTALL,
                &at("name"),
                format!("Output name {name:?} may only hold letters, digits and _ . - [ ]."),
            );
            continue;
        }
        if name.chars().any(|c| c.is_ascii_uppercase()) {
            let fixed = snake_case(name);
            let p = report.add(
                "output.naming.case",
                Severity::Warning,
                INSTALL,
                &at("name"),
                format!("Output names are lower-case snake_case by the naming standard: {fixed}."),
            );
            p.fix = fix(format!("Rename to {fixed}"), vec![set(INSTALL, &at("name"), j!(fixed))]);
        }
        if !prefix.is_empty() && !name.starts_with(&format!("{prefix}.")) {
            let fixed = format!("{prefix}.{}", snake_case(name));
            let p = report.add(
                "output.naming.prefix",
                Severity::Warning,
                INSTALL,
                &at("name"),
                format!("By the naming standard output names start with the app's slug: {fixed}."),
            );
            p.fix = fix(format!("Rename to {fixed}"), vec![set(INSTALL, &at("name"), j!(fixed))]);
        }
        if name.contains(".raw") && !name.ends_with(".response.json.raw") && name.contains("response") {
            report.add(
                "output.naming.raw",
                Severity::Warning,
                INSTALL,
                &at("name"),
                format!("Raw remote data goes in {prefix}.response.json.raw by the naming standard."),
            );
        }
    }
}

fn check_layout(report: &mut Report, value: &Value, install: &InstallJson) {
    let layout = LayoutJson::read(value);
    let params: HashMap<&str, &Param> =
        install.params.iter().filter_map(|p| p.name.as_deref().map(|n| (n, p))).collect();
    let columns: Vec<String> = params.keys().map(|k| (*k).to_owned()).collect();
    let mut placed: HashMap<String, String> = HashMap::new();
    for (s, section) in layout.inputs.iter().enumerate() {
        let title_ok = section.title.as_deref().is_some_and(|t| (3..=100).contains(&t.chars().count()));
        if !title_ok {
            report.add(
                "layout.section.title",
                Severity::Error,
                LAYOUT,
                &format!("/inputs/{s}"),
                "Every input section needs a title of 3 to 100 characters.",
            );
        }
        if section.sequence.is_none() {
            let p = report.add(
                "layout.section.sequence",
                Severity::Error,
                LAYOUT,
                &format!("/inputs/{s}"),
                "Every input section needs a sequence number (its place in the form).",
            );
            p.fix = fix(format!("Number it {}", s + 1), vec![set(LAYOUT, &format!("/inputs/{s}/sequence"), j!(s + 1))]);
        }
        for (k, (name, display)) in section.parameters.iter().enumerate() {
            let pointer = format!("/inputs/{s}/parameters/{k}");
            match params.get(name.as_str()) {
                None => {
                    report.add(
                        "layout.param.unknown",
                        Severity::Error,
                        LAYOUT,
                        &format!("{pointer}/name"),
                        format!("layout.json places {name:?}, which is not a param of install.json."),
                    );
                }
                Some(param) if !param.visible() => {
                    report.add(
                        "layout.param.hidden",
                        Severity::Error,
                        LAYOUT,
                        &format!("{pointer}/name"),
                        format!("{name} is hidden or a service setting, so it must not be in layout.json."),
                    );
                }
                Some(_) => {}
            }
            if let Some(previous) = placed.insert(name.clone(), pointer.clone()) {
                report.add(
                    "layout.param.duplicate",
                    Severity::Error,
                    LAYOUT,
                    &pointer,
                    format!("{name} is placed twice (also at {previous})."),
                );
            }
            check_clause(report, &pointer, display.as_deref(), &columns);
        }
    }
    for param in install.params.iter().filter(|p| p.visible()) {
        if let Some(name) = &param.name
            && !placed.contains_key(name)
        {
            let message =
                format!("Param {name} is not placed in layout.json; every visible param must be, exactly once.");
            let sections = layout.inputs.first().map(|first| first.parameters.len());
            let problem = report.add("layout.param.missing", Severity::Error, LAYOUT, "/inputs", message);
            if let Some(count) = sections {
                let at = format!("/inputs/0/parameters/{count}");
                problem.fix =
                    fix(format!("Add {name} to the first section"), vec![set(LAYOUT, &at, j!({"name": name}))]);
            }
        }
    }
    let outputs: BTreeSet<&str> = install.outputs.iter().filter_map(|o| o.name.as_deref()).collect();
    for (k, (name, display)) in layout.outputs.iter().enumerate() {
        let pointer = format!("/outputs/{k}");
        if !outputs.contains(name.as_str()) {
            report.add(
                "layout.output.unknown",
                Severity::Error,
                LAYOUT,
                &format!("{pointer}/name"),
                format!("layout.json lists output {name:?}, which install.json does not declare."),
            );
        }
        check_clause(report, &pointer, display.as_deref(), &columns);
    }
    if !install.features.iter().any(|f| f == "layoutEnabledApp") {
        let mut features = install.features.clone();
        features.push("layoutEnabledApp".into());
        let p = report.add(
            "install.features.layout",
            Severity::Info,
            INSTALL,
            "/features",
            "The app has a layout.json; tcex-cli adds the layoutEnabledApp feature when it packages it.",
        );
        p.fix = fix("Add layoutEnabledApp", vec![set(INSTALL, "/features", j!(features))]);
    }
}

/// Reports the `display` clause of the layout entry at `pointer` when it is not a valid condition
/// over the input names `columns`.
fn check_clause(report: &mut Report, pointer: &str, display: Option<&str>, columns: &[String]) {
    if let Some(display) = display
        && let Err(why) = check_display(display, columns)
    {
        report.add(
            "layout.display.invalid",
            Severity::Error,
            LAYOUT,
            &format!("{pointer}/display"),
            format!("The display clause {display:?} is not a valid condition: {why}."),
        );
    }
}

fn check_tcex(report: &mut Report, value: &Value, install: &InstallJson) {
    let tcex = TcexJson::read(value);
    match tcex.app_name.as_deref() {
        None => {
            let name = suggested_app_name(install);
            let p = report.add(
                "tcex.app_name.missing",
                Severity::Error,
                TCEX,
                "/package",
                "tcex.json needs package.app_name: the package's (and the installed app's) name.",
            );
            p.fix = fix(format!("Use {name}"), vec![set(TCEX, "/package/app_name", j!(name))]);
        }
        Some(name) if name.contains(char::is_whitespace) => {
            let fixed = name.split_whitespace().collect::<Vec<_>>().join("_");
            let p = report.add(
                "tcex.app_name.spaces",
                Severity::Error,
                TCEX,
                "/package/app_name",
                format!("package.app_name may not contain spaces: {fixed}."),
            );
            p.fix = fix(format!("Use {fixed}"), vec![set(TCEX, "/package/app_name", j!(fixed))]);
        }
        Some(_) => {}
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn is_semver(version: &str) -> bool {
    let parts: Vec<&str> = version.split('.').collect();
    parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

/// "1" → "1.0.0", "1.2" → "1.2.0".
fn pad_version(version: &str) -> Option<String> {
    let parts: Vec<&str> = version.trim().trim_start_matches('v').split('.').collect();
    if parts.is_empty()
        || parts.len() > 3
        || !parts.iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    let mut parts: Vec<String> = parts.into_iter().map(str::to_owned).collect();
    parts.resize(3, "0".into());
    Some(parts.join("."))
}

fn is_uuid(id: &str) -> bool {
    let groups: Vec<&str> = id.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups.iter().all(|g| g.chars().all(|c| c.is_ascii_hexdigit()))
}

fn is_data_type(kind: &str) -> bool {
    DATA_TYPES.contains(&kind)
        || (!kind.is_empty() && kind.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
}

/// A stable UUID-shaped id derived from `seed` (a fix must give the same answer each time it is
/// computed; the server's import path makes random ones).
fn derived_uuid(seed: &str) -> String {
    let mut state: u64 = 0xcbf2_9ce4_8422_2325;
    let mut bytes = [0u8; 16];
    for (i, byte) in bytes.iter_mut().enumerate() {
        for b in seed.bytes().chain([i as u8]) {
            state ^= u64::from(b);
            state = state.wrapping_mul(0x0100_0000_01b3);
        }
        *byte = (state >> 24) as u8;
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

fn default_features(value: &Value) -> Value {
    let playbook = value.get("runtimeLevel").and_then(Value::as_str) == Some("Playbook");
    if playbook {
        j!(["appBuilderCompliant", "redisPasswordSupport", "runtimeVariables"])
    } else {
        j!(["redisPasswordSupport"])
    }
}

/// `someName-Here` → `some_name_here`.
fn snake_case(name: &str) -> String {
    let mut out = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            if previous_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            previous_lower = false;
        } else if c == '-' || c == ' ' {
            out.push('_');
            previous_lower = false;
        } else {
            out.push(c);
            previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        }
    }
    out
}

fn title_case(name: &str) -> String {
    name.split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map(|c| c.to_uppercase().chain(chars).collect::<String>()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `TCPB_-_Display_Name` from the runtime level and display name (Playbook when unknown).
fn suggested_app_name(install: &InstallJson) -> String {
    let prefix = install.runtime_level.as_deref().and_then(package_prefix).unwrap_or("TCPB_-_");
    package_name(prefix, install.display_name.as_deref().unwrap_or("App"))
}

#[cfg(test)]
mod tests;
