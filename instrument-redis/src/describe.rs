//! What a Redis command looks like in a span: its name and its text with values masked.
//!
//! Keys stay readable where the command's arguments are known to be keys (`SET user:1 ?`,
//! `HSET h ? ?`, `DEL a b`); every other argument becomes `?`. Commands that carry
//! credentials (`AUTH`, `HELLO`, `MIGRATE`) and the administrative ones (`CONFIG SET
//! requirepass ...`, `ACL SETUSER ...`) keep nothing but their name and subcommand, and
//! a command this table does not know keeps nothing but its name.

use std::borrow::Cow;
use std::cell::Cell;

/// Longest `db.query.text` recorded; longer texts end at a whole argument, then ` …`.
pub(crate) const MAX_TEXT_LEN: usize = 1024;

/// Which arguments of a command are keys, shown as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// The first argument is a key; the rest are masked.
    FirstKey,
    /// Every argument is a key (`DEL a b c`).
    AllKeys,
    /// Keys and values alternate (`MSET k v k v`).
    KeyValuePairs,
    /// The first argument names a subcommand (`CONFIG GET`); the rest are masked.
    Subcommand,
    /// Everything is masked: credentials, scripts, unknown commands.
    Masked,
}

/// Commands that carry credentials: never anything but `?` after the name.
const CREDENTIALS: [&str; 3] = ["AUTH", "HELLO", "MIGRATE"];

const FIRST_KEY: &[&str] = &[
    // strings
    "APPEND",
    "DECR",
    "DECRBY",
    "GET",
    "GETDEL",
    "GETEX",
    "GETRANGE",
    "GETSET",
    "INCR",
    "INCRBY",
    "INCRBYFLOAT",
    "LCS",
    "PSETEX",
    "SET",
    "SETEX",
    "SETNX",
    "SETRANGE",
    "STRLEN",
    "SUBSTR",
    // bits
    "BITCOUNT",
    "BITFIELD",
    "BITFIELD_RO",
    "BITPOS",
    "GETBIT",
    "SETBIT",
    // generic key commands
    "COPY",
    "DUMP",
    "EXPIRE",
    "EXPIREAT",
    "EXPIRETIME",
    "MOVE",
    "PERSIST",
    "PEXPIRE",
    "PEXPIREAT",
    "PEXPIRETIME",
    "PTTL",
    "RENAME",
    "RENAMENX",
    "RESTORE",
    "SORT",
    "SORT_RO",
    "TTL",
    "TYPE",
    // hashes
    "HDEL",
    "HEXISTS",
    "HEXPIRE",
    "HEXPIREAT",
    "HEXPIRETIME",
    "HGET",
    "HGETALL",
    "HGETDEL",
    "HGETEX",
    "HINCRBY",
    "HINCRBYFLOAT",
    "HKEYS",
    "HLEN",
    "HMGET",
    "HMSET",
    "HPERSIST",
    "HPEXPIRE",
    "HPEXPIREAT",
    "HPEXPIRETIME",
    "HPTTL",
    "HRANDFIELD",
    "HSCAN",
    "HSET",
    "HSETEX",
    "HSETNX",
    "HSTRLEN",
    "HTTL",
    "HVALS",
    // lists
    "BLMOVE",
    "BRPOPLPUSH",
    "LINDEX",
    "LINSERT",
    "LLEN",
    "LMOVE",
    "LPOP",
    "LPOS",
    "LPUSH",
    "LPUSHX",
    "LRANGE",
    "LREM",
    "LSET",
    "LTRIM",
    "RPOP",
    "RPOPLPUSH",
    "RPUSH",
    "RPUSHX",
    // sets
    "SADD",
    "SCARD",
    "SISMEMBER",
    "SMEMBERS",
    "SMISMEMBER",
    "SMOVE",
    "SPOP",
    "SRANDMEMBER",
    "SREM",
    "SSCAN",
    // sorted sets
    "ZADD",
    "ZCARD",
    "ZCOUNT",
    "ZINCRBY",
    "ZLEXCOUNT",
    "ZMSCORE",
    "ZPOPMAX",
    "ZPOPMIN",
    "ZRANDMEMBER",
    "ZRANGE",
    "ZRANGEBYLEX",
    "ZRANGEBYSCORE",
    "ZRANGESTORE",
    "ZRANK",
    "ZREM",
    "ZREMRANGEBYLEX",
    "ZREMRANGEBYRANK",
    "ZREMRANGEBYSCORE",
    "ZREVRANGE",
    "ZREVRANGEBYLEX",
    "ZREVRANGEBYSCORE",
    "ZREVRANK",
    "ZSCAN",
    "ZSCORE",
    // streams
    "XACK",
    "XADD",
    "XAUTOCLAIM",
    "XCLAIM",
    "XDEL",
    "XLEN",
    "XPENDING",
    "XRANGE",
    "XREVRANGE",
    "XSETID",
    "XTRIM",
    // hyperloglog, geo
    "PFADD",
    "GEOADD",
    "GEODIST",
    "GEOHASH",
    "GEOPOS",
    "GEORADIUS",
    "GEORADIUSBYMEMBER",
    "GEORADIUS_RO",
    "GEORADIUSBYMEMBER_RO",
    "GEOSEARCH",
    "GEOSEARCHSTORE",
    // pub/sub: the channel plays the key's part
    "PUBLISH",
    "SPUBLISH",
    // modules
    "JSON.ARRAPPEND",
    "JSON.DEL",
    "JSON.GET",
    "JSON.MERGE",
    "JSON.NUMINCRBY",
    "JSON.SET",
    "JSON.TYPE",
    "BF.ADD",
    "BF.EXISTS",
    "BF.MADD",
    "BF.MEXISTS",
    "BF.RESERVE",
];

