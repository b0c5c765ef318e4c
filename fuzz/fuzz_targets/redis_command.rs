#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| instrument_fuzz::checks::redis_command(data));
