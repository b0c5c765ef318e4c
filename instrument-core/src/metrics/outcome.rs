//! [`Outcome`]: the attributes a call's end adds to its measurement, held as fields.
//!
//! A call ends with at most four metric attributes, always the same ones: an HTTP
//! status code, the response's protocol version, a failure's `error.type` and a
//! database's status code. Held as fields rather than as `KeyValue`s, a call that
//! succeeds allocates nothing for them, and its histogram bound to the same outcome is
//! found again by comparing a number and an interned string, not a list of attributes.

use std::borrow::Cow;

use opentelemetry::KeyValue;

/// The outcome of one call, as its metric records it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Outcome {
    /// `http.response.status_code`.
    http_status: Option<u16>,
    /// `network.protocol.version` of the response (interned: `1.1`, `2`).
    protocol_version: Option<Cow<'static, str>>,
    /// `error.type`; set only when the call fails.
    error_type: Option<Box<str>>,
    /// `db.response.status_code`; set only when a database call fails with one.
    db_status: Option<Box<str>>,
}

impl Outcome {
    pub(crate) fn set_http_status(&mut self, status: u16) {
        self.http_status = Some(status);
    }

    pub(crate) fn set_protocol_version(&mut self, version: Cow<'static, str>) {
        self.protocol_version = Some(version);
    }

    pub(crate) fn set_error_type(&mut self, error_type: &str) {
        self.error_type = Some(error_type.into());
    }

    pub(crate) fn set_db_status(&mut self, code: &str) {
        self.db_status = Some(code.into());
    }

    /// Nothing set: a database call that succeeded.
    pub(crate) fn is_empty(&self) -> bool {
        self.http_status.is_none()
            && self.protocol_version.is_none()
            && self.error_type.is_none()
            && self.db_status.is_none()
    }

    /// The same outcome as `other`? The protocol versions are kept strings (the known
    /// names' own, or interned), so their pointers usually answer.
    pub(crate) fn same(&self, other: &Outcome) -> bool {
        fn same_text(a: Option<&str>, b: Option<&str>) -> bool {
            match (a, b) {
                (None, None) => true,
                (Some(a), Some(b)) => super::bound::same_text(a, b),
                _ => false,
            }
        }
        self.http_status == other.http_status
            && same_text(
                self.protocol_version.as_deref(),
                other.protocol_version.as_deref(),
            )
            && same_text(self.error_type.as_deref(), other.error_type.as_deref())
            && same_text(self.db_status.as_deref(), other.db_status.as_deref())
    }

    /// The outcome as metric attributes (for binding a histogram to it, once per
    /// distinct outcome, or for the SDK's own lookup).
    pub(crate) fn attributes(&self) -> Vec<KeyValue> {
        let mut attributes = Vec::new();
        if let Some(status) = self.http_status {
            attributes.push(KeyValue::new(
                "http.response.status_code",
                i64::from(status),
            ));
        }
        if let Some(version) = &self.protocol_version {
            attributes.push(KeyValue::new("network.protocol.version", version.clone()));
        }
        if let Some(error_type) = &self.error_type {
            attributes.push(KeyValue::new("error.type", error_type.to_string()));
        }
        if let Some(code) = &self.db_status {
            attributes.push(KeyValue::new("db.response.status_code", code.to_string()));
        }
        attributes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_are_the_same_by_value_wherever_their_strings_live() {
        let mut interned = Outcome::default();
        interned.set_http_status(503);
        interned.set_protocol_version(Cow::Borrowed("1.1"));
        interned.set_error_type("503");
        let mut owned = Outcome::default();
        owned.set_http_status(503);
        owned.set_protocol_version(Cow::Owned(String::from("1.1")));
        owned.set_error_type(&String::from("503"));
        assert!(interned.same(&owned));

        let mut other_status = owned.clone();
        other_status.set_http_status(502);
        assert!(!interned.same(&other_status));
        let mut unset_version = interned.clone();
        unset_version.protocol_version = None;
        assert!(!interned.same(&unset_version));
        assert!(!unset_version.same(&interned));
        assert!(Outcome::default().is_empty());
        assert!(!interned.is_empty());
    }

    #[test]
    fn attributes_name_each_field_set() {
        let mut outcome = Outcome::default();
        outcome.set_error_type("23505");
        outcome.set_db_status("23505");
        assert_eq!(
            outcome.attributes(),
            [
                KeyValue::new("error.type", "23505"),
                KeyValue::new("db.response.status_code", "23505"),
            ]
        );
    }
}
