"""``python -m orgnet``: the same as the ``orgnet`` command."""

from orgnet.cli import main

main()
