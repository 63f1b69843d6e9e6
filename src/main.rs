/// mimalloc instead of glibc's malloc: a graph command at 10,000 revisions
/// makes ~100,000 small allocations while loading the metadata cache, and
/// glibc's per-thread arenas grow by an `mprotect` call per step (about a
/// fifth of `heads`' wall time at 10,000 revisions, measured with
/// bench/graph_commands.py).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(alembic_rs::cli::main());
}
