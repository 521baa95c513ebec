//! The pure middle of the pipeline: loaded sources -> parse -> resolve -> validate -> lower ->
//! merge. No file system, no clock; `commands` do the I/O around it.

use rayon::prelude::*;

use crate::diag::Diagnostics;
use crate::k8s::Object;
use crate::resolve::Profile;
use crate::source::{FileId, SourceMap};
use crate::{emit, lower, resolve, stack, validate};

/// Everything a build produces before it is written: objects in apply order and all problems.
#[derive(Debug, Default)]
pub struct Compiled {
    pub objects: Vec<Object>,
    pub diagnostics: Diagnostics,
    /// How many stacks were compiled, for summaries.
    pub stacks: usize,
}

/// Compiles the given stack files. Every file is taken as far as it can go, so one run reports
/// the problems of all of them; objects are only meaningful when there are no errors.
/// `profile` (from `--profile`) overrides every stack's own profile.
pub fn compile(
    sources: &SourceMap,
    files: &[FileId],
    profile: Option<Profile>,
) -> anyhow::Result<Compiled> {
    // Stacks are independent until merge; results are collected in input order, so the
    // parallelism never shows in the output.
    let per_stack: Vec<(Vec<Object>, Diagnostics)> = files
        .par_iter()
        .map(|&file| {
            let mut found = Diagnostics::default();
            compile_one(sources, file, profile, &mut found).map(|objects| (objects, found))
        })
        .collect::<anyhow::Result<_>>()?;
    let mut diagnostics = Diagnostics::default();
    let mut objects = Vec::new();
    for (stack_objects, found) in per_stack {
        objects.extend(stack_objects);
        diagnostics.extend(found);
    }
    let (mut objects, conflicts) = lower::merge::merge(objects);
    diagnostics.extend(conflicts);
    if !diagnostics.has_errors() {
        diagnostics.extend(validate::cross::check_compiled(&objects));
        diagnostics.extend(emit::layout::check_file_names(&objects));
    }
    diagnostics.sort();
    emit::sort(&mut objects);
    Ok(Compiled {
        objects,
        diagnostics,
        stacks: files.len(),
    })
}

fn compile_one(
    sources: &SourceMap,
    file: FileId,
    profile: Option<Profile>,
    diagnostics: &mut Diagnostics,
) -> anyhow::Result<Vec<Object>> {
    let parsed = stack::parse(sources, file);
    let mut found = parsed.diagnostics;
    let resolved = parsed
        .stack
        .and_then(|stack| resolve::resolve(&stack, profile, &mut found));
    let objects = match resolved {
        Some(resolved) => {
            found.extend(validate::stack::check(&resolved));
            if found.has_errors() {
                Vec::new()
            } else {
                lower::lower(&resolved)?
            }
        }
        None => Vec::new(),
    };
    diagnostics.extend(found);
    Ok(objects)
}
