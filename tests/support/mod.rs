pub mod cli;
pub mod upstream;
