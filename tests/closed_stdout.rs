//! The help and the version are results too: with standard output closed or full they are
//! lost, and the exit status says so (issue #17).

use crate::common::*;

#[test]
fn help_and_version_to_a_closed_stdout_are_errors() {
    for (args, what) in [
        ("--help", "the help"),
        ("-h", "the help"),
        ("help", ""),
        ("--version", "the version"),
        ("-V", "the version"),
    ] {
        let o = shell(&format!("deriv {args} >&-"))
            .output()
            .expect("sh runs");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "deriv {args} >&-: {o:?}");
        assert!(err.contains("standard output is closed"), "{err}");
        assert!(err.contains(what), "deriv {args} >&-: {err}");
    }
}

#[test]
fn a_full_device_names_what_could_not_be_written() {
    if !std::path::Path::new("/dev/full").exists() {
        return;
    }
    for (args, what) in [
        ("--version", "cannot write the version"),
        ("--help", "cannot write the help"),
    ] {
        let o = shell(&format!("deriv {args} > /dev/full"))
            .output()
            .expect("sh runs");
        assert_eq!(o.status.code(), Some(1), "deriv {args}: {o:?}");
        assert!(String::from_utf8_lossy(&o.stderr).contains(what), "{o:?}");
    }
}
