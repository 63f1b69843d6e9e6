//! `pathlib.PurePosixPath` string semantics. Alembic passes every location
//! through `pathlib.Path`, and the normalised string is what users see in
//! messages (`Path doesn't exist: migrations.`) and what `%(here)s` expands
//! to, so `./migrations/` must come out as `migrations`.

/// `str(PurePosixPath(s))`: repeated slashes collapsed, `.` parts and the
/// trailing slash dropped, `..` kept; exactly two leading slashes survive.
pub fn normalize(s: &str) -> String {
    let root = if s.starts_with("//") && !s.starts_with("///") {
        "//"
    } else if s.starts_with('/') {
        "/"
    } else {
        ""
    };
    let parts: Vec<&str> = s
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let joined = parts.join("/");
    match (root, joined.is_empty()) {
        ("", true) => ".".to_string(),
        (root, _) => format!("{root}{joined}"),
    }
}

/// `PurePosixPath(base) / rel`: an absolute `rel` replaces `base`.
pub fn join(base: &str, rel: &str) -> String {
    if rel.starts_with('/') {
        normalize(rel)
    } else {
        normalize(&format!("{base}/{rel}"))
    }
}

/// `Path(s).absolute()`: joined onto the working directory, not resolved.
pub fn absolute(s: &str, cwd: &str) -> String {
    join(cwd, s)
}

/// `PurePosixPath(s).parent`.
pub fn parent(s: &str) -> String {
    let n = normalize(s);
    match n.rfind('/') {
        None => ".".to_string(),
        Some(i) => {
            let head = &n[..i];
            if head.is_empty() || head == "/" {
                n[..=i].to_string()
            } else {
                head.to_string()
            }
        }
    }
}

/// The working directory as `os.getcwd()` reports it.
pub fn cwd() -> String {
    std::env::current_dir()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|_| ".".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_like_pathlib() {
        assert_eq!(normalize("./migrations/"), "migrations");
        assert_eq!(normalize("a//b/./c"), "a/b/c");
        assert_eq!(normalize("a/../b"), "a/../b");
        assert_eq!(normalize(""), ".");
        assert_eq!(normalize("."), ".");
        assert_eq!(normalize("/"), "/");
        assert_eq!(normalize("//x/"), "//x");
        assert_eq!(normalize("///x"), "/x");
    }

    #[test]
    fn join_and_parent() {
        assert_eq!(join("/a", "b/"), "/a/b");
        assert_eq!(join("/a", "/b"), "/b");
        assert_eq!(join("/a", ""), "/a");
        assert_eq!(parent("/a/b"), "/a");
        assert_eq!(parent("/a"), "/");
        assert_eq!(parent("/"), "/");
        assert_eq!(parent("a"), ".");
        assert_eq!(parent("//a"), "//");
        assert_eq!(parent("/c/x/../alembic.ini"), "/c/x/..");
        assert_eq!(absolute("./alembic.ini", "/w"), "/w/alembic.ini");
        assert_eq!(absolute("/etc/a.ini", "/w"), "/etc/a.ini");
    }
}
