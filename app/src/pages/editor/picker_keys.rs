//! The keys of the editor's pickers (quick open, snippets): arrows move the highlighted row,
//! Enter chooses it, Escape closes the picker.

use leptos::prelude::*;

/// What a key asks of a picker, beyond moving its highlight (done here).
pub enum PickerKey {
    Choose,
    Close,
}

/// Handles `ev` for a list of `count` rows whose highlighted row is `chosen`.
pub fn picker_key(ev: &leptos::ev::KeyboardEvent, chosen: RwSignal<usize>, count: usize) -> Option<PickerKey> {
    match ev.key().as_str() {
        "Escape" => Some(PickerKey::Close),
        "ArrowDown" => {
            ev.prevent_default();
            chosen.update(|c| *c = (*c + 1).min(count.saturating_sub(1)));
            None
        }
        "ArrowUp" => {
            ev.prevent_default();
            chosen.update(|c| *c = c.saturating_sub(1));
            None
        }
        "Enter" => {
            ev.prevent_default();
            Some(PickerKey::Choose)
        }
        _ => None,
    }
}
