"""The student's own record, used by every exercise: who the student is, every answer saved at once, the hand-in.

For exercises (the public API): :mod:`widgets.record.handin` (``default_log()``,
``ExerciseLog.record_attempt``, ``ExerciseLog.hand_in``) and its view
:class:`widgets.record.handin_view.HandInBox`.  Underneath: :mod:`~widgets.record.attempts`
(one attempt record and the hand-in file format for every exercise, one score definition),
:mod:`~widgets.record.progress` (the locked, merged progress file, and its version-1 form),
:mod:`~widgets.record.identity` (names in any script, the per-install id), and
:mod:`~widgets.record.hub_client` (handing in to the class hub's hand-in service).

This layer sits below every topic and knows none of them: it imports only :mod:`widgets.core`.
The instructor's side (reading a class's hand-ins) is :mod:`widgets.classroom`.

Pure logic lives in modules that import neither ipywidgets nor matplotlib; the views sit beside it.
"""
