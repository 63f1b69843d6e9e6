//! Room on the stack for Python syntax trees.
//!
//! rustpython's parser is table-driven, but the tree it returns is dropped
//! recursively, and the walks over it recurse too: one statement nesting
//! tens of thousands of levels (`not not ... x`, `f(f(...))`) overflows a
//! rayon worker's 2 MiB stack, and a stack overflow aborts the process.
//! Python refuses such a file on import (`RecursionError`, `MemoryError`,
//! `too many nested parentheses`), and alembic-rs must report that as
//! Python does, not die. A tree cannot nest deeper than its source is long,
//! so a source longer than any thread's stack is sure to hold is read on a
//! thread of its own whose stack grows with the source. Revision files
//! that long are rare (big initial schemas, data), so the common case
//! spawns nothing.

/// Source bytes any thread can take inline: a level of nesting costs up to
/// ~100 bytes of stack (measured: `f(` chains overflow 2 MiB near 20,000
/// levels), so 8 KiB stays under 1 MiB.
const INLINE_MAX: usize = 8 * 1024;

/// Stack given per source byte beyond that, with room to spare.
const BYTES_PER_LEVEL: usize = 256;

/// Runs `f`, which parses and walks a syntax tree of `source_len` bytes, with
/// stack enough for it. `None` when no such thread could be started (the
/// caller then leaves the file to Python).
pub fn for_source<T: Send>(source_len: usize, f: impl FnOnce() -> T + Send) -> Option<T> {
    if source_len <= INLINE_MAX {
        return Some(f());
    }
    let size = (1 << 20) + source_len.saturating_mul(BYTES_PER_LEVEL);
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .name("deep-syntax".into())
            .stack_size(size)
            .spawn_scoped(scope, f)
            .ok()?;
        match handle.join() {
            Ok(value) => Some(value),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}
