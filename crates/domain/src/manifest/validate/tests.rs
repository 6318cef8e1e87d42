use super::*;

const VALID_INSTALL: &str = r#"{
  "appId": "3f2b9c1e-8d4a-4c7b-9e2f-1a2b3c4d5e6f",
  "allowOnDemand": true,
  "displayName": "IP Lookup",
  "features": ["appBuilderCompliant", "layoutEnabledApp", "redisPasswordSupport", "runtimeVariables"],
  "languageVersion": "3.11",
  "listDelimiter": "|",
  "programLanguage": "PYTHON",
  "programMain": "run.py",
  "programVersion": "1.0.0",
  "runtimeLevel": "Playbook",
  "params": [
    {"label": "Action", "name": "tc_action", "type": "Choice", "validValues": ["Lookup", "Report"], "default": "Lookup", "sequence": 1, "required": true},
    {"label": "Indicator", "name": "indicator", "type": "String", "playbookDataType": ["String"], "sequence": 2},
    {"label": "API Key", "name": "api_key", "type": "String", "encrypt": true, "sequence": 3}
  ],
  "playbook": {
    "type": "Utility",
    "outputVariables": [
      {"name": "ip_lookup.response.json.raw", "type": "String"},
      {"name": "ip_lookup.results.score", "type": "String"}
    ]
  }
}"#;

const VALID_LAYOUT: &str = r#"{
  "inputs": [
    {"title": "Action", "sequence": 1, "parameters": [{"name": "tc_action"}]},
    {"title": "Lookup", "sequence": 2, "parameters": [
      {"name": "indicator", "display": "tc_action in ('Lookup')"},
      {"name": "api_key"}
    ]}
  ],
  "outputs": [{"name": "ip_lookup.results.score", "display": "tc_action = 'Lookup'"}]
}"#;

const VALID_TCEX: &str = r#"{"package": {"app_name": "TCPB_-_IP_Lookup", "excludes": ["tests"]}}"#;

fn files(install: &str, layout: Option<&str>, tcex: Option<&str>) -> Files {
    let mut texts = BTreeMap::from([("install.json".to_owned(), install.to_owned())]);
    if let Some(layout) = layout {
        texts.insert("layout.json".into(), layout.into());
    }
    if let Some(tcex) = tcex {
        texts.insert("tcex.json".into(), tcex.into());
    }
    let paths = texts.keys().cloned().chain(["run.py".to_owned()]).collect();
    Files { texts, paths, slug: "ip-lookup".into() }
}

/// install.json with `edit` applied to its JSON.
fn install_with(edit: impl FnOnce(&mut Value)) -> String {
    let mut value: Value = serde_json::from_str(VALID_INSTALL).unwrap();
    edit(&mut value);
    serde_json::to_string_pretty(&value).unwrap()
}

fn problems_of(edit: impl FnOnce(&mut Value)) -> Vec<Problem> {
    validate(&files(&install_with(edit), Some(VALID_LAYOUT), Some(VALID_TCEX)))
}

fn has(problems: &[Problem], code: &str) -> Problem {
    problems.iter().find(|p| p.code == code).cloned().unwrap_or_else(|| panic!("no {code} in {problems:#?}"))
}

#[test]
fn a_valid_app_has_no_problems() {
    assert_eq!(validate(&files(VALID_INSTALL, Some(VALID_LAYOUT), Some(VALID_TCEX))), vec![]);
}

#[test]
fn required_fields_and_types_are_checked_with_line_and_pointer() {
    let problems = problems_of(|v| {
        v.as_object_mut().unwrap().shift_remove("displayName");
        v["programVersion"] = j!(1);
    });
    let missing = has(&problems, "install.required");
    assert_eq!(missing.pointer, "/displayName");
    assert_eq!(missing.severity, Severity::Error);
    let wrong = has(&problems, "install.type");
    assert_eq!(wrong.pointer, "/programVersion");
    assert!(wrong.line.is_some());
    assert!(wrong.message.contains("must be text"));
}

