//! The command line, parsed the way Alembic's argparse CLI parses it.
//! STUB.

pub fn main() -> i32 {
    0
}
