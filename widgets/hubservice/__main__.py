"""``python -m widgets.hubservice``: run the hand-in service (see :mod:`widgets.hubservice.service`)."""

import sys

from widgets.hubservice.service import main

sys.exit(main())
