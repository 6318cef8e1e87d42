//! The raw layer: Monaco's JavaScript objects and functions as wasm-bindgen sees them, one to one.
//! Nothing here disposes anything; [`crate`]'s wrappers do.

use js_sys::Function;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/glue.js")]
extern "C" {
    /// Loads Monaco's AMD build from `base` once; later calls share the first load.
    #[wasm_bindgen(js_name = loadMonaco, catch)]
    pub async fn load_monaco(base: &str) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_name = createEditor)]
    pub fn create_editor(element: &web_sys::HtmlElement, read_only: bool) -> CodeEditor;

    #[wasm_bindgen(js_name = createDiffEditor)]
    pub fn create_diff_editor(
        element: &web_sys::HtmlElement,
        side_by_side: bool,
        original_editable: bool,
    ) -> DiffEditor;

    /// A model named `appbuilder:/<path>` (replacing a leftover model of that name).
    #[wasm_bindgen(js_name = createModel)]
    pub fn create_model(text: &str, language: &str, path: &str) -> TextModel;

    #[wasm_bindgen(js_name = setDiffModels)]
    pub fn set_diff_models(editor: &DiffEditor, original: &TextModel, modified: &TextModel);

    #[wasm_bindgen(js_name = setReadOnly)]
    pub fn set_read_only(editor: &CodeEditor, read_only: bool);

    #[wasm_bindgen(js_name = setSideBySide)]
    pub fn set_side_by_side(editor: &DiffEditor, side_by_side: bool);

    #[wasm_bindgen(js_name = revealLine)]
    pub fn reveal_line(editor: &CodeEditor, line: u32);

    /// Inserts `body` (Monaco's snippet syntax) at the cursor, replacing the selection, and
    /// starts its Tab stops.
    #[wasm_bindgen(js_name = insertSnippet)]
    pub fn insert_snippet(editor: &CodeEditor, body: &str);

    /// The selected text of the shown model ("" when nothing is selected).
    #[wasm_bindgen(js_name = selectedText)]
    pub fn selected_text(editor: &CodeEditor) -> String;

    /// Replaces `owner`'s markers on `model` (a JS array of `{line, severity, message, code}`).
    #[wasm_bindgen(js_name = setMarkers)]
    pub fn set_markers(model: &TextModel, owner: &str, markers: &js_sys::Array);

    /// `callback(line, column)` on every cursor move.
    #[wasm_bindgen(js_name = onCursor)]
    pub fn on_cursor(editor: &CodeEditor, callback: &Function) -> Disposable;

    /// Snippets (a JSON list of `{label, detail, documentation, body}`) in `language`'s completions.
    #[wasm_bindgen(js_name = registerSnippets)]
    pub fn register_snippets(language: &str, items_json: &str) -> Disposable;

    /// The app's param and output names (a JSON list of `{label, detail, where}`) in
    /// `language`'s completions, where each fits.
    #[wasm_bindgen(js_name = registerContractNames)]
    pub fn register_contract_names(language: &str, items_json: &str) -> Disposable;
}

#[wasm_bindgen]
extern "C" {
    /// `monaco.IDisposable`.
    pub type Disposable;
    #[wasm_bindgen(method)]
    pub fn dispose(this: &Disposable);

    /// `monaco.editor.ITextModel`.
    #[derive(Clone)]
    pub type TextModel;
    #[wasm_bindgen(method, js_name = getValue)]
    pub fn get_value(this: &TextModel) -> String;
    #[wasm_bindgen(method, js_name = setValue)]
    pub fn set_value(this: &TextModel, value: &str);
    #[wasm_bindgen(method, js_name = onDidChangeContent)]
    pub fn on_did_change_content(this: &TextModel, callback: &Function) -> Disposable;
    #[wasm_bindgen(method, js_name = isDisposed)]
    pub fn is_disposed(this: &TextModel) -> bool;
    #[wasm_bindgen(method)]
    pub fn dispose(this: &TextModel);

    /// `monaco.editor.IStandaloneCodeEditor`.
    pub type CodeEditor;
    #[wasm_bindgen(method, js_name = setModel)]
    pub fn set_model(this: &CodeEditor, model: Option<&TextModel>);
    #[wasm_bindgen(method)]
    pub fn focus(this: &CodeEditor);
    #[wasm_bindgen(method)]
    pub fn dispose(this: &CodeEditor);

    /// `monaco.editor.IStandaloneDiffEditor`.
    pub type DiffEditor;
    #[wasm_bindgen(method, js_name = getModifiedEditor)]
    pub fn get_modified_editor(this: &DiffEditor) -> CodeEditor;
    #[wasm_bindgen(method)]
    pub fn dispose(this: &DiffEditor);
}
