//! Where the database is: `--db`, `DATABASE_URL`, or the libpq variables, completed from
//! `~/.pgpass`, with TLS as `sslmode` says. Nothing here ever formats a password.

pub mod params;
pub mod pgpass;
pub mod tls;

use std::time::Duration;

pub use tls::{SslMode, TlsOptions};

use tokio_postgres::Config;
use tokio_postgres::config::Host;

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("no database given: pass --db URL, set DATABASE_URL, or set PGHOST/PGDATABASE")]
    NoDatabase,
    // The parser's message is not shown: it may quote the input, which may hold a password.
    #[error(
        "the connection string from {source_name} is not a valid postgres:// URL or key=value string"
    )]
    Invalid { source_name: String },
    #[error("environment variable {0} (named by the target) is not set")]
    MissingEnv(String),
    #[error(
        "sslmode `{value}` (from {source_name}) is not one of disable, allow, prefer, require, verify-ca, verify-full"
    )]
    SslMode { value: String, source_name: String },
    #[error(
        "the connection string from {source_name} uses `{param}`, which zerogap does not support"
    )]
    Unsupported { param: String, source_name: String },
}

/// TLS settings a named target of zerogap.yaml adds to its URL.
#[derive(Debug, Clone, Default)]
pub struct TargetTls {
    pub sslmode: Option<String>,
    pub sslrootcert: Option<String>,
}

/// A connection target with a password-free description for reports and logs.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub config: Config,
    pub tls: TlsOptions,
    pub display: String,
    /// Things to tell the user (an ignored password file); never a password.
    pub warnings: Vec<String>,
}

/// A host as text: a name or address, or a Unix socket directory.
fn host_text(h: &Host) -> String {
    match h {
        Host::Tcp(s) => s.clone(),
        #[cfg(unix)]
        Host::Unix(p) => p.to_string_lossy().to_string(),
    }
}

impl Resolved {
    /// The first host, as TLS checks it and messages name it.
    pub fn host(&self) -> String {
        self.config
            .get_hosts()
            .first()
            .map(host_text)
            .unwrap_or_default()
    }
}

/// Resolves, in order: the explicit string, `DATABASE_URL`, then the libpq variables; then
/// fills what is missing from the libpq variables and the password file.
pub fn resolve(
    explicit: Option<(&str, &str)>,
    target: &TargetTls,
    connect_timeout: Duration,
) -> Result<Resolved, ConnectError> {
    let (mut config, own) = match explicit {
        Some((source_name, s)) => parse(s, source_name)?,
        None => match std::env::var("DATABASE_URL") {
            Ok(url) if !url.trim().is_empty() => parse(&url, "DATABASE_URL")?,
            _ => (from_libpq_env()?, Vec::new()),
        },
    };
    let source_name = explicit.map(|(n, _)| n).unwrap_or("the environment");
    let own_value = |k: &str| {
        own.iter()
            .rev()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());

    let (mode_text, mode_source) = match (own_value("sslmode"), &target.sslmode, var("PGSSLMODE")) {
        (Some(m), _, _) => (m, source_name.to_string()),
        (None, Some(m), _) => (m.clone(), "zerogap.yaml".to_string()),
        (None, None, Some(m)) => (m, "PGSSLMODE".to_string()),
        (None, None, None) => ("prefer".to_string(), String::new()),
    };
    let mode = SslMode::parse(&mode_text).ok_or(ConnectError::SslMode {
        value: mode_text.clone(),
        source_name: mode_source.clone(),
    })?;
    // libpq's default root file, when present, as libpq uses it.
    let default_root = std::env::var_os("HOME")
        .map(|h| std::path::Path::new(&h).join(".postgresql/root.crt"))
        .filter(|p| p.is_file())
        .map(|p| p.to_string_lossy().to_string());
    let root_cert = own_value("sslrootcert")
        .or_else(|| target.sslrootcert.clone())
        .or_else(|| var("PGSSLROOTCERT"))
        .or(default_root);
    // libpq (16+): the system's roots only with host-name checking; `verify-full` is then
    // the default and a weaker mode is refused.
    let mode = match (root_cert.as_deref(), mode) {
        (Some("system"), SslMode::VerifyFull) => SslMode::VerifyFull,
        (Some("system"), _) if mode_source.is_empty() => SslMode::VerifyFull,
        (Some("system"), m) => {
            return Err(ConnectError::SslMode {
                value: format!(
                    "{} with sslrootcert=system (which needs verify-full)",
                    m.as_str()
                ),
                source_name: mode_source,
            });
        }
        (_, m) => m,
    };
    let tls = TlsOptions { mode, root_cert };

    apply_env_defaults(&mut config);
    config.ssl_mode(tls.mode.wire());
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(connect_timeout);
    }
    let mut warnings = Vec::new();
    if config.get_password().is_none()
        && let Some(path) = pgpass::location(own_value("passfile").as_deref())
    {
        match pgpass::read(&path) {
            Ok(Some(text)) => {
                let host = config
                    .get_hosts()
                    .first()
                    .map(host_text)
                    .unwrap_or_else(|| "localhost".to_string());
                let want = pgpass::Want {
                    host: &host,
                    port: config.get_ports().first().copied().unwrap_or(5432),
                    database: config.get_dbname().unwrap_or(""),
                    user: config.get_user().unwrap_or(""),
                };
                if let Some(p) = pgpass::lookup(&text, &want) {
                    config.password(p);
                }
            }
            Ok(None) => {}
            Err(w) => warnings.push(w),
        }
    }
    let display = describe(&config);
    Ok(Resolved {
        config,
        tls,
        display,
        warnings,
    })
}

