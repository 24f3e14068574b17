//! The integration tests: one crate (one link step on a small machine), a module per area,
//! all over the harness in `common` (run the built binary as a user does; numeric oracles;
//! random expressions).

mod common;

mod accuracy;
mod algebra;
mod cases;
mod cli;
mod closed_stdout;
mod commands;
mod cse_names;
mod definitions;
mod defs_limits;
mod docs;
mod emit;
mod exact_points;
mod explain;
mod functions;
mod hostile;
mod interrupt;
mod limits;
mod manual;
mod memory;
mod network;
mod oracle;
mod order;
mod parse_agree;
mod plot;
mod reference;
mod roundtrip;
mod scoping;
mod smooth_kinks;
mod strict;
mod surface;
mod tools;
mod train;
mod unicode;
mod usage;
mod vector_oracle;
