//! The built-in Python snippets the editor offers in its completion list: reading an input,
//! writing an output of each kind, logging, the exit message, an HTTP call with retries, a
//! TCEntity. Bodies use Monaco's snippet syntax (`${1:name}` are the places Tab visits). They fit
//! the templates' `App` class and the run contract (`/guides/run-contract`).

use serde::Serialize;

/// One snippet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snippet {
    pub label: &'static str,
    pub detail: &'static str,
    pub documentation: &'static str,
    pub body: &'static str,
}

const fn snippet(
    label: &'static str,
    detail: &'static str,
    documentation: &'static str,
    body: &'static str,
) -> Snippet {
    Snippet { label, detail, documentation, body }
}

/// Every built-in snippet, in the order the completion list shows them.
pub const BUILT_IN: &[Snippet] = &[
    snippet(
        "input",
        "read an input",
        "An input by its param name, as text, trimmed.",
        "${1:value} = str(self.inputs.get('${2:param_name}') or '').strip()",
    ),
    snippet(
        "input required",
        "read a required input",
        "An input that must be given; the run fails with a clear message otherwise.",
        "${1:value} = str(self.inputs.get('${2:param_name}') or '').strip()\nif not ${1:value}:\n    raise AppError('the ${3:Label} input is empty')",
    ),
    snippet(
        "output String",
        "write a String output",
        "An entry of the dict App.run() returns; declare the output in install.json.",
        "'${1:prefix}.results.${2:name}': str(${3:value}),",
    ),
    snippet(
        "output StringArray",
        "write a StringArray output",
        "A list of strings.",
        "'${1:prefix}.results.${2:names}': [str(item) for item in ${3:items}],",
    ),
    snippet(
        "output KeyValueArray",
        "write a KeyValueArray output",
        "A list of {key, value} pairs.",
        "'${1:prefix}.results.${2:pairs}': [{'key': str(k), 'value': v} for k, v in ${3:mapping}.items()],",
    ),
    snippet(
        "output TCEntity",
        "write a TCEntity output",
        "One indicator for later playbook steps.",
        "'${1:prefix}.${2:indicator}': {'id': '', 'value': ${3:value}, 'type': '${4|Address,EmailAddress,File,Host,URL,ASN,CIDR|}'},",
    ),
    snippet(
        "output TCEntityArray",
        "write a TCEntityArray output",
        "Several indicators of one type.",
        "'${1:prefix}.${2:indicators}': [{'id': '', 'value': v, 'type': '${3|Address,EmailAddress,File,Host,URL|}'} for v in ${4:values}],",
    ),
    snippet(
        "output raw response",
        "write <slug>.response.json.raw",
        "The remote service's answer as received (the naming standard asks for it).",
        "'${1:prefix}.response.json.raw': ${2:raw},",
    ),
    snippet(
        "tcentity",
        "a TCEntity value",
        "{\"id\", \"value\", \"type\"} with a standard indicator type.",
        "{'id': '', 'value': ${1:value}, 'type': '${2|Address,EmailAddress,File,Host,URL,ASN,CIDR|}'}",
    ),
    snippet(
        "log",
        "write to the run's log",
        "Printed lines land in the run's log; never print secrets.",
        "print(f'${1:message}', flush=True)",
    ),
    snippet(
        "exit message",
        "set the exit message",
        "At most 255 characters, for people: what happened.",
        "self.exit_message = f'${1:Done}.'",
    ),
    snippet(
        "raise AppError",
        "fail the run with a message",
        "The message becomes the exit message; say what to do.",
        "raise AppError('${1:what went wrong and what to do}')",
    ),
    snippet(
        "http with retries",
        "an HTTP GET with a timeout and retries",
        "Retries timeouts, connection failures, 429 and 5xx with backoff; other answers are final.",
        "import time\nimport urllib.error\nimport urllib.request\n\n\ndef ${1:fetch}(url: str, timeout: float = ${2:10}, retries: int = ${3:2}) -> str:\n    \"\"\"The answer's text; AppError when the service does not answer.\"\"\"\n    last = ''\n    for attempt in range(retries + 1):\n        if attempt:\n            time.sleep(min(2 ** (attempt - 1), 8))\n        try:\n            with urllib.request.urlopen(urllib.request.Request(url, headers={'Accept': 'application/json'}), timeout=timeout) as response:\n                return response.read().decode('utf-8')\n        except urllib.error.HTTPError as err:\n            if err.code != 429 and err.code < 500:\n                raise AppError(f'the service answered {err.code} {err.reason}') from err\n            last = f'{err.code} {err.reason}'\n        except (urllib.error.URLError, TimeoutError, OSError) as err:\n            last = str(getattr(err, 'reason', err))\n    raise AppError(f'the service did not answer after {retries + 1} attempt(s): {last}')\n",
    ),
];

/// The built-in snippets as the editor's completion provider takes them.
pub fn built_in_json() -> String {
    serde_json::to_string(BUILT_IN).expect("snippets serialise")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_listed_once_and_their_placeholders_are_well_formed() {
        let mut labels: Vec<&str> = BUILT_IN.iter().map(|s| s.label).collect();
        labels.sort_unstable();
        labels.dedup();
        assert_eq!(labels.len(), BUILT_IN.len(), "labels are unique");
        for snippet in BUILT_IN {
            // Every `${` starts a numbered placeholder that closes before the next one opens.
            let parts: Vec<&str> = snippet.body.split("${").skip(1).collect();
            assert!(!parts.is_empty(), "{}: Tab has somewhere to go", snippet.label);
            for part in parts {
                assert!(part.starts_with(|c: char| c.is_ascii_digit()), "{}: {part}", snippet.label);
                assert!(part.contains('}'), "{}: unclosed placeholder", snippet.label);
            }
        }
        assert!(built_in_json().contains("\"label\":\"tcentity\""));
    }
}