#[test]
fn program_version_must_be_strict_semver_with_a_fix() {
    let problems = problems_of(|v| v["programVersion"] = j!("1.0"));
    let p = has(&problems, "install.program_version.format");
    let mut texts = BTreeMap::from([("install.json".to_owned(), install_with(|v| v["programVersion"] = j!("1.0")))]);
    crate::manifest::apply_fix(&mut texts, p.fix.as_ref().unwrap()).unwrap();
    assert!(texts["install.json"].contains("\"programVersion\": \"1.0.0\""));
}

#[test]
fn params_names_types_duplicates_and_sequences() {
    let problems = problems_of(|v| {
        v["params"][1]["name"] = j!("tc_action");
        v["params"][2]["sequence"] = j!(1);
        v["params"][2]["type"] = j!("Number");
        v["params"].as_array_mut().unwrap().push(j!({"name": "Bad Name", "label": "x", "type": "String"}));
    });
    assert_eq!(has(&problems, "param.name.duplicate").pointer, "/params/1/name");
    assert_eq!(has(&problems, "param.sequence.duplicate").pointer, "/params/2/sequence");
    assert_eq!(has(&problems, "param.type.unknown").pointer, "/params/2/type");
    let bad = has(&problems, "param.name.format");
    assert_eq!(bad.fix.unwrap().edits, vec![set(INSTALL, "/params/3/name", j!("bad_name"))]);
}

#[test]
fn choice_params_need_valid_values_and_defaults_among_them() {
    let problems = problems_of(|v| {
        v["params"][0]["default"] = j!("Delete");
        v["params"].as_array_mut().unwrap().push(j!({"name": "mode", "label": "Mode", "type": "Choice"}));
    });
    assert_eq!(has(&problems, "param.default.not_a_choice").pointer, "/params/0/default");
    assert_eq!(has(&problems, "param.choice.valid_values").pointer, "/params/3");
}

#[test]
fn duplicate_outputs_are_by_name_and_type_and_naming_is_a_warning_with_fixes() {
    let problems = problems_of(|v| {
        let outputs = v["playbook"]["outputVariables"].as_array_mut().unwrap();
        outputs.push(j!({"name": "ip_lookup.results.score", "type": "StringArray"}));
        outputs.push(j!({"name": "ip_lookup.results.score", "type": "String"}));
        outputs.push(j!({"name": "resultCount", "type": "String"}));
    });
    let duplicates: Vec<_> = problems.iter().filter(|p| p.code == "output.duplicate").collect();
    assert_eq!(duplicates.len(), 1, "same name, other type is allowed");
    assert_eq!(duplicates[0].pointer, "/playbook/outputVariables/3");
    let case = has(&problems, "output.naming.case");
    assert_eq!(case.severity, Severity::Warning);
    let prefix = has(&problems, "output.naming.prefix");
    assert_eq!(
        prefix.fix.unwrap().edits,
        vec![set(INSTALL, "/playbook/outputVariables/4/name", j!("ip_lookup.result_count"))]
    );
}

#[test]
fn layout_rules_are_all_checked() {
    let layout = r#"{
  "inputs": [{"title": "A", "parameters": [
    {"name": "tc_action"}, {"name": "tc_action"}, {"name": "ghost"},
    {"name": "indicator", "display": "action in ('x')"}
  ]}],
  "outputs": [{"name": "nope.nothing"}]
}"#;
    let problems = validate(&files(VALID_INSTALL, Some(layout), Some(VALID_TCEX)));
    assert_eq!(has(&problems, "layout.param.duplicate").pointer, "/inputs/0/parameters/1");
    assert_eq!(has(&problems, "layout.param.unknown").pointer, "/inputs/0/parameters/2/name");
    let display = has(&problems, "layout.display.invalid");
    assert!(display.message.contains("\"action\" is not an input"), "{}", display.message);
    assert_eq!(display.line, Some(4));
    let missing = has(&problems, "layout.param.missing");
    assert!(missing.message.contains("api_key"));
    assert!(missing.fix.is_some());
    has(&problems, "layout.output.unknown");
}

#[test]
fn hidden_params_must_not_be_in_the_layout() {
    let install = install_with(|v| v["params"][2]["hidden"] = j!(true));
    let problems = validate(&files(&install, Some(VALID_LAYOUT), Some(VALID_TCEX)));
    assert_eq!(has(&problems, "layout.param.hidden").pointer, "/inputs/1/parameters/1/name");
}

