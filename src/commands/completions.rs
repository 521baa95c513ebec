//! `inferstack completions SHELL` and `inferstack man`: generated from the same clap
//! definitions the parser uses, so they never disagree with the real flags.

use clap::CommandFactory;
use clap_complete::Shell;

use super::Outcome;
use crate::cli::Cli;

pub fn script(shell: Shell) -> anyhow::Result<Outcome> {
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "inferstack", &mut out);
    Ok(Outcome {
        stdout: String::from_utf8(out)?,
        ..Outcome::default()
    })
}

/// The main page, or a subcommand's own (`inferstack-build(1)`, as git names them).
pub fn man_page(subcommand: Option<&str>) -> anyhow::Result<Outcome> {
    let main = Cli::command();
    let page = match subcommand {
        None => main,
        Some(name) => {
            let Some(found) = main.find_subcommand(name) else {
                let names: Vec<&str> = main.get_subcommands().map(|c| c.get_name()).collect();
                anyhow::bail!(
                    "`{name}` is no subcommand; the pages are: {}",
                    names.join(", ")
                );
            };
            found.clone().name(format!("inferstack-{name}"))
        }
    };
    let mut out = Vec::new();
    clap_mangen::Man::new(page).render(&mut out)?;
    Ok(Outcome {
        stdout: String::from_utf8(out)?,
        ..Outcome::default()
    })
}
