//! The editor's keyboard shortcuts, caught for the whole page before Monaco or the browser sees
//! them: Ctrl/Cmd+S saves, Ctrl/Cmd+P opens a file by name, Ctrl/Cmd+J opens the snippet picker.

/// A page-wide shortcut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortcut {
    Save,
    QuickOpen,
    Snippets,
}

impl Shortcut {
    /// The shortcut a key press means, if any.
    pub fn of(key: &str, ctrl_or_cmd: bool, alt: bool, shift: bool) -> Option<Shortcut> {
        if !ctrl_or_cmd || alt || shift {
            return None;
        }
        match key.to_ascii_lowercase().as_str() {
            "s" => Some(Shortcut::Save),
            "p" => Some(Shortcut::QuickOpen),
            "j" => Some(Shortcut::Snippets),
            _ => None,
        }
    }
}

/// Calls `handler` for each shortcut until the returned value is dropped (the page keeps it in a
/// `StoredValue`, which its owner drops when the page goes away).
#[cfg(feature = "browser")]
pub fn listen(handler: impl Fn(Shortcut) + 'static) -> Option<Listener> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::Closure;
    let closure = Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(move |event: web_sys::KeyboardEvent| {
        let ctrl_or_cmd = event.ctrl_key() || event.meta_key();
        if let Some(shortcut) = Shortcut::of(&event.key(), ctrl_or_cmd, event.alt_key(), event.shift_key()) {
            event.prevent_default();
            event.stop_propagation();
            handler(shortcut);
        }
    });
    let window = web_sys::window()?;
    let options = web_sys::AddEventListenerOptions::new();
    options.set_capture(true);
    window
        .add_event_listener_with_callback_and_add_event_listener_options(
            "keydown",
            closure.as_ref().unchecked_ref(),
            &options,
        )
        .ok()?;
    Some(Listener { window, closure })
}

/// A registered shortcut handler; dropping it removes it.
#[cfg(feature = "browser")]
pub struct Listener {
    window: web_sys::Window,
    closure: wasm_bindgen::prelude::Closure<dyn FnMut(web_sys::KeyboardEvent)>,
}

#[cfg(feature = "browser")]
impl Drop for Listener {
    fn drop(&mut self) {
        use wasm_bindgen::JsCast;
        let _ = self.window.remove_event_listener_with_callback_and_bool(
            "keydown",
            self.closure.as_ref().unchecked_ref(),
            true,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::Shortcut;

    #[test]
    fn ctrl_or_cmd_with_s_p_or_j_are_shortcuts_and_nothing_else_is() {
        assert_eq!(Shortcut::of("s", true, false, false), Some(Shortcut::Save));
        assert_eq!(Shortcut::of("S", true, false, false), Some(Shortcut::Save));
        assert_eq!(Shortcut::of("p", true, false, false), Some(Shortcut::QuickOpen));
        assert_eq!(Shortcut::of("j", true, false, false), Some(Shortcut::Snippets));
        assert_eq!(Shortcut::of("s", false, false, false), None);
        assert_eq!(Shortcut::of("p", true, false, true), None, "Ctrl+Shift+P stays Monaco's");
        assert_eq!(Shortcut::of("x", true, false, false), None);
    }
}