/// Parses a connection string after taking out the parameters zerogap handles itself.
fn parse(s: &str, source_name: &str) -> Result<(Config, Vec<(String, String)>), ConnectError> {
    let (rest, own) = params::take_own(s).map_err(|e| match e {
        params::ParamError::Malformed => ConnectError::Invalid {
            source_name: source_name.to_string(),
        },
        params::ParamError::Unsupported(param) => ConnectError::Unsupported {
            param,
            source_name: source_name.to_string(),
        },
    })?;
    let config = rest
        .trim()
        .parse::<Config>()
        .map_err(|_| ConnectError::Invalid {
            source_name: source_name.to_string(),
        })?;
    Ok((config, own))
}

fn from_libpq_env() -> Result<Config, ConnectError> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    if var("PGHOST").is_none() && var("PGDATABASE").is_none() && var("PGPORT").is_none() {
        return Err(ConnectError::NoDatabase);
    }
    Ok(Config::new())
}

/// Fills what the string left out from PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGAPPNAME.
fn apply_env_defaults(config: &mut Config) {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    if config.get_hosts().is_empty() {
        let hosts = var("PGHOST").unwrap_or_else(|| "localhost".into());
        for h in hosts.split(',') {
            config.host(h.trim());
        }
    }
    if config.get_ports().is_empty()
        && let Some(p) = var("PGPORT").and_then(|p| p.parse::<u16>().ok())
    {
        config.port(p);
    }
    if config.get_user().is_none() {
        let user = var("PGUSER")
            .or_else(|| var("USER"))
            .unwrap_or_else(|| "postgres".into());
        config.user(&user);
    }
    if config.get_password().is_none()
        && let Some(p) = var("PGPASSWORD")
    {
        config.password(p);
    }
    if config.get_dbname().is_none()
        && let Some(d) = var("PGDATABASE").or_else(|| config.get_user().map(|u| u.to_string()))
    {
        config.dbname(&d);
    }
    if config.get_application_name().is_none() {
        config.application_name(var("PGAPPNAME").unwrap_or_else(|| "zerogap".into()));
    }
}

