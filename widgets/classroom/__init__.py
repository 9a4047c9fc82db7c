"""The class loop: answers saved as they are given, handed in, and read back for the debrief.

For exercises (the public API): :mod:`widgets.classroom.handin` (``default_log()``,
``ExerciseLog.record_attempt``, ``ExerciseLog.hand_in``) and its view
:class:`widgets.classroom.handin_view.HandInBox`.  Underneath: :mod:`~widgets.classroom.records`
(one attempt record and the hand-in file format for every exercise, one score definition),
:mod:`~widgets.classroom.progress` (the locked, merged progress file), :mod:`~widgets.classroom.identity`
(names in any script, the per-install id).  For instructors: :mod:`~widgets.classroom.results` and its
views (reading a class's folder, grading again with :mod:`~widgets.classroom.grading`, old exports
through :mod:`~widgets.classroom.export`), lesson plans and answer keys.

Pure logic lives in modules that import neither ipywidgets nor matplotlib; the views sit beside it.
"""
