"""The command line: parses arguments, wires the stages, prints in French.

Takes what the officer types; gives exit codes and French messages. No stage imports from here.
"""

from inserecho.cli.main import main

__all__ = ["main"]
