//! Rust bindings for the Monaco editor, the editor of VS Code, which AppBuilder self-hosts.
//!
//! Two layers, as the wasm-bindgen book suggests for JS libraries:
//! - [`sys`]: the JavaScript objects and calls, one to one, with no ownership rules;
//! - this module: owning wrappers. A [`TextModel`], [`CodeEditor`] or [`DiffEditor`] disposes its
//!   JavaScript object when dropped, and every listener registered through a wrapper is disposed
//!   with it (and its Rust closure freed), so a page that goes away leaks nothing.
//!
//! Monaco itself is loaded lazily by [`Monaco::load`] from `/monaco/<version>/vs` on our own
//! origin: only pages that show an editor pay for it. The build step (`scripts/build-site`)
//! copies it there from the npm package pinned in this crate's `package.json`.
//!
//! The crate compiles for any target so that the UI crate can name its types on the server too,
//! but its functions only work in a browser.

pub mod sys;

use std::any::Any;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// The Monaco release this crate binds and the site serves (keep equal to `package.json`).
pub const VERSION: &str = "0.57.0";

/// Where the site serves Monaco; the version in the path lets browsers cache it for good.
pub fn base_url() -> String {
    format!("/monaco/{VERSION}")
}

/// Proof that Monaco is loaded: every editor and model is made through it.
#[derive(Debug, Clone, Copy)]
pub struct Monaco {
    _loaded: (),
}

/// Monaco's scripts could not be loaded; the message says which.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError(pub String);

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Monaco {
    /// Loads Monaco once per page (later calls return at once).
    pub async fn load() -> Result<Monaco, LoadError> {
        match sys::load_monaco(&base_url()).await {
            Ok(_) => Ok(Monaco { _loaded: () }),
            Err(err) => Err(LoadError(
                err.dyn_ref::<js_sys::Error>()
                    .map(|e| String::from(e.message()))
                    .unwrap_or_else(|| "the code editor could not be loaded".to_owned()),
            )),
        }
    }

    /// An editor filling `element`, showing no model yet.
    pub fn editor(self, element: &web_sys::HtmlElement, read_only: bool) -> CodeEditor {
        CodeEditor { raw: sys::create_editor(element, read_only), listeners: Vec::new() }
    }

    /// A diff editor filling `element`; the modified (right) side is editable, the original side
    /// only when `original_editable`.
    pub fn diff_editor(
        self,
        element: &web_sys::HtmlElement,
        side_by_side: bool,
        original_editable: bool,
    ) -> DiffEditor {
        DiffEditor { raw: sys::create_diff_editor(element, side_by_side, original_editable), models: None }
    }

    /// Offers `items_json` (a JSON list of `{label, detail, documentation, body}`) as snippets in
    /// the completion list of `language` until the returned value is dropped.
    pub fn snippets(self, language: &str, items_json: &str) -> Snippets {
        Snippets { disposable: sys::register_snippets(language, items_json) }
    }

    /// Offers the app's param names where inputs are read and its output names where outputs are
    /// written (`items_json`: a JSON list of `{label, detail, where: "input" | "output"}`) until
    /// the returned value is dropped.
    pub fn contract_names(self, language: &str, items_json: &str) -> Snippets {
        Snippets { disposable: sys::register_contract_names(language, items_json) }
    }

    /// A text model for `path` in `language` (a Monaco language id such as `python`).
    pub fn model(self, text: &str, language: &str, path: &str) -> TextModel {
        TextModel { raw: sys::create_model(text, language, path), listeners: Vec::new() }
    }
}

/// A squiggle on a line: `severity` is `error`, `warning` or `info`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    pub line: u32,
    pub severity: &'static str,
    pub message: String,
    pub code: String,
}

/// Completions offered by a provider (snippets, the app's names); unregistered on drop.
pub struct Snippets {
    disposable: sys::Disposable,
}

impl Drop for Snippets {
    fn drop(&mut self) {
        self.disposable.dispose();
    }
}

/// A registered callback: disposing it unregisters the callback, dropping it frees the closure.
struct Listener {
    disposable: sys::Disposable,
    _closure: Box<dyn Any>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.disposable.dispose();
    }
}

/// The text of one file, with its own undo history. Disposed on drop.
pub struct TextModel {
    raw: sys::TextModel,
    listeners: Vec<Listener>,
}

impl TextModel {
    /// The whole text.
    pub fn value(&self) -> String {
        self.raw.get_value()
    }

    /// Replaces the whole text (this starts a new undo step).
    pub fn set_value(&self, text: &str) {
        self.raw.set_value(text);
    }

    /// Shows `markers` as squiggles (replacing earlier ones from the same `owner`).
    pub fn set_markers(&self, owner: &str, markers: &[Marker]) {
        let list = js_sys::Array::new();
        for marker in markers {
            let object = js_sys::Object::new();
            let set = |key: &str, value: JsValue| {
                let _ = js_sys::Reflect::set(&object, &JsValue::from_str(key), &value);
            };
            set("line", JsValue::from(marker.line.max(1)));
            set("severity", JsValue::from_str(marker.severity));
            set("message", JsValue::from_str(&marker.message));
            set("code", JsValue::from_str(&marker.code));
            list.push(&object);
        }
        sys::set_markers(&self.raw, owner, &list);
    }

