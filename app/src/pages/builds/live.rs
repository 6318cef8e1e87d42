//! Following a build as it runs: an `EventSource` on `GET /api/v1/builds/{id}/log` (the same
//! stream the API offers), feeding the page's signals. It reconnects by itself (resuming after the
//! last line it saw) and is closed when the build ends or the page goes.

use domain::build::{Build, LogLine};
use leptos::prelude::*;

/// The stream's state, for the page to show (only the browser moves it past `Connecting`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(feature = "browser"), allow(dead_code))]
pub enum Connection {
    Connecting,
    Live,
    Ended,
    /// The browser gave up reconnecting.
    Lost,
}

/// Starts following build `id` in the browser (nothing on the server).
pub fn follow(id: i64, build: RwSignal<Build>, lines: RwSignal<Vec<LogLine>>, connection: RwSignal<Connection>) {
    #[cfg(feature = "browser")]
    client::follow(id, build, lines, connection);
    #[cfg(not(feature = "browser"))]
    let _ = (id, build, lines, connection);
}

#[cfg(feature = "browser")]
mod client {
    use super::Connection;
    use crate::components::client::client_value;
    use domain::build::{Build, LogLine};
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    use web_sys::{EventSource, MessageEvent};

    type Handler = Closure<dyn FnMut(MessageEvent)>;

    /// The open stream and its handlers; dropping it closes the stream.
    struct Stream {
        source: EventSource,
        _handlers: Vec<Handler>,
    }

    impl Drop for Stream {
        fn drop(&mut self) {
            self.source.close();
        }
    }

    pub fn follow(id: i64, build: RwSignal<Build>, lines: RwSignal<Vec<LogLine>>, connection: RwSignal<Connection>) {
        let slot = client_value(None::<Stream>);
        let close = move || {
            let _ = slot.try_update_value(|s| *s = None);
        };
        Effect::new(move |_| {
            let Ok(source) = EventSource::new(&format!("/api/v1/builds/{id}/log")) else {
                connection.set(Connection::Lost);
                return;
            };
            let mut handlers = Vec::new();
            let mut listen = |name: &str, handler: Handler| {
                let _ = source.add_event_listener_with_callback(name, handler.as_ref().unchecked_ref());
                handlers.push(handler);
            };
            listen(
                "open",
                Closure::new(move |_: MessageEvent| {
                    connection.set(Connection::Live);
                }),
            );
            listen(
                "line",
                Closure::new(move |event: MessageEvent| {
                    let Some(text) = event.data().as_string() else { return };
                    if let Ok(line) = serde_json::from_str::<LogLine>(&text) {
                        lines.update(|all| {
                            if all.last().is_none_or(|last| last.seq < line.seq) {
                                all.push(line);
                            }
                        });
                    }
                }),
            );
            listen(
                "build",
                Closure::new(move |event: MessageEvent| {
                    if let Some(latest) = event.data().as_string().and_then(|t| serde_json::from_str::<Build>(&t).ok())
                    {
                        build.set(latest);
                    }
                }),
            );
            listen(
                "end",
                Closure::new(move |event: MessageEvent| {
                    if let Some(latest) = event.data().as_string().and_then(|t| serde_json::from_str::<Build>(&t).ok())
                    {
                        build.set(latest);
                    }
                    connection.set(Connection::Ended);
                    close();
                }),
            );
            let watched = source.clone();
            listen(
                "error",
                Closure::new(move |_: MessageEvent| {
                    // CLOSED (2): the browser will not retry; otherwise it reconnects by itself.
                    if watched.ready_state() == 2 && connection.get_untracked() != Connection::Ended {
                        connection.set(Connection::Lost);
                    } else if connection.get_untracked() == Connection::Live {
                        connection.set(Connection::Connecting);
                    }
                }),
            );
            let _ = slot.try_update_value(|s| *s = Some(Stream { source, _handlers: handlers }));
        });
        on_cleanup(close);
    }
}
