//! Command-line settings that override a preset, shared by `train` and `bench`. The
//! `--name` overrides are generated from the settings table (`icl_core::settings`), so every
//! setting the page and the URL know is a flag here too, with the same bounds.

use clap::builder::{PossibleValue, PossibleValuesParser};
use clap::{Arg, ArgMatches, Args, Command, FromArgMatches};
use icl_core::config::{Preset, RunConfig};
use icl_core::settings::{Kind, SETTINGS, Setting, SharedState};
use std::path::PathBuf;

/// Settings of one run: a preset (or a config file), then any field overridden.
#[derive(Clone)]
pub struct RunArgs {
    pub preset: Preset,
    /// A run file or config JSON (a RunResult's `config`, or a bare RunConfig).
    pub config: Option<PathBuf>,
    /// `(setting, text)` in table order.
    pub overrides: Vec<(&'static Setting, String)>,
}

impl std::fmt::Debug for RunArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let overrides: Vec<(&str, &str)> = self.overrides.iter().map(|(row, text)| (row.name, text.as_str())).collect();
        f.debug_struct("RunArgs").field("preset", &self.preset).field("config", &self.config).field("overrides", &overrides).finish()
    }
}

impl Args for RunArgs {
    fn augment_args(cmd: Command) -> Command {
        let presets: Vec<PossibleValue> = Preset::ALL.iter().map(|p| PossibleValue::new(p.name()).help(p.describe())).collect();
        let mut cmd = cmd
            .arg(Arg::new("preset").long("preset").value_parser(PossibleValuesParser::new(presets)).default_value("reference").help("Start from this preset"))
            .arg(
                Arg::new("config")
                    .long("config")
                    .value_parser(clap::value_parser!(PathBuf))
                    .help("Or start from a run file or config JSON (a run's `config`, or a bare RunConfig)"),
            );
        for row in SETTINGS.iter().filter(|r| r.cli) {
            let mut arg = Arg::new(row.name).long(row.name).help(help(row));
            match row.kind {
                Kind::Choice { options, .. } => {
                    let values: Vec<PossibleValue> = options().into_iter().map(|(n, label)| PossibleValue::new(n).help(label)).collect();
                    arg = arg.value_parser(PossibleValuesParser::new(values));
                }
                // `--cosine` alone switches it on; `--cosine 0` off.
                Kind::Flag { .. } => arg = arg.num_args(0..=1).default_missing_value("1"),
                _ => {}
            }
            cmd = cmd.arg(arg);
        }
        cmd
    }

    fn augment_args_for_update(cmd: Command) -> Command {
        Self::augment_args(cmd)
    }
}

fn help(row: &Setting) -> String {
    match row.bounds_text() {
        Some(bounds) => format!("{} ({}, {bounds})", row.hint, row.label),
        None => format!("{} ({})", row.hint, row.label),
    }
}

impl FromArgMatches for RunArgs {
    fn from_arg_matches(m: &ArgMatches) -> Result<Self, clap::Error> {
        let preset = m.get_one::<String>("preset").and_then(|p| Preset::from_name(p)).unwrap_or(Preset::Reference);
        let overrides = SETTINGS
            .iter()
            .filter(|r| r.cli)
            .filter_map(|row| m.get_one::<String>(row.name).map(|v| (row, v.clone())))
            .collect();
        Ok(RunArgs { preset, config: m.get_one::<PathBuf>("config").cloned(), overrides })
    }

    fn update_from_arg_matches(&mut self, m: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(m)?;
        Ok(())
    }
}

impl RunArgs {
    /// The configuration: the preset or file, then each override in table order (so
    /// `--covariance fs --nu 2` works in any order on the command line).
    pub fn to_config(&self) -> Result<RunConfig, String> {
        let config = match &self.config {
            Some(path) => load_config(path)?,
            None => self.preset.config(),
        };
        let mut s = SharedState { config, ..SharedState::default() };
        for (row, text) in &self.overrides {
            if !(row.applies)(&s) {
                return Err(format!("--{} does not apply to this configuration (see --help)", row.name));
            }
            row.parse(&mut s, text).map_err(|e| format!("--{}: {e}", row.name))?;
        }
        s.config.validate()?;
        Ok(s.config)
    }
}

fn load_config(path: &std::path::Path) -> Result<RunConfig, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("{}: not JSON ({e})", path.display()))?;
    let config = value.get("config").cloned().unwrap_or(value);
    serde_json::from_value(config).map_err(|e| format!("{}: not a run configuration ({e})", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        run: RunArgs,
    }

    fn parse(args: &[&str]) -> Result<RunConfig, String> {
        let cli = Cli::try_parse_from(std::iter::once("icl-lab").chain(args.iter().copied())).map_err(|e| e.to_string())?;
        cli.run.to_config()
    }

    /// Every table row marked `cli` is a flag, and setting it changes the configuration the
    /// way the same text in a link does.
    #[test]
    fn every_cli_row_is_a_flag_that_agrees_with_the_link() {
        for row in SETTINGS.iter().filter(|r| r.cli) {
            // A state where the row applies and a valid non-default value for it.
            let mut base = SharedState::default();
            for enable in [("task", "sparse"), ("task", "tree"), ("covariance", "fs")] {
                if (row.applies)(&base) {
                    break;
                }
                base = SharedState::default();
                Setting::named(enable.0).unwrap().parse(&mut base, enable.1).unwrap();
            }
            assert!((row.applies)(&base), "{}", row.name);
            let mut args: Vec<String> = SETTINGS
                .iter()
                .filter(|r| r.cli && r.name != row.name && (r.applies)(&base) && !r.is_default(&base))
                .flat_map(|r| [format!("--{}", r.name), r.text(&base)])
                .collect();
            // The page's default state is the CPU preset; the CLI's default is the reference.
            args.splice(0..0, ["--preset".to_string(), "cpu".to_string()]);
            let candidates = match row.kind {
                Kind::Int { min, max, .. } => vec![min.to_string(), max.to_string(), (min + 1).to_string()],
                Kind::Real { min, max, .. } => vec![min.to_string(), max.to_string()],
                Kind::Choice { options, .. } => options().into_iter().map(|(n, _)| n.to_string()).collect(),
                Kind::Flag { .. } => vec!["1".into(), "0".into()],
                Kind::List { .. } => vec![],
            };
            let value = candidates
                .into_iter()
                .find(|v| {
                    let mut t = base.clone();
                    row.parse(&mut t, v).is_ok() && !row.is_default(&t) && t.config.validate().is_ok()
                })
                .unwrap_or_else(|| panic!("{}: no value to test", row.name));
            args.extend([format!("--{}", row.name), value.clone()]);
            let refs: Vec<&str> = args.iter().map(String::as_str).collect();
            let config = parse(&refs).unwrap_or_else(|e| panic!("{refs:?}: {e}"));
            let mut expected = base.clone();
            row.parse(&mut expected, &value).unwrap();
            assert_eq!(config, expected.config, "{refs:?}");
        }
    }

    #[test]
    fn bad_values_are_refused_naming_the_flag() {
        let e = parse(&["--depth", "999"]).unwrap_err();
        assert!(e.contains("--depth") && e.contains("outside"), "{e}");
        let e = parse(&["--nu", "2"]).unwrap_err();
        assert!(e.contains("--nu does not apply"), "{e}");
        assert!(parse(&["--nu", "2", "--covariance", "rrs"]).is_ok(), "order on the command line does not matter");
        assert!(parse(&["--task", "spiral"]).is_err());
        assert!(parse(&["--cosine"]).unwrap().train.cosine, "a flag alone switches it on");
    }
}
