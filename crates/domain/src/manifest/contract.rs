//! An app's contract with the playbooks that use it: its inputs (params) and its output
//! variables. A deploy compares the contract being deployed with the deployed one; a change that
//! can break a playbook (an output removed or retyped, a param removed, renamed or retyped, a new
//! required param) needs a major version bump, or an admin's reason.

use super::model::{InstallJson, LayoutJson};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One param as the contract sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ParamFace {
    name: String,
    label: String,
    kind: String,
    required: bool,
    has_default: bool,
}

/// The contract of one install.json.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contract {
    params: Vec<ParamFace>,
    /// (name, type), in declaration order.
    outputs: Vec<(String, String)>,
    /// The major of `programVersion`, when it is X.Y.Z.
    pub major: Option<u64>,
    /// layout.json's display clauses: ("input"/"output", name, clause), when there is a layout.
    display: Vec<(&'static str, String, Option<String>)>,
}

/// A change between two contracts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum ContractChange {
    ParamAdded {
        name: String,
        required: bool,
    },
    ParamRemoved {
        name: String,
    },
    /// The same label (or the same position with a new label) under a new name.
    ParamRenamed {
        from: String,
        to: String,
    },
    ParamRetyped {
        name: String,
        from: String,
        to: String,
    },
    ParamMadeRequired {
        name: String,
    },
    OutputAdded {
        name: String,
        #[serde(rename = "type")]
        kind: String,
    },
    OutputRemoved {
        name: String,
        #[serde(rename = "type")]
        kind: String,
    },
    OutputRetyped {
        name: String,
        from: String,
        to: String,
    },
    /// layout.json shows an input or output under another condition (or always, or no longer).
    DisplayChanged {
        /// `input` or `output`.
        of: String,
        name: String,
        from: Option<String>,
        to: Option<String>,
    },
}

impl ContractChange {
    /// Whether a playbook built against the old contract can break on the new one.
    pub fn is_breaking(&self) -> bool {
        match self {
            ContractChange::ParamAdded { required, .. } => *required,
            ContractChange::OutputAdded { .. } | ContractChange::DisplayChanged { .. } => false,
            _ => true,
        }
    }

    /// A sentence for people.
    pub fn describe(&self) -> String {
        match self {
            ContractChange::ParamAdded { name, required: true } => format!("new required input {name}"),
            ContractChange::ParamAdded { name, required: false } => format!("new input {name}"),
            ContractChange::ParamRemoved { name } => format!("input {name} removed"),
            ContractChange::ParamRenamed { from, to } => format!("input {from} renamed to {to}"),
            ContractChange::ParamRetyped { name, from, to } => format!("input {name} changed from {from} to {to}"),
            ContractChange::ParamMadeRequired { name } => format!("input {name} is now required"),
            ContractChange::OutputAdded { name, kind } => format!("new output {name} ({kind})"),
            ContractChange::OutputRemoved { name, kind } => format!("output {name} ({kind}) removed"),
            ContractChange::OutputRetyped { name, from, to } => format!("output {name} changed from {from} to {to}"),
            ContractChange::DisplayChanged { of, name, from, to } => {
                let shown =
                    |c: &Option<String>| c.as_deref().map_or_else(|| "always".to_owned(), |c| format!("when {c}"));
                format!("{of} {name} was shown {}, now {}", shown(from), shown(to))
            }
        }
    }

    /// The change's kind, as the API names it (`param_added`, `output_retyped`, `display_changed`…).
    pub fn kind(&self) -> &'static str {
        match self {
            ContractChange::ParamAdded { .. } => "param_added",
            ContractChange::ParamRemoved { .. } => "param_removed",
            ContractChange::ParamRenamed { .. } => "param_renamed",
            ContractChange::ParamRetyped { .. } => "param_retyped",
            ContractChange::ParamMadeRequired { .. } => "param_made_required",
            ContractChange::OutputAdded { .. } => "output_added",
            ContractChange::OutputRemoved { .. } => "output_removed",
            ContractChange::OutputRetyped { .. } => "output_retyped",
            ContractChange::DisplayChanged { .. } => "display_changed",
        }
    }

    /// The param or output it is about (a rename: the old name).
    pub fn name(&self) -> &str {
        match self {
            ContractChange::ParamRenamed { from, .. } => from,
            ContractChange::ParamAdded { name, .. }
            | ContractChange::ParamRemoved { name }
            | ContractChange::ParamRetyped { name, .. }
            | ContractChange::ParamMadeRequired { name }
            | ContractChange::OutputAdded { name, .. }
            | ContractChange::OutputRemoved { name, .. }
            | ContractChange::OutputRetyped { name, .. }
            | ContractChange::DisplayChanged { name, .. } => name,
        }
    }
}

