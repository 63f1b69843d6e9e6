//! A file's bytes, mapped read-only where the platform allows.
//!
//! Why: a warm graph command at 10,000 revisions reads one ~3 MB cache
//! file. Read into the heap, that is ~750 freshly zeroed pages (one fault
//! each) and a copy, ~5% of the whole run; mapped, the pages are the page
//! cache's own, brought in 64 KB at a time. The file is never changed in
//! place (the cache is replaced by `rename`), so the mapping cannot shrink
//! under us.

use std::io;
use std::ops::Deref;
use std::path::Path;

/// The contents of a file, as a byte slice.
pub(crate) struct FileBytes(Inner);

enum Inner {
    #[cfg(unix)]
    Mapped {
        ptr: std::ptr::NonNull<u8>,
        len: usize,
    },
    Read(Vec<u8>),
}

// SAFETY: the mapping is private and read-only; nothing writes through it,
// so sharing `&[u8]` views across threads is as safe as for a `Vec`.
unsafe impl Send for FileBytes {}
// SAFETY: as above.
unsafe impl Sync for FileBytes {}

impl FileBytes {
    #[cfg(unix)]
    pub(crate) fn open(path: &Path) -> io::Result<FileBytes> {
        use std::os::fd::AsRawFd;

        let file = std::fs::File::open(path)?;
        let len = usize::try_from(file.metadata()?.len())
            .map_err(|_| io::Error::from(io::ErrorKind::FileTooLarge))?;
        if len == 0 {
            return Ok(FileBytes(Inner::Read(Vec::new())));
        }
        // SAFETY: a fresh private read-only mapping of an open descriptor;
        // the result is checked before use and unmapped on drop.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ,
                libc::MAP_PRIVATE,
                file.as_raw_fd(),
                0,
            )
        };
        match std::ptr::NonNull::new(ptr.cast::<u8>()) {
            Some(ptr) if ptr.as_ptr().cast() != libc::MAP_FAILED => {
                Ok(FileBytes(Inner::Mapped { ptr, len }))
            }
            _ => std::fs::read(path).map(|v| FileBytes(Inner::Read(v))),
        }
    }

    #[cfg(not(unix))]
    pub(crate) fn open(path: &Path) -> io::Result<FileBytes> {
        std::fs::read(path).map(|v| FileBytes(Inner::Read(v)))
    }
}

impl From<Vec<u8>> for FileBytes {
    fn from(v: Vec<u8>) -> FileBytes {
        FileBytes(Inner::Read(v))
    }
}

impl Deref for FileBytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match &self.0 {
            #[cfg(unix)]
            // SAFETY: `ptr` maps `len` readable bytes until `drop`.
            Inner::Mapped { ptr, len } => unsafe { std::slice::from_raw_parts(ptr.as_ptr(), *len) },
            Inner::Read(v) => v,
        }
    }
}

impl Drop for FileBytes {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Inner::Mapped { ptr, len } = self.0 {
            // SAFETY: the mapping made in `open`, unmapped once.
            unsafe { libc::munmap(ptr.as_ptr().cast(), len) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::FileBytes;

    #[test]
    fn reads_what_was_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"").unwrap();
        assert!(FileBytes::open(&path).unwrap().is_empty());
        let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &data).unwrap();
        let bytes = FileBytes::open(&path).unwrap();
        // replaced as the cache is: the mapping keeps the old contents
        std::fs::write(dir.path().join("g"), b"new").unwrap();
        std::fs::rename(dir.path().join("g"), &path).unwrap();
        assert_eq!(&*bytes, &data[..]);
        assert!(FileBytes::open(&dir.path().join("missing")).is_err());
    }
}
