//! `zerogap.yaml`: defaults for flags, named targets, waivers.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
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

#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    pub rule: String,
    pub object: String,
    pub reason: String,
    pub expires: Option<String>,
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
