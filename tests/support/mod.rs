pub mod cli;
pub mod reference;
pub mod upstream;
