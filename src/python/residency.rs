//! Giving back the executable's read-only pages before Python starts.
//!
//! Every command that runs env.py peaks while Python and SQLAlchemy are
//! loaded, and the rule is that this peak stays under Alembic's.
//! The pages of alembic-rs's own code and constants touched before that
//! (configuration, script scanning, the revision graph; ~6 MB with the
//! kernel's fault-around) would otherwise all count in it. They are
//! clean file-backed pages: dropping them only means the few still needed
//! are read back from the page cache on their next use.

/// `madvise(MADV_DONTNEED)` on this executable's text and its first
/// read-only segment (headers, `.rodata`, `.eh_frame`), never on the
/// RELRO segment, whose relocated pages exist only in memory.
#[cfg(target_os = "linux")]
pub fn release_startup_pages() {
    let (Ok(exe), Ok(maps)) = (
        std::fs::read_link("/proc/self/exe"),
        std::fs::read_to_string("/proc/self/maps"),
    ) else {
        return;
    };
    let exe = exe.to_string_lossy();
    for line in maps.lines() {
        let mut fields = line.split_whitespace();
        let (Some(range), Some(perms), Some(offset)) =
            (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let path = fields.nth(2).unwrap_or("");
        let read_only =
            perms == "r-xp" || (perms == "r--p" && offset.trim_start_matches('0').is_empty());
        if path != exe || !read_only {
            continue;
        }
        let Some((start, end)) = range.split_once('-') else {
            continue;
        };
        let (Ok(start), Ok(end)) = (
            usize::from_str_radix(start, 16),
            usize::from_str_radix(end, 16),
        ) else {
            continue;
        };
        // SAFETY: the range is a private, never-written mapping of our own
        // executable file; MADV_DONTNEED drops its pages, which fault back
        // in unchanged from the file.
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED);
        }
    }
}

#[cfg(not(target_os = "linux"))]
pub fn release_startup_pages() {}
