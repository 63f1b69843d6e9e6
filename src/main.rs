/// mimalloc instead of glibc's malloc: the graph commands at 10,000
/// revisions allocate from several threads while loading the metadata
/// cache, and glibc's per-thread arenas grow by an `mprotect` call per
/// step; with mimalloc a warm `heads` is ~20% faster. Its arena is
/// committed on demand (.cargo/config.toml), so commands that start Python
/// keep their peak memory.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(alembic_rs::cli::main());
}
