//! `~/.pgpass` (or `PGPASSFILE`, or `passfile=`) with libpq's rules: lines
//! `hostname:port:database:username:password`, `*` matches anything, `\:` and `\\` are
//! escapes, `#` starts a comment, the first matching line wins, and a file readable by group
//! or others is ignored (with a warning, as libpq does).

use std::path::{Path, PathBuf};

/// One parsed line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    fields: [String; 4],
    password: String,
}

/// Splits a line on unescaped `:`; `None` when it does not have five fields.
fn parse_line(line: &str) -> Option<Entry> {
    let mut fields: Vec<String> = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    fields.last_mut()?.push(n);
                }
            }
            // The password is the rest of the line, colons and all.
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => fields.last_mut()?.push(c),
        }
    }
    if fields.len() != 5 {
        return None;
    }
    let password = fields.pop()?;
    let fields: [String; 4] = fields.try_into().ok()?;
    Some(Entry { fields, password })
}

/// What the connection is to, as libpq matches it.
#[derive(Debug, Clone)]
pub struct Want<'a> {
    /// The host as given, or a Unix socket directory.
    pub host: &'a str,
    pub port: u16,
    pub database: &'a str,
    pub user: &'a str,
}

/// The first matching password in `text`.
pub fn lookup(text: &str, want: &Want<'_>) -> Option<String> {
    let port = want.port.to_string();
    // A socket in the default directory is also looked up as `localhost` (libpq).
    let socket_default = matches!(
        want.host,
        "/var/run/postgresql" | "/run/postgresql" | "/tmp"
    );
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.trim_start().starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let Some(e) = parse_line(line) else {
            continue;
        };
        let [h, p, d, u] = &e.fields;
        let host_ok = h == "*" || h == want.host || (socket_default && h == "localhost");
        if host_ok
            && (p == "*" || *p == port)
            && (d == "*" || d == want.database)
            && (u == "*" || u == want.user)
        {
            return Some(e.password);
        }
    }
    None
}

/// Where libpq looks: `passfile=` of the string, else `PGPASSFILE`, else `~/.pgpass`.
pub fn location(explicit: Option<&str>) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(PathBuf::from(p));
    }
    if let Some(p) = std::env::var_os("PGPASSFILE").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    std::env::var_os("HOME").map(|h| Path::new(&h).join(".pgpass"))
}

/// Reads the password file; `Err` is a warning to show (never containing a password).
pub fn read(path: &Path) -> Result<Option<String>, String> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(_) => return Ok(None),
    };
    if !meta.is_file() {
        return Err(format!(
            "password file {} is not a plain file; ignored",
            path.display()
        ));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            return Err(format!(
                "password file {} has group or world access; permissions should be u=rw (0600) or less; ignored",
                path.display()
            ));
        }
    }
    std::fs::read_to_string(path)
        .map(Some)
        .map_err(|e| format!("cannot read password file {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn want<'a>(host: &'a str, port: u16, database: &'a str, user: &'a str) -> Want<'a> {
        Want {
            host,
            port,
            database,
            user,
        }
    }

    const FILE: &str = r"# comment
db.example:5432:app:alice:first
*:*:app:bob:pa\:ss\\word:with:colons
localhost:5433:*:*:local
db.example:*:*:alice:second
";

    #[test]
    fn first_match_wins_with_wildcards_and_escapes() {
        assert_eq!(
            lookup(FILE, &want("db.example", 5432, "app", "alice")).as_deref(),
            Some("first")
        );
        assert_eq!(
            lookup(FILE, &want("db.example", 6000, "app", "alice")).as_deref(),
            Some("second")
        );
        assert_eq!(
            lookup(FILE, &want("anything", 1, "app", "bob")).as_deref(),
            Some(r"pa:ss\word:with:colons")
        );
        assert_eq!(
            lookup(FILE, &want("db.example", 5432, "other", "carol")),
            None
        );
    }

    #[test]
    fn default_socket_directory_is_localhost() {
        assert_eq!(
            lookup(FILE, &want("/var/run/postgresql", 5433, "x", "y")).as_deref(),
            Some("local")
        );
        assert_eq!(lookup(FILE, &want("/srv/sockets", 5433, "x", "y")), None);
    }

    #[test]
    fn group_readable_file_is_ignored() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let p = dir.path().join("pgpass");
        std::fs::write(&p, FILE).unwrap_or_else(|e| panic!("{e}"));
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644))
            .unwrap_or_else(|e| panic!("{e}"));
        let e = read(&p).err().unwrap_or_default();
        assert!(e.contains("group or world access"), "{e}");
        assert!(!e.contains("first"));
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(read(&p).ok().flatten().as_deref(), Some(FILE));
    }
}
