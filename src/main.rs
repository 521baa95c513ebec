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
            // A closed pipe (`inferstack build -o - | head`) is not an error worth reporting.
            let _ = std::io::stdout().write_all(outcome.stdout.as_bytes());
            let _ = std::io::stderr().write_all(outcome.stderr.as_bytes());
            ExitCode::from(u8::from(outcome.problems))
        }
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}
