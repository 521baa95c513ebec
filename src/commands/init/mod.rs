//! `inferstack init`: writes a commented starter stack, for a profile, a model source and an
//! engine, that compiles as it is with no warning and no note.

mod starter;

use std::path::PathBuf;

use anyhow::{Context, bail};

use crate::cli::InitArgs;
use crate::k8s::names::is_dns_label;

use super::Outcome;

pub fn run(args: &InitArgs) -> anyhow::Result<Outcome> {
    if !is_dns_label(&args.name) {
        bail!(
            "{:?} is not a valid service name: use lower-case letters, digits and '-' (a DNS-1123 label)",
            args.name
        );
    }
    // The starter names objects after the service (`NAME-weights`, `NAME-reader`, the
    // picker's `NAME-epp`): each must stay a DNS label.
    if args.name.len() > starter::MAX_NAME {
        bail!(
            "{:?} is {} characters; a starter's service name is at most {}, so that the names made from it (`NAME-weights`) stay DNS-1123 labels",
            args.name,
            args.name.len(),
            starter::MAX_NAME
        );
    }
    let (scheme, url) =
        starter::source(args.source.as_deref(), args.profile).map_err(anyhow::Error::msg)?;
    let text = starter::starter(&args.name, args.profile, scheme, &url, args.engine);
    let path = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{}.toml", args.name)));
    if path.as_os_str() == "-" {
        return Ok(Outcome {
            stdout: text,
            ..Outcome::default()
        });
    }
    // create_new: never overwrite an existing stack.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .with_context(|| format!("cannot create {} (it may already exist)", path.display()))?;
    std::io::Write::write_all(&mut file, text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(Outcome {
        stderr: format!(
            "wrote {}; edit it, then run `inferstack build {}`\n",
            path.display(),
            path.display()
        ),
        ..Outcome::default()
    })
}
