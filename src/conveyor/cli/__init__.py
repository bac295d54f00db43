"""Command-line entry points: argument parsing, output, and the one place errors are caught."""
