"""The foundation every wing stands on: paths, the counting core, the worker pool, checks of options and names.

Imports nothing of the package above it."""
