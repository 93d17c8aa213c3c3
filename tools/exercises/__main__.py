"""``python -m tools.exercises build|check|validate``: see :mod:`tools.exercises`."""

import sys

from tools.exercises import main

sys.exit(main())
