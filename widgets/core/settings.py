"""Where the course's own files are, known in one place: the package, its content, and the checkout it sits in.

Modules ask here instead of counting the parents of their own file.  The students' copy
(``make student-release``) has the package and the notebooks but not the instructor's material, so
:data:`LESSONS_DIR` may not exist there; only the instructor's side reads it.  (Every path and ``VKP_*``
variable read once, in one settings object, is the next step; this module is where it will grow.)

Pure logic: no ipywidgets, no matplotlib.
"""

from __future__ import annotations

from pathlib import Path

#: The ``widgets`` package.
PACKAGE_DIR = Path(__file__).resolve().parents[1]
#: The authored content (YAML) the package ships.
CONTENT_DIR = PACKAGE_DIR / "content"
#: The checkout (or the students' copy) the package sits in.
REPOSITORY_DIR = PACKAGE_DIR.parent
#: The instructor's material: guide, lesson plans, answer keys, the sample class.
LESSONS_DIR = REPOSITORY_DIR / "lessons"
