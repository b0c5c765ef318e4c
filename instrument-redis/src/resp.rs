//! Reading commands back out of packed RESP bytes.
//!
//! The sync `ConnectionLike` receives pipelines already encoded: `*<n>\r\n` then `n` bulk
//! strings `$<len>\r\n<bytes>\r\n` per command. This reads them back to name and mask
//! the commands; anything that is not well formed ends the reading (never a panic), and
//! the span then shows what could be read.

/// The commands in `packed`, each as its arguments.
pub(crate) fn commands(packed: &[u8]) -> Vec<Vec<&[u8]>> {
    let mut reader = Reader { rest: packed };
    let mut commands = Vec::new();
    while !reader.rest.is_empty() {
        match reader.command() {
            Some(command) => commands.push(command),
            None => break,
        }
    }
    commands
}

struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn command(&mut self) -> Option<Vec<&'a [u8]>> {
        let count = self.header(b'*')?;
        // Each argument takes at least 6 bytes (`$0\r\n\r\n`): a count larger than the
        // input allows is malformed, and must not reserve memory for it.
        if count > self.rest.len() / 6 + 1 {
            return None;
        }
        let mut args = Vec::with_capacity(count);
        for _ in 0..count {
            let len = self.header(b'$')?;
            let end = len.checked_add(2)?;
            if self.rest.len() < end || &self.rest[len..end] != b"\r\n" {
                return None;
            }
            args.push(&self.rest[..len]);
            self.rest = &self.rest[end..];
        }
        Some(args)
    }

    /// Reads `<marker><decimal>\r\n`.
    fn header(&mut self, marker: u8) -> Option<usize> {
        let (&first, rest) = self.rest.split_first()?;
        if first != marker {
            return None;
        }
        let line_end = rest.windows(2).position(|w| w == b"\r\n")?;
        let number = std::str::from_utf8(&rest[..line_end]).ok()?.parse().ok()?;
        self.rest = &rest[line_end + 2..];
        Some(number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_commands_read_back_as_arguments() {
        let packed =
            b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nva\r\nl\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n";
        assert_eq!(
            commands(packed),
            vec![vec![&b"SET"[..], b"k", b"va\r\nl"], vec![&b"GET"[..], b"k"]]
        );
    }

    #[test]
    fn redis_rs_encoding_of_a_pipeline_reads_back() {
        let mut pipe = redis::pipe();
        pipe.atomic().set("a", "1").get("a");
        let packed = pipe.get_packed_pipeline();
        let names: Vec<Vec<u8>> = commands(&packed)
            .into_iter()
            .map(|c| c[0].to_vec())
            .collect();
        assert_eq!(
            names,
            vec![
                b"MULTI".to_vec(),
                b"SET".to_vec(),
                b"GET".to_vec(),
                b"EXEC".to_vec()
            ]
        );
    }

    #[test]
    fn malformed_input_stops_reading_without_panicking() {
        for input in [
            &b""[..],
            b"*",
            b"*2\r\n$3\r\nGET\r\n",
            b"*1\r\n$99\r\nGET\r\n",
            b"*99999999999\r\n",
            b"*18446744073709551615\r\n$1\r\nx\r\n",
            b"*1\r\n$18446744073709551615\r\n",
            b"+OK\r\n",
            b"*1\r\n$3\r\nGETxx",
        ] {
            let _ = commands(input);
        }
        assert_eq!(commands(b"*1\r\n$4\r\nPING\r\n*9\r\n").len(), 1);
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 5_000, ..ProptestConfig::default() })]

        #[test]
        fn any_bytes_are_read_without_panicking(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
            let _ = commands(&bytes);
        }

        #[test]
        fn what_redis_rs_packs_reads_back_exactly(
            commands_in in prop::collection::vec(prop::collection::vec(prop::collection::vec(any::<u8>(), 0..24), 1..6), 1..6)
        ) {
            let mut pipe = redis::pipe();
            for args in &commands_in {
                let cmd = pipe.cmd("X");
                for arg in args {
                    cmd.arg(arg.as_slice());
                }
            }
            let packed = pipe.get_packed_pipeline();
            let read: Vec<Vec<Vec<u8>>> = commands(&packed)
                .into_iter()
                .map(|args| args.into_iter().skip(1).map(<[u8]>::to_vec).collect())
                .collect();
            prop_assert_eq!(read, commands_in);
        }
    }
}
