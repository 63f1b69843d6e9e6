//! Reading many small files in parallel with as few system calls as
//! possible: one `openat` relative to an already open directory (no path
//! walk), `read`s into a per-thread buffer until end of file, `close`.
//! (`std::fs::read` adds `statx` and `lseek` to size its buffer, which
//! matters when a system call costs a microsecond.)

use std::cell::RefCell;
use std::io;
use std::path::Path;

use rayon::prelude::*;

use super::discover::RevisionFile;

thread_local! {
    static BUF: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Calls `f` with the contents of each file (or the error reading it), in
/// parallel; the results come back in the order of `files`. Sourceless
/// files are not read (`f` gets `None`).
pub(crate) fn map_files<T, F>(files: &[RevisionFile], f: F) -> Vec<T>
where
    T: Send,
    F: Fn(&RevisionFile, Option<io::Result<&[u8]>>) -> T + Sync,
{
    let dirs = imp::Dirs::open(files);
    files
        .par_iter()
        .enumerate()
        .map(|(i, file)| {
            if file.sourceless {
                return f(file, None);
            }
            BUF.with(|buf| {
                let mut buf = buf.borrow_mut();
                match dirs.read(i, &file.path, &mut buf) {
                    Ok(n) => f(file, Some(Ok(&buf[..n]))),
                    Err(e) => f(file, Some(Err(e))),
                }
            })
        })
        .collect()
}

/// Reads the whole file into `buf` (grown as needed; its length is kept at
/// its capacity, zero-filled once), returning the number of bytes.
fn read_to_buf(mut r: impl io::Read, buf: &mut Vec<u8>) -> io::Result<usize> {
    if buf.len() < 64 * 1024 {
        buf.resize(64 * 1024, 0);
    }
    let mut n = 0;
    loop {
        if n == buf.len() {
            buf.resize(buf.len() * 2, 0);
        }
        match r.read(&mut buf[n..]) {
            Ok(0) => return Ok(n),
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

#[cfg(unix)]
mod imp {
    use std::ffi::CString;
    use std::fs::File;
    use std::io;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::os::unix::ffi::OsStrExt;
    use std::path::Path;

    use super::{RevisionFile, read_to_buf};

    /// The files' directories, opened once.
    pub(super) struct Dirs {
        fds: Vec<Option<OwnedFd>>,
        /// Per file: index into `fds` and where its name starts in the path.
        of: Vec<(usize, usize)>,
    }

    fn open_dir(path: &[u8]) -> Option<OwnedFd> {
        let c = CString::new(path).ok()?;
        // SAFETY: `c` is a valid NUL-terminated string; the returned
        // descriptor, when valid, is owned by nobody else.
        let fd = unsafe {
            libc::open(
                c.as_ptr(),
                libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC,
            )
        };
        // SAFETY: `fd` is a freshly opened descriptor.
        (fd >= 0).then(|| unsafe { OwnedFd::from_raw_fd(fd) })
    }

    impl Dirs {
        pub(super) fn open(files: &[RevisionFile]) -> Dirs {
            let mut paths: Vec<&[u8]> = Vec::new();
            let mut fds = Vec::new();
            let mut of = Vec::with_capacity(files.len());
            for f in files {
                let bytes = f.path.as_os_str().as_bytes();
                // an absolute path: `/dir/name` (the root itself is `/`)
                let Some(slash) = bytes.iter().rposition(|&c| c == b'/') else {
                    of.push((usize::MAX, 0));
                    continue;
                };
                let parent = if slash == 0 {
                    &b"/"[..]
                } else {
                    &bytes[..slash]
                };
                let i = match paths.iter().rposition(|p| *p == parent) {
                    Some(i) => i,
                    None => {
                        paths.push(parent);
                        fds.push(open_dir(parent));
                        paths.len() - 1
                    }
                };
                of.push((i, slash + 1));
            }
            Dirs { fds, of }
        }

        pub(super) fn read(&self, i: usize, path: &Path, buf: &mut Vec<u8>) -> io::Result<usize> {
            let (d, name_at) = self.of[i];
            let name = &path.as_os_str().as_bytes()[name_at..];
            let Some(Some(dir)) = self.fds.get(d) else {
                return read_to_buf(File::open(path)?, buf);
            };
            let mut stack = [0u8; 256];
            if name.is_empty() || name.len() >= stack.len() || name.contains(&0) {
                return read_to_buf(File::open(path)?, buf);
            }
            stack[..name.len()].copy_from_slice(name);
            // SAFETY: `stack` holds the name and a NUL, with no interior NUL;
            // `dir` is an open directory descriptor.
            let fd = unsafe {
                libc::openat(
                    dir.as_raw_fd(),
                    stack.as_ptr().cast(),
                    libc::O_RDONLY | libc::O_CLOEXEC,
                )
            };
            if fd < 0 {
                return Err(io::Error::last_os_error());
            }
            // SAFETY: `fd` is a freshly opened descriptor that we own.
            let file = unsafe { File::from_raw_fd(fd) };
            read_to_buf(file, buf)
        }
    }
}

#[cfg(not(unix))]
mod imp {
    use std::fs::File;
    use std::io;
    use std::path::Path;

    use super::{RevisionFile, read_to_buf};

    pub(super) struct Dirs;

    impl Dirs {
        pub(super) fn open(_files: &[RevisionFile]) -> Dirs {
            Dirs
        }

        pub(super) fn read(&self, _i: usize, path: &Path, buf: &mut Vec<u8>) -> io::Result<usize> {
            read_to_buf(File::open(path)?, buf)
        }
    }
}

/// Reads one whole file (for single-file callers).
pub(crate) fn read_file(path: &Path) -> io::Result<Vec<u8>> {
    std::fs::read(path)
}
