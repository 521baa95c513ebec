//! Quantities: `quantity`, `isQuantity` and the comparisons.

use super::*;

pub(super) static QUANTITY_TYPE: Type = Type::new_unspecified_type("kubernetes.Quantity");

#[derive(Clone, Debug, PartialEq)]
pub(super) struct K8sQuantity(Quantity);

opaque_val!(K8sQuantity, QUANTITY_TYPE);

pub(super) fn quantities(env: &mut Env) -> Result<(), DeclarationError> {
    add_overload!(env, fn quantity: (CelString) -> Result<K8sQuantity>)?;
    add_overload!(env, fn is_quantity: (CelString) -> CelBool)?;
    add_member_overload!(env, fn compare_to: (K8sQuantity, K8sQuantity) -> CelInt)?;
    add_member_overload!(env, fn is_greater_than: (K8sQuantity, K8sQuantity) -> CelBool)?;
    add_member_overload!(env, fn is_less_than: (K8sQuantity, K8sQuantity) -> CelBool)?;
    add_member_overload!(env, fn sign: (K8sQuantity) -> CelInt)?;
    Ok(())
}

pub(super) fn quantity(text: &CelString<'_>) -> Result<K8sQuantity, ExecutionError> {
    Quantity::parse(text).map(K8sQuantity).ok_or_else(|| {
        ExecutionError::function_error("quantity", format!("{:?} is not a quantity", text.inner()))
    })
}

pub(super) fn is_quantity(text: &CelString<'_>) -> CelBool {
    Quantity::parse(text).is_some().into()
}

pub(super) fn ordering(ordering: Ordering) -> CelInt {
    CelInt::from(ordering as i64)
}

pub(super) fn compare_to(a: &K8sQuantity, b: &K8sQuantity) -> CelInt {
    ordering(a.0.cmp(&b.0))
}

pub(super) fn is_greater_than(a: &K8sQuantity, b: &K8sQuantity) -> CelBool {
    (a.0 > b.0).into()
}

pub(super) fn is_less_than(a: &K8sQuantity, b: &K8sQuantity) -> CelBool {
    (a.0 < b.0).into()
}

pub(super) fn sign(q: &K8sQuantity) -> CelInt {
    ordering(q.0.cmp(&Quantity::parse("0").expect("0 is a quantity")))
}