    /// Calls `callback` with the whole new text after every change, until the model is dropped.
    pub fn on_change(&mut self, mut callback: impl FnMut(String) + 'static) {
        let raw = self.raw.clone();
        let closure = Closure::<dyn FnMut()>::new(move || callback(raw.get_value()));
        let disposable = self.raw.on_did_change_content(closure.as_ref().unchecked_ref());
        self.listeners.push(Listener { disposable, _closure: Box::new(closure) });
    }
}

impl Drop for TextModel {
    fn drop(&mut self) {
        self.listeners.clear();
        if !self.raw.is_disposed() {
            self.raw.dispose();
        }
    }
}

/// A code editor. Disposed on drop; the models it showed are not (they belong to their owner),
/// so drop the editor before the models it shows.
pub struct CodeEditor {
    raw: sys::CodeEditor,
    listeners: Vec<Listener>,
}

impl CodeEditor {
    /// Shows `model`, or nothing.
    pub fn show(&self, model: Option<&TextModel>) {
        self.raw.set_model(model.map(|m| &m.raw));
    }

    pub fn set_read_only(&self, read_only: bool) {
        sys::set_read_only(&self.raw, read_only);
    }

    pub fn focus(&self) {
        self.raw.focus();
    }

    /// Scrolls `line` (1-based) into the middle and puts the cursor at its start.
    pub fn reveal_line(&self, line: u32) {
        sys::reveal_line(&self.raw, line);
    }

    /// Inserts a snippet (`${1:name}` Tab stops, `$0` the final cursor) where the cursor is,
    /// replacing the selection, as choosing it from the completion list would.
    pub fn insert_snippet(&self, body: &str) {
        sys::insert_snippet(&self.raw, body);
    }

    /// The selected text ("" when nothing is selected).
    pub fn selected_text(&self) -> String {
        sys::selected_text(&self.raw)
    }

    /// Calls `callback(line, column)` whenever the cursor moves, until the editor is dropped.
    pub fn on_cursor(&mut self, callback: impl FnMut(u32, u32) + 'static) {
        let closure = Closure::<dyn FnMut(u32, u32)>::new(callback);
        let disposable = sys::on_cursor(&self.raw, closure.as_ref().unchecked_ref());
        self.listeners.push(Listener { disposable, _closure: Box::new(closure) });
    }
}

impl Drop for CodeEditor {
    fn drop(&mut self) {
        self.listeners.clear();
        self.raw.dispose();
    }
}

/// Two texts side by side (or inline) with their differences marked. It owns the two models it
/// shows, so they are disposed after the editor, as Monaco requires.
pub struct DiffEditor {
    raw: sys::DiffEditor,
    models: Option<(TextModel, TextModel)>,
}

impl DiffEditor {
    /// Compares `original` (left) with `modified` (right); the previous pair is disposed.
    pub fn compare(&mut self, original: TextModel, modified: TextModel) {
        sys::set_diff_models(&self.raw, &original.raw, &modified.raw);
        self.models = Some((original, modified));
    }

    /// The text on the modified (right) side, with the user's edits.
    pub fn modified_text(&self) -> Option<String> {
        self.models.as_ref().map(|(_, modified)| modified.value())
    }

    /// Side by side, or one inline view.
    pub fn set_side_by_side(&self, side_by_side: bool) {
        sys::set_side_by_side(&self.raw, side_by_side);
    }

    /// Makes the modified side read-only or editable.
    pub fn set_read_only(&self, read_only: bool) {
        sys::set_read_only(&self.raw.get_modified_editor(), read_only);
    }
}

impl Drop for DiffEditor {
    fn drop(&mut self) {
        self.raw.dispose();
        // The models go after the editor (field drop order), so Monaco never sees a model
        // disposed under a live diff editor.
    }
}

/// The Monaco language id for a file, chosen by its name.
pub fn language_for(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let extension = name.rsplit_once('.').map(|(_, ext)| ext).unwrap_or("");
    match extension {
        "py" | "pyi" => "python",
        "json" => "json",
        "md" | "markdown" => "markdown",
        "yml" | "yaml" => "yaml",
        _ => "plaintext",
    }
}

/// The name people know a Monaco language id by.
pub fn language_label(language: &str) -> &'static str {
    match language {
        "python" => "Python",
        "json" => "JSON",
        "markdown" => "Markdown",
        "yaml" => "YAML",
        _ => "Plain text",
    }
}

#[cfg(test)]
mod tests {
    use super::{language_for, language_label};

    #[test]
    fn languages_follow_the_file_name() {
        assert_eq!(language_for("app.py"), "python");
        assert_eq!(language_for("src/Lib.PY"), "python");
        assert_eq!(language_for("install.json"), "json");
        assert_eq!(language_for("README.md"), "markdown");
        assert_eq!(language_for(".github/ci.yml"), "yaml");
        assert_eq!(language_for("x.yaml"), "yaml");
        assert_eq!(language_for("requirements.txt"), "plaintext");
        assert_eq!(language_for("Makefile"), "plaintext");
        assert_eq!(language_for("a.b/noext"), "plaintext");
        assert_eq!(language_label(language_for("x.yml")), "YAML");
    }
}
