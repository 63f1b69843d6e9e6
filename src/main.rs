fn main() {
    std::process::exit(alembic_rs::cli::main());
}