const ALL_KEYS: &[&str] = &[
    "DEL",
    "EXISTS",
    "MGET",
    "PFCOUNT",
    "PFMERGE",
    "SDIFF",
    "SDIFFSTORE",
    "SINTER",
    "SINTERSTORE",
    "SUNION",
    "SUNIONSTORE",
    "TOUCH",
    "UNLINK",
    "WATCH",
];

const KEY_VALUE_PAIRS: &[&str] = &["MSET", "MSETNX"];

const SUBCOMMAND: &[&str] = &[
    "ACL", "CLIENT", "CLUSTER", "COMMAND", "CONFIG", "DEBUG", "FUNCTION", "LATENCY", "MEMORY",
    "MODULE", "OBJECT", "PUBSUB", "SCRIPT", "SLOWLOG", "XGROUP", "XINFO",
];

/// How each command this table knows is shown, by its upper-case name. Found by hash:
/// a linear search of the lists cost up to two thousand instructions per command.
/// Keyed by the name's bytes, so that a command's first argument is looked up without
/// being checked to be UTF-8 first.
type Table =
    std::collections::HashMap<&'static [u8], (&'static str, Shape), foldhash::fast::RandomState>;

static TABLE: std::sync::LazyLock<Table> = std::sync::LazyLock::new(|| {
    let mut table = Table::default();
    // Later lists do not override earlier ones: credentials first.
    let lists: [(&[&'static str], Shape); 5] = [
        (&CREDENTIALS, Shape::Masked),
        (FIRST_KEY, Shape::FirstKey),
        (ALL_KEYS, Shape::AllKeys),
        (KEY_VALUE_PAIRS, Shape::KeyValuePairs),
        (SUBCOMMAND, Shape::Subcommand),
    ];
    for (names, shape) in lists {
        for name in names {
            table.entry(name.as_bytes()).or_insert((*name, shape));
        }
    }
    table
});

/// Which arguments of the command named `name` (upper case) are shown.
#[cfg(test)]
fn shape(name: &str) -> Shape {
    TABLE
        .get(name.as_bytes())
        .map_or(Shape::Masked, |(_, shape)| *shape)
}

/// One argument of a command: its bytes, or `None` for a cursor redis-rs fills in later.
pub(crate) type Arg<'a> = Option<&'a [u8]>;

/// Longest command or subcommand name shown; Redis's own are far shorter.
const MAX_NAME: usize = 64;

/// A command or subcommand word, upper-cased, when it looks like one (ASCII letters,
/// digits, `.`, `_`, `-`, at most 64 bytes); `None` for anything else, which may be data.
fn command_word(bytes: &[u8]) -> Option<String> {
    plausible_word(bytes).then(|| String::from_utf8_lossy(bytes).to_ascii_uppercase())
}

/// Does `bytes` look like a command or subcommand name?
fn plausible_word(bytes: &[u8]) -> bool {
    !bytes.is_empty()
        && bytes.len() <= MAX_NAME
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// The command's name: its first word, upper-cased (`GET`, `CONFIG`, `JSON.SET`), or
/// `_OTHER` when the first word does not look like a command (it names the span).
pub(crate) fn command_name(first: Arg<'_>) -> CommandName {
    thread_local! {
        /// The last name this thread found in the table: services send a few commands
        /// over and over, and a repeat skips the check, the copy, the upper-casing and
        /// the table lookup (151 instructions fewer per `GET`).
        static LAST: Cell<Option<(&'static str, Shape)>> = const { Cell::new(None) };
    }
    if let Some(word) = first
        && let Ok(Some((name, shape))) = LAST.try_with(Cell::get)
        && is_spelling_of(name, word)
    {
        return CommandName::Known(name, shape);
    }
    let Some(word) = first.filter(|word| plausible_word(word)) else {
        return CommandName::Known(OTHER, Shape::Masked);
    };
    let mut bytes = [0; MAX_NAME];
    bytes[..word.len()].copy_from_slice(word);
    bytes[..word.len()].make_ascii_uppercase();
    let upper = &bytes[..word.len()];
    match TABLE.get(upper) {
        Some((name, shape)) => {
            let _ = LAST.try_with(|last| last.set(Some((name, *shape))));
            CommandName::Known(name, *shape)
        }
        // Only ASCII letters, digits, `.`, `_` and `-` were copied in.
        None => CommandName::Unlisted(String::from_utf8_lossy(upper).into()),
    }
}

const OTHER: &str = "_OTHER";

/// Is `word` the table's `name` (upper case) in any case, and so a word that looks like
/// a command? Each byte is the name's or, for a letter, its lower case: clients mostly
/// send names in upper case, and this compares those at a third of the cost of
/// `eq_ignore_ascii_case`.
fn is_spelling_of(name: &str, word: &[u8]) -> bool {
    name.len() == word.len()
        && name
            .bytes()
            .zip(word)
            .all(|(upper, &byte)| byte == upper || byte == upper.to_ascii_lowercase())
}

/// A command's name, and so how its arguments are shown. Read on every call: a name the
/// table knows is its `&'static str`.
#[derive(Clone)]
pub(crate) enum CommandName {
    /// In the table (or `_OTHER`).
    Known(&'static str, Shape),
    /// A command the table does not know (a module's): every argument masked.
    Unlisted(Box<str>),
}

impl CommandName {
    /// The name as a call description takes it: a name from the table is kept as it is.
    pub(crate) fn text(&self) -> instrument_core::Text<'_> {
        match self {
            CommandName::Known(name, _) => instrument_core::Text::kept(name),
            CommandName::Unlisted(name) => instrument_core::Text::from(&**name),
        }
    }

    /// Which arguments are shown.
    fn shape(&self) -> Shape {
        match self {
            CommandName::Known(_, shape) => *shape,
            CommandName::Unlisted(_) => Shape::Masked,
        }
    }
}

impl std::ops::Deref for CommandName {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            CommandName::Known(name, _) => name,
            CommandName::Unlisted(name) => name,
        }
    }
}

impl std::fmt::Debug for CommandName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self)
    }
}

