//! Command line and configuration: every setting is a flag and an `APPBUILDER_*` variable.

use clap::{Args, Parser, Subcommand, ValueEnum};
use domain::Role;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

/// AppBuilder: a browser IDE for SOAR playbook apps.
#[derive(Debug, Parser)]
#[command(name = "appbuilder", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Settings that every subcommand uses.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Data directory: the SQLite database and the app repositories live here.
    #[arg(long, env = "APPBUILDER_DATA", default_value = "./data", global = true)]
    pub data_dir: PathBuf,
    /// Database URL; defaults to the SQLite file `appbuilder.db` in the data directory.
    #[arg(long, env = "APPBUILDER_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Log filter, e.g. `info` or `server=debug,tower_http=debug`.
    #[arg(long, env = "APPBUILDER_LOG", default_value = "info", global = true)]
    pub log: String,
    /// Log format: human-readable text or one JSON object per line.
    #[arg(long, env = "APPBUILDER_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
}

impl GlobalArgs {
    /// The database URL to use: the one given, or the SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("appbuilder.db").display()))
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web UI and the API (the default).
    Serve(ServeArgs),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Check an app folder (install.json, layout.json, tcex.json, Python syntax) and print its
    /// problems; exits with 1 when any is an error (for CI pipelines).
    Validate(ValidateArgs),
    /// Validate an app folder and write its deterministic .tcx package (the build's package step);
    /// prints the package's path, size and sha256.
    Package(PackageArgs),
}

impl Default for Command {
    fn default() -> Self {
        // Parsing no arguments cannot fail: every serve flag has a default or an env fallback.
        Command::Serve(ServeArgs::parse_from(["serve"]))
    }
}

/// `appbuilder serve`.
#[derive(Clone, Parser)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "APPBUILDER_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
    /// Password for the first admin (`admin`), used only when the database has no users.
    /// Without it a password is generated and printed once to the log.
    #[arg(long, env = "APPBUILDER_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,
    /// Folder with the built web assets (`pkg/BUILD` naming `pkg/<build id>/` with the bundles and
    /// the CSS; `monaco/`), as `scripts/build-site` writes it.
    #[arg(long, env = "APPBUILDER_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,
    /// Largest request body accepted by the API, in bytes (larger ones get 413).
    #[arg(long, env = "APPBUILDER_MAX_BODY_BYTES", default_value_t = 1024 * 1024)]
    pub max_body_bytes: usize,
    /// Largest body of a save (`POST .../commits`) or an import, in bytes; files are base64 there.
    #[arg(long, env = "APPBUILDER_MAX_UPLOAD_BYTES", default_value_t = 64 * 1024 * 1024)]
    pub max_upload_bytes: usize,
    /// Days a browser session lasts after sign-in.
    #[arg(long, env = "APPBUILDER_SESSION_DAYS", default_value_t = 14, value_parser = clap::value_parser!(u32).range(1..=365))]
    pub session_days: u32,
    /// Mark the session cookie `Secure` (set this when AppBuilder is served over HTTPS).
    #[arg(long, env = "APPBUILDER_SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,
    /// Extra origins (scheme://host:port) allowed to send state-changing requests, for use behind
    /// a reverse proxy that rewrites the Host header. The request's own host is always allowed.
    #[arg(long, env = "APPBUILDER_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Vec<String>,
    /// Builds run at the same time (each runs its untrusted steps in its own sandbox).
    #[arg(long, env = "APPBUILDER_BUILD_WORKERS", default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub build_workers: u32,
    /// Memory cap of every sandboxed build program, in MiB (address space).
    #[arg(long, env = "APPBUILDER_BUILD_MEMORY_MB", default_value_t = 2048, value_parser = clap::value_parser!(u64).range(64..))]
    pub build_memory_mb: u64,
    /// The ruff binary of the lint step (scripts/setup installs the pinned version there).
    #[arg(long, env = "APPBUILDER_RUFF", default_value = "target/build-tools/bin/ruff")]
    pub ruff: PathBuf,
    /// App runs in the embedded runtime at the same time; more wait in a queue.
    #[arg(long, env = "APPBUILDER_RUN_WORKERS", default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub run_workers: u32,
    /// Runs that may wait for a slot; more are refused with 429.
    #[arg(long, env = "APPBUILDER_RUN_QUEUE", default_value_t = 200)]
    pub run_queue: u32,
    /// Memory cap of one run, in MiB (address space).
    #[arg(long, env = "APPBUILDER_RUN_MEMORY_MB", default_value_t = 1024, value_parser = clap::value_parser!(u64).range(64..))]
    pub run_memory_mb: u64,
    /// Time limit of one run, in seconds.
    #[arg(long, env = "APPBUILDER_RUN_TIMEOUT_SECS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..))]
    pub run_timeout_secs: u64,
    /// Whether runs may use the network (enrichment apps call remote services).
    #[arg(long, env = "APPBUILDER_RUN_NETWORK", default_value_t = true, action = clap::ArgAction::Set)]
    pub run_network: bool,
}