/// `postgres://user@host:port/db`, never with the password.
pub fn describe(config: &Config) -> String {
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let host = host_text(h);
            match config.get_ports().get(i).or(config.get_ports().first()) {
                Some(p) => format!("{host}:{p}"),
                None => host,
            }
        })
        .collect();
    format!(
        "postgres://{}@{}/{}",
        config.get_user().unwrap_or(""),
        hosts.join(","),
        config.get_dbname().unwrap_or("")
    )
}

/// `30s`, `500ms`, `2m`, `1h`, or a bare number of seconds.
pub fn parse_duration_flag(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a duration such as 30s, 500ms or 2m"))?;
    let secs = match unit.trim() {
        "" | "s" | "sec" | "secs" => n,
        "ms" => n / 1000.0,
        "m" | "min" | "mins" => n * 60.0,
        "h" => n * 3600.0,
        _ => return Err(format!("`{s}` is not a duration such as 30s, 500ms or 2m")),
    };
    if !secs.is_finite() || secs < 0.0 {
        return Err(format!("`{s}` is not a duration such as 30s, 500ms or 2m"));
    }
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_never_shows_password() {
        let r = resolve(
            Some(("--db", "postgres://alice:s3cr3t@db.example:5433/app")),
            &TargetTls::default(),
            Duration::from_secs(5),
        )
        .unwrap();
        assert_eq!(r.display, "postgres://alice@db.example:5433/app");
        assert!(!format!("{:?}", r.display).contains("s3cr3t"));
    }

    #[test]
    fn invalid_url_error_does_not_echo_input() {
        let e = resolve(
            Some(("--db", "postgres://alice:s3cr3t@host:notaport/db")),
            &TargetTls::default(),
            Duration::from_secs(5),
        )
        .unwrap_err();
        assert!(!e.to_string().contains("s3cr3t"));
    }

    #[test]
    fn sslmode_from_the_string_then_the_target() {
        let r = |url: &str, target: &TargetTls| {
            resolve(Some(("--db", url)), target, Duration::from_secs(5))
                .unwrap_or_else(|e| panic!("{e}"))
        };
        let none = TargetTls::default();
        let t = r(
            "postgres://a:pw@h/db?sslmode=verify-full&sslrootcert=/ca.pem",
            &none,
        );
        assert_eq!(t.tls.mode, SslMode::VerifyFull);
        assert_eq!(t.tls.root_cert.as_deref(), Some("/ca.pem"));
        assert_eq!(t.config.get_password(), Some(&b"pw"[..]));
        let target = TargetTls {
            sslmode: Some("verify-ca".into()),
            sslrootcert: Some("certs/rds.pem".into()),
        };
        let t = r("postgres://h/db", &target);
        assert_eq!(t.tls.mode, SslMode::VerifyCa);
        assert_eq!(t.tls.root_cert.as_deref(), Some("certs/rds.pem"));
        // The string wins over the target.
        assert_eq!(
            r("host=h sslmode=disable", &target).tls.mode,
            SslMode::Disable
        );
        let e = resolve(
            Some(("--db", "postgres://h/db?sslmode=verify")),
            &none,
            Duration::from_secs(1),
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(e.contains("sslmode `verify`"), "{e}");
        // sslrootcert=system means verify-full (libpq 16).
        assert_eq!(
            r("postgres://h/db?sslrootcert=system", &none).tls.mode,
            SslMode::VerifyFull
        );
        assert!(
            resolve(
                Some(("--db", "postgres://h/db?sslrootcert=system&sslmode=require")),
                &none,
                Duration::from_secs(1)
            )
            .is_err()
        );
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration_flag("30s").unwrap(), Duration::from_secs(30));
        assert_eq!(
            parse_duration_flag("500ms").unwrap(),
            Duration::from_millis(500)
        );
        assert_eq!(parse_duration_flag("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_duration_flag("5").unwrap(), Duration::from_secs(5));
        assert!(parse_duration_flag("soon").is_err());
    }
}
