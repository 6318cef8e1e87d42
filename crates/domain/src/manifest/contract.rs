//! An app's contract with the playbooks that use it: its inputs (params) and its output
//! variables. A deploy compares the contract being deployed with the deployed one; a change that
//! can break a playbook (an output removed or retyped, a param removed, renamed or retyped, a new
//! required param) needs a major version bump, or an admin's reason.

use super::model::InstallJson;
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
}

impl ContractChange {
    /// Whether a playbook built against the old contract can break on the new one.
    pub fn is_breaking(&self) -> bool {
        match self {
            ContractChange::ParamAdded { required, .. } => *required,
            ContractChange::OutputAdded { .. } => false,
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
        let major = model.program_version.as_deref().and_then(|v| {
            let parts: Vec<&str> = v.split('.').collect();
            (parts.len() == 3).then(|| parts[0].parse().ok()).flatten()
        });
        Contract { params, outputs, major }
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
}
