//! Start-up and shutdown: open the store, build the services and the router once, serve until
//! SIGTERM or Ctrl+C; and the `user` subcommand.

use crate::config::{GlobalArgs, ServeArgs, UserCommand};
use crate::state::{AppState, HttpSettings};
use accounts::{Accounts, ThrottlePolicy};
use apps::Apps;
use leptos::config::LeptosOptions;
use repo::AppRepos;
use std::io::BufRead;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use store::SqliteStore;

/// A start-up failure, with what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot create the data directory {path}: {source}")]
    DataDir { path: String, source: std::io::Error },
    #[error("cannot open the database: {0}")]
    Database(#[source] domain::ports::StoreError),
    #[error("{0}")]
    Accounts(#[from] accounts::AccountsError),
    #[error("cannot listen on {addr}: {source}")]
    Listen { addr: SocketAddr, source: std::io::Error },
    #[error("the server stopped with an error: {0}")]
    Serve(#[source] std::io::Error),
    #[error("{0}")]
    Input(String),
}

/// Everything `serve` does before it listens: the data directory, the database and its
/// migrations, the services, and the first admin of an empty database. The HTTP tests start
/// the server through this too.
pub async fn prepare(
    global: &GlobalArgs,
    serve: &ServeArgs,
    throttle: ThrottlePolicy,
) -> Result<AppState, StartupError> {
    let state = build_state(global, serve, throttle).await?;
    create_first_admin(&state.accounts, serve.admin_password.as_deref()).await?;
    state.builds.start().await.map_err(|err| StartupError::Input(format!("cannot start the build workers: {err}")))?;
    state.runtime.start().await.map_err(|err| StartupError::Input(format!("cannot start the runtime: {err}")))?;
    warn_if_assets_missing(&state.leptos_options);
    Ok(state)
}

/// Creates the data directory if needed and opens (and migrates) the database.
async fn open_store(global: &GlobalArgs) -> Result<SqliteStore, StartupError> {
    std::fs::create_dir_all(&global.data_dir)
        .map_err(|source| StartupError::DataDir { path: global.data_dir.display().to_string(), source })?;
    SqliteStore::open(&global.database_url()).await.map_err(StartupError::Database)
}

async fn build_state(
    global: &GlobalArgs,
    serve: &ServeArgs,
    throttle: ThrottlePolicy,
) -> Result<AppState, StartupError> {
    let store = open_store(global).await?;
    let session_lifetime = Duration::from_secs(u64::from(serve.session_days) * 24 * 60 * 60);
    let accounts = Accounts::new(Arc::new(store.clone()), throttle, session_lifetime)?;
    let repos = AppRepos::open(global.data_dir.join("repos"))
        .map_err(|err| StartupError::Input(format!("cannot open the app repositories: {err}")))?;
    let apps = Apps::new(Arc::new(store.clone()), repos, apps::audit::Audit::start(Arc::new(store.clone())));
    // Rows are written behind saves: set any a stopped process left behind from git first.
    let repair = apps
        .repair_rows()
        .await
        .map_err(|err| StartupError::Input(format!("cannot check the app rows against their repositories: {err}")))?;
    tracing::debug!(apps = repair.checked, repaired = repair.repaired, "app rows checked against their repositories");
    let (builds, toolbox, sandbox) = builds_service(global, serve, &store, &apps).await;
    let runtime = runtime_service(global, serve, &store, &apps, &builds, toolbox, sandbox)?;
    let releases = reviews::Releases::new(Arc::new(store.clone()), apps.clone(), builds.clone());
    let snippets = apps::Snippets::new(Arc::new(store.clone()));
    let leptos_options = LeptosOptions::builder()
        .output_name("appbuilder")
        .site_root(serve.site_root.to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .site_addr(serve.addr)
        .build();
    let settings = HttpSettings {
        data_dir: global.data_dir.clone(),
        max_body_bytes: serve.max_body_bytes,
        max_upload_bytes: serve.max_upload_bytes,
        secure_cookies: serve.secure_cookies,
        allowed_origins: serve.allowed_origins.clone(),
    };
    Ok(AppState {
        leptos_options,
        accounts,
        apps,
        builds,
        runtime,
        releases,
        snippets,
        store,
        settings: Arc::new(settings),
    })
}

/// The build service over `data/artifacts`, `data/cache` and `data/builds` (scratch), with the
/// tools this host has. A host without bubblewrap still serves; its builds fail saying why.
async fn builds_service(
    global: &GlobalArgs,
    serve: &ServeArgs,
    store: &SqliteStore,
    apps: &Apps,
) -> (build::Builds, Arc<build::toolbox::Toolbox>, Option<build::sandbox::Sandbox>) {
    let ruff = serve.ruff.clone();
    let toolbox =
        tokio::task::spawn_blocking(move || build::toolbox::Toolbox::discover(Some(ruff))).await.unwrap_or_default();
    let sandbox = match build::sandbox::Sandbox::find() {
        Ok(sandbox) => Some(sandbox),
        Err(err) => {
            tracing::warn!("builds cannot run: {err}");
            None
        }
    };
    let pythons: Vec<&str> = toolbox.pythons.values().map(|p| p.version.as_str()).collect();
    tracing::info!(?pythons, ruff = ?toolbox.ruff, sandbox = sandbox.is_some(), "build tools");
    if toolbox.ruff.is_none() {
        tracing::warn!(
            "ruff {} not found at {}: builds skip the lint (scripts/setup installs it)",
            build::toolbox::RUFF_VERSION,
            serve.ruff.display()
        );
    }
    let toolbox = Arc::new(toolbox);
    let settings = build::pipeline::Settings {
        toolbox: toolbox.clone(),
        sandbox: sandbox.clone(),
        cache_dir: global.data_dir.join("cache"),
        artifacts_dir: global.data_dir.join("artifacts"),
        work_dir: global.data_dir.join("builds"),
        limits: build::pipeline::Limits { memory_bytes: serve.build_memory_mb * 1024 * 1024, ..Default::default() },
    };
    (
        build::Builds::new(Arc::new(store.clone()), apps.clone(), settings, serve.build_workers as usize),
        toolbox,
        sandbox,
    )
}

/// The embedded runtime over `data/runtime/` with the secret key `data/secret.key`.
fn runtime_service(
    global: &GlobalArgs,
    serve: &ServeArgs,
    store: &SqliteStore,
    apps: &Apps,
    builds: &build::Builds,
    toolbox: Arc<build::toolbox::Toolbox>,
    sandbox: Option<build::sandbox::Sandbox>,
) -> Result<runtime::Runtime, StartupError> {
    let secrets = runtime::secrets::SecretBox::open_or_create(&global.data_dir.join("secret.key"))
        .map_err(|err| StartupError::Input(format!("cannot open the secret key: {err}")))?;
    let settings = runtime::RuntimeSettings {
        apps_dir: global.data_dir.join("runtime").join("apps"),
        runs_dir: global.data_dir.join("runtime").join("runs"),
        limits: runtime::run::RunLimits {
            memory_bytes: serve.run_memory_mb * 1024 * 1024,
            timeout: Duration::from_secs(serve.run_timeout_secs),
            network: serve.run_network,
            ..Default::default()
        },
        concurrency: serve.run_workers as usize,
        queue: serve.run_queue as usize,
    };
    let store = Arc::new(store.clone());
    let stores = runtime::RuntimeStores {
        deploy: store.clone(),
        webhooks: store.clone(),
        audit: store.clone(),
        releases: store,
    };
    Ok(runtime::Runtime::new(stores, apps.clone(), builds.clone(), sandbox, toolbox, secrets, settings))
}

/// `appbuilder serve`: runs until SIGTERM or Ctrl+C, then finishes open requests and closes the
/// database.
pub async fn serve(global: &GlobalArgs, args: ServeArgs) -> Result<(), StartupError> {
    tracing::info!(data_dir = %global.data_dir.display(), config = ?args, "starting AppBuilder {}", env!("CARGO_PKG_VERSION"));
    let state = prepare(global, &args, ThrottlePolicy::default()).await?;

    let purge = tokio::spawn(purge_expired_sessions(state.accounts.clone()));
    let store = state.store.clone();
    let router = crate::http::router(state);
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .map_err(|source| StartupError::Listen { addr: args.addr, source })?;
    let local = listener.local_addr().map_err(StartupError::Serve)?;
    tracing::info!("AppBuilder is listening on http://{local}");
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(StartupError::Serve)?;
    purge.abort();
    store.close().await;
    tracing::info!("AppBuilder stopped");
    Ok(())
}

async fn create_first_admin(accounts: &Accounts, password: Option<&str>) -> Result<(), StartupError> {
    if let Some(admin) = accounts.ensure_first_admin(password).await? {
        if admin.generated {
            // The one time a secret is logged, on purpose: nobody could sign in otherwise.
            tracing::warn!(
                "created the first admin user '{}' with the generated password: {}  (change it after signing in; set APPBUILDER_ADMIN_PASSWORD to choose it)",
                admin.username,
                admin.password
            );
        } else {
            tracing::info!(
                "created the first admin user '{}' with the password from APPBUILDER_ADMIN_PASSWORD",
                admin.username
            );
        }
    }
    Ok(())
}

fn warn_if_assets_missing(options: &LeptosOptions) {
    // The main bundle and the editor page's own (see app's `start_editor`), in the current build.
    let current = crate::http::current_build(options.clone());
    let pkg = Path::new(&*current.site_root).join(&*current.site_pkg_dir);
    for bundle in ["appbuilder.js", "editor.js"] {
        let script = pkg.join(bundle);
        if !script.is_file() {
            tracing::warn!(
                "web assets not found at {}: pages will render but not come alive; build them with scripts/build-site",
                script.display()
            );
        }
    }
}

async fn purge_expired_sessions(accounts: Accounts) {
    let mut every_hour = tokio::time::interval(Duration::from_secs(60 * 60));
    loop {
        every_hour.tick().await;
        match accounts.purge_expired_sessions().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(sessions = n, "removed expired sessions"),
            Err(err) => tracing::warn!(%err, "could not remove expired sessions"),
        }
    }
}

/// Resolves on SIGTERM (service managers) or Ctrl+C (a terminal).
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::warn!(%err, "cannot listen for Ctrl+C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::warn!(%err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: finishing open requests");
}

/// `appbuilder user ...`.
pub async fn user_command(global: &GlobalArgs, command: UserCommand) -> Result<(), StartupError> {
    match command {
        UserCommand::Add { name, role, password_stdin } => {
            let store = open_store(global).await?;
            let accounts = Accounts::new(Arc::new(store.clone()), ThrottlePolicy::default(), Duration::ZERO)?;
            let (password, generated) = if password_stdin {
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line).map_err(|err| {
                    StartupError::Input(format!("cannot read the password from standard input: {err}"))
                })?;
                (line.trim_end_matches(['\r', '\n']).to_owned(), false)
            } else {
                (accounts::generate_password(), true)
            };
            let user = accounts.create_user(&name, &password, role).await?;
            store.close().await;
            println!("added user {} with role {}", user.username, user.role);
            if generated {
                println!("password: {password}");
            }
            Ok(())
        }
    }
}
