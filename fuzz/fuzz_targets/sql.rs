#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| instrument_fuzz::checks::sql(data));
