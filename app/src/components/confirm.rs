//! Asking before an action that cannot be taken back.

/// Asks the user `question` in the browser's own dialog; `true` when they confirm. (On the
/// server, where it is never called, `true`.)
pub fn confirm(question: &str) -> bool {
    #[cfg(feature = "browser")]
    return web_sys::window().and_then(|w| w.confirm_with_message(question).ok()).unwrap_or(false);
    #[cfg(not(feature = "browser"))]
    {
        let _ = question;
        true
    }
}
