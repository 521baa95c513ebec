//! One module per subcommand. Each returns an [`Outcome`]; printing and exit codes are decided
//! in `main`, the only place that owns the process.

mod build;
mod check;
mod cluster;
mod command_line;
mod completions;
mod diff;
mod diff_live;
mod diff_report;
mod explain;
mod init;
mod plan;
mod pull;
mod schema;
mod validate;

use crate::cli::{Cli, Command, SchemasCommand};
use crate::diag::render::Style;

/// What a command produced: text for stdout and stderr, and whether the inputs had problems.
#[derive(Debug, Default)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    pub problems: bool,
}

/// Runs the command; `Err` means inferstack itself could not run (exit 2).
pub fn run(cli: &Cli, style: Style) -> anyhow::Result<Outcome> {
    match &cli.command {
        Command::Build(args) => build::run(args, style),
        Command::Check(args) => check::run(args, style),
        Command::Validate(args) => validate::run(args, style),
        Command::Schema => Ok(schema::run()),
        Command::Schemas(SchemasCommand::Pull(args)) => pull::run(args),
        Command::Init(args) => init::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Diff(args) => diff::run(args, style),
        Command::Completions(args) => completions::script(args.shell),
        Command::Man(args) => completions::man_page(args.command.as_deref()),
    }
}
