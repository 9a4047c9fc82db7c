"""``python -m widgets.hubservice``: run the hand-in service (see :mod:`widgets.hubservice.service`)."""

import sys

from widgets.hubservice.service import main

if __name__ == "__main__":
    sys.exit(main())
