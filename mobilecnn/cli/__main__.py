"""``python -m mobilecnn.cli``: the ``mobilecnn`` command."""

import sys

from mobilecnn.cli import main

sys.exit(main())
