"""Speed and memory figures for SPEC §7, printed as a table by `make bench`."""
