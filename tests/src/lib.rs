//! Support for Terbuka's end-to-end tests: the binaries they start as real processes.
