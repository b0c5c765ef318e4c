//! Connection pools' own metrics: `db.client.connection.count` by state (`idle`,
//! `used`), `db.client.connection.max`, and `db.client.connection.timeouts`.
//!
//! A wrapper registers each pool it hands out with [`observe_pool`]; the counts are read
//! when metrics are collected, for as long as the pool's owner lives, never kept alive
//! by the registry. Timeouts are counted by [`CallSpan::record_connection_timeout`].
//! Every metric carries `db.client.connection.pool.name`: the pool's `address[:port]/database`
//! (see [`DbCall::pool_name`](crate::DbCall::pool_name)); an application's pools to
//! the same database share it, and report their connections added up.
//!
//! [`CallSpan::record_connection_timeout`]: crate::CallSpan::record_connection_timeout

use std::sync::{Arc, Mutex, Weak};

use opentelemetry::KeyValue;
use opentelemetry::metrics::{Meter, ObservableUpDownCounter};

use crate::Library;

/// A pool's connections at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolConnections {
    /// Open and waiting to be used.
    pub idle: u64,
    /// Open and handed out.
    pub used: u64,
    /// The most the pool opens.
    pub max: u64,
}

impl PoolConnections {
    /// Adds `other`'s counts to these.
    fn add(&mut self, other: PoolConnections) {
        self.idle = self.idle.saturating_add(other.idle);
        self.used = self.used.saturating_add(other.used);
        self.max = self.max.saturating_add(other.max);
    }
}

/// One registered pool.
struct Registered {
    library: Library,
    /// The scoped pipeline current when the pool was made (0: the installed one): a
    /// test's capture sees its own pools only.
    scope: u64,
    name: Arc<str>,
    /// The pool's counts, `None` once its owner is gone.
    observe: Box<dyn Fn() -> Option<PoolConnections> + Send + Sync>,
    /// Is the owner still alive?
    alive: Box<dyn Fn() -> bool + Send + Sync>,
}

/// Every pool registered and still alive.
static POOLS: Mutex<Vec<Registered>> = Mutex::new(Vec::new());

/// Registers a pool for the connection metrics: `observe` reads its counts from `owner`
/// for as long as `owner` lives (the registry holds it weakly). `name` is the pool's
/// `db.client.connection.pool.name`.
pub fn observe_pool<T: Send + Sync + 'static>(
    library: Library,
    name: String,
    owner: &Arc<T>,
    observe: fn(&T) -> PoolConnections,
) {
    let owner: Weak<T> = Arc::downgrade(owner);
    let watched = owner.clone();
    let registered = Registered {
        library,
        scope: crate::emit::current_scope(),
        name: name.into(),
        observe: Box::new(move || owner.upgrade().map(|owner| observe(&owner))),
        alive: Box::new(move || watched.strong_count() > 0),
    };
    if let Ok(mut pools) = POOLS.lock() {
        // Pools gone are forgotten here too, so that a process that makes pools and
        // never collects metrics keeps no more entries than it has pools.
        pools.retain(|pool| (pool.alive)());
        pools.push(registered);
    }
}

/// The live pools of `library` in `scope`, with their counts (none while the library
/// is switched off); forgets the dead ones. Pools of one name (two pools of an
/// application to the same database: the name is `address[:port]/database`) report
/// their counts added up: the SDK keeps only the last value observed for one set of
/// attributes, which would show one pool's connections for all.
fn observed(library: Library, scope: u64) -> Vec<(Arc<str>, PoolConnections)> {
    if !crate::recording(library) {
        return Vec::new();
    }
    let Ok(mut pools) = POOLS.lock() else {
        return Vec::new();
    };
    let mut seen: Vec<(Arc<str>, PoolConnections)> = Vec::new();
    pools.retain(|pool| {
        if pool.library != library || pool.scope != scope {
            return true;
        }
        match (pool.observe)() {
            Some(connections) => {
                match seen.iter_mut().find(|(name, _)| *name == pool.name) {
                    Some((_, total)) => total.add(connections),
                    None => seen.push((pool.name.clone(), connections)),
                }
                true
            }
            None => false,
        }
    });
    seen
}

/// The observable pool instruments of one library's meter; kept for as long as the meter.
#[derive(Debug)]
pub(crate) struct PoolInstruments {
    _count: ObservableUpDownCounter<i64>,
    _max: ObservableUpDownCounter<i64>,
}

impl PoolInstruments {
    pub(crate) fn new(meter: &Meter, library: Library, scope: u64) -> Self {
        let pool_name =
            |name: &Arc<str>| KeyValue::new("db.client.connection.pool.name", name.clone());
        let as_i64 = |count: u64| i64::try_from(count).unwrap_or(i64::MAX);
        let count = meter
            .i64_observable_up_down_counter("db.client.connection.count")
            .with_unit("{connection}")
            .with_description("The number of connections that are currently in the state described by the state attribute.")
            .with_callback(move |observer| {
                for (name, connections) in observed(library, scope) {
                    for (state, count) in [("idle", connections.idle), ("used", connections.used)] {
                        observer.observe(
                            as_i64(count),
                            &[
                                pool_name(&name),
                                KeyValue::new("db.client.connection.state", state),
                            ],
                        );
                    }
                }
            })
            .build();
        let max = meter
            .i64_observable_up_down_counter("db.client.connection.max")
            .with_unit("{connection}")
            .with_description("The maximum number of open connections allowed.")
            .with_callback(move |observer| {
                for (name, connections) in observed(library, scope) {
                    observer.observe(as_i64(connections.max), &[pool_name(&name)]);
                }
            })
            .build();
        PoolInstruments {
            _count: count,
            _max: max,
        }
    }
}

/// `address[:port]/database`: the conventions' fallback name for a pool that has none.
pub(crate) fn pool_name(address: &str, port: Option<&str>, namespace: Option<&str>) -> String {
    let mut name = address.to_owned();
    if let Some(port) = port {
        name.push(':');
        name.push_str(port);
    }
    if let Some(namespace) = namespace {
        name.push('/');
        name.push_str(namespace);
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pools_of_one_name_report_their_connections_together() {
        let read = |pool: &PoolConnections| *pool;
        let web = Arc::new(PoolConnections {
            idle: 3,
            used: 2,
            max: 20,
        });
        let jobs = Arc::new(PoolConnections {
            idle: 1,
            used: 1,
            max: 5,
        });
        let ((), spans) = crate::testing::capture(|| {
            for pool in [&web, &jobs] {
                observe_pool(Library::Sqlx, "db.internal/app".to_owned(), pool, read);
            }
        });
        assert_eq!(
            spans.metrics().pool("db.internal/app"),
            PoolConnections {
                idle: 4,
                used: 3,
                max: 25
            }
        );
    }
}
