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
    let dirs = Dirs::open(files.iter().map(|f| f.path.as_path()));
    files
        .par_iter()
        .enumerate()
        .map(|(i, file)| dirs.with_contents(i, file, |c| f(file, c)))
        .collect()
}

pub(crate) use imp::Dirs;

/// What identifies one version of a file for the metadata cache: a change
/// of contents changes at least the ctime (set by the kernel, never by the
/// user), and usually the size and mtime too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp {
    pub size: u64,
    pub mtime: (i64, u32),
    pub ctime: (i64, u32),
    pub ino: u64,
    pub dev: u64,
}

impl Dirs {
    /// Calls `f` with the contents of `file`, the `i`th path given to
    /// [`Dirs::open`] (`None` for a sourceless file, which is not read).
    pub(crate) fn with_contents<T>(
        &self,
        i: usize,
        file: &RevisionFile,
        f: impl FnOnce(Option<io::Result<&[u8]>>) -> T,
    ) -> T {
        if file.sourceless {
            return f(None);
        }
        BUF.with(|buf| {
            let mut buf = buf.borrow_mut();
            match self.read(i, &file.path, &mut buf) {
                Ok(n) => f(Some(Ok(&buf[..n]))),
                Err(e) => f(Some(Err(e))),
            }
        })
    }
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

    use super::{Stamp, read_to_buf, stat_path};

    /// The files' directories, opened once.
    pub(crate) struct Dirs {
        pub(super) fds: Vec<Option<OwnedFd>>,
        /// Per file: index into `fds` and where its name starts in the path.
        pub(super) of: Vec<(usize, usize)>,
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
        /// The directories of these (absolute) paths; file `i` below is
        /// the `i`th of them.
        pub(crate) fn open<'a>(files: impl IntoIterator<Item = &'a Path>) -> Dirs {
            let files = files.into_iter();
            let mut paths: Vec<&[u8]> = Vec::new();
            let mut fds = Vec::new();
            let mut of = Vec::with_capacity(files.size_hint().0);
            // the previous file's `dir/` and entry in `of`
            let mut previous: Option<(&[u8], (usize, usize))> = None;
            for f in files {
                let bytes = f.as_os_str().as_bytes();
                // usually in the previous file's directory: a prefix
                // compare and a search for `/` in the name, rather than
                // looking for the last `/` a byte at a time
                if let Some((dir, entry)) = previous
                    && bytes.starts_with(dir)
                    && !bytes[dir.len()..].contains(&b'/')
                {
                    of.push(entry);
                    continue;
                }
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
                previous = Some((&bytes[..=slash], (i, slash + 1)));
            }
            Dirs { fds, of }
        }

        /// File `i`'s directory descriptor and its NUL-terminated name in
        /// `stack`, or `None` when the full path must be used.
        fn at<'a>(&'a self, i: usize, path: &Path, stack: &mut [u8; 256]) -> Option<&'a OwnedFd> {
            let (d, name_at) = self.of[i];
            let name = &path.as_os_str().as_bytes()[name_at..];
            let Some(Some(dir)) = self.fds.get(d) else {
                return None;
            };
            if name.is_empty() || name.len() >= stack.len() || name.contains(&0) {
                return None;
            }
            stack[..name.len()].copy_from_slice(name);
            stack[name.len()] = 0;
            Some(dir)
        }

        pub(super) fn read(&self, i: usize, path: &Path, buf: &mut Vec<u8>) -> io::Result<usize> {
            let mut stack = [0u8; 256];
            let Some(dir) = self.at(i, path, &mut stack) else {
                return read_to_buf(File::open(path)?, buf);
            };
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

        /// `stat` of file `i` (symlinks followed, as `read` does), with one
        /// `fstatat` relative to its directory.
        pub(crate) fn stat(&self, i: usize, path: &Path) -> io::Result<Stamp> {
            let mut stack = [0u8; 256];
            let Some(dir) = self.at(i, path, &mut stack) else {
                return stat_path(path);
            };
            // SAFETY: an all-zero `stat` is a valid value of this plain C struct.
            let mut st: libc::stat = unsafe { std::mem::zeroed() };
            // SAFETY: as in `read`; `st` is a valid `stat` to write into.
            let r = unsafe { libc::fstatat(dir.as_raw_fd(), stack.as_ptr().cast(), &mut st, 0) };
            if r != 0 {
                return Err(io::Error::last_os_error());
            }
            #[allow(clippy::unnecessary_cast)] // the field types vary by platform
            Ok(Stamp {
                size: st.st_size as u64,
                mtime: (st.st_mtime as i64, st.st_mtime_nsec as u32),
                ctime: (st.st_ctime as i64, st.st_ctime_nsec as u32),
                ino: st.st_ino as u64,
                dev: st.st_dev as u64,
            })
        }
    }
}

/// `stat` of one file by path (symlinks followed), for files outside a
/// listed directory.
#[cfg(unix)]
pub(crate) fn stat_path(path: &Path) -> io::Result<Stamp> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path)?;
    Ok(Stamp {
        size: m.size(),
        mtime: (m.mtime(), m.mtime_nsec() as u32),
        ctime: (m.ctime(), m.ctime_nsec() as u32),
        ino: m.ino(),
        dev: m.dev(),
    })
}

#[cfg(not(unix))]
pub(crate) fn stat_path(path: &Path) -> io::Result<Stamp> {
    Dirs::open([path]).stat(0, path)
}

#[cfg(not(unix))]
mod imp {
    use std::fs::File;
    use std::io;
    use std::path::Path;
    use std::time::{SystemTime, UNIX_EPOCH};

    use super::{Stamp, read_to_buf, stat_path};

    pub(crate) struct Dirs;

    fn since_epoch(t: io::Result<SystemTime>) -> (i64, u32) {
        t.ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or((0, 0), |d| (d.as_secs() as i64, d.subsec_nanos()))
    }

    impl Dirs {
        pub(crate) fn open<'a>(_files: impl IntoIterator<Item = &'a Path>) -> Dirs {
            Dirs
        }

        pub(super) fn read(&self, _i: usize, path: &Path, buf: &mut Vec<u8>) -> io::Result<usize> {
            read_to_buf(File::open(path)?, buf)
        }

        /// Size and times only: no inode or device number here.
        pub(crate) fn stat(&self, _i: usize, path: &Path) -> io::Result<Stamp> {
            let m = std::fs::metadata(path)?;
            Ok(Stamp {
                size: m.len(),
                mtime: since_epoch(m.modified()),
                ctime: since_epoch(m.created()),
                ino: 0,
                dev: 0,
            })
        }
    }
}

/// Reads one whole file (for single-file callers).
pub(crate) fn read_file(path: &Path) -> io::Result<Vec<u8>> {
    std::fs::read(path)
}

#[cfg(all(test, unix))]
mod tests {
    use std::path::Path;

    use super::Dirs;

    #[test]
    fn each_file_gets_its_own_directory_and_name() {
        let paths = [
            "/a/x.py",
            "/a/y.py",
            "/a/b/z.py",
            "/a/w.py",
            "/r.py",
            "/a/",
            "rel.py",
        ];
        let dirs = Dirs::open(paths.iter().map(Path::new));
        // (directory, where the name starts), directories in first-seen order
        let of: Vec<(usize, usize)> = dirs.of.clone();
        assert_eq!(
            of,
            [
                (0, 3),
                (0, 3),
                (1, 5),
                (0, 3),
                (2, 1),
                (0, 3),
                (usize::MAX, 0)
            ]
        );
        assert_eq!(dirs.fds.len(), 3);
    }
}