impl PartialEq<&str> for CommandName {
    fn eq(&self, other: &&str) -> bool {
        &**self == *other
    }
}

/// How keys are copied into a masked text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keys {
    /// Keys of up to [`MAX_KEY`] bytes as they are: the whole text is checked to be UTF-8
    /// once, at the end. Checking key by key cost about a hundred instructions per key.
    Unchecked,
    /// Every key made valid UTF-8 (lossily): the text is UTF-8 by construction. Used
    /// when the unchecked text was not UTF-8; the two agree on every other text.
    Lossy,
}

/// Appends the masked text of one command (name first) to `out`, stopping before
/// `max_len` at a whole argument. Returns false when it had to stop.
fn write_masked<'a>(
    out: &mut Vec<u8>,
    args: impl IntoIterator<Item = Arg<'a>>,
    max_len: usize,
    keys: Keys,
) -> bool {
    let mut args = args.into_iter();
    let name = command_name(args.next().flatten());
    write_named(out, &name, args, max_len, keys)
}

/// [`write_masked`] for a command whose name was already read off its first argument;
/// `rest` are the arguments after it.
fn write_named<'a>(
    out: &mut Vec<u8>,
    name: &CommandName,
    rest: impl Iterator<Item = Arg<'a>>,
    max_len: usize,
    keys: Keys,
) -> bool {
    if !push_word(out, name.as_bytes(), max_len) {
        return false;
    }
    let shape = name.shape();
    for (position, arg) in rest.enumerate() {
        let shown = match (shape, arg) {
            (Shape::FirstKey, Some(key)) if position == 0 => visible(key, keys),
            (Shape::AllKeys, Some(key)) => visible(key, keys),
            (Shape::KeyValuePairs, Some(key)) if position.is_multiple_of(2) => visible(key, keys),
            (Shape::Subcommand, Some(sub)) if position == 0 => command_word(sub)
                .map_or(Cow::Borrowed(&b"?"[..]), |word| {
                    Cow::Owned(word.into_bytes())
                }),
            _ => Cow::Borrowed(&b"?"[..]),
        };
        if !push_word(out, &shown, max_len) {
            return false;
        }
    }
    true
}

