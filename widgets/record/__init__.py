"""The student's own record: identity, attempts, the progress file, the hand-in and its views (issue 21's record
layer; today most of it still lives in ``widgets.classroom``)."""
