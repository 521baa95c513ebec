//! The `inferstack` binary: parse arguments, run the command, print, exit 0/1/2.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;
use inferstack::cli::{Cli, ColorChoice, MessageFormat};
use inferstack::commands;
use inferstack::diag::render::{Color, Style};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = match cli.color {
        ColorChoice::Always => Color::Always,
        ColorChoice::Never => Color::Never,
        // Reports go to stdout and diagnostics to stderr: colour only when both are terminals,
        // so `inferstack diff | less` gets plain text.
        ColorChoice::Auto
            if std::env::var_os("NO_COLOR").is_none()
                && std::io::stderr().is_terminal()
                && std::io::stdout().is_terminal() =>
        {
            Color::Always
        }
        ColorChoice::Auto => Color::Never,
    };
    let style = match cli.message_format {
        MessageFormat::Human => Style::Human(color),
        MessageFormat::Short => Style::Short,
    };
    match commands::run(&cli, style) {
        Ok(outcome) => {
            let written = {
                let mut stdout = std::io::stdout().lock();
                stdout
                    .write_all(outcome.stdout.as_bytes())
                    .and_then(|()| stdout.flush())
            };
            let _ = std::io::stderr().write_all(outcome.stderr.as_bytes());
            match written {
                // A closed pipe (`inferstack build -o - | head`) is the reader's choice.
                Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
                    // A full disk or a dead file: whoever reads the output must not take it as
                    // complete (the Argo CD plugin contract: non-zero on any error).
                    let _ = writeln!(std::io::stderr(), "error: cannot write the output: {error}");
                    ExitCode::from(2)
                }
                _ => ExitCode::from(u8::from(outcome.problems)),
            }
        }
        // `eprintln!` panics when stderr is closed or full (`2>/dev/full`); the exit code must
        // still say what happened, so a failed write to stderr is ignored.
        Err(error) => {
            let _ = writeln!(std::io::stderr(), "error: {error:#}");
            ExitCode::from(2)
        }
    }
}