/// Longest key shown whole; a longer one is cut, so that one huge key cannot fill the text.
const MAX_KEY: usize = 256;

/// A key as text: UTF-8 as is (lossily where it is not, with [`Keys::Lossy`]), cut at a
/// character when longer than [`MAX_KEY`].
fn visible(key: &[u8], keys: Keys) -> Cow<'_, [u8]> {
    if keys == Keys::Unchecked && key.len() <= MAX_KEY {
        return Cow::Borrowed(key);
    }
    let text = String::from_utf8_lossy(key);
    if text.len() <= MAX_KEY {
        return match text {
            Cow::Borrowed(text) => Cow::Borrowed(text.as_bytes()),
            Cow::Owned(text) => Cow::Owned(text.into_bytes()),
        };
    }
    let mut cut = MAX_KEY;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    Cow::Owned(format!("{}…", &text[..cut]).into_bytes())
}

/// Marks a text cut short.
const CUT: &str = " …";

/// Pushes ` word` (no space at the start) if it fits in `max_len` with room left for
/// [`CUT`]; otherwise pushes [`CUT`] and returns false.
fn push_word(out: &mut Vec<u8>, word: &[u8], max_len: usize) -> bool {
    let space = usize::from(!out.is_empty());
    if out.len() + space + word.len() + CUT.len() <= max_len {
        if space == 1 {
            out.push(b' ');
        }
        out.extend_from_slice(word);
        true
    } else {
        if !out.is_empty() && out.len() + CUT.len() <= max_len {
            out.extend_from_slice(CUT.as_bytes());
        }
        false
    }
}

/// A thread's two buffers for masked texts.
#[derive(Default)]
struct Buffers {
    /// Where the next text is written.
    writing: Vec<u8>,
    /// The last text written that was UTF-8.
    last: String,
}

/// Writes a masked text with `write` into a buffer kept per thread, keys unchecked, and
/// hands it to `record` borrowed: the span shares it with a recent call's copy of the
/// same text, or copies it at its exact length. When that text is not UTF-8 (a key was
/// not), writes it again with lossy keys.
///
/// The text is checked to be UTF-8 only when it differs from the last one this thread
/// wrote: services repeat commands, and a compare of bytes costs a fifth of the check.
fn with_masked_text<T>(write: impl Fn(&mut Vec<u8>, Keys), record: impl FnOnce(&str) -> T) -> T {
    thread_local! {
        static BUFFERS: std::cell::RefCell<Buffers> = const {
            std::cell::RefCell::new(Buffers { writing: Vec::new(), last: String::new() })
        };
    }
    // Taken out while in use, so that a command masked inside `record` (a hook that
    // calls Redis) finds them empty and grows its own; put back afterwards.
    let mut buffers = BUFFERS
        .try_with(std::cell::RefCell::take)
        .unwrap_or_default();
    let Buffers { writing, last } = &mut buffers;
    writing.clear();
    write(writing, Keys::Unchecked);
    let recorded = if writing.as_slice() == last.as_bytes() {
        record(last)
    } else {
        match String::from_utf8(std::mem::take(writing)) {
            Ok(text) => {
                // The new text is the last one now; the old one's memory is written next.
                *writing = std::mem::replace(last, text).into_bytes();
                record(last)
            }
            Err(not_utf8) => {
                *writing = not_utf8.into_bytes();
                writing.clear();
                write(writing, Keys::Lossy);
                // UTF-8 by construction; lossily again rather than ever panic.
                record(&String::from_utf8_lossy(writing))
            }
        }
    };
    let _ = BUFFERS.try_with(|kept| kept.replace(buffers));
    recorded
}

