//! The `appbuilder` command: `appbuilder [serve]` runs the server, `appbuilder user add` manages
//! users from the command line, `appbuilder validate DIR` checks an app folder, `appbuilder package DIR` writes its .tcx. See
//! `appbuilder --help`.

use clap::Parser;
use server::config::{Cli, Command};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Validate(args)) = &cli.command {
        return server::validate::run(args);
    }
    if let Some(Command::Package(args)) = &cli.command {
        return server::package::run(args);
    }
    server::telemetry::init(&cli.global.log, cli.global.log_format);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("appbuilder: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command.unwrap_or_default() {
            Command::Serve(args) => server::startup::serve(&cli.global, args).await,
            Command::User(command) => server::startup::user_command(&cli.global, command).await,
            Command::Validate(_) | Command::Package(_) => unreachable!("handled before the runtime starts"),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!("{err:#}");
            eprintln!("appbuilder: {err}");
            ExitCode::FAILURE
        }
    }
}
