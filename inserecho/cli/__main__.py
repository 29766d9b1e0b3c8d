"""``python -m inserecho.cli``: the same command as ``inserecho``, for a folder without the script on the PATH."""

from inserecho.cli.main import main

main()
