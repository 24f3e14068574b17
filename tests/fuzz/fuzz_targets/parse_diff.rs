//! Fuzz target: arbitrary bytes → (UTF-8) text → parse → ∂/∂x → tidy → print in every
//! style, plain output parsed back. Any panic, stack overflow or timeout is a finding
//! (see tests/fuzz/run.sh); the checks live in ../check.rs, shared with the replay test.
#![no_main]

#[path = "../check.rs"]
mod check;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The binary refuses invalid UTF-8 before parsing; decode lossily so every byte
    // string still reaches the parser.
    let text = String::from_utf8_lossy(data).into_owned();
    // libFuzzer's thread has a small stack; the binary runs on one of STACK_SIZE.
    std::thread::Builder::new()
        .stack_size(deriv::STACK_SIZE)
        .spawn(move || check::run(&text))
        .expect("spawn")
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e));
});