#[test]
fn tcex_json_app_name_without_spaces_and_missing_tcex_json() {
    let problems =
        validate(&files(VALID_INSTALL, Some(VALID_LAYOUT), Some(r#"{"package": {"app_name": "TCPB - IP Lookup"}}"#)));
    let spaces = has(&problems, "tcex.app_name.spaces");
    assert_eq!(spaces.fix.unwrap().edits, vec![set(TCEX, "/package/app_name", j!("TCPB_-_IP_Lookup"))]);
    let problems = validate(&files(VALID_INSTALL, Some(VALID_LAYOUT), None));
    let missing = has(&problems, "tcex.missing");
    let Edit::Write { text, .. } = &missing.fix.unwrap().edits[0] else { panic!("writes the file") };
    assert!(text.contains("TCPB_-_IP_Lookup"));
}

#[test]
fn syntax_errors_and_trailing_commas() {
    let problems = validate(&files("{\n  \"displayName\": \"x\"\n  \"b\": 1\n}", None, Some(VALID_TCEX)));
    let syntax = has(&problems, "json.syntax");
    assert_eq!(syntax.line, Some(3));
    let with_comma = VALID_INSTALL
        .replace("\"runtimeLevel\": \"Playbook\",", "\"runtimeLevel\": \"Playbook\",,")
        .replace("\"Report\"]", "\"Report\",]");
    let problems = validate(&files(&with_comma.replace(",,", ","), Some(VALID_LAYOUT), Some(VALID_TCEX)));
    let comma = has(&problems, "json.trailing_comma");
    assert_eq!(comma.line, Some(13));
}

#[test]
fn legacy_shapes_are_detected_each_with_a_repair() {
    let problems = problems_of(|v| {
        v.as_object_mut().unwrap().shift_remove("features");
        v["programLanguage"] = j!("python");
        v["languageVersion"] = j!("3.6.x");
        v["params"][1]["default"] = j!(5);
        v["params"][1]["exposePlaybookKeyAs"] = j!("TCEnhancedEntity");
        v["params"].as_array_mut().unwrap().push(j!({"name": "untyped", "label": "Untyped"}));
        v["playbook"]["retry"] = j!({"allowed": true});
        v.as_object_mut().unwrap().shift_remove("appId");
    });
    for code in [
        "install.features.missing",
        "install.program_language.legacy",
        "install.language_version.legacy",
        "param.default.integer",
        "param.expose_as.legacy",
        "param.type.missing",
        "playbook.retry.defaults",
        "install.app_id.missing",
    ] {
        let problem = has(&problems, code);
        assert!(problem.fix.is_some(), "{code} has a repair");
    }
}

#[test]
fn every_fix_applied_makes_its_problem_go_away() {
    let install = install_with(|v| {
        v["programVersion"] = j!("2");
        v["params"][1]["default"] = j!(5);
        v["playbook"]["outputVariables"].as_array_mut().unwrap().push(j!({"name": "Total", "type": "String"}));
    });
    let mut current = files(&install, Some(VALID_LAYOUT), None);
    for _ in 0..10 {
        let Some(problem) = validate(&current).into_iter().find(|p| p.fix.is_some()) else { break };
        crate::manifest::apply_fix(&mut current.texts, problem.fix.as_ref().unwrap()).unwrap();
        assert!(
            !validate(&current).iter().any(|p| p.code == problem.code && p.pointer == problem.pointer),
            "fixing {} at {} fixed it",
            problem.code,
            problem.pointer
        );
    }
    assert_eq!(validate(&current).iter().filter(|p| p.fix.is_some()).count(), 0);
}

#[test]
fn features_that_do_not_fit_the_runtime_level_and_bad_app_ids() {
    let problems = problems_of(|v| {
        v["features"].as_array_mut().unwrap().push(j!("webhookResponseMarshall"));
        v["features"].as_array_mut().unwrap().push(j!("aotExecutionEnabled"));
        v["appId"] = j!("not-a-uuid");
    });
    has(&problems, "install.features.runtime_level");
    has(&problems, "install.features.deprecated");
    has(&problems, "install.app_id.format");
}
