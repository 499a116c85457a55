"""``python -m mobilecnn``: the same as the ``mobilecnn`` command."""

import sys

from mobilecnn.cli import main

sys.exit(main())