/// The masked text of one command.
#[cfg(test)]
pub(crate) fn masked<'a>(args: impl IntoIterator<Item = Arg<'a>, IntoIter: Clone>) -> String {
    let mut args = args.into_iter();
    let name = command_name(args.next().flatten());
    with_masked_named(&name, args, str::to_owned)
}

/// Hands `record` the masked text of a command whose name was already read off its
/// first argument; `rest` are the arguments after it.
pub(crate) fn with_masked_named<'a, T>(
    name: &CommandName,
    rest: impl Iterator<Item = Arg<'a>> + Clone,
    record: impl FnOnce(&str) -> T,
) -> T {
    with_masked_text(
        |out, keys| {
            write_named(out, name, rest.clone(), MAX_TEXT_LEN, keys);
        },
        record,
    )
}

/// The masked texts of several commands, one per line, capped as a whole.
#[cfg(test)]
pub(crate) fn masked_batch<'a, I>(commands: impl IntoIterator<Item = I> + Clone) -> String
where
    I: IntoIterator<Item = Arg<'a>>,
{
    with_masked_batch(commands, str::to_owned)
}

/// Hands `record` the masked texts of several commands, one per line, capped as a whole.
pub(crate) fn with_masked_batch<'a, I, T>(
    commands: impl IntoIterator<Item = I> + Clone,
    record: impl FnOnce(&str) -> T,
) -> T
where
    I: IntoIterator<Item = Arg<'a>>,
{
    with_masked_text(|out, keys| write_batch(out, commands.clone(), keys), record)
}

/// Writes [`with_masked_batch`]'s text into `out`.
fn write_batch<'a, I>(out: &mut Vec<u8>, commands: impl IntoIterator<Item = I>, keys: Keys)
where
    I: IntoIterator<Item = Arg<'a>>,
{
    let mut line = Vec::new();
    for args in commands {
        let separator = usize::from(!out.is_empty());
        line.clear();
        let budget = MAX_TEXT_LEN.saturating_sub(out.len() + separator);
        let fits = write_masked(&mut line, args, budget, keys);
        if !line.is_empty() {
            if separator == 1 {
                out.push(b'\n');
            }
            out.extend_from_slice(&line);
        }
        if !fits {
            // Not even the command's name fitted: mark the cut on the text so far.
            if line.is_empty() && !out.is_empty() && out.len() + CUT.len() <= MAX_TEXT_LEN {
                out.extend_from_slice(CUT.as_bytes());
            }
            break;
        }
    }
}

