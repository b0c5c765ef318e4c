//! Reading the switches from the environment: `OTEL_SDK_DISABLED` and
//! `OTEL_RUST_DISABLED_INSTRUMENTATIONS`.
//!
//! Parsing is pure (value in, decision and warnings out) so every accepted and rejected
//! value is unit-tested; [`from_process_env`] reads the variables once.

use crate::Library;

/// The standard OpenTelemetry switch for the whole SDK.
pub const OTEL_SDK_DISABLED: &str = "OTEL_SDK_DISABLED";
/// Our per-library switch (after Python's `OTEL_PYTHON_DISABLED_INSTRUMENTATIONS`).
pub const OTEL_RUST_DISABLED_INSTRUMENTATIONS: &str = "OTEL_RUST_DISABLED_INSTRUMENTATIONS";

/// What the environment says about the switches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvSwitches {
    /// `OTEL_SDK_DISABLED=true`.
    pub sdk_disabled: bool,
    /// Libraries named in `OTEL_RUST_DISABLED_INSTRUMENTATIONS` (all of them for `*`).
    pub disabled_libraries: Vec<Library>,
    /// One message per rejected value, each naming its variable and the accepted values.
    pub warnings: Vec<String>,
}

impl EnvSwitches {
    /// Parses the two variables' values (`None` when unset).
    pub fn parse(sdk_disabled: Option<&str>, disabled_instrumentations: Option<&str>) -> Self {
        let mut warnings = Vec::new();
        let sdk_disabled = parse_sdk_disabled(sdk_disabled, &mut warnings);
        let disabled_libraries =
            parse_disabled_instrumentations(disabled_instrumentations, &mut warnings);
        EnvSwitches {
            sdk_disabled,
            disabled_libraries,
            warnings,
        }
    }
}

/// Reads both variables from the process environment. A value that is not valid Unicode
/// is treated like any other rejected value.
pub fn from_process_env() -> EnvSwitches {
    let sdk = read_var(OTEL_SDK_DISABLED);
    let libs = read_var(OTEL_RUST_DISABLED_INSTRUMENTATIONS);
    EnvSwitches::parse(sdk.as_deref(), libs.as_deref())
}

/// The variable's value, with non-Unicode bytes replaced so that it is rejected with a
/// warning rather than silently ignored.
pub fn read_var(name: &str) -> Option<String> {
    std::env::var_os(name).map(|value| value.to_string_lossy().into_owned())
}

fn parse_sdk_disabled(value: Option<&str>, warnings: &mut Vec<String>) -> bool {
    let Some(value) = value.map(str::trim) else {
        return false;
    };
    if value.eq_ignore_ascii_case("true") {
        true
    } else if value.is_empty() || value.eq_ignore_ascii_case("false") {
        false
    } else {
        warnings.push(format!(
            "{OTEL_SDK_DISABLED}={value:?} is not `true` or `false`; instrumentation stays enabled"
        ));
        false
    }
}

fn parse_disabled_instrumentations(
    value: Option<&str>,
    warnings: &mut Vec<String>,
) -> Vec<Library> {
    let mut disabled = Vec::new();
    for name in value.unwrap_or_default().split(',').map(str::trim) {
        if name.is_empty() {
            continue;
        }
        if name == "*" {
            return Library::ALL.to_vec();
        }
        match Library::from_name(name) {
            Some(lib) if !disabled.contains(&lib) => disabled.push(lib),
            Some(_) => {}
            None => warnings.push(format!(
                "{OTEL_RUST_DISABLED_INSTRUMENTATIONS} names {name:?}, which is not an instrumentation; \
                 accepted: {}, or * for all",
                Library::ALL.map(Library::name).join(", ")
            )),
        }
    }
    disabled
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(sdk: Option<&str>, libs: Option<&str>) -> EnvSwitches {
        EnvSwitches::parse(sdk, libs)
    }

    #[test]
    fn only_true_in_any_case_disables_the_sdk() {
        for value in ["true", "TRUE", "True", " true "] {
            let env = parse(Some(value), None);
            assert!(env.sdk_disabled, "{value:?}");
            assert!(env.warnings.is_empty());
        }
    }

    #[test]
    fn unset_empty_and_false_keep_it_enabled_silently() {
        for value in [None, Some(""), Some("false"), Some("FALSE"), Some("  ")] {
            let env = parse(value, None);
            assert!(!env.sdk_disabled, "{value:?}");
            assert!(env.warnings.is_empty(), "{value:?}");
        }
    }

    #[test]
    fn any_other_value_keeps_it_enabled_with_one_warning_naming_the_variable() {
        for value in ["1", "yes", "on", "truee", "disabled"] {
            let env = parse(Some(value), None);
            assert!(!env.sdk_disabled, "{value:?}");
            assert_eq!(env.warnings.len(), 1, "{value:?}");
            assert!(env.warnings[0].contains("OTEL_SDK_DISABLED"));
            assert!(env.warnings[0].contains(value));
        }
    }

    #[test]
    fn listed_libraries_are_disabled_in_any_case_with_blanks_and_repeats() {
        let env = parse(None, Some(" SQLX, redis,,redis , tokio-postgres"));
        assert_eq!(
            env.disabled_libraries,
            vec![Library::Sqlx, Library::Redis, Library::TokioPostgres]
        );
        assert!(env.warnings.is_empty());
    }

    #[test]
    fn a_star_disables_every_library() {
        let env = parse(None, Some("redis,*"));
        assert_eq!(env.disabled_libraries, Library::ALL.to_vec());
    }

    #[test]
    fn unknown_names_warn_and_the_known_ones_still_apply() {
        let env = parse(None, Some("sqlx,mongodb,kafka"));
        assert_eq!(env.disabled_libraries, vec![Library::Sqlx]);
        assert_eq!(env.warnings.len(), 2);
        assert!(env.warnings[0].contains("OTEL_RUST_DISABLED_INSTRUMENTATIONS"));
        assert!(env.warnings[0].contains("mongodb"));
        assert!(
            env.warnings[0].contains("tokio-postgres"),
            "lists the accepted names"
        );
    }

    #[test]
    fn an_empty_list_disables_nothing() {
        for value in [None, Some(""), Some(" , ")] {
            let env = parse(None, value);
            assert!(env.disabled_libraries.is_empty());
            assert!(env.warnings.is_empty());
        }
    }
}
