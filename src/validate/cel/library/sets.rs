//! cel-go's sets extension: `sets.contains`, `sets.equivalent`, `sets.intersects`.

use super::*;

pub(super) fn sets(env: &mut Env) -> Result<(), DeclarationError> {
    let lists = || vec![LIST_TYPE, LIST_TYPE];
    env.add_overload(
        "sets.contains",
        "list_sets_contains_list",
        lists(),
        sets_contains,
    )?;
    env.add_overload(
        "sets.equivalent",
        "list_sets_equivalent_list",
        lists(),
        sets_equivalent,
    )?;
    env.add_overload(
        "sets.intersects",
        "list_sets_intersects_list",
        lists(),
        sets_intersects,
    )
}

/// Whether every element of `b` equals some element of `a`, by CEL equality (`1 == 1.0`).
pub(super) fn contains_all(a: &[&dyn Val], b: &[&dyn Val]) -> bool {
    b.iter().all(|y| a.iter().any(|x| x.equals(*y)))
}

/// Both lists of a `sets.*` call.
pub(super) fn two_lists<'b, 'v, R>(
    args: Vec<CowVal<'b, 'v>>,
    f: impl FnOnce(&[&dyn Val], &[&dyn Val]) -> R,
) -> Result<R, ExecutionError> {
    let [a, b] = take(args)?;
    Ok(f(&elements(a.as_ref())?, &elements(b.as_ref())?))
}

pub(super) fn sets_contains<'b, 'v>(
    args: Vec<CowVal<'b, 'v>>,
) -> Result<CowVal<'b, 'v>, ExecutionError> {
    owned(CelBool::from(two_lists(args, contains_all)?))
}

pub(super) fn sets_equivalent<'b, 'v>(
    args: Vec<CowVal<'b, 'v>>,
) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let equivalent = two_lists(args, |a, b| contains_all(a, b) && contains_all(b, a))?;
    owned(CelBool::from(equivalent))
}

pub(super) fn sets_intersects<'b, 'v>(
    args: Vec<CowVal<'b, 'v>>,
) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let intersects = two_lists(args, |a, b| {
        a.iter().any(|x| b.iter().any(|y| x.equals(*y)))
    })?;
    owned(CelBool::from(intersects))
}
