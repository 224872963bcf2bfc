"""The error a command raises for a spec it cannot run."""


class SpecError(ValueError):
    """A spec the trainer cannot run: the command prints the reason to stderr and exits 2."""
