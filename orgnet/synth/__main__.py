"""``python -m orgnet.synth``: see :mod:`orgnet.synth.cli`."""

from orgnet.synth.cli import main

raise SystemExit(main())
