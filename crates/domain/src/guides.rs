//! Which guide section explains a validation or lint problem: every problem the IDE shows links
//! to `/guides/<guide>#<section>`. The guides themselves are in `app/guides/`.

/// The guides, in the order `/guides` lists them: (name, title, one line).
pub const GUIDES: &[(&str, &str, &str)] = &[
    (
        "integration-types",
        "Integration types",
        "On-demand enrichment, alert processing, triggers and jobs: which to build when.",
    ),
    ("output-naming", "Output variable names", "The naming standard for output variables, with examples."),
    (
        "data-mapping",
        "Threat-intelligence data mapping",
        "Indicators, groups, associations, attributes, tags, security labels, rating and confidence.",
    ),
    (
        "run-contract",
        "The runtime's input and output contract",
        "How an app gets its inputs and hands back outputs, the exit message and a webhook's answer.",
    ),
    (
        "manifest",
        "install.json, layout.json and tcex.json",
        "Every field the validator checks, and how to fix what it reports.",
    ),
];

/// Problem-code prefixes and the section that explains them; the longest matching prefix wins.
pub const SECTIONS: &[(&str, &str, &str)] = &[
    ("json.", "manifest", "json"),
    ("install.", "manifest", "install"),
    ("install.program_version", "manifest", "version"),
    ("install.runtime_level", "integration-types", "runtime-levels"),
    ("install.features", "manifest", "features"),
    ("install.app_id", "manifest", "app-id"),
    ("install.program_main", "run-contract", "entry-point"),
    ("param.", "manifest", "params"),
    ("param.default", "manifest", "param-defaults"),
    ("param.choice", "manifest", "param-defaults"),
    ("param.encrypt", "run-contract", "secrets"),
    ("playbook.", "manifest", "playbook"),
    ("output.", "manifest", "outputs"),
    ("output.naming.case", "output-naming", "case"),
    ("output.naming.prefix", "output-naming", "prefix"),
    ("output.naming.raw", "output-naming", "raw"),
    ("layout.", "manifest", "layout"),
    ("layout.display", "manifest", "display"),
    ("tcex.", "manifest", "tcex"),
    ("python.", "run-contract", "python"),
    ("python.input", "run-contract", "inputs"),
    ("python.output", "run-contract", "outputs"),
];

/// `/guides/<guide>#<section>` for a problem code; the guides' index for a code no section names.
pub fn guide_href(code: &str) -> String {
    SECTIONS
        .iter()
        .filter(|(prefix, _, _)| code.starts_with(prefix))
        .max_by_key(|(prefix, _, _)| prefix.len())
        .map_or_else(|| "/guides".to_owned(), |(_, guide, section)| format!("/guides/{guide}#{section}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_specific_section_wins() {
        assert_eq!(guide_href("output.naming.prefix"), "/guides/output-naming#prefix");
        assert_eq!(guide_href("output.duplicate"), "/guides/manifest#outputs");
        assert_eq!(guide_href("layout.display.invalid"), "/guides/manifest#display");
        assert_eq!(guide_href("install.program_version.format"), "/guides/manifest#version");
        assert_eq!(guide_href("something.else"), "/guides");
    }

    #[test]
    fn every_section_belongs_to_a_listed_guide() {
        for (_, guide, _) in SECTIONS {
            assert!(GUIDES.iter().any(|(name, _, _)| name == guide), "{guide}");
        }
    }
}
