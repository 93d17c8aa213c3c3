"""``python -m tools.grade``: the earlier name of ``python -m tools.grader``, kept so that
instructors' scripts keep working. Same arguments, same behaviour: see ``tools/grader/__main__.py``.
"""

import sys

from tools.grader.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
