//! The command line that would redo a run, for messages that tell the user what to type: it
//! must carry every flag that changes the output, or following the advice would not help.

use std::ffi::OsStr;

use crate::cli::{BuildArgs, Delivery, Stacks};

/// `inferstack build …` with the stacks, environments, profile, output and delivery of `args`.
pub fn build(args: &BuildArgs) -> String {
    let mut words: Vec<String> = vec!["inferstack".into(), "build".into()];
    stacks(&args.stacks, &mut words);
    words.push("-o".into());
    words.push(quoted(args.output.as_os_str()));
    delivery(&args.delivery, &mut words);
    words.join(" ")
}

fn stacks(stacks: &Stacks, words: &mut Vec<String>) {
    words.extend(stacks.paths.iter().map(|p| quoted(p.as_os_str())));
    if !stacks.envs.is_empty() {
        words.push("--env".into());
        words.push(quoted(OsStr::new(&stacks.envs.join(","))));
    }
    if let Some(profile) = stacks.profile {
        let value = clap::ValueEnum::to_possible_value(&profile)
            .map(|v| v.get_name().to_owned())
            .unwrap_or_default();
        words.push("--profile".into());
        words.push(value);
    }
}

fn delivery(delivery: &Delivery, words: &mut Vec<String>) {
    if let Some(tool) = delivery.gitops {
        words.push("--gitops".into());
        words.push(tool.as_str().into());
    }
    for (flag, value) in [
        ("--repo-url", &delivery.repo_url),
        ("--revision", &delivery.revision),
        ("--repo-path", &delivery.repo_path),
    ] {
        if let Some(value) = value {
            words.push(flag.into());
            words.push(quoted(OsStr::new(value)));
        }
    }
}

/// One word as a POSIX shell reads it back: plain when it needs no quoting, else in single
/// quotes (a `'` inside closes, escapes and reopens them).
fn quoted(word: &OsStr) -> String {
    let word = word.to_string_lossy();
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=,@%+".contains(c));
    if plain {
        word.into_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_quoted_only_when_the_shell_needs_it() {
        assert_eq!(quoted(OsStr::new("examples/fleet")), "examples/fleet");
        assert_eq!(quoted(OsStr::new("my stacks")), "'my stacks'");
        assert_eq!(quoted(OsStr::new("it's")), r"'it'\''s'");
        assert_eq!(quoted(OsStr::new("")), "''");
        assert_eq!(quoted(OsStr::new("$HOME")), "'$HOME'");
    }
}