/// `PIPELINE`, `PIPELINE GET` when every command is the same, or `MULTI` for a transaction.
pub(crate) fn batch_operation(names: &[CommandName], transaction: bool) -> String {
    if transaction {
        return String::from("MULTI");
    }
    match names.split_first() {
        Some((first, rest)) if rest.iter().all(|name| **name == **first) => {
            format!("PIPELINE {}", &**first)
        }
        _ => String::from("PIPELINE"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(args: &[&str]) -> String {
        masked(args.iter().map(|a| Some(a.as_bytes())))
    }

    #[test]
    fn values_are_masked_and_keys_kept() {
        assert_eq!(
            text(&["SET", "user:1", "alice@example.com"]),
            "SET user:1 ?"
        );
        assert_eq!(
            text(&["set", "user:1", "x", "EX", "60"]),
            "SET user:1 ? ? ?"
        );
        assert_eq!(text(&["HSET", "h", "f", "v"]), "HSET h ? ?");
        assert_eq!(text(&["GET", "user:1"]), "GET user:1");
        assert_eq!(text(&["DEL", "a", "b"]), "DEL a b");
        assert_eq!(text(&["MSET", "k1", "v1", "k2", "v2"]), "MSET k1 ? k2 ?");
        assert_eq!(
            text(&["PUBLISH", "orders", "{\"id\":1}"]),
            "PUBLISH orders ?"
        );
    }

    #[test]
    fn credentials_never_appear() {
        assert_eq!(text(&["AUTH", "hunter2"]), "AUTH ?");
        assert_eq!(text(&["AUTH", "bob", "hunter2"]), "AUTH ? ?");
        assert_eq!(
            text(&["HELLO", "3", "AUTH", "bob", "hunter2"]),
            "HELLO ? ? ? ?"
        );
        assert_eq!(
            text(&[
                "MIGRATE", "h", "6379", "", "0", "5000", "AUTH2", "bob", "pw", "KEYS", "k"
            ]),
            "MIGRATE ? ? ? ? ? ? ? ? ? ?"
        );
        assert_eq!(
            text(&["CONFIG", "SET", "requirepass", "hunter2"]),
            "CONFIG SET ? ?"
        );
        assert_eq!(
            text(&["ACL", "SETUSER", "bob", "on", ">hunter2"]),
            "ACL SETUSER ? ? ?"
        );
    }

    #[test]
    fn unknown_commands_and_scripts_keep_only_their_name() {
        assert_eq!(text(&["MYMODULE.DO", "secret", "more"]), "MYMODULE.DO ? ?");
        assert_eq!(
            text(&["EVAL", "return redis.call('get', KEYS[1])", "1", "k"]),
            "EVAL ? ? ?"
        );
        assert_eq!(text(&["PING"]), "PING");
    }

    #[test]
    fn a_text_recorded_while_another_is_being_recorded_is_written_apart() {
        // A hook run while a span starts may itself call Redis: the thread's buffer is
        // taken then, and the inner text is written into one of its own.
        let name = command_name(Some(b"SET"));
        let (outer, inner) = with_masked_named(
            &name,
            [Some(&b"outer"[..]), Some(&b"secret"[..])].into_iter(),
            |outer| {
                let inner = text(&["GET", "inner"]);
                (outer.to_owned(), inner)
            },
        );
        assert_eq!(outer, "SET outer ?");
        assert_eq!(inner, "GET inner");
    }

    #[test]
    fn a_text_repeated_or_changed_or_not_utf8_is_written_as_it_is() {
        // Each text is checked or found equal to the last one that was: every order of
        // repeats, changes and texts that are not UTF-8 gives each its own text.
        let get = |key: &[u8]| masked([Some(&b"GET"[..]), Some(key)]);
        assert_eq!(get(b"user:1"), "GET user:1");
        assert_eq!(get(b"user:1"), "GET user:1");
        assert_eq!(get(b"user:2"), "GET user:2");
        assert_eq!(get(b"user:\xff"), "GET user:\u{fffd}");
        assert_eq!(get(b"user:2"), "GET user:2");
        assert_eq!(get(b"user:\xff"), "GET user:\u{fffd}");
        assert_eq!(get(b"user:\xff"), "GET user:\u{fffd}");
        assert_eq!(get(b"user:1"), "GET user:1");
        assert_eq!(get(b""), "GET ");
        assert_eq!(get(b""), "GET ");
    }

    #[test]
    fn cursors_are_masked() {
        assert_eq!(
            masked([Some(&b"SCAN"[..]), None, Some(&b"MATCH"[..])]),
            "SCAN ? ?"
        );
    }

    #[test]
    fn a_name_repeated_in_any_case_is_the_table_s_and_a_different_one_is_looked_up() {
        // The first lookup fills the thread's last name; the others compare with it.
        let names: Vec<String> = ["GET", "get", "GeT", "GETEX", "GE", "get", "SET", "set"]
            .iter()
            .map(|word| command_name(Some(word.as_bytes())).to_string())
            .collect();
        assert_eq!(
            names,
            ["GET", "GET", "GET", "GETEX", "GE", "GET", "SET", "SET"]
        );
        assert_eq!(command_name(Some(b"ge")).shape(), Shape::Masked);
        assert_eq!(command_name(Some(b"get")).shape(), Shape::FirstKey);
        assert_eq!(command_name(Some(b"del")).shape(), Shape::AllKeys);
    }

    #[test]
    fn names_that_do_not_look_like_commands_are_other() {
        assert_eq!(text(&["hunter2 with spaces", "x"]), "_OTHER ?");
        assert_eq!(text(&[&"A".repeat(65)]), "_OTHER");
        assert_eq!(command_name(None), "_OTHER");
        assert_eq!(text(&["CONFIG", "not a subcommand", "x"]), "CONFIG ? ?");
        assert_eq!(text(&["json.set", "doc", "$", "{}"]), "JSON.SET doc ? ?");
    }

    #[test]
    fn a_cut_batch_never_ends_on_a_bare_line_break() {
        let long_key = "k".repeat(250);
        let commands: Vec<Vec<&str>> = (0..10).map(|_| vec!["GET", long_key.as_str()]).collect();
        let text = masked_batch(
            commands
                .iter()
                .map(|c| c.iter().map(|a| Some(a.as_bytes()))),
        );
        assert!(text.len() <= MAX_TEXT_LEN);
        assert!(!text.ends_with('\n'), "{text:?}");
        assert!(text.ends_with(" …") || text.ends_with('…'), "{text:?}");
    }

    #[test]
    fn long_texts_stop_at_a_whole_argument() {
        let mut args = vec!["RPUSH", "list"];
        args.extend(std::iter::repeat_n("v", 2000));
        let out = text(&args);
        assert!(out.len() <= MAX_TEXT_LEN);
        assert!(out.starts_with("RPUSH list ? ?"));
        assert!(out.ends_with(" …"));
        let huge_key = "k".repeat(5000);
        let out = text(&["GET", &huge_key]);
        assert!(out.len() < 300 && out.ends_with('…'));
    }

    #[test]
    fn binary_keys_are_shown_lossily() {
        assert_eq!(
            masked([Some(&b"GET"[..]), Some(&[0xff, b'a'][..])]),
            "GET \u{fffd}a"
        );
    }

    #[test]
    fn batch_names() {
        let names = |n: &[&str]| {
            n.iter()
                .map(|s| command_name(Some(s.as_bytes())))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            batch_operation(&names(&["GET", "GET"]), false),
            "PIPELINE GET"
        );
        assert_eq!(batch_operation(&names(&["GET", "SET"]), false), "PIPELINE");
        assert_eq!(batch_operation(&names(&["GET"]), true), "MULTI");
        assert_eq!(batch_operation(&[], false), "PIPELINE");
    }

    #[test]
    fn a_batch_text_is_one_masked_command_per_line() {
        let commands = [vec!["SET", "a", "1"], vec!["GET", "a"]];
        let text = masked_batch(
            commands
                .iter()
                .map(|c| c.iter().map(|a| Some(a.as_bytes()))),
        );
        assert_eq!(text, "SET a ?\nGET a");
    }
}

#[cfg(test)]
mod properties {
    //! The masking never leaks a value. Values carry the marker `zv`, which no generated
    //! key, subcommand or command name can contain.
    use super::*;
    use proptest::prelude::*;

    const MARKER: &str = "zv";

    /// Any command name: from the table, in any case, or made up.
    fn name() -> impl Strategy<Value = String> {
        let known: Vec<&str> = FIRST_KEY
            .iter()
            .chain(ALL_KEYS)
            .chain(KEY_VALUE_PAIRS)
            .chain(SUBCOMMAND)
            .chain(&CREDENTIALS)
            .copied()
            .collect();
        prop_oneof![
            prop::sample::select(known).prop_flat_map(|n| {
                prop::collection::vec(any::<bool>(), n.len()).prop_map(move |upper| {
                    n.chars()
                        .zip(upper)
                        .map(|(c, up)| if up { c } else { c.to_ascii_lowercase() })
                        .collect()
                })
            }),
            "[A-Y][A-Y.]{0,11}",
        ]
    }

    /// A value: anything, binary included, always carrying the marker.
    fn value() -> impl Strategy<Value = Vec<u8>> {
        (
            prop::collection::vec(any::<u8>(), 0..40),
            prop::collection::vec(any::<u8>(), 0..40),
        )
            .prop_map(|(before, after)| [before, MARKER.as_bytes().to_vec(), after].concat())
    }

    fn key() -> impl Strategy<Value = Vec<u8>> {
        "[a-y0-9:_]{1,16}".prop_map(String::into_bytes)
    }

    /// Is argument `position` (after the name) shown for this shape?
    fn shown(shape: Shape, position: usize) -> bool {
        match shape {
            Shape::FirstKey | Shape::Subcommand => position == 0,
            Shape::AllKeys => true,
            Shape::KeyValuePairs => position.is_multiple_of(2),
            Shape::Masked => false,
        }
    }

    /// A command with keys where its shape shows arguments and values everywhere else
    /// (cursors too, now and then).
    fn command() -> impl Strategy<Value = Vec<Option<Vec<u8>>>> {
        (
            name(),
            prop::collection::vec((key(), value(), any::<u8>()), 0..60),
        )
            .prop_map(|(name, args)| {
                let shape = shape(&name.to_ascii_uppercase());
                let mut command = vec![Some(name.into_bytes())];
                for (position, (key, value, dice)) in args.into_iter().enumerate() {
                    command.push(if shown(shape, position) {
                        Some(key)
                    } else if dice < 20 {
                        None
                    } else {
                        Some(value)
                    });
                }
                command
            })
    }

    fn args(command: &[Option<Vec<u8>>]) -> impl Iterator<Item = Arg<'_>> + Clone {
        command.iter().map(|arg| arg.as_deref())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 10_000, ..ProptestConfig::default() })]

        #[test]
        fn no_value_ever_reaches_the_text(command in command()) {
            let text = masked(args(&command));
            prop_assert!(!text.contains(MARKER), "{text}");
            prop_assert!(text.len() <= MAX_TEXT_LEN);
        }

        #[test]
        fn credentials_commands_show_nothing_but_their_name_and_subcommand(
            name in prop::sample::select(vec!["AUTH", "auth", "HELLO", "Migrate", "CONFIG", "ACL"]),
            secrets in prop::collection::vec(value(), 0..8),
        ) {
            let mut command = vec![Some(name.as_bytes().to_vec())];
            if name.eq_ignore_ascii_case("CONFIG") || name.eq_ignore_ascii_case("ACL") {
                command.push(Some(b"SET".to_vec()));
            }
            command.extend(secrets.into_iter().map(Some));
            let text = masked(args(&command));
            prop_assert!(!text.contains(MARKER), "{text}");
        }

    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

        #[test]
        fn a_spelling_of_a_table_name_is_what_ignoring_ascii_case_says(
            index in any::<prop::sample::Index>(),
            word in prop::collection::vec(any::<u8>(), 0..12),
            lower in prop::collection::vec(any::<bool>(), 12),
        ) {
            let names: Vec<&'static str> = TABLE.values().map(|(name, _)| *name).collect();
            let name = names[index.index(names.len())];
            // The name itself in mixed case, and arbitrary bytes.
            let mixed: Vec<u8> = name
                .bytes()
                .zip(lower.iter().cycle())
                .map(|(byte, lower)| if *lower { byte.to_ascii_lowercase() } else { byte })
                .collect();
            prop_assert!(is_spelling_of(name, &mixed));
            prop_assert_eq!(is_spelling_of(name, &word), name.as_bytes().eq_ignore_ascii_case(&word));
        }

        #[test]
        fn batches_never_leak_either(commands in prop::collection::vec(command(), 0..6)) {
            let text = masked_batch(commands.iter().map(|c| args(c)));
            prop_assert!(!text.contains(MARKER), "{text}");
            prop_assert!(text.len() <= MAX_TEXT_LEN);
        }

        #[test]
        fn keys_copied_unchecked_give_the_same_text_as_keys_made_utf8(
            command in any_keys_command(),
        ) {
            let mut lossy = Vec::new();
            write_masked(&mut lossy, args(&command), MAX_TEXT_LEN, Keys::Lossy);
            let lossy = String::from_utf8(lossy).expect("lossy keys are UTF-8");
            prop_assert_eq!(masked(args(&command)), lossy);
        }

        #[test]
        fn batches_of_any_keys_give_the_same_text_either_way(
            commands in prop::collection::vec(any_keys_command(), 0..4),
        ) {
            let mut lossy = Vec::new();
            write_batch(&mut lossy, commands.iter().map(|c| args(c)), Keys::Lossy);
            let lossy = String::from_utf8(lossy).expect("lossy keys are UTF-8");
            prop_assert_eq!(masked_batch(commands.iter().map(|c| args(c))), lossy);
        }
    }

    /// Keys of any bytes: UTF-8 or not, multi-byte characters, longer than a key is shown.
    fn any_key() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            key(),
            prop::collection::vec(any::<u8>(), 0..300),
            "\\PC{0,300}".prop_map(String::into_bytes),
            ("[a-z]{250,260}", "\\PC{1,4}").prop_map(|(a, b)| format!("{a}{b}").into_bytes()),
        ]
    }

    /// Key-showing commands with any keys.
    fn any_keys_command() -> impl Strategy<Value = Vec<Option<Vec<u8>>>> {
        (
            prop::sample::select(vec!["GET", "DEL", "MSET", "set", "XGROUP"]),
            prop::collection::vec(any_key(), 0..8),
        )
            .prop_map(|(name, keys)| {
                let mut command = vec![Some(name.as_bytes().to_vec())];
                command.extend(keys.into_iter().map(Some));
                command
            })
    }
}
