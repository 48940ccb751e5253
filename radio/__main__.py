"""``python -m radio`` is the ``radio`` command (how ``radio run`` starts its scheduler)."""

import sys

from radio.cli import main

sys.exit(main())
