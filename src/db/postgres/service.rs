//! libpq's connection service file: `?service=name` (or `PGSERVICE`) names
//! a section of `pg_service.conf` whose options fill in what the URL leaves
//! out. Ignoring it would connect somewhere else than the project means.

use super::conninfo::KEYWORDS;

/// The options of service `name`: from `PGSERVICEFILE` (which must exist)
/// or `~/.pg_service.conf`, else the system-wide `pg_service.conf` under
/// `PGSYSCONFDIR` (libpq's compiled-in `/etc/postgresql-common` by
/// default). Errors are libpq's texts.
pub(super) fn lookup(name: &str) -> Result<Vec<(String, String)>, String> {
    let user_file = match std::env::var("PGSERVICEFILE") {
        Ok(path) => {
            if !std::path::Path::new(&path).is_file() {
                return Err(format!("service file \"{path}\" not found\n"));
            }
            Some(path)
        }
        Err(_) => std::env::var("HOME")
            .ok()
            .map(|home| format!("{home}/.pg_service.conf"))
            .filter(|p| std::path::Path::new(p).is_file()),
    };
    let sysconfdir =
        std::env::var("PGSYSCONFDIR").unwrap_or_else(|_| "/etc/postgresql-common".into());
    let system_file =
        Some(format!("{sysconfdir}/pg_service.conf")).filter(|p| std::path::Path::new(p).is_file());
    for file in [user_file, system_file].into_iter().flatten() {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        if let Some(options) = section(&text, name, &file)? {
            return Ok(options);
        }
    }
    Err(format!("definition of service \"{name}\" not found\n"))
}

/// The `key=value` lines of section `[name]`, `None` when the file has no
/// such section.
fn section(text: &str, name: &str, file: &str) -> Result<Option<Vec<(String, String)>>, String> {
    let mut found: Option<Vec<(String, String)>> = None;
    let mut inside = false;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(header) = line.strip_prefix('[') {
            if found.is_some() {
                break;
            }
            inside = header.strip_suffix(']') == Some(name);
            if inside {
                found = Some(Vec::new());
            }
            continue;
        }
        if !inside {
            continue;
        }
        let lineno = i + 1;
        let Some((key, value)) = line.split_once('=') else {
            return Err(format!(
                "syntax error in service file \"{file}\", line {lineno}\n"
            ));
        };
        // libpq trims the line, not the key or the value
        if key == "service" {
            return Err(format!(
                "nested service specifications not supported in service file \"{file}\", line \
                 {lineno}\n"
            ));
        }
        if !KEYWORDS.contains(&key) {
            return Err(format!(
                "syntax error in service file \"{file}\", line {lineno}\n"
            ));
        }
        if let Some(options) = found.as_mut() {
            options.push((key.to_string(), value.to_string()));
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections() {
        let text = "# c\n[a]\nhost=h1\n port=5433 \n\n[b]\nhost=h2\n[c]\nbogus=1\n[d]\nservice=a\n[e]\nhost = h\n";
        assert_eq!(
            section(text, "a", "f"),
            Ok(Some(vec![
                ("host".into(), "h1".into()),
                ("port".into(), "5433".into())
            ]))
        );
        assert_eq!(section(text, "x", "f"), Ok(None));
        assert_eq!(
            section(text, "e", "f"),
            Err("syntax error in service file \"f\", line 13\n".into())
        );
        assert_eq!(
            section(text, "c", "f"),
            Err("syntax error in service file \"f\", line 9\n".into())
        );
        assert_eq!(
            section(text, "d", "f"),
            Err(
                "nested service specifications not supported in service file \"f\", line 11\n"
                    .into()
            )
        );
    }
}