/// Which part of a semantic version a release should raise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    Patch,
    Minor,
    Major,
}

impl Bump {
    /// Major for a breaking change, minor for added params or outputs, patch otherwise.
    pub fn for_changes(changes: &[ContractChange]) -> Bump {
        if changes.iter().any(ContractChange::is_breaking) {
            Bump::Major
        } else if changes
            .iter()
            .any(|c| matches!(c, ContractChange::ParamAdded { .. } | ContractChange::OutputAdded { .. }))
        {
            Bump::Minor
        } else {
            Bump::Patch
        }
    }

    /// `version` (X.Y.Z) raised by this bump; `None` when it is not X.Y.Z.
    pub fn apply(self, version: &str) -> Option<String> {
        let (major, minor, patch) = semver(version)?;
        Some(match self {
            Bump::Major => format!("{}.0.0", major + 1),
            Bump::Minor => format!("{major}.{}.0", minor + 1),
            Bump::Patch => format!("{major}.{minor}.{}", patch + 1),
        })
    }
}

/// A strict X.Y.Z version's three numbers (programVersion's form; "1.0" and "1.0.0-rc1" are not).
pub fn semver(version: &str) -> Option<(u64, u64, u64)> {
    let mut parts = version.split('.');
    let mut next = || -> Option<u64> {
        let part = parts.next()?;
        (!part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()) && (part == "0" || !part.starts_with('0')))
            .then(|| part.parse().ok())
            .flatten()
    };
    let version = (next()?, next()?, next()?);
    parts.next().is_none().then_some(version)
}

/// One contract change as the API and the UI show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractItem {
    pub kind: String,
    pub name: String,
    pub detail: String,
    pub breaking: bool,
}

/// The contract changes between two versions of an app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractDiff {
    pub breaking: bool,
    pub suggested_bump: Bump,
    pub changes: Vec<ContractItem>,
}

impl ContractDiff {
    pub fn between(old: &Contract, new: &Contract) -> ContractDiff {
        let changes = old.diff(new);
        ContractDiff {
            breaking: changes.iter().any(ContractChange::is_breaking),
            suggested_bump: Bump::for_changes(&changes),
            changes: changes
                .iter()
                .map(|c| ContractItem {
                    kind: c.kind().to_owned(),
                    name: c.name().to_owned(),
                    detail: c.describe(),
                    breaking: c.is_breaking(),
                })
                .collect(),
        }
    }
}

impl Contract {
    /// The contract of an install.json document.
    pub fn of(install: &Value) -> Contract {
        let model = InstallJson::read(install);
        let params = model
            .params
            .iter()
            .filter_map(|p| {
                Some(ParamFace {
                    name: p.name.clone()?,
                    label: p.label.clone().unwrap_or_default(),
                    kind: p.kind.clone().unwrap_or_default(),
                    required: p.required,
                    has_default: p.default.is_some(),
                })
            })
            .collect();
        let outputs = model.outputs.iter().filter_map(|o| Some((o.name.clone()?, o.kind.clone()?))).collect();
        let major = model.program_version.as_deref().and_then(semver).map(|(major, _, _)| major);
        Contract { params, outputs, major, display: Vec::new() }
    }

    /// The contract of an install.json with its layout.json (display clauses count as changes).
    pub fn with_layout(install: &Value, layout: Option<&Value>) -> Contract {
        let mut contract = Contract::of(install);
        if let Some(layout) = layout.map(LayoutJson::read) {
            let inputs = layout.inputs.into_iter().flat_map(|s| s.parameters).map(|(n, d)| ("input", n, d));
            contract.display = inputs.chain(layout.outputs.into_iter().map(|(n, d)| ("output", n, d))).collect();
        }
        contract
    }

