//! Operator commands. Each validates its input before touching anything, so a bad command
//! changes nothing and says why.

pub mod demo;
pub mod orders;
pub mod wallet;
