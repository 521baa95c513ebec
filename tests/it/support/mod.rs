pub mod apiserver;
pub mod cli;
pub mod readme;
pub mod reference;
pub mod upstream;
