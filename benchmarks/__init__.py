"""Speed and memory figures against their targets, printed as a table by `make bench`."""