impl fmt::Debug for ServeArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServeArgs")
            .field("addr", &self.addr)
            .field("admin_password", &self.admin_password.as_ref().map(|_| "<redacted>"))
            .field("site_root", &self.site_root)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("max_upload_bytes", &self.max_upload_bytes)
            .field("session_days", &self.session_days)
            .field("secure_cookies", &self.secure_cookies)
            .field("allowed_origins", &self.allowed_origins)
            .field("build_workers", &self.build_workers)
            .field("build_memory_mb", &self.build_memory_mb)
            .field("ruff", &self.ruff)
            .field("run_workers", &self.run_workers)
            .field("run_queue", &self.run_queue)
            .field("run_memory_mb", &self.run_memory_mb)
            .field("run_timeout_secs", &self.run_timeout_secs)
            .field("run_network", &self.run_network)
            .finish()
    }
}

/// `appbuilder validate DIR`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The app's folder (the one holding install.json).
    pub dir: PathBuf,
    /// Print the problems as JSON (`{"problems": [...], "errors": n, "warnings": n}`).
    #[arg(long)]
    pub json: bool,
    /// The app's slug, for the output naming standard (default: from the folder's name).
    #[arg(long)]
    pub slug: Option<String>,
}

/// `appbuilder package DIR`.
#[derive(Debug, Args)]
pub struct PackageArgs {
    /// The app's folder (the one holding install.json); vendored `deps/` in it are packaged too.
    pub dir: PathBuf,
    /// Where to write the package: a file, or a folder to put `<folder>.tcx` in
    /// (default: DIR/target/, as `tcex package`).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Print the result as JSON (path, file_name, folder, size, sha256, files).
    #[arg(long)]
    pub json: bool,
    /// The app's slug, for the output naming standard (default: from the folder's name).
    #[arg(long)]
    pub slug: Option<String>,
}

/// `appbuilder user ...`.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user. The password is read from standard input with `--password-stdin`,
    /// otherwise one is generated and printed.
    Add {
        /// The user name (2-64 characters of a-z 0-9 . _ -).
        name: String,
        /// The user's role.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
}

fn parse_role(text: &str) -> Result<Role, String> {
    text.parse().map_err(|err: domain::role::UnknownRole| err.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_arguments_means_serve_with_the_documented_defaults() {
        let cli = Cli::try_parse_from(["appbuilder"]).expect("parses");
        assert!(cli.command.is_none());
        let Command::Serve(args) = Command::default() else { panic!("serve is the default") };
        assert_eq!(args.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(cli.global.data_dir, PathBuf::from("./data"));
        assert_eq!(cli.global.database_url(), "sqlite://./data/appbuilder.db");
    }

    #[test]
    fn user_add_takes_a_role_and_refuses_unknown_ones() {
        let cli =
            Cli::try_parse_from(["appbuilder", "--data-dir", "/tmp/x", "user", "add", "dev1", "--role", "developer"])
                .expect("parses");
        match cli.command {
            Some(Command::User(UserCommand::Add { name, role, password_stdin })) => {
                assert_eq!((name.as_str(), role, password_stdin), ("dev1", Role::Developer, false));
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(Cli::try_parse_from(["appbuilder", "user", "add", "x", "--role", "root"]).is_err());
    }

    #[test]
    fn the_admin_password_never_shows_in_debug_output() {
        let args = ServeArgs::parse_from(["serve", "--admin-password", "hunter2hunter2"]);
        assert!(!format!("{args:?}").contains("hunter2"));
    }
}
