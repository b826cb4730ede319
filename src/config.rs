//! `zerogap.yaml`: defaults for flags, named targets, waivers.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use marked_yaml::Spanned;
use serde::Deserialize;

use crate::contract::{ContractError, ContractErrors};
use crate::model::Location;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub contracts: Option<StringOrList>,
    pub scan: Option<ScanConfig>,
    #[serde(default)]
    pub targets: IndexMap<String, TargetConfig>,
    pub fail_on: Option<String>,
    #[serde(default)]
    pub waivers: Vec<Waiver>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum StringOrList {
    One(String),
    Many(Vec<String>),
}

impl StringOrList {
    pub fn to_vec(&self) -> Vec<String> {
        match self {
            StringOrList::One(s) => vec![s.clone()],
            StringOrList::Many(v) => v.clone(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanConfig {
    #[serde(default)]
    pub paths: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetConfig {
    pub url_env: Option<String>,
    pub url: Option<String>,
    pub sslmode: Option<String>,
    pub sslrootcert: Option<String>,
}

/// A waiver as written; [`Config::waivers`] checks it. Positions are kept for messages.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    pub rule: Spanned<String>,
    pub object: Spanned<String>,
    pub reason: Option<Spanned<String>>,
    pub expires: Option<Spanned<String>>,
}

impl Config {
    /// The waivers, checked; every bad one is an error at its line of `path`.
    pub fn waivers(&self, path: &Path) -> Result<Vec<crate::waiver::Waiver>, ContractErrors> {
        let file = path.to_string_lossy().to_string();
        let loc = |span: &marked_yaml::Span| Location {
            file: file.clone(),
            line: span.start().map(|m| m.line()).unwrap_or(0),
            column: span.start().map(|m| m.column()).unwrap_or(0),
        };
        let mut out = Vec::new();
        let mut errors = Vec::new();
        for w in &self.waivers {
            let at = loc(w.rule.span());
            let (Some(reason), Some(expires)) = (&w.reason, &w.expires) else {
                errors.push(ContractError {
                    location: at,
                    message: "a waiver needs `reason` and `expires` (YYYY-MM-DD)".into(),
                });
                continue;
            };
            match crate::waiver::Waiver::new(&w.rule, &w.object, reason, expires, Some(at.clone()))
            {
                Ok(v) => out.push(v),
                Err(message) => errors.push(ContractError {
                    location: at,
                    message,
                }),
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(ContractErrors(errors))
        }
    }
}

/// `zerogap.yaml` in `start` or the nearest parent that has one.
pub fn find(start: &Path) -> Option<PathBuf> {
    let mut dir = Some(start);
    while let Some(d) = dir {
        let candidate = d.join("zerogap.yaml");
        if candidate.is_file() {
            return Some(candidate);
        }
        dir = d.parent();
    }
    None
}

pub fn load(path: &Path) -> Result<Config, ContractErrors> {
    let name = path.to_string_lossy().to_string();
    let at = |line, column, message: String| {
        ContractErrors(vec![ContractError {
            location: Location {
                file: name.clone(),
                line,
                column,
            },
            message,
        }])
    };
    let text =
        std::fs::read_to_string(path).map_err(|e| at(0, 0, format!("cannot read config: {e}")))?;
    let node = marked_yaml::parse_yaml(0, &text)
        .map_err(|e| at(0, 0, format!("config is not valid YAML: {e}")))?;
    marked_yaml::from_node::<Config>(&node).map_err(|e| {
        let inner = e.into_inner();
        let (line, column) = inner
            .start_mark()
            .map(|m| (m.line(), m.column()))
            .unwrap_or((0, 0));
        let msg = match &inner {
            marked_yaml::Error::UnknownFieldError(f, expected, _) => {
                let mut m = format!("unknown key `{f}` in zerogap.yaml");
                if let Some(s) = crate::contract::did_you_mean(f, expected.iter().copied()) {
                    m.push_str(&format!(" (did you mean `{s}`?)"));
                }
                m
            }
            other => format!("invalid zerogap.yaml: {other}"),
        };
        at(line, column, msg)
    })
}
