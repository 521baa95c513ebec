//! Validate stage. `stack` checks one resolved stack against the rules no TOML type can express;
//! cross-stack rules (shared objects, duplicate services) live in `lower::merge`.

pub mod names;
pub mod stack;