    /// What changed from `self` (deployed) to `new`.
    pub fn diff(&self, new: &Contract) -> Vec<ContractChange> {
        let mut changes = Vec::new();
        let old_names: Vec<&str> = self.params.iter().map(|p| p.name.as_str()).collect();
        let new_names: Vec<&str> = new.params.iter().map(|p| p.name.as_str()).collect();
        let removed: Vec<(usize, &ParamFace)> =
            self.params.iter().enumerate().filter(|(_, p)| !new_names.contains(&p.name.as_str())).collect();
        let mut added: Vec<(usize, &ParamFace)> =
            new.params.iter().enumerate().filter(|(_, p)| !old_names.contains(&p.name.as_str())).collect();
        for (position, old) in removed {
            // A rename: a new param with the same label, else one at the same position.
            let partner = added
                .iter()
                .position(|(_, p)| !old.label.is_empty() && p.label == old.label)
                .or_else(|| added.iter().position(|(i, _)| *i == position));
            match partner {
                Some(index) => {
                    let (_, renamed) = added.remove(index);
                    changes.push(ContractChange::ParamRenamed { from: old.name.clone(), to: renamed.name.clone() });
                }
                None => changes.push(ContractChange::ParamRemoved { name: old.name.clone() }),
            }
        }
        for (_, param) in added {
            changes.push(ContractChange::ParamAdded {
                name: param.name.clone(),
                required: param.required && !param.has_default,
            });
        }
        for old in &self.params {
            let Some(now) = new.params.iter().find(|p| p.name == old.name) else { continue };
            if now.kind != old.kind {
                changes.push(ContractChange::ParamRetyped {
                    name: old.name.clone(),
                    from: old.kind.clone(),
                    to: now.kind.clone(),
                });
            }
            if now.required && !old.required && !now.has_default {
                changes.push(ContractChange::ParamMadeRequired { name: old.name.clone() });
            }
        }
        let types_of = |outputs: &[(String, String)], name: &str| -> Vec<String> {
            outputs.iter().filter(|(n, _)| n == name).map(|(_, t)| t.clone()).collect()
        };
        for (name, kind) in &self.outputs {
            if new.outputs.iter().any(|(n, t)| n == name && t == kind) {
                continue;
            }
            let now = types_of(&new.outputs, name);
            let replaced = now.iter().find(|t| !self.outputs.iter().any(|(n, old)| n == name && old == *t));
            match replaced {
                Some(to) => changes.push(ContractChange::OutputRetyped {
                    name: name.clone(),
                    from: kind.clone(),
                    to: to.clone(),
                }),
                None => changes.push(ContractChange::OutputRemoved { name: name.clone(), kind: kind.clone() }),
            }
        }
        for (name, kind) in &new.outputs {
            let existed = self.outputs.iter().any(|(n, t)| n == name && t == kind);
            let is_retype = changes
                .iter()
                .any(|c| matches!(c, ContractChange::OutputRetyped { name: n, to, .. } if n == name && to == kind));
            if !existed && !is_retype {
                changes.push(ContractChange::OutputAdded { name: name.clone(), kind: kind.clone() });
            }
        }
        // Display clauses of what both versions lay out.
        for (of, name, to) in &new.display {
            let before = self.display.iter().find(|(o, n, _)| o == of && n == name);
            if let Some((_, _, from)) = before
                && from != to
            {
                changes.push(ContractChange::DisplayChanged {
                    of: (*of).to_owned(),
                    name: name.clone(),
                    from: from.clone(),
                    to: to.clone(),
                });
            }
        }
        changes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn install(version: &str, params: Value, outputs: Value) -> Value {
        json!({"programVersion": version, "params": params, "playbook": {"outputVariables": outputs}})
    }

    fn base() -> Value {
        install(
            "1.2.0",
            json!([
                {"name": "indicator", "label": "Indicator", "type": "String", "required": true},
                {"name": "api_key", "label": "API Key", "type": "String"},
                {"name": "verbose", "label": "Verbose", "type": "Boolean"}
            ]),
            json!([{"name": "x.results.score", "type": "String"}, {"name": "x.results.tags", "type": "StringArray"}]),
        )
    }

    #[test]
    fn nothing_changed_means_no_changes() {
        assert_eq!(Contract::of(&base()).diff(&Contract::of(&base())), []);
        assert_eq!(Contract::of(&base()).major, Some(1));
    }

    #[test]
    fn removed_renamed_retyped_and_required_params_break() {
        let new = install(
            "1.3.0",
            json!([
                {"name": "ioc", "label": "Indicator", "type": "String", "required": true},
                {"name": "verbose", "label": "Verbose", "type": "String", "required": true},
                {"name": "region", "label": "Region", "type": "Choice", "required": true},
                {"name": "limit", "label": "Limit", "type": "String", "required": true, "default": "10"}
            ]),
            json!([{"name": "x.results.score", "type": "String"}, {"name": "x.results.tags", "type": "StringArray"}]),
        );
        let changes = Contract::of(&base()).diff(&Contract::of(&new));
        assert!(
            changes.contains(&ContractChange::ParamRenamed { from: "indicator".into(), to: "ioc".into() }),
            "{changes:?}"
        );
        assert!(changes.contains(&ContractChange::ParamRemoved { name: "api_key".into() }), "{changes:?}");
        assert!(changes.contains(&ContractChange::ParamRetyped {
            name: "verbose".into(),
            from: "Boolean".into(),
            to: "String".into()
        }));
        assert!(changes.contains(&ContractChange::ParamMadeRequired { name: "verbose".into() }));
        assert!(changes.contains(&ContractChange::ParamAdded { name: "region".into(), required: true }));
        assert!(
            changes.contains(&ContractChange::ParamAdded { name: "limit".into(), required: false }),
            "a default makes it optional"
        );
        assert!(changes.iter().filter(|c| c.is_breaking()).count() >= 5);
    }

    #[test]
    fn removed_and_retyped_outputs_break_and_added_ones_do_not() {
        let new = install(
            "1.3.0",
            json!([
                {"name": "indicator", "label": "Indicator", "type": "String", "required": true},
                {"name": "api_key", "label": "API Key", "type": "String"},
                {"name": "verbose", "label": "Verbose", "type": "Boolean"},
                {"name": "note", "label": "Note", "type": "String"}
            ]),
            json!([{"name": "x.results.score", "type": "StringArray"}, {"name": "x.results.count", "type": "String"}]),
        );
        let changes = Contract::of(&base()).diff(&Contract::of(&new));
        assert_eq!(
            changes,
            [
                ContractChange::ParamAdded { name: "note".into(), required: false },
                ContractChange::OutputRetyped {
                    name: "x.results.score".into(),
                    from: "String".into(),
                    to: "StringArray".into()
                },
                ContractChange::OutputRemoved { name: "x.results.tags".into(), kind: "StringArray".into() },
                ContractChange::OutputAdded { name: "x.results.count".into(), kind: "String".into() },
            ]
        );
        assert_eq!(changes.iter().map(ContractChange::is_breaking).collect::<Vec<_>>(), [false, true, true, false]);
        assert_eq!(changes[1].describe(), "output x.results.score changed from String to StringArray");
    }

    #[test]
    fn an_extra_type_for_an_output_is_an_addition() {
        let mut new = base();
        new["playbook"]["outputVariables"]
            .as_array_mut()
            .expect("list")
            .push(json!({"name": "x.results.score", "type": "StringArray"}));
        let changes = Contract::of(&base()).diff(&Contract::of(&new));
        assert_eq!(
            changes,
            [ContractChange::OutputAdded { name: "x.results.score".into(), kind: "StringArray".into() }]
        );
    }

    #[test]
    fn the_suggested_bump_follows_the_changes() {
        let same = ContractDiff::between(&Contract::of(&base()), &Contract::of(&base()));
        assert_eq!((same.breaking, same.suggested_bump), (false, Bump::Patch));
        let mut added = base();
        added["playbook"]["outputVariables"]
            .as_array_mut()
            .expect("outputs")
            .push(json!({"name": "x.n", "type": "String"}));
        let minor = ContractDiff::between(&Contract::of(&base()), &Contract::of(&added));
        assert_eq!((minor.breaking, minor.suggested_bump), (false, Bump::Minor));
        assert_eq!(minor.changes[0].kind, "output_added");
        let major = ContractDiff::between(&Contract::of(&added), &Contract::of(&base()));
        assert_eq!((major.breaking, major.suggested_bump), (true, Bump::Major));
        assert_eq!((major.changes[0].name.as_str(), major.changes[0].breaking), ("x.n", true));
        assert_eq!(Bump::Major.apply("1.4.2").as_deref(), Some("2.0.0"));
        assert_eq!(Bump::Minor.apply("1.4.2").as_deref(), Some("1.5.0"));
        assert_eq!(Bump::Patch.apply("1.4.2").as_deref(), Some("1.4.3"));
        assert_eq!(Bump::Patch.apply("1.4"), None);
    }

    #[test]
    fn versions_are_strict_x_y_z() {
        assert_eq!(semver("10.0.3"), Some((10, 0, 3)));
        for bad in ["1.0", "1.0.0.0", "1.0.0-rc1", "01.0.0", "1..0", "", "v1.0.0", "1.0.x"] {
            assert_eq!(semver(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_changed_display_clause_is_a_layout_change_that_breaks_nothing() {
        let layout = |clause: Option<&str>| {
            json!({"inputs": [{"title": "Main", "parameters": [{"name": "indicator"}, {"name": "verbose", "display": clause}]}],
                   "outputs": [{"name": "x.results.score"}]})
        };
        let old = Contract::with_layout(&base(), Some(&layout(None)));
        let new = Contract::with_layout(&base(), Some(&layout(Some("indicator = 'x'"))));
        let changes = old.diff(&new);
        assert_eq!(
            changes,
            [ContractChange::DisplayChanged {
                of: "input".into(),
                name: "verbose".into(),
                from: None,
                to: Some("indicator = 'x'".into())
            }]
        );
        assert!(!changes[0].is_breaking());
        assert_eq!(changes[0].describe(), "input verbose was shown always, now when indicator = 'x'");
    }
}
